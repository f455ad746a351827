import { randomBytes } from 'node:crypto';
import { createAzureSettings } from '../adapters/azure/azure-settings';
import type { AzureSettings } from '../adapters/azure/azure-settings';
import { createKeyVaultAdapter } from '../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../adapters/azure/key-vault-ca';
import { createLogsAdapter } from '../adapters/azure/logs';
import { createMonitorAdapter } from '../adapters/azure/monitor';
import { createNetworkAdapter } from '../adapters/azure/network';
import { createVaultAccessAdapter } from '../adapters/azure/vault-access';
import { createConsoleLogger } from '../adapters/logging/console-logger';
import { createDurableJobService } from '../adapters/durable/durable-job-service';
import { createTableApprovalStore } from '../adapters/storage/table-approval-store';
import { createTableAuditLog } from '../adapters/storage/table-audit-log';
import { createTableClientFactory } from '../adapters/storage/table-client-factory';
import { createTableConversationStore } from '../adapters/storage/table-conversation-store';
import { createTableJobIndex } from '../adapters/storage/table-job-index';
import { createTableSiteIndex } from '../adapters/storage/table-site-index';
import { createTableSubscriptionStore } from '../adapters/storage/table-subscription-store';
import type { SubscriptionStore } from '../core/ports/subscriptions';
import { TeamsBotAdapter } from '../adapters/teams/teams-bot-adapter';
import { createTeamsMessenger } from '../adapters/teams/teams-messenger';
import type { ActivityPorts } from '../activities/activity-ports';
import type { BotDeps } from '../bot/bot-deps';
import type { AuditLog } from '../core/ports/audit';
import type { CardMessenger, ConversationStore } from '../core/ports/messaging';
import type { JobService } from '../core/ports/jobs';
import type { Logger } from '../core/ports/logger';
import type { DurableClient } from 'durable-functions';
import type { AppConfig } from '../core/config/app-config';
import { loadConfig } from '../core/config/load-config';

/**
 * The composition root: the one file that turns validated configuration into real adapters. Built once per worker
 * process; production and the sandbox differ only in the configuration it reads.
 */
export interface AppServices {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly teams: TeamsBotAdapter;
  readonly conversations: ConversationStore;
  readonly audit: AuditLog;
  readonly messenger: CardMessenger;
  readonly subscriptions: SubscriptionStore;
  /** The ports of one activity invocation (its Durable client binding gives the job service). */
  activityPorts(durableClient: () => DurableClient): ActivityPorts;
  botDeps(jobs: JobService): BotDeps;
}

export function createAppServices(config: AppConfig): AppServices {
  const log = createConsoleLogger('vpn-cert-bot');
  const tables = createTableClientFactory(config.stateStorage);
  const conversations = createTableConversationStore(tables);
  const audit = createTableAuditLog(tables);
  const jobIndex = createTableJobIndex(tables);
  const approvals = createTableApprovalStore(tables);
  const siteIndex = createTableSiteIndex(tables);
  const subscriptions = createTableSubscriptionStore(tables);
  const teams = new TeamsBotAdapter(config.bot);
  const messenger = createTeamsMessenger(teams, conversations);
  const azure = azureSettingsFor(config);
  const now = () => new Date();
  const newId = () => randomBytes(4).toString('hex');
  const activityPorts: Omit<ActivityPorts, 'jobs'> = {
    network: createNetworkAdapter(azure),
    keyVault: createKeyVaultAdapter(azure),
    monitor: createMonitorAdapter(azure),
    logs: createLogsAdapter(azure),
    messenger,
    ...(config.diagnosticsWorkspaceId ? { diagnosticsWorkspaceId: config.diagnosticsWorkspaceId } : {}),
    audit,
    approvals,
    jobIndex,
    siteIndex,
    scopes: config.scopes,
    approvalPolicy: config.approvals,
    approverIds: [...config.access.members.approver],
    log,
    now,
    vaultCa: createKeyVaultCaAdapter(azure),
    vaultAccess: createVaultAccessAdapter(azure),
    outboundRotation: config.outboundRotation,
    ...(config.expiry ? { expiry: config.expiry } : {}),
    subscriptions,
    conversations,
  };
  return {
    config,
    log,
    teams,
    conversations,
    audit,
    messenger,
    subscriptions,
    activityPorts: (durableClient) => {
      let jobs: JobService | undefined;
      return {
        ...activityPorts,
        get jobs() {
          return (jobs ??= createDurableJobService(durableClient()));
        },
      };
    },
    botDeps: (jobs) => ({ access: config.access, environmentName: config.environmentName, jobs, jobIndex, approvals, messenger, audit, log, now, newId, subscriptions, expiryDefaultDays: config.expiry?.tierBounds.at(-1) ?? 30, ...(config.expiry ? { expirySchedule: config.expiry.schedule } : {}) }),
  };
}

function azureSettingsFor(config: AppConfig): AzureSettings {
  if (config.azure.target === 'azure') {
    return createAzureSettings({ mode: 'azure', ...(config.azure.managedIdentityClientId ? { managedIdentityClientId: config.azure.managedIdentityClientId } : {}) });
  }
  return createAzureSettings({
    mode: 'simulator',
    simulatorUrl: config.azure.url,
    caPem: config.azure.caPem,
    principal: { objectId: config.azure.principalId, tenantId: config.azure.tenantId, appId: config.azure.principalId, displayName: 'vpn-cert-bot (sandbox)' },
    ...(config.azure.keyVaults ? { keyVaults: config.azure.keyVaults } : {}),
  });
}

let services: AppServices | undefined;

/** Reads and validates configuration on first use (at start, from functions/index.ts) and keeps the result. */
export function appServices(): AppServices {
  services ??= createAppServices(loadConfig(process.env));
  return services;
}
