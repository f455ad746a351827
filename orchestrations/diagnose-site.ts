import type { DiagnoseSiteInput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import { DIAGNOSIS_TITLES } from '../core/ike/diagnosis';
import type { DiagnoseSiteOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, jobInput, readActivity, setProgress, showCard } from './orchestration-context';

/** `diagnose <site>`: one activity reads and concludes (compact result), one shows it. */
export function* diagnoseSiteOrchestrator(context: OrchestrationContext): Orchestration<DiagnoseSiteOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.diagnoseSite);
  const { site, hours, deviceLog } = envelope.payload;
  setProgress(context, { step: 'reading IKE logs', detail: `${site}, last ${hours} h` });
  const input: DiagnoseSiteInput = { site, hours, ...(deviceLog ? { deviceEvents: deviceLog.events, deviceLines: deviceLog.lines } : {}) };
  let result: DiagnoseSiteOutput;
  try {
    result = yield* readActivity(context, ACTIVITIES.diagnoseSite, input);
  } catch (error) {
    yield* showCard(context, envelope, failureView(`Could not diagnose ${site}`, error));
    throw error;
  }
  yield* showCard(context, envelope, result.kind === 'site-not-found' ? result : { kind: 'diagnosis', outcome: result });
  setProgress(context, { step: 'done', detail: outcomeInWords(result) });
  return result;
}

/** The job list's one-line outcome, in the card's words. */
function outcomeInWords(result: DiagnoseSiteOutput): string {
  switch (result.kind) {
    case 'diagnosed':
      return DIAGNOSIS_TITLES[result.diagnosis.cause];
    case 'diagnostics-off':
      return 'diagnostic logs are off';
    case 'no-logs':
      return 'no log entries in the window';
    case 'site-not-found':
      return 'unknown site';
  }
}
