import type { FleetRef, FleetResult, InspectFleetChunkOutput, ListFleetOutput, ReadFleetCertificatesOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import { FLEET_PAGE_SIZE } from '../cards/fleet-status-card';
import type { FleetRow } from '../core/status/fleet-status';
import { rankFleet, summarizeFleet, withCertificates } from '../core/status/fleet-status';
import type { JobEnvelope } from './job-envelope';
import type { Orchestration, OrchestrationContext, Task } from './orchestration-context';
import { failureView, readRetry, setProgress, showCard } from './orchestration-context';

export interface FleetStatusPayload {
  readonly page: number;
}

/** Connections per inspect activity: small enough that the card fills in steadily. */
export const FLEET_CHUNK_SIZE = 25;
/** Fewest milliseconds between progress updates of the card (Teams allows a few updates per second per thread). */
export const FLEET_UPDATE_INTERVAL_MS = 1_500;

type Certificates = ReadFleetCertificatesOutput['certificates'];

/**
 * `status all`: list once; then, in parallel, inspect the fleet in chunks (one connection GET each) and read every
 * distinct outbound certificate once. As results arrive, the card shows the worst rows so far with counts (at most
 * every 1.5 s of orchestration time); the full ranked fleet is the job's output, which the paging buttons read.
 */
export function* fleetStatusOrchestrator(context: OrchestrationContext): Orchestration<FleetResult> {
  const envelope = context.df.getInput<JobEnvelope<FleetStatusPayload>>();
  setProgress(context, { step: 'listing connections' });
  let listed: ListFleetOutput;
  try {
    listed = (yield context.df.callActivityWithRetry(ACTIVITIES.listFleet, readRetry(), {})) as ListFleetOutput;
  } catch (error) {
    yield showCard(context, envelope, failureView('Could not list the fleet', error));
    throw error;
  }
  const certificateIds = [...new Set(listed.refs.map((r) => r.outboundCertificateId).filter((id): id is string => id !== undefined))];
  const work: { task: Task; refs?: FleetRef[] }[] = [];
  if (certificateIds.length > 0) work.push({ task: context.df.callActivityWithRetry(ACTIVITIES.readFleetCertificates, readRetry(), { certificateIds }) });
  for (let i = 0; i < listed.refs.length; i += FLEET_CHUNK_SIZE) {
    const refs = listed.refs.slice(i, i + FLEET_CHUNK_SIZE);
    work.push({ refs, task: context.df.callActivityWithRetry(ACTIVITIES.inspectFleetChunk, readRetry(), { refs }) });
  }

  let rows: FleetRow[] = [];
  let certificates: Certificates = {};
  const gaps = [...listed.gaps];
  let pending = work;
  let lastUpdate = context.df.currentUtcDateTime.getTime();
  while (pending.length > 0) {
    const winner = (yield context.df.Task.any(pending.map((p) => p.task))) as Task;
    const done = pending.find((p) => p.task === winner)!;
    pending = pending.filter((p) => p !== done);
    if (!done.refs) {
      if (winner.isFaulted) gaps.push('Could not read the outbound certificates from Key Vault; their expiry is not in this report.');
      else certificates = (winner.result as ReadFleetCertificatesOutput).certificates;
    } else if (winner.isFaulted) {
      gaps.push(`Could not read ${done.refs.length} connection(s) (${done.refs.slice(0, 3).map((r) => r.site).join(', ')}${done.refs.length > 3 ? ', …' : ''}); they are not in this report.`);
    } else {
      rows = rows.concat((winner.result as InspectFleetChunkOutput).rows);
    }
    setProgress(context, { step: 'inspecting connections', detail: `${rows.length} of ${listed.refs.length}` });
    const now = context.df.currentUtcDateTime.getTime();
    if (pending.length > 0 && now - lastUpdate >= FLEET_UPDATE_INTERVAL_MS) {
      lastUpdate = now;
      const ranked = rankFleet(withCertificates(rows, certificates));
      yield showCard(context, envelope, {
        kind: 'fleet',
        rows: ranked.slice(0, FLEET_PAGE_SIZE),
        page: 0,
        pageCount: 1,
        summary: summarizeFleet(ranked),
        progress: { inspected: rows.length, total: listed.refs.length },
        gaps,
        checkedAt: context.df.currentUtcDateTime.toISOString(),
      });
    }
  }
  const ranked = rankFleet(withCertificates(rows, certificates));
  const result: FleetResult = { rows: ranked, summary: summarizeFleet(ranked), gaps, checkedAt: context.df.currentUtcDateTime.toISOString() };
  const pageCount = Math.max(1, Math.ceil(ranked.length / FLEET_PAGE_SIZE));
  yield showCard(context, envelope, { kind: 'fleet', rows: ranked.slice(0, FLEET_PAGE_SIZE), page: 0, pageCount, summary: result.summary, gaps, checkedAt: result.checkedAt });
  setProgress(context, { step: 'done', detail: `${result.summary.connected} connected, ${result.summary.down} down, ${result.summary.expiring} expiring` });
  return result;
}
