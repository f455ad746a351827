import type { ChangeDecision } from '../change/change-state';

/** A change waiting for an approver, as `approvals` lists it. */
export interface PendingApproval {
  readonly requestId: string;
  readonly jobId: string;
  readonly title: string;
  readonly site: string;
  readonly requesterId: string;
  readonly requesterName: string;
  readonly fingerprint: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
}

/**
 * Pending approvals and the decisions on them. A decision is recorded at most once per request (the first press
 * wins, atomically), so a double click or two approvers racing decide it once.
 */
export interface ApprovalStore {
  open(entry: PendingApproval): Promise<void>;
  close(requestId: string): Promise<void>;
  /** Pending approvals, oldest first, at most `limit`. */
  pending(limit: number): Promise<PendingApproval[]>;
  /** Records `decision` unless one is recorded for the request; resolves to the decision that stands. */
  decide(requestId: string, decision: ChangeDecision): Promise<{ readonly recorded: boolean; readonly decision: ChangeDecision }>;
}
