import type { DiagnoseSiteInput, DiagnoseSiteOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import { DIAGNOSIS_TITLES } from '../core/ike/diagnosis';
import type { IkeEvent } from '../core/ike/ike-event';
import type { JobEnvelope } from './job-envelope';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, readRetry, setProgress, showCard } from './orchestration-context';

export interface DiagnoseSitePayload {
  readonly site: string;
  readonly hours: number;
  /** The on-prem device's log, parsed by the bot and reduced to its significant events (bounded). */
  readonly deviceLog?: { readonly lines: number; readonly source: 'pasted' | 'file'; readonly events: readonly IkeEvent[] };
}

/** `diagnose <site>`: one activity reads and concludes (compact result), one shows it. */
export function* diagnoseSiteOrchestrator(context: OrchestrationContext): Orchestration<DiagnoseSiteOutput> {
  const envelope = context.df.getInput<JobEnvelope<DiagnoseSitePayload>>();
  const { site, hours, deviceLog } = envelope.payload;
  setProgress(context, { step: 'reading IKE logs', detail: `${site}, last ${hours} h` });
  const input: DiagnoseSiteInput = { site, hours, ...(deviceLog ? { deviceEvents: deviceLog.events, deviceLines: deviceLog.lines } : {}) };
  let result: DiagnoseSiteOutput;
  try {
    result = (yield context.df.callActivityWithRetry(ACTIVITIES.diagnoseSite, readRetry(), input)) as DiagnoseSiteOutput;
  } catch (error) {
    yield showCard(context, envelope, failureView(`Could not diagnose ${site}`, error));
    throw error;
  }
  yield showCard(context, envelope, result.kind === 'site-not-found' ? result : { kind: 'diagnosis', outcome: result });
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
