import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import type { StateStorageConfig } from '../../core/config/app-config';

/** The bot's tables. Names are fixed so operators can find them in the storage account. */
export const TABLES = {
  conversations: 'conversations',
  audit: 'auditlog',
  jobs: 'jobs',
  subscriptions: 'subscriptions',
  approvals: 'approvals',
  siteIndex: 'siteindex',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];

/**
 * One TableClient per table, created once; the table is created on first use (idempotent, 409 means it exists).
 * Production uses the app's managed identity; the sandbox and tests use Azurite's connection string.
 */
export function createTableClientFactory(config: StateStorageConfig): (table: TableName) => Promise<TableClient> {
  const clients = new Map<TableName, Promise<TableClient>>();
  const credential =
    config.kind === 'managed-identity' ? (config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new DefaultAzureCredential()) : undefined;
  return (table) => {
    let client = clients.get(table);
    if (!client) {
      client = (async () => {
        const created =
          config.kind === 'connection-string'
            ? TableClient.fromConnectionString(config.connectionString, table, { allowInsecureConnection: /^UseDevelopmentStorage=true|http:\/\/(127\.0\.0\.1|localhost)/i.test(config.connectionString) })
            : new TableClient(config.tableEndpoint, table, credential!);
        await created.createTable();
        return created;
      })();
      // A failed creation must not poison the cache: the next call tries again.
      client.catch(() => clients.delete(table));
      clients.set(table, client);
    }
    return client;
  };
}
