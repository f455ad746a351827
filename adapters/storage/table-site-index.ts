import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { SiteIndex, SiteIndexEntry } from '../../core/ports/site-index';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

const SITES = 'site';
const META = { partitionKey: 'meta', rowKey: 'scope' } as const;
/** Operations per transaction: Table Storage's limit (one partition). */
const BATCH = 100;

/** Connection ids hold `/`, which RowKey forbids: the row key is the lowercased id, base64url. */
const rowKeyOf = (connectionId: string): string => Buffer.from(connectionId.toLowerCase(), 'utf8').toString('base64url');

type Row = { partitionKey: string; rowKey: string; connectionId: string; site: string; connectionName: string };

function rowOf(entry: SiteIndexEntry): Row {
  return { partitionKey: SITES, rowKey: rowKeyOf(entry.connectionId), connectionId: entry.connectionId, site: entry.site, connectionName: entry.connectionName };
}

/**
 * The site index in Table Storage: one partition of sites (so reading it is one partition scan) and a row saying when
 * and for which scope it was last listed in full.
 */
export function createTableSiteIndex(tables: (name: TableName) => Promise<TableClient>): SiteIndex {
  const entriesOf = async (client: TableClient): Promise<Row[]> => {
    const rows: Row[] = [];
    for await (const e of client.listEntities<SiteIndexEntry>({ queryOptions: { filter: `PartitionKey eq '${SITES}'` } })) {
      rows.push({ partitionKey: SITES, rowKey: e.rowKey!, connectionId: e.connectionId, site: e.site, connectionName: e.connectionName });
    }
    return rows;
  };
  return {
    async read() {
      const client = await tables(TABLES.siteIndex);
      let meta: { refreshedAt?: unknown; scopeKey?: unknown };
      try {
        meta = await client.getEntity<{ refreshedAt: string; scopeKey: string }>(META.partitionKey, META.rowKey);
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
        throw error;
      }
      const refreshedAt = new Date(typeof meta.refreshedAt === 'string' ? meta.refreshedAt : '');
      if (Number.isNaN(refreshedAt.getTime()) || typeof meta.scopeKey !== 'string') return undefined;
      const entries = (await entriesOf(client)).map(({ connectionId, site, connectionName }) => ({ connectionId, site, connectionName }));
      return { entries, refreshedAt, scopeKey: meta.scopeKey };
    },

    async replace(entries, listed) {
      const client = await tables(TABLES.siteIndex);
      const existing = new Map((await entriesOf(client)).map((row) => [row.rowKey, row]));
      const actions: TransactionAction[] = [];
      const wanted = new Set<string>();
      for (const entry of entries) {
        const row = rowOf(entry);
        if (wanted.has(row.rowKey)) continue;
        wanted.add(row.rowKey);
        const before = existing.get(row.rowKey);
        if (!before || before.site !== row.site || before.connectionName !== row.connectionName || before.connectionId !== row.connectionId) actions.push(['upsert', row, 'Replace']);
      }
      for (const rowKey of existing.keys()) if (!wanted.has(rowKey)) actions.push(['delete', { partitionKey: SITES, rowKey }]);
      for (let i = 0; i < actions.length; i += BATCH) await client.submitTransaction(actions.slice(i, i + BATCH));
      await client.upsertEntity({ ...META, refreshedAt: listed.refreshedAt.toISOString(), scopeKey: listed.scopeKey }, 'Replace');
    },

    async put(entry) {
      const client = await tables(TABLES.siteIndex);
      await client.upsertEntity(rowOf(entry), 'Replace');
    },

    async remove(connectionId) {
      const client = await tables(TABLES.siteIndex);
      try {
        await client.deleteEntity(SITES, rowKeyOf(connectionId));
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode !== 404) throw error;
      }
    },
  };
}
