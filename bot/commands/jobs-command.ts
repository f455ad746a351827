import { jobsCard, MAX_JOBS_ON_CARD } from '../../cards/jobs-card';
import { mapConcurrent } from '../../core/async/map-concurrent';
import { normalizeId } from '../../core/auth/access-policy';
import type { JobRecord } from '../../core/ports/jobs';
import { pendingForCaller } from '../change-actions';
import type { CommandHandler } from '../command-handler';
import { toJobSummary } from '../job-summary';

/** How far back `jobs` looks. Durable keeps history longer; a week is what people mean by "recent". */
export const JOBS_WINDOW_DAYS = 7;
/**
 * Index entries read to count the jobs that do not fit on the card. Ids only, one partition range query: with one
 * more than this the read is a single Table page (1,000 entities), so the count stays exact up to here and beyond
 * it the card says "more than".
 */
export const MAX_JOBS_COUNTED = 999;
/**
 * Durable status reads at most: the card's worth, plus as many again to fill gaps left by jobs Durable no longer has
 * or that turn out not to be the caller's. Status reads are what cost; counting needs none.
 */
const MAX_STATUS_READS = 2 * MAX_JOBS_ON_CARD;
/** Pending approvals counted for an approver's `jobs` (each is checked against its job). */
const MAX_PENDING_COUNTED = 20;
/** Status reads in flight at once. */
const READS = 5;

/** The caller's jobs: ids from the per-person index, status from the Durable client (never the whole task hub). */
export const jobsCommand: CommandHandler<'jobs'> = {
  async run({ message, roles, deps }) {
    const now = deps.now();
    const me = normalizeId(message.caller.aadObjectId ?? '');
    const listed = await deps.jobIndex.recentFor(me, new Date(now.getTime() - JOBS_WINDOW_DAYS * 86_400_000), MAX_JOBS_COUNTED + 1);
    // A change job's id is its connection's, so asking twice for changes to one connection indexes it twice.
    const ids = [...new Set(listed)].slice(0, MAX_JOBS_COUNTED);
    // The index knows ids; ownership is checked again against the job's own recorded requester.
    const isMine = (r: JobRecord | undefined): r is JobRecord => r !== undefined && r.envelope !== undefined && normalizeId(r.envelope.requestedBy.aadObjectId) === me;
    const mine: JobRecord[] = [];
    let read = 0;
    while (mine.length < MAX_JOBS_ON_CARD && read < Math.min(ids.length, MAX_STATUS_READS)) {
      const batch = ids.slice(read, Math.min(read + MAX_JOBS_ON_CARD - mine.length, MAX_STATUS_READS));
      read += batch.length;
      mine.push(...(await mapConcurrent(batch, READS, (id) => deps.jobs.get(id))).filter(isMine));
    }
    // Older = index entries whose status was never read; past the counting bound only a lower bound is known.
    const older = { count: ids.length - read, exact: listed.length <= MAX_JOBS_COUNTED };
    const canCancel = roles.includes('operator');
    // Approvers see what waits for them; everyone sees their own changes' approval state in each job's line.
    const waiting = roles.includes('approver') ? (await pendingForCaller(message.caller, deps, MAX_PENDING_COUNTED)).pending.length : 0;
    const notice = waiting > 0 ? `${waiting} change${waiting === 1 ? '' : 's'} wait${waiting === 1 ? 's' : ''} for your approval: type approvals.` : undefined;
    return jobsCard({ jobs: mine.map((r) => toJobSummary(r, canCancel)), older, now, windowDays: JOBS_WINDOW_DAYS, ...(notice ? { notice } : {}) });
  },
};
