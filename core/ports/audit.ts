export interface AuditRecord {
  readonly action: string;
  readonly actor: { readonly aadObjectId?: string; readonly name: string };
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly jobId?: string;
  /** Short safe text; never secrets or raw errors. */
  readonly detail?: string;
}

export type AuditOutcome =
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'cancelled'
  | 'requested'
  | 'refused'
  | 'approved'
  | 'rejected'
  | 'withdrawn'
  | 'timed-out'
  | 'applied'
  | 'verified'
  | 'rolled-back'
  | 'no-change'
  /** An approved change waits for its maintenance window. */
  | 'scheduled';

/** An audit record as stored, with its time. */
export interface StoredAuditRecord extends AuditRecord {
  readonly at: string;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
  /** Records since `since`, newest first, at most `limit`; only those whose target is `target` (any case) when given. */
  recent(query: { readonly since: Date; readonly until: Date; readonly target?: string; readonly limit: number }): Promise<StoredAuditRecord[]>;
}
