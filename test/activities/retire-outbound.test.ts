import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createNetworkAdapter } from '../../adapters/azure/network';
import type { ActivityPorts } from '../../activities/activity-ports';
import { retireOutboundVersions } from '../../activities/retire-outbound';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { startTestSimulator } from '../local/simulator/simulator-fixture';
import { testPorts, type TestPorts } from './fake-adapters';

/** The retirement sweep against the simulator: versions past their grace period are disabled, unless in use. */
describe('retirement sweep of outbound versions after a rotation', () => {
  let sim: AzureSimulator;
  let test: TestPorts;
  let ports: ActivityPorts;
  beforeAll(async () => {
    sim = await startTestSimulator();
    const settings = sim.settingsFor('bot');
    test = testPorts({ scopes: [{ subscriptionId: sim.estateInfo.subscriptionId, resourceGroups: [...sim.estateInfo.resourceGroups] }] });
    ports = { ...test.ports, network: createNetworkAdapter(settings), keyVault: createKeyVaultAdapter(settings, { pollIntervalMs: 10 }), now: () => sim.clock.now() };
  });
  afterAll(async () => {
    await sim.close();
  });

  it('disables a version whose grace period ended and no connection uses; leaves a due version a connection uses, and says so', async () => {
    const record = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-london');
    const inUse = record.versions.at(-1)!;
    // A second, older version retired by a rotation an hour ago, and the one london uses marked too (someone moved it back).
    const vaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;
    const created = await ports.keyVault.createCertificateVersion(vaultUrl, 'outbound-site-london', { subject: 'CN=azure-london.vpn.contoso.example' });
    const extra = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-london').versions.find((v) => v.version === created.version)!;
    const due = new Date(sim.clock.now().getTime() - 3_600_000).toISOString();
    extra.tags = { 'retire-after': due, 'retire-for': 'r1' };
    inUse.tags = { 'retire-after': due, 'retire-for': 'r0' };
    const sweep = await retireOutboundVersions(ports);
    expect(sweep.disabled).toEqual([`outbound-site-london version ${extra.version}`]);
    expect(sweep.stillUsed).toEqual([`outbound-site-london version ${inUse.version}`]);
    expect(extra.enabled).toBe(false);
    expect(extra.tags).toEqual({ 'retired-at': sim.clock.now().toISOString() });
    expect(inUse.enabled).toBe(true);
    expect(test.audit.records.map((r) => [r.action, r.outcome, r.target])).toEqual([
      ['retire-outbound-version', 'refused', 'site-london'],
      ['retire-outbound-version', 'succeeded', 'site-london'],
    ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)));
  });

  it('a version not yet due stays enabled', async () => {
    const record = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-oslo');
    const v = record.versions.at(-1)!;
    v.tags = { 'retire-after': new Date(sim.clock.now().getTime() + 3_600_000).toISOString(), 'retire-for': 'r2' };
    const before = test.audit.records.length;
    const sweep = await retireOutboundVersions(ports);
    expect(sweep.disabled).toEqual([]);
    expect(v.enabled).toBe(true);
    expect(test.audit.records.length).toBe(before + 1); // london's in-use version is reported again
  });
});
