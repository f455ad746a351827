import type { KeyVaultAdapter } from '../adapters/azure/key-vault';
import type { KeyVaultCaAdapter } from '../adapters/azure/key-vault-ca';
import type { OutboundRotationConfig } from '../core/config/outbound-rotation-config';
import type { ExpiryConfig } from '../core/config/expiry-config';
import type { SubscriptionStore } from '../core/ports/subscriptions';
import type { LogsAdapter } from '../adapters/azure/logs';
import type { MonitorAdapter } from '../adapters/azure/monitor';
import type { NetworkAdapter } from '../adapters/azure/network';
import type { VaultAccessAdapter } from '../adapters/azure/vault-access';
import type { ApprovalPolicy } from '../core/change/approval-policy';
import type { VpnScope } from '../core/config/app-config';
import type { ApprovalStore } from '../core/ports/approvals';
import type { AuditLog } from '../core/ports/audit';
import type { JobIndex, JobService } from '../core/ports/jobs';
import type { Logger } from '../core/ports/logger';
import type { SiteIndex } from '../core/ports/site-index';
import type { CardMessenger, ConversationStore } from '../core/ports/messaging';

/** What activities may touch: adapters only, injected (real ones in functions/app-services.ts, fakes in tests). */
export interface ActivityPorts {
  readonly network: NetworkAdapter;
  readonly keyVault: KeyVaultAdapter;
  readonly monitor: MonitorAdapter;
  readonly logs: LogsAdapter;
  readonly messenger: CardMessenger;
  readonly audit: AuditLog;
  readonly approvals: ApprovalStore;
  /** The Durable client, for the one activity that starts a change job under its business key. */
  readonly jobs: JobService;
  readonly jobIndex: JobIndex;
  /** Where each site is (see activities/site-directory.ts). */
  readonly siteIndex: SiteIndex;
  readonly scopes: readonly VpnScope[];
  /** Log Analytics workspace (resource id) that "Enable diagnostics" sends gateway logs to. */
  readonly diagnosticsWorkspaceId?: string;
  readonly approvalPolicy: ApprovalPolicy;
  /** Entra object ids of the approvers (from the access settings). */
  readonly approverIds: readonly string[];
  readonly log: Logger;
  now(): Date;
  /** The CA in Key Vault that signs outbound certificates (reads its certificate, signs digests; never its key). */
  readonly vaultCa: KeyVaultCaAdapter;
  /** Who may read a vault (role assignments, access policies, the bot's own permissions) and the grant a provisioning makes. */
  readonly vaultAccess: VaultAccessAdapter;
  /** `rotate <site> outbound` settings: the CA's identifier, validity, grace period, verification time. */
  readonly outboundRotation: OutboundRotationConfig;
  /** Expiry reports: tier bounds and whether a day with nothing to report stays silent (defaults when absent). */
  readonly expiry?: ExpiryConfig;
  /** Expiry report subscriptions and what the scheduled report posted (absent: nothing is subscribed). */
  readonly subscriptions?: SubscriptionStore;
  /** Stored conversation references: whether a subscribed conversation can be posted to directly. */
  readonly conversations?: Pick<ConversationStore, 'get'>;
}
