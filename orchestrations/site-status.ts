import type { InspectSiteOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { JobEnvelope } from './job-envelope';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, readRetry, setProgress, showCard } from './orchestration-context';

export interface SiteStatusPayload {
  readonly site: string;
}

/** `status <site>`: read, judge, show. The result is also the job's output. */
export function* siteStatusOrchestrator(context: OrchestrationContext): Orchestration<InspectSiteOutput> {
  const envelope = context.df.getInput<JobEnvelope<SiteStatusPayload>>();
  setProgress(context, { step: 'reading Azure', detail: envelope.payload.site });
  let result: InspectSiteOutput;
  try {
    result = (yield context.df.callActivityWithRetry(ACTIVITIES.inspectSite, readRetry(), { site: envelope.payload.site })) as InspectSiteOutput;
  } catch (error) {
    yield showCard(context, envelope, failureView(`Could not read ${envelope.payload.site}`, error));
    throw error;
  }
  yield showCard(context, envelope, result.kind === 'found' ? { kind: 'site-status', status: result.status } : { kind: 'site-not-found', typed: result.typed, suggestions: result.suggestions });
  setProgress(context, { step: 'done', detail: result.kind === 'found' ? result.status.status : 'unknown site' });
  return result;
}
