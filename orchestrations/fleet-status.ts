import type { FleetRef, ListFleetOutput, ReadFleetCertificatesOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { FleetResult } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { FleetRow } from '../core/status/fleet-status';
import { fleetPage, rankFleet, summarizeFleet, withCertificates } from '../core/status/fleet-status';
import type { Orchestration, OrchestrationContext, Task } from './orchestration-context';
import { activityTask, failureView, fleetReadRetry, jobInput, readActivity, resultOf, setProgress, showCard } from './orchestration-context';

/** Connections per inspect activity. */
export const FLEET_CHUNK_SIZE = 25;
/** Chunks inspected together before the card is updated with what is known so far. */
export const FLEET_WAVE_CHUNKS = 4;
/** Fewest milliseconds between progress updates of the card (Teams allows a few updates per second per thread). */
export const FLEET_UPDATE_INTERVAL_MS = 1_500;

type Certificates = ReadFleetCertificatesOutput['certificates'];

/**
 * `status all`: list once; then inspect the fleet in waves of chunks run in parallel (one connection GET each),
 * reading every distinct outbound certificate once alongside the first wave. After each wave the card shows the
 * worst rows so far with counts (at most every 1.5 s of orchestration time); the full ranked fleet is the job's
 * output, which the paging buttons read.
 *
 * Every task is yielded exactly once (in one Task.all): yielding a scheduled task again inside a new Task.any makes
 * the Durable extension schedule its activity a second time, which breaks replay.
 */
export function* fleetStatusOrchestrator(context: OrchestrationContext): Orchestration<FleetResult> {
  const envelope = jobInput(context, ORCHESTRATIONS.fleetStatus);
  setProgress(context, { step: 'listing connections' });
  let listed: ListFleetOutput;
  try {
    listed = yield* readActivity(context, ACTIVITIES.listFleet, {});
  } catch (error) {
    yield* showCard(context, envelope, failureView('Could not list the fleet', error));
    throw error;
  }
  const chunks: FleetRef[][] = [];
  for (let i = 0; i < listed.refs.length; i += FLEET_CHUNK_SIZE) chunks.push(listed.refs.slice(i, i + FLEET_CHUNK_SIZE));
  const certificateIds = [...new Set(listed.refs.map((r) => r.outboundCertificateId).filter((id): id is string => id !== undefined))];

  let rows: FleetRow[] = [];
  let certificates: Certificates = {};
  const gaps = [...listed.gaps];
  // The first wave's rows show at once; later updates are spaced out.
  let lastUpdate = Number.NEGATIVE_INFINITY;
  for (let first = 0; first < Math.max(chunks.length, certificateIds.length > 0 ? 1 : 0); first += FLEET_WAVE_CHUNKS) {
    const wave = chunks.slice(first, first + FLEET_WAVE_CHUNKS).map((refs) => ({ refs, task: activityTask(context, ACTIVITIES.inspectFleetChunk, { refs }, fleetReadRetry()) }));
    const certificateTask = first === 0 && certificateIds.length > 0 ? activityTask(context, ACTIVITIES.readFleetCertificates, { certificateIds }, fleetReadRetry()) : undefined;
    const tasks: Task[] = [...wave.map((w) => w.task), ...(certificateTask ? [certificateTask] : [])];
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // Task.all fails on the first failed child; each child is judged on its own below.
    }
    for (const { refs, task } of wave) {
      if (task.isCompleted && !task.isFaulted) rows = rows.concat(resultOf(task).rows);
      else gaps.push(`Could not read ${refs.length} connection(s) (${refs.slice(0, 3).map((r) => r.site).join(', ')}${refs.length > 3 ? ', …' : ''}); they are not in this report.`);
    }
    if (certificateTask) {
      if (certificateTask.isCompleted && !certificateTask.isFaulted) certificates = resultOf(certificateTask).certificates;
      else gaps.push('Could not read the outbound certificates from Key Vault; their expiry is not in this report.');
    }
    setProgress(context, { step: 'inspecting connections', detail: `${rows.length} of ${listed.refs.length}` });
    const now = context.df.currentUtcDateTime.getTime();
    const more = first + FLEET_WAVE_CHUNKS < chunks.length;
    if (more && now - lastUpdate >= FLEET_UPDATE_INTERVAL_MS) {
      lastUpdate = now;
      const ranked = rankFleet(withCertificates(rows, certificates));
      yield* showCard(context, envelope, {
        kind: 'fleet',
        ...fleetPage(ranked, 0),
        summary: summarizeFleet(ranked),
        progress: { inspected: rows.length, total: listed.refs.length },
        gaps,
        checkedAt: context.df.currentUtcDateTime.toISOString(),
      });
    }
  }
  const ranked = rankFleet(withCertificates(rows, certificates));
  const result: FleetResult = { rows: ranked, summary: summarizeFleet(ranked), gaps, checkedAt: context.df.currentUtcDateTime.toISOString() };
  yield* showCard(context, envelope, { kind: 'fleet', ...fleetPage(ranked, 0), summary: result.summary, gaps, checkedAt: result.checkedAt });
  setProgress(context, { step: 'done', detail: `${result.summary.connected} connected, ${result.summary.down} down, ${result.summary.expiring} expiring` });
  return result;
}
