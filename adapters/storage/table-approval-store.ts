import type { TableClient } from '@azure/data-tables';
import type { ChangeDecision } from '../../core/change/change-state';
import type { ApprovalStore, PendingApproval } from '../../core/ports/approvals';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

const PENDING = 'pending';
const DECISION = 'decision';

/** Request ids are job ids the bot minted; anything else never reaches a query. */
const REQUEST_ID = /^[a-z0-9][a-z0-9._~()-]{2,255}$/;

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Pending approvals and decisions in Table Storage. A decision is one entity per request, created with insert (never
 * upsert): the service refuses a second insert of the same key with 409, so of two racing presses exactly one is
 * recorded, whichever worker handles them.
 */
export function createTableApprovalStore(tables: (name: TableName) => Promise<TableClient>): ApprovalStore {
  const check = (requestId: string) => {
    if (!REQUEST_ID.test(requestId)) throw new Error('not a request id');
  };
  return {
    async open(entry) {
      check(entry.requestId);
      const client = await tables(TABLES.approvals);
      await client.upsertEntity({ partitionKey: PENDING, rowKey: entry.requestId, entry: JSON.stringify(entry) }, 'Replace');
    },
    async close(requestId) {
      check(requestId);
      const client = await tables(TABLES.approvals);
      try {
        await client.deleteEntity(PENDING, requestId);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async pending(limit) {
      const client = await tables(TABLES.approvals);
      const found: PendingApproval[] = [];
      for await (const entity of client.listEntities<{ entry: string }>({ queryOptions: { filter: `PartitionKey eq '${PENDING}'` } })) {
        found.push(JSON.parse(entity.entry) as PendingApproval);
        if (found.length >= limit) break;
      }
      return found.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    },
    async decide(requestId, decision) {
      check(requestId);
      const client = await tables(TABLES.approvals);
      try {
        await client.createEntity({ partitionKey: DECISION, rowKey: requestId, decision: JSON.stringify(decision) });
        return { recorded: true, decision };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        const existing = await client.getEntity<{ decision: string }>(DECISION, requestId);
        return { recorded: false, decision: JSON.parse(existing.decision) as ChangeDecision };
      }
    },
  };
}
