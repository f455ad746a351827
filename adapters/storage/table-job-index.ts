import type { TableClient } from '@azure/data-tables';
import type { JobIndex } from '../../core/ports/jobs';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

/** Largest time value inverted into RowKeys, so a person's newest jobs sort first. */
const MAX_TICKS = 9_999_999_999_999;
const invert = (date: Date) => String(MAX_TICKS - date.getTime()).padStart(13, '0');

/**
 * Job ids per person in Table Storage: partition = the requester's Entra object id, row = inverted creation time
 * plus the id. `recentFor` is one partition range query, however many jobs everyone else runs.
 */
export function createTableJobIndex(tables: (name: TableName) => Promise<TableClient>): JobIndex {
  return {
    async add({ jobId, requesterId, createdAt }) {
      const client = await tables(TABLES.jobs);
      await client.upsertEntity({ partitionKey: requesterId.toLowerCase(), rowKey: `${invert(createdAt)}-${jobId}`, jobId, createdAt: createdAt.toISOString() }, 'Replace');
    },
    async claimDelivery(jobId) {
      const client = await tables(TABLES.jobs);
      try {
        await client.createEntity({ partitionKey: 'delivery', rowKey: jobId });
        return true;
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode === 409) return false;
        throw error;
      }
    },
    async recentFor(requesterId, since, limit) {
      if (!/^[0-9a-f-]{36}$/i.test(requesterId)) return [];
      const client = await tables(TABLES.jobs);
      // Newer than `since` means a smaller inverted time: RowKey below since's inverted time (plus the '-' suffix).
      const filter = `PartitionKey eq '${requesterId.toLowerCase()}' and RowKey lt '${invert(since)}.'`;
      const ids: string[] = [];
      for await (const entity of client.listEntities<{ jobId: string }>({ queryOptions: { filter, select: ['jobId'] } })) {
        ids.push(entity.jobId);
        if (ids.length >= limit) break;
      }
      return ids;
    },
  };
}
