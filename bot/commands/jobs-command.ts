import { jobsCard, MAX_JOBS_ON_CARD } from '../../cards/jobs-card';
import { mapConcurrent } from '../../core/async/map-concurrent';
import { normalizeId } from '../../core/auth/access-policy';
import type { JobRecord } from '../chat-ports';
import type { CommandHandler } from '../command-handler';
import { toJobSummary } from '../job-summary';

/** How far back `jobs` looks. Durable keeps history longer; a week is what people mean by "recent". */
export const JOBS_WINDOW_DAYS = 7;
/** Status reads in flight at once. */
const READS = 5;

/** The caller's jobs: ids from the per-person index, status from the Durable client (never the whole task hub). */
export const jobsCommand: CommandHandler = {
  kind: 'instant',
  async run({ message, roles, deps }) {
    const now = deps.now();
    const me = normalizeId(message.caller.aadObjectId ?? '');
    const ids = await deps.jobIndex.recentFor(me, new Date(now.getTime() - JOBS_WINDOW_DAYS * 86_400_000), MAX_JOBS_ON_CARD + 1);
    const records = await mapConcurrent(ids, READS, (id) => deps.jobs.get(id));
    // The index knows ids; ownership is checked again against the job's own recorded requester.
    const mine = records.filter((r): r is JobRecord => r !== undefined && r.envelope !== undefined && normalizeId(r.envelope.requestedBy.aadObjectId) === me);
    const canCancel = roles.includes('operator');
    return jobsCard({ jobs: mine.map((r) => toJobSummary(r, canCancel)), now, windowDays: JOBS_WINDOW_DAYS });
  },
};
