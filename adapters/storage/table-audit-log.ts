import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AuditLog, AuditRecord } from '../../core/ports/audit';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

/** Largest time value we invert, so newer records sort first within a month's partition. */
const MAX_TICKS = 9_999_999_999_999;

export interface StoredAuditRecord extends AuditRecord {
  readonly at: string;
}

/**
 * Append-only audit trail in Table Storage: partition per month (auditors ask by period), newest first.
 * Records hold ids, names and outcomes; never secrets or raw errors.
 */
export function createTableAuditLog(tables: (name: TableName) => Promise<TableClient>, now: () => Date = () => new Date()): AuditLog & { list(month: string, limit?: number): Promise<StoredAuditRecord[]> } {
  return {
    async record(entry) {
      const at = now();
      const client = await tables(TABLES.audit);
      await client.createEntity({
        partitionKey: at.toISOString().slice(0, 7),
        rowKey: `${String(MAX_TICKS - at.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`,
        at: at.toISOString(),
        action: entry.action,
        actorId: entry.actor.aadObjectId ?? '',
        actorName: entry.actor.name,
        target: entry.target,
        outcome: entry.outcome,
        jobId: entry.jobId ?? '',
        detail: entry.detail ?? '',
      });
    },
    async list(month, limit = 100) {
      const client = await tables(TABLES.audit);
      const records: StoredAuditRecord[] = [];
      const filter = `PartitionKey eq '${month.replace(/'/g, "''")}'`;
      for await (const entity of client.listEntities<Record<string, string>>({ queryOptions: { filter } })) {
        records.push({
          at: entity.at ?? '',
          action: entity.action ?? '',
          actor: { ...(entity.actorId ? { aadObjectId: entity.actorId } : {}), name: entity.actorName ?? '' },
          target: entity.target ?? '',
          outcome: (entity.outcome ?? 'failed') as AuditRecord['outcome'],
          ...(entity.jobId ? { jobId: entity.jobId } : {}),
          ...(entity.detail ? { detail: entity.detail } : {}),
        });
        if (records.length >= limit) break;
      }
      return records;
    },
  };
}
