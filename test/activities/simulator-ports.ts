import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../../adapters/azure/key-vault-ca';
import { createLogsAdapter } from '../../adapters/azure/logs';
import { createMonitorAdapter } from '../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../adapters/azure/network';
import { createVaultAccessAdapter } from '../../adapters/azure/vault-access';
import type { ActivityPorts } from '../../activities/activity-ports';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { testPorts, type TestPorts } from './fake-adapters';

/**
 * Activity ports whose Azure adapters are the product's own, talking to the simulator over HTTPS on its clock (the
 * rest are the fakes, returned too). One place, so every test of a change kind against the simulator reads Azure
 * through the same adapters the app does.
 */
export function simulatorPorts(sim: AzureSimulator): { ports: ActivityPorts; fakes: TestPorts } {
  const settings = sim.settingsFor('bot', { longRunningPollIntervalMs: 10 });
  const info = sim.estateInfo;
  const fakes = testPorts({ scopes: info.resourceGroups.map((rg) => ({ subscriptionId: info.subscriptionId, resourceGroups: [rg] })) });
  const ports: ActivityPorts = {
    ...fakes.ports,
    network: createNetworkAdapter(settings),
    keyVault: createKeyVaultAdapter(settings, { pollIntervalMs: 10 }),
    monitor: createMonitorAdapter(settings),
    logs: createLogsAdapter(settings),
    vaultCa: createKeyVaultCaAdapter(settings),
    vaultAccess: createVaultAccessAdapter(settings),
    outboundRotation: { caCertificateId: `${info.vaults.find((v) => v.name === sandboxNames.caVault)!.url}/certificates/${sandboxNames.caCertificate}`, defaultDays: 365, graceHours: 168, verifyMinutes: 15, provisionWaitMinutes: 5 },
    now: () => sim.clock.now(),
  };
  return { ports, fakes };
}
