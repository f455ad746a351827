import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSandboxEstate, sandboxNames } from '../../../local/estate/sandbox-estate';
import type { Estate } from '../../../local/estate/estate';
import { startAzureSimulator, type AzureSimulator } from '../../../local/simulator/azure-simulator';
import { azureSideFromSimulator, readAzureConnection } from '../../../local/strongswan/azure-side';
import { deviceSideFromEstate } from '../../../local/strongswan/device-side';
import { establish } from '../../../local/strongswan/peers';
import { describeRealPeers } from '../../support/real-peers';

let estate: Estate;
let sim: AzureSimulator;

beforeAll(async () => {
  estate = await buildSandboxEstate({ now: new Date() });
  sim = await startAzureSimulator({ estate, tunnelSettleMs: 0, lro: { durationMs: 0, retryAfterSeconds: 0 } });
});

afterAll(async () => {
  await sim?.close();
});

describeRealPeers('the sandbox estate against real strongSwan', () => {
  it.each(['site-london', 'site-paris', 'site-berlin', 'site-madrid', 'site-oslo'])('%s', async (name) => {
    const site = sim.estateInfo.sites.find((s) => s.name === name)!;
    const settings = await readAzureConnection(sim, site.connectionId!);
    const azure = await azureSideFromSimulator(sim, site.connectionId!);
    const device = deviceSideFromEstate(estate.sites.find((s) => s.name === name)!.device, { gatewayAddress: settings.gatewayAddress, azurePrefixes: settings.vnetPrefixes });
    const result = await establish(azure, device);
    const simulated = sim.inspectTunnels(site.connectionId!)[0]!;
    console.log(name, result.ms.toFixed(0), result.established, simulated.outcome?.kind);
    if (!result.established) console.log(result.azureLog.split('\n').filter((l) => /IKE\]|CFG\]/.test(l)).slice(-12).join('\n'));
    expect(result.established).toBe(simulated.outcome?.kind === 'connected');
    expect(sandboxNames.gatewayPublicIps).toContain(settings.gatewayAddress);
  });
});
