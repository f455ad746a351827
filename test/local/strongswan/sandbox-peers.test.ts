import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Estate } from '../../../local/estate/estate';
import { buildSandboxEstate, sandboxNames } from '../../../local/estate/sandbox-estate';
import { startAzureSimulator, type AzureSimulator } from '../../../local/simulator/azure-simulator';
import { azureSide, readAzureConnection } from '../../../local/strongswan/azure-side';
import { deviceSideFromEstate } from '../../../local/strongswan/device-side';
import { establish } from '../../../local/strongswan/peers';
import { describeRealPeers } from '../../support/real-peers';
import { reasonOf } from './peer-verdicts';

let estate: Estate;
let sim: AzureSimulator;

beforeAll(async () => {
  estate = await buildSandboxEstate({ now: new Date() });
  sim = await startAzureSimulator({ estate, tunnelSettleMs: 0 });
});

afterAll(async () => {
  await sim?.close();
});

describeRealPeers("the sandbox estate's certificates against real strongSwan", () => {
  it.each([
    ['site-london', 'connected', '-'],
    ['site-paris', 'connected', '-'],
    ['site-berlin', 'inbound-untrusted', 'azure: certificate-untrusted'],
    ['site-madrid', 'inbound-subject-mismatch', 'azure: no-peer-config'],
    ['site-oslo', 'proposal-mismatch', 'azure: policy-mismatch'],
  ])('%s: the simulator says %s, and two real charons agree (%s)', async (name, simulated, reason) => {
    const site = sim.estateInfo.sites.find((s) => s.name === name)!;
    const settings = await readAzureConnection(sim, site.connectionId!);
    // Azure's side on the sandbox gateway's public IP, with the outbound certificate and key the gateway's identity reads.
    expect(settings.gatewayAddress).toBe(sandboxNames.gatewayPublicIps[0]);
    expect(settings.deviceAddress).toBe(site.devicePublicIp);
    const device = estate.sites.find((s) => s.name === name)!.device;
    const result = await establish(await azureSide(sim, settings), deviceSideFromEstate(device, { gatewayAddress: settings.gatewayAddress, azurePrefixes: settings.vnetPrefixes }));
    expect(sim.inspectTunnels(site.connectionId!)[0]!.outcome?.kind).toBe(simulated);
    expect(result.established).toBe(simulated === 'connected');
    expect(reasonOf(result)).toBe(reason);
    if (result.established) {
      // The CHILD_SA carries the site's prefixes to the VNet's, on both sides.
      expect(result.device.text).toContain(`local  ${site.prefixes[0]}`);
      expect(result.azure.text).toContain(`remote ${site.prefixes[0]}`);
    }
  });
});
