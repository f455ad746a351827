import type { ChangeRequest } from '../../core/change/change-kind';
import type { ChangePlan, NothingToChange } from '../../core/change/change-plan';
import type { SiteNotFound } from '../../core/jobs/job-catalog';
import type { VerifyChangeOutput } from '../activity-names';
import type { ActivityPorts } from '../activity-ports';

/**
 * What a change kind supplies to the change pipeline: its plan (with the plan card's content), how to apply it, how
 * to verify it took, and (optionally) how to undo it. The pipeline supplies everything else: business keys, approval,
 * cards, audit, retries. Each step runs as its own activity, so each is audited and shown as it happens.
 */
export interface ChangeKindHandler<Request extends ChangeRequest = ChangeRequest> {
  plan(request: Request, ports: ActivityPorts): Promise<ChangePlan | NothingToChange | SiteNotFound>;
  /**
   * Applies exactly the plan; resolves to a short, safe description of what it did. For a plan with `steps`, `step`
   * is the one to apply now (the pipeline runs them in order, each idempotent like the whole).
   */
  apply(plan: ChangePlan, ports: ActivityPorts, step?: number): Promise<string>;
  /**
   * Reads Azure back: whether the change took, in words. `since` is when the apply began (count tunnel negotiations
   * and log rows after it). Answer `notYet` when it may still come (the pipeline asks again until the plan's
   * `verifyWithinMs`); a "no" without it is final.
   */
  verify(plan: ChangePlan, ports: ActivityPorts, since: Date): Promise<VerifyChangeOutput>;
  /**
   * Reads Azure back: whether everything the plan changes is as the plan found it (nothing left half-applied,
   * nothing left pending in Key Vault). The pipeline asks after an apply that failed and after a rollback, so the
   * card and the audit can say "nothing was changed" or "rolled back" only when Azure shows it. `since` is when the
   * step it checks began (the apply or the rollback); `notYet` as for verify (e.g. tunnels not back up yet).
   */
  verifyUnchanged(plan: ChangePlan, ports: ActivityPorts, since: Date): Promise<VerifyChangeOutput>;
  /**
   * Undoes the change (only when the plan says how), also when apply stopped half-way; it may run again after a
   * failure, so it must be idempotent.
   */
  rollback?(plan: ChangePlan, ports: ActivityPorts): Promise<string>;
}
