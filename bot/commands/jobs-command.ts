import { jobsCard } from '../../cards/jobs-card';
import { normalizeId } from '../../core/auth/access-policy';
import type { CommandHandler } from '../command-handler';
import { toJobSummary } from '../job-summary';

/** How far back `jobs` looks. Durable keeps history longer; a week is what people mean by "recent". */
export const JOBS_WINDOW_DAYS = 7;

export const jobsCommand: CommandHandler = {
  kind: 'instant',
  async run({ message, roles, deps }) {
    const now = deps.now();
    const me = normalizeId(message.caller.aadObjectId ?? '');
    const records = await deps.jobs.listSince(new Date(now.getTime() - JOBS_WINDOW_DAYS * 86_400_000));
    const mine = records.filter((r) => r.envelope && normalizeId(r.envelope.requestedBy.aadObjectId) === me);
    const canCancel = roles.includes('operator');
    return jobsCard({ jobs: mine.map((r) => toJobSummary(r, canCancel)), now, windowDays: JOBS_WINDOW_DAYS });
  },
};
