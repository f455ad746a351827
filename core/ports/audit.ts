export interface AuditRecord {
  readonly action: string;
  readonly actor: { readonly aadObjectId?: string; readonly name: string };
  readonly target: string;
  readonly outcome: 'started' | 'succeeded' | 'failed' | 'denied' | 'cancelled' | 'rejected' | 'approved' | 'timed-out';
  readonly jobId?: string;
  /** Short safe text; never secrets or raw errors. */
  readonly detail?: string;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
}
