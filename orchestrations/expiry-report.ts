import { ACTIVITIES } from '../activities/activity-names';
import { expiryPageOf, narrowReport } from '../core/expiry/expiry-report';
import type { ExpiryDeliveryOutput, ExpiryReportOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { decodeActivityFailure } from './activity-failure';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { activityTask, failureView, jobInput, postRetry, readActivity, resultOf, setProgress, showCard } from './orchestration-context';

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

/** Conversations posted to at once: Teams limits a bot per conversation and per tenant; each conversation gets one post. */
export const EXPIRY_POST_CONCURRENCY = 8;


/** `HH:MM` of `day` as a time; undefined for a malformed time. */
function timeOn(day: string, at: string): number | undefined {
  const t = Date.parse(`${day}T${at}:00.000Z`);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The daily report (started by the timer as `expiry-daily-<day>`, so one run per day however often the timer fires):
 * the subscriptions, grouped by when they are posted (the run's own time, or a later `--at`); per group the fleet is
 * read once for the largest threshold, and each conversation gets its own threshold's rows (narrowed, pure), posted
 * a few conversations at a time. Each post checks the day's record first, so a repeated step posts nothing twice.
 */
export function* expiryDeliveryOrchestrator(context: OrchestrationContext): Orchestration<ExpiryDeliveryOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.expiryDelivery);
  const { day } = envelope.payload;
  const start = context.df.currentUtcDateTime.getTime();
  setProgress(context, { step: 'reading subscriptions' });
  const { subscriptions, quietWhenFine } = yield* readActivity(context, ACTIVITIES.listExpirySubscriptions, {});

  const byTime = new Map<number, (typeof subscriptions)[number][]>();
  for (const s of subscriptions) {
    const wanted = s.at !== undefined ? timeOn(day, s.at) : undefined;
    const when = wanted !== undefined && wanted > start ? wanted : start;
    byTime.set(when, [...(byTime.get(when) ?? []), s]);
  }
  const groups: ExpiryDeliveryOutput['groups'][number][] = [];
  const problems: string[] = [];
  let posted = 0;
  let already = 0;
  let removed = 0;
  for (const [when, members] of [...byTime].sort((a, b) => a[0] - b[0])) {
    if (when > context.df.currentUtcDateTime.getTime()) {
      setProgress(context, { step: 'waiting', detail: `next posts at ${new Date(when).toISOString().slice(11, 16)} UTC` });
      yield context.df.createTimer(new Date(when));
    }
    const days = Math.max(...members.map((m) => m.days));
    setProgress(context, { step: 'reading certificates', detail: `${members.length} conversation(s), within ${days} days` });
    let read;
    try {
      read = yield* readActivity(context, ACTIVITIES.readExpiryReport, { thresholdDays: days });
    } catch (error) {
      problems.push(`${new Date(when).toISOString().slice(11, 16)}: ${decodeActivityFailure(error).problem}`);
      continue;
    }
    if (read.kind !== 'report') continue;
    const group = groups.length;
    groups.push({ at: new Date(when).toISOString(), days, report: read.report });
    setProgress(context, { step: 'posting', detail: `${members.length} conversation(s)` });
    for (let first = 0; first < members.length; first += EXPIRY_POST_CONCURRENCY) {
      const wave = members.slice(first, first + EXPIRY_POST_CONCURRENCY).map((m) => {
        const report = narrowReport(read.report, m.days);
        const page = expiryPageOf(report.rows, 0);
        const sites = [...new Set(report.rows.filter((r) => r.kind === 'outbound' && r.rotate).map((r) => r.site))];
        return activityTask(context, ACTIVITIES.postExpiryReport, { jobId: envelope.jobId, day, group, conversationKey: m.conversationKey, days: m.days, view: { report: { ...report, rows: page.rows }, pageCount: page.pageCount }, sites, quietWhenFine }, postRetry());
      });
      try {
        yield context.df.Task.all(wave);
      } catch {
        // Each post is judged on its own below.
      }
      for (const task of wave) {
        if (!task.isCompleted || task.isFaulted) {
          problems.push('a post failed after its retries; that conversation gets it from the next run.');
          continue;
        }
        const out = resultOf(task);
        if (out.kind === 'posted') posted++;
        else if (out.kind === 'already') already++;
        else if (out.kind === 'removed') removed++;
        else if (out.kind === 'unreachable') problems.push(out.problem);
      }
    }
  }
  setProgress(context, { step: 'done', detail: `${posted} posted, ${already} already posted today, ${removed} removed` });
  return { day, groups, posted, already, removed, problems };
}
