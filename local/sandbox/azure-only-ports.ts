import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../../adapters/azure/key-vault-ca';
import { createLogsAdapter } from '../../adapters/azure/logs';
import { createMonitorAdapter } from '../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../adapters/azure/network';
import { createVaultAccessAdapter } from '../../adapters/azure/vault-access';
import type { ActivityPorts } from '../../activities/activity-ports';
import type { AzureSimulator } from '../simulator/azure-simulator';

/**
 * The ports a change kind's handler uses, as the bot's: the real Azure adapters against the simulator, with the
 * bot's identity. For tools that drive a handler directly (the real-peer runs, benchmarks): there is no Durable
 * host, Teams or Table Storage, so those ports throw naming the tool (`purpose`) if a handler ever reaches for one.
 */
export function azureOnlyPorts(sim: AzureSimulator, purpose: string, outboundRotation: ActivityPorts['outboundRotation']): ActivityPorts {
  const bot = sim.settingsFor('bot', { longRunningPollIntervalMs: 10 });
  const unused = new Proxy(
    {},
    {
      get: (_t, name) => () => {
        throw new Error(`${purpose} needs no ${String(name)}`);
      },
    },
  );
  return {
    network: createNetworkAdapter(bot),
    keyVault: createKeyVaultAdapter(bot, { pollIntervalMs: 10 }),
    monitor: createMonitorAdapter(bot),
    logs: createLogsAdapter(bot),
    vaultCa: createKeyVaultCaAdapter(bot),
    vaultAccess: createVaultAccessAdapter(bot),
    outboundRotation,
    scopes: sim.estateInfo.resourceGroups.map((rg) => ({ subscriptionId: sim.estateInfo.subscriptionId, resourceGroups: [rg] })),
    siteIndex: { read: async () => undefined, replace: async () => undefined, put: async () => undefined, remove: async () => undefined },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    messenger: unused as ActivityPorts['messenger'],
    audit: unused as ActivityPorts['audit'],
    approvals: unused as ActivityPorts['approvals'],
    jobs: unused as ActivityPorts['jobs'],
    jobIndex: unused as ActivityPorts['jobIndex'],
    approvalPolicy: { required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 24 },
    approverIds: [],
    now: () => new Date(),
  };
}
