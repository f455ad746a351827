import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AuditLog, AuditRecord, StoredAuditRecord } from '../../core/ports/audit';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

/** Largest time value we invert, so newer records sort first within a month's partition. */
const MAX_TICKS = 9_999_999_999_999;

/** Most records one `recent` query reads before it stops (a target filter is applied to what was read). */
const MAX_SCANNED = 5_000;

const invert = (date: Date) => String(MAX_TICKS - date.getTime()).padStart(13, '0');

function toRecord(entity: Record<string, string>): StoredAuditRecord {
  return {
    at: entity.at ?? '',
    action: entity.action ?? '',
    actor: { ...(entity.actorId ? { aadObjectId: entity.actorId } : {}), name: entity.actorName ?? '' },
    target: entity.target ?? '',
    outcome: (entity.outcome ?? 'failed') as AuditRecord['outcome'],
    ...(entity.jobId ? { jobId: entity.jobId } : {}),
    ...(entity.detail ? { detail: entity.detail } : {}),
  };
}

/** Months from `until`'s back to `since`'s, newest first (`2026-06`, `2026-05`, ...). */
function monthsBetween(since: Date, until: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), 1));
  const first = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1);
  while (cursor.getTime() >= first && months.length < 240) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() - 1);
  }
  return months;
}

/**
 * Append-only audit trail in Table Storage: partition per month (auditors ask by period), newest first.
 * Records hold ids, names and outcomes; never secrets or raw errors.
 */
export function createTableAuditLog(tables: (name: TableName) => Promise<TableClient>, now: () => Date = () => new Date()): AuditLog & { list(month: string, limit?: number): Promise<StoredAuditRecord[]> } {
  const read = async (filter: string, keep: (r: StoredAuditRecord) => boolean, limit: number, scanned: { count: number }): Promise<StoredAuditRecord[]> => {
    const client = await tables(TABLES.audit);
    const records: StoredAuditRecord[] = [];
    for await (const entity of client.listEntities<Record<string, string>>({ queryOptions: { filter } })) {
      if (++scanned.count > MAX_SCANNED) break;
      const record = toRecord(entity);
      if (keep(record)) records.push(record);
      if (records.length >= limit) break;
    }
    return records;
  };
  return {
    async record(entry) {
      const at = now();
      const client = await tables(TABLES.audit);
      await client.createEntity({
        partitionKey: at.toISOString().slice(0, 7),
        rowKey: `${invert(at)}-${randomBytes(4).toString('hex')}`,
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
      return read(`PartitionKey eq '${month.replace(/'/g, "''")}'`, () => true, limit, { count: 0 });
    },
    async recent({ since, until, target, limit }) {
      const wanted = target?.toLowerCase();
      const keep = (r: StoredAuditRecord) => wanted === undefined || r.target.toLowerCase() === wanted;
      const records: StoredAuditRecord[] = [];
      const scanned = { count: 0 };
      // Newest first: months from the latest back, and within a month the RowKey (inverted time) ascending.
      for (const month of monthsBetween(since, until)) {
        const filter = `PartitionKey eq '${month}' and RowKey ge '${invert(until)}' and RowKey lt '${invert(since)}.'`;
        records.push(...(await read(filter, keep, limit - records.length, scanned)));
        if (records.length >= limit || scanned.count > MAX_SCANNED) break;
      }
      return records;
    },
  };
}
