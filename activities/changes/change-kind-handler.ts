import type { ChangeRequest } from '../../core/change/change-kind';
import type { ChangePlan, NothingToChange } from '../../core/change/change-plan';
import type { SiteNotFound } from '../../core/jobs/job-catalog';
import type { ActivityPorts } from '../activity-ports';

/** When the write being read back (the apply, or the rollback) started. */
export interface ChangeStep {
  readonly since?: Date;
}

/**
 * What a change kind supplies to the change pipeline: its plan (with the plan card's content), how to apply it, how
 * to verify it took, and (optionally) how to undo it. The pipeline supplies everything else: business keys, approval,
 * cards, audit, retries. Each step runs as its own activity, so each is audited and shown as it happens.
 */
export interface ChangeKindHandler<Request extends ChangeRequest = ChangeRequest> {
  plan(request: Request, ports: ActivityPorts): Promise<ChangePlan | NothingToChange | SiteNotFound>;
  /** Applies exactly the plan; resolves to a short, safe description of what it did. */
  apply(plan: ChangePlan, ports: ActivityPorts): Promise<string>;
  /**
   * Reads Azure back: whether the change took, in words. `step.since`: when the apply that is verified started (a
   * renegotiation logged from then on is its doing).
   */
  verify(plan: ChangePlan, ports: ActivityPorts, step?: ChangeStep): Promise<{ readonly ok: boolean; readonly detail: string }>;
  /**
   * Reads Azure back: whether everything the plan changes is as the plan found it (nothing left half-applied,
   * nothing left pending in Key Vault). The pipeline asks after an apply that failed and after a rollback, so the
   * card and the audit can say "nothing was changed" or "rolled back" only when Azure shows it.
   */
  verifyUnchanged(plan: ChangePlan, ports: ActivityPorts, step?: ChangeStep): Promise<{ readonly ok: boolean; readonly detail: string }>;
  /**
   * Undoes the change (only when the plan says how), also when apply stopped half-way; it may run again after a
   * failure, so it must be idempotent.
   */
  rollback?(plan: ChangePlan, ports: ActivityPorts): Promise<string>;
}
