import type { KeyVaultAdapter } from '../adapters/azure/key-vault';
import type { LogsAdapter } from '../adapters/azure/logs';
import type { MonitorAdapter } from '../adapters/azure/monitor';
import type { NetworkAdapter } from '../adapters/azure/network';
import type { AuditLog } from '../core/ports/audit';
import type { CardMessenger } from '../core/ports/messaging';
import type { Logger } from '../core/ports/logger';
import type { VpnScope } from '../core/config/app-config';

/** What activities may touch: adapters only, injected (real ones in functions/app-services.ts, fakes in tests). */
export interface ActivityPorts {
  readonly network: NetworkAdapter;
  readonly keyVault: KeyVaultAdapter;
  readonly monitor: MonitorAdapter;
  readonly logs: LogsAdapter;
  readonly messenger: CardMessenger;
  readonly audit: AuditLog;
  readonly scopes: readonly VpnScope[];
  /** Log Analytics workspace (resource id) that "Enable diagnostics" sends gateway logs to. */
  readonly diagnosticsWorkspaceId?: string;
  readonly log: Logger;
  now(): Date;
}
