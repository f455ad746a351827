/**
 * What every orchestration the bot starts receives: who asked, where to answer, and the command's own payload.
 * Identity here was taken from the verified activity when the job started; it is recorded for audit and for
 * `jobs`/`cancel`, never used to grant anything later.
 */
export interface JobEnvelope<Payload> {
  readonly jobId: string;
  /** The command line as the bot understood it, e.g. `status site-paris`. */
  readonly commandLine: string;
  readonly requestedBy: { readonly aadObjectId: string; readonly name: string };
  /** Key of the stored conversation reference (see core/ports/messaging.ts). */
  readonly conversationKey: string;
  /** The acknowledgement card the job updates in place. */
  readonly cardActivityId: string;
  readonly requestedAt: string;
  readonly payload: Payload;
}

/** Custom status every job sets, so `jobs` can show progress without reading history. */
export interface JobProgress {
  readonly step: string;
  readonly detail?: string;
}

/** A job as cards and audit records name it: the envelope without its payload (which can be large: a plan, a log). */
export type JobRef = Omit<JobEnvelope<unknown>, 'payload'>;

/** The envelope without its payload, so activity inputs do not copy it into durable history again and again. */
export function jobRefOf(envelope: JobEnvelope<unknown>): JobRef {
  const { payload: _payload, ...ref } = envelope;
  return ref;
}
