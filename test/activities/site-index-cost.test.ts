import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPorts } from '../../activities/activity-ports';
import { listFleet } from '../../activities/fleet-activities';
import { inspectSite } from '../../activities/inspect-site';
import { SITE_INDEX_TTL_MS } from '../../activities/site-directory';
import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createLogsAdapter } from '../../adapters/azure/logs';
import { createMonitorAdapter } from '../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../adapters/azure/network';
import { createTableClientFactory } from '../../adapters/storage/table-client-factory';
import { createTableSiteIndex } from '../../adapters/storage/table-site-index';
import { buildSyntheticEstate, syntheticNames } from '../../local/estate/synthetic-estate';
import type { RunningAzurite } from '../../local/sandbox/azurite';
import { startAzurite } from '../../local/sandbox/azurite';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { createManualClock, startAzureSimulator } from '../../local/simulator/azure-simulator';
import { testPorts } from './fake-adapters';

/**
 * What one `status <site>` costs in Azure calls, counted by the simulator, on synthetic estates of very different
 * sizes: with the site index fresh (a fleet read filled it), the same 3 ARM reads (connection, gateway, local network
 * gateway) and 2 Key Vault reads (the outbound certificate and its versions) at 100 sites as at 1,000; without it,
 * the listing grows with the fleet. The index is the real one, in Table Storage (Azurite).
 */
const NOW = new Date('2026-11-23T12:00:00.000Z');
const RESOURCE_GROUPS = 20;
let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function fleetOf(sites: number): Promise<{ sim: AzureSimulator; ports: ActivityPorts; now: { value: Date } }> {
  const estate = await buildSyntheticEstate({ sites, resourceGroups: RESOURCE_GROUPS, now: NOW });
  const sim = await startAzureSimulator({ estate, clock: createManualClock(NOW) });
  const settings = sim.settingsFor('bot');
  const now = { value: NOW };
  const fakes = testPorts({ scopes: Array.from({ length: RESOURCE_GROUPS }, (_, i) => ({ subscriptionId: syntheticNames.subscriptionId, resourceGroups: [syntheticNames.resourceGroup(i)] })) });
  const ports: ActivityPorts = {
    ...fakes.ports,
    network: createNetworkAdapter(settings),
    keyVault: createKeyVaultAdapter(settings),
    monitor: createMonitorAdapter(settings),
    logs: createLogsAdapter(settings),
    siteIndex: createTableSiteIndex(createTableClientFactory({ kind: 'connection-string', connectionString: azurite.connectionString })),
    now: () => now.value,
  };
  return { sim, ports, now };
}

function reads(sim: AzureSimulator): { arm: number; keyVault: number; listed: number } {
  const calls = sim.stats.calls();
  return {
    arm: calls.filter((c) => c.service === 'arm').length,
    // Key Vault's first call from a new client is an unauthenticated challenge round trip (the SDK's handshake, once
    // per client): only the reads themselves, made as the bot, are counted.
    keyVault: calls.filter((c) => c.service === 'keyvault' && c.principalId !== undefined).length,
    listed: calls.filter((c) => c.service === 'arm' && c.path?.toLowerCase().endsWith('/providers/microsoft.network/connections')).length,
  };
}

describe('status <site> against the site index (simulator call counter, synthetic estates)', () => {
  for (const sites of [100, 1_000]) {
    it(`${sites} sites: 3 ARM reads and 2 Key Vault reads with the index fresh; the listing only without it`, async () => {
      const { sim, ports, now } = await fleetOf(sites);
      try {
        const last = syntheticNames.site(sites - 1);
        // A fleet read (status all) lists the scope and fills the index.
        expect((await listFleet({}, ports)).refs).toHaveLength(sites);

        sim.stats.reset();
        const found = await inspectSite({ site: last }, ports);
        expect(found.kind).toBe('found');
        expect(reads(sim)).toEqual({ arm: 3, keyVault: 2, listed: 0 });
        expect(sim.stats.calls().filter((c) => c.service === 'arm').map((c) => c.operation).sort()).toEqual([
          'Microsoft.Network/connections/read',
          'Microsoft.Network/localNetworkGateways/read',
          'Microsoft.Network/virtualNetworkGateways/read',
        ]);

        // Short names still resolve through the index: `0042` is site-0042's.
        sim.stats.reset();
        expect(await inspectSite({ site: '0042' }, ports)).toMatchObject({ kind: 'found', status: { site: syntheticNames.site(42) } });
        expect(reads(sim)).toEqual({ arm: 3, keyVault: 2, listed: 0 });
        expect(sim.stats.count()).toBe(5);

        // Past the TTL the index is not trusted: the scope is listed again (one list per resource group and page).
        now.value = new Date(NOW.getTime() + SITE_INDEX_TTL_MS + 1_000);
        sim.stats.reset();
        await inspectSite({ site: last }, ports);
        const cold = reads(sim);
        expect(cold.listed).toBeGreaterThanOrEqual(RESOURCE_GROUPS);
        expect(cold.arm).toBe(cold.listed + 3);
      } finally {
        await sim.close();
      }
    });
  }
});
