import type { SimService } from './sim-principals';

export interface SimCallRecord {
  readonly operation: string;
  readonly service: SimService;
  readonly method: string;
  /** Request path without the query (the vault's own path for Key Vault), so a caller can map calls to RBAC actions. */
  readonly path?: string;
  readonly status: number;
  readonly principalId?: string;
  /** Key Vault calls: the vault's name (each vault has its own listener; the path does not name it). */
  readonly vault?: string;
}

export interface SimStatsSnapshot {
  readonly total: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly byService: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly throttled: number;
  readonly faulted: number;
}

/** Counts every call the simulator answers, so tests and benchmarks can report how many Azure calls a feature made. */
export class SimStats {
  private records: SimCallRecord[] = [];
  private faultCount = 0;

  record(call: SimCallRecord, faulted = false): void {
    this.records.push(call);
    if (faulted) this.faultCount++;
  }

  /** Calls of one operation (e.g. `Microsoft.Network/connections/read`), or all calls when omitted. */
  count(operation?: string, filter: { principalId?: string; service?: SimService } = {}): number {
    return this.records.filter(
      (r) =>
        (!operation || r.operation.toLowerCase() === operation.toLowerCase()) &&
        (!filter.principalId || r.principalId === filter.principalId) &&
        (!filter.service || r.service === filter.service),
    ).length;
  }

  snapshot(): SimStatsSnapshot {
    const byOperation: Record<string, number> = {};
    const byService: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const r of this.records) {
      byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
      byService[r.service] = (byService[r.service] ?? 0) + 1;
      byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
    }
    return { total: this.records.length, byOperation, byService, byStatus, throttled: byStatus['429'] ?? 0, faulted: this.faultCount };
  }

  calls(): readonly SimCallRecord[] {
    return this.records;
  }

  reset(): void {
    this.records = [];
    this.faultCount = 0;
  }
}
