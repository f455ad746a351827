import type { JobProgress } from '../jobs/job-envelope';
import type { ChangeKind } from './change-kind';

/** Where a change is: the requester's card and the approval cards show this, in words, as it moves. */
export type ChangePhase = 'awaiting-approval' | 'approved' | 'scheduled' | 'applying' | 'verifying' | 'done' | 'rolled-back' | 'failed' | 'rejected' | 'expired' | 'withdrawn';

/**
 * Where Azure is once a change ended, as read back after the change (never assumed): nothing changed, the change
 * applied and verified, or rolled back and verified. `needs-attention` only when none of those could be shown: the
 * card and the audit then say what was found.
 */
export type ChangeEndState = 'unchanged' | 'applied' | 'rolled-back' | 'needs-attention' | 'applied-unverified';

/** How the card and the audit name each end state. */
export const END_STATE_WORDS: Readonly<Record<ChangeEndState, string>> = {
  unchanged: 'nothing was changed (checked)',
  applied: 'applied and verified',
  'rolled-back': 'rolled back and verified',
  'needs-attention': 'Azure may be left changed and needs attention',
  'applied-unverified': 'applied, not verified: kept until someone chooses Keep or Remove',
};

/** Phases after which nothing more happens. */
export const FINAL_PHASES: ReadonlySet<ChangePhase> = new Set<ChangePhase>(['done', 'rolled-back', 'failed', 'rejected', 'expired', 'withdrawn']);

export interface Person {
  readonly aadObjectId: string;
  readonly name: string;
}

/** The state of a change at one moment, as its cards show it. */
export interface ChangeState {
  readonly phase: ChangePhase;
  /** Until when an approval is awaited (ISO). */
  readonly expiresAt?: string;
  /** Who approved, rejected or withdrew it, and when (ISO). */
  readonly decidedBy?: Person;
  readonly decidedAt?: string;
  /** The approver's optional reason for a rejection (or approval). */
  readonly reason?: string;
  /** Safe text about the outcome: what apply or verify found, or why it failed. */
  readonly detail?: string;
  /** The card offers Keep / Remove (a change whose plan says `whenNotVerified: 'keep-or-remove'` that did not verify). */
  readonly offer?: 'keep-or-remove';
}

/** The event a decision reaches the change job with (raised by the bot after its checks, once per change). */
export const DECISION_EVENT = 'changeDecision';

export interface ChangeDecision {
  readonly decision: 'approved' | 'rejected' | 'withdrawn';
  readonly by: Person;
  /** ISO time the decision was recorded. */
  readonly at: string;
  /** The plan fingerprint the decision was made on. */
  readonly fingerprint: string;
  readonly reason?: string;
}

/**
 * A change job's custom status: progress for `jobs`, and what every button press is checked against (whether the
 * change is still pending, and on which plan).
 */
export interface ChangeJobStatus extends JobProgress {
  readonly change: {
    readonly kind: ChangeKind;
    readonly title: string;
    readonly site: string;
    readonly phase: ChangePhase;
    readonly fingerprint: string;
    /** The request this change was planned for: decisions are recorded once per request. */
    readonly requestId: string;
    readonly expiresAt?: string;
    /** Who decided, once someone did (shown to whoever presses a button after that). */
    readonly decidedBy?: Person;
    readonly decidedAt?: string;
  };
}

/** Reads a change job's custom status (JSON from the Durable client), or undefined when it is not one. */
export function changeStatusOf(customStatus: unknown): ChangeJobStatus['change'] | undefined {
  const change = (customStatus as { change?: Record<string, unknown> } | undefined)?.change;
  if (!change || typeof change !== 'object') return undefined;
  const { kind, title, site, phase, fingerprint, requestId, expiresAt, decidedBy, decidedAt } = change;
  if (typeof kind !== 'string' || typeof title !== 'string' || typeof site !== 'string' || typeof phase !== 'string' || typeof fingerprint !== 'string' || typeof requestId !== 'string') return undefined;
  const by = decidedBy as Partial<Person> | undefined;
  return {
    kind: kind as ChangeKind,
    title,
    site,
    phase: phase as ChangePhase,
    fingerprint,
    requestId,
    ...(typeof expiresAt === 'string' ? { expiresAt } : {}),
    ...(by && typeof by.aadObjectId === 'string' && typeof by.name === 'string' ? { decidedBy: { aadObjectId: by.aadObjectId, name: by.name } } : {}),
    ...(typeof decidedAt === 'string' ? { decidedAt } : {}),
  };
}
