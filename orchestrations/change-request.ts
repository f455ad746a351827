import type { PlanChangeOutput, StartChangeOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { ChangeRequestOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { jobRefOf } from '../core/jobs/job-envelope';
import { decodeActivityFailure } from './activity-failure';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { activity, auditRetry, failureView, jobInput, readActivity, setProgress, showCard } from './orchestration-context';

/** A change that could not be planned was never applied. */
const NOTHING_APPLIED = 'nothing was changed (nothing was applied)';

/**
 * A change request (typed, or a button): plan it, then hand it to its change job, which runs under a business key
 * derived from the target so one connection never has two changes at once. This job's id comes from the Teams
 * activity that asked, so a redelivered message plans nothing twice.
 */
export function* changeRequestOrchestrator(context: OrchestrationContext): Orchestration<ChangeRequestOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.changeRequest);
  const request = envelope.payload;
  setProgress(context, { step: 'planning', detail: request.site });
  let planned: PlanChangeOutput;
  try {
    planned = yield* readActivity(context, ACTIVITIES.planChange, request);
  } catch (error) {
    // Nothing was applied: planning only reads. The audit and the card say so.
    yield* activity(context, ACTIVITIES.recordAudit, { envelope: jobRefOf(envelope), action: request.kind, target: request.site, outcome: 'failed', detail: `plan: ${decodeActivityFailure(error).code}; end state: ${NOTHING_APPLIED}` }, auditRetry());
    yield* showCard(context, envelope, failureView(`Could not plan the change for ${request.site}; ${NOTHING_APPLIED}`, error));
    throw error;
  }
  if (planned.kind === 'site-not-found') {
    yield* showCard(context, envelope, planned);
    setProgress(context, { step: 'done', detail: 'unknown site' });
    return planned;
  }
  if (planned.kind === 'nothing-to-change') {
    yield* activity(context, ACTIVITIES.recordAudit, { envelope: jobRefOf(envelope), action: request.kind, target: planned.site, outcome: 'no-change', detail: planned.why }, auditRetry());
    yield* showCard(context, envelope, { kind: 'nothing-to-change', title: planned.title, site: planned.site, why: planned.why });
    setProgress(context, { step: 'done', detail: 'nothing to change' });
    return planned;
  }
  // Not retried: a start that timed out may have started, and a retry would then refuse it as "already running".
  let started: StartChangeOutput;
  try {
    started = yield* activity(context, ACTIVITIES.startChange, { envelope, plan: planned.plan, fingerprint: planned.fingerprint });
  } catch (error) {
    yield* showCard(context, envelope, failureView(`Could not start ${planned.plan.title.charAt(0).toLowerCase()}${planned.plan.title.slice(1)}`, error));
    throw error;
  }
  if (started.kind === 'refused') {
    const { running } = started;
    yield* activity(context, ACTIVITIES.recordAudit, { envelope: jobRefOf(envelope), action: request.kind, target: planned.plan.site, outcome: 'refused', detail: `${running.jobId} (${running.requestedBy}) is ${running.state}` }, auditRetry());
    yield* showCard(context, envelope, { kind: 'change-refused', title: planned.plan.title, running });
    setProgress(context, { step: 'refused', detail: `another change is ${running.state}` });
    return started;
  }
  setProgress(context, { step: 'handed over', detail: started.jobId });
  return started;
}
