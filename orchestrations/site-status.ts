import { ACTIVITIES } from '../activities/activity-names';
import type { SiteStatusOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { SiteStatus } from '../core/status/site-status';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, jobInput, readActivity, setProgress, showCard } from './orchestration-context';

/** `status <site>`: read, judge, show. The result is also the job's output. */
export function* siteStatusOrchestrator(context: OrchestrationContext): Orchestration<SiteStatusOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.siteStatus);
  setProgress(context, { step: 'reading Azure', detail: envelope.payload.site });
  let result: SiteStatusOutput;
  try {
    result = yield* readActivity(context, ACTIVITIES.inspectSite, { site: envelope.payload.site });
  } catch (error) {
    yield* showCard(context, envelope, failureView(`Could not read ${envelope.payload.site}`, error));
    throw error;
  }
  yield* showCard(context, envelope, result.kind === 'found' ? { kind: 'site-status', status: result.status } : result);
  setProgress(context, { step: 'done', detail: result.kind === 'found' ? statusInWords(result.status) : 'unknown site' });
  return result;
}

/** The job list's one-line outcome: the connection state and how much on the card needs attention. */
function statusInWords(status: SiteStatus): string {
  const errors = status.warnings.filter((w) => w.severity === 'error').length;
  const warnings = status.warnings.length - errors;
  const counts = [errors > 0 ? `${errors} ${errors === 1 ? 'problem' : 'problems'}` : '', warnings > 0 ? `${warnings} ${warnings === 1 ? 'warning' : 'warnings'}` : ''].filter((x) => x !== '');
  return counts.length > 0 ? `${status.status}, ${counts.join(' and ')}` : status.status;
}
