import { describe, expect, it } from 'vitest';
import { createNetworkAdapter } from '../../../adapters/azure/network';
import { buildSyntheticEstate, syntheticNames, syntheticSiteState } from '../../../local/estate/synthetic-estate';
import { createManualClock, startAzureSimulator } from '../../../local/simulator/azure-simulator';
import { testNow } from '../simulator/simulator-fixture';

describe('the synthetic estate', () => {
  it('spreads sites over resource groups with the documented mix of states', async () => {
    const estate = await buildSyntheticEstate({ sites: 100, resourceGroups: 10, now: testNow });
    expect(estate.resourceGroups).toHaveLength(10);
    expect(estate.gateways).toHaveLength(10);
    expect(new Set(estate.sites.map((s) => s.device.publicIp)).size).toBe(100);

    const sim = await startAzureSimulator({ estate, clock: createManualClock(testNow) });
    try {
      const network = createNetworkAdapter(sim.settingsFor('bot'));
      const listed = await network.listCertificateConnections({ subscriptionId: syntheticNames.subscriptionId });
      expect(listed).toHaveLength(100);
      expect(new Set(listed.map((c) => c.resourceGroup)).size).toBe(10);

      const sample = [0, 1, 2, 3, 4, 5, 21, 99];
      for (const i of sample) {
        const site = sim.estateInfo.sites[i];
        const details = await network.getConnection(site?.connectionId ?? '');
        const expected = ['healthy', 'expiring-outbound'].includes(syntheticSiteState(i)) ? 'Connected' : 'NotConnected';
        expect([i, details.status]).toEqual([i, expected]);
      }
      const kinds = sample.map((i) => sim.inspectTunnels(sim.estateInfo.sites[i]?.connectionId ?? '')[0]?.outcome?.kind);
      expect(kinds).toEqual(['connected', 'inbound-untrusted', 'inbound-subject-mismatch', 'proposal-mismatch', 'peer-unreachable', 'connected', 'inbound-untrusted', 'connected']);
    } finally {
      await sim.close();
    }
  });

  it('refuses sizes it cannot lay out', async () => {
    await expect(buildSyntheticEstate({ sites: 0, resourceGroups: 1 })).rejects.toThrow(RangeError);
    await expect(buildSyntheticEstate({ sites: 10, resourceGroups: 101 })).rejects.toThrow(RangeError);
  });
});
