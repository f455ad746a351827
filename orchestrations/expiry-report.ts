import { ACTIVITIES } from '../activities/activity-names';
import { expiryPageOf } from '../core/expiry/expiry-report';
import type { ExpiryReportOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, jobInput, readActivity, setProgress, showCard } from './orchestration-context';

/**
 * `expiry [--days N] [site]`: one read activity (the fleet listed once, each distinct outbound certificate's versions
 * once, the vault CA once), then the first page of the report on the card. The whole report is the job's output,
 * which the paging buttons read.
 */
export function* expiryReportOrchestrator(context: OrchestrationContext): Orchestration<ExpiryReportOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.expiryReport);
  const { days, site } = envelope.payload;
  setProgress(context, { step: 'reading certificates' });
  let read;
  try {
    read = yield* readActivity(context, ACTIVITIES.readExpiryReport, { ...(days !== undefined ? { thresholdDays: days } : {}), ...(site !== undefined ? { site } : {}) });
  } catch (error) {
    yield* showCard(context, envelope, failureView('Could not read certificate expiry', error));
    throw error;
  }
  if (read.kind === 'site-not-found') {
    yield* showCard(context, envelope, read);
    return read;
  }
  const { report } = read;
  const page = expiryPageOf(report.rows, 0);
  yield* showCard(context, envelope, { kind: 'expiry', report: { ...report, rows: page.rows }, page: 0, pageCount: page.pageCount });
  setProgress(context, { step: 'done', detail: `${report.rows.length} to act on, ${report.counts.fine} fine` });
  return { kind: 'report', report };
}
