import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, container, heading, literal, paragraph } from './adaptive-card';
import { formatAge } from './format';
import { executeAction, VERBS } from './verbs';

export type JobState = 'running' | 'pending' | 'completed' | 'failed' | 'cancelled' | 'suspended' | 'unknown';

export interface JobSummary {
  readonly jobId: string;
  readonly commandLine: string;
  readonly state: JobState;
  readonly createdAt: Date;
  readonly lastUpdatedAt: Date;
  /** Short progress or outcome text from the job's custom status. */
  readonly detail?: string;
  readonly cancellable: boolean;
}

const STATE_LABEL: Record<JobState, { text: string; tone: 'default' | 'good' | 'warning' | 'attention' | 'accent' }> = {
  running: { text: 'running', tone: 'accent' },
  pending: { text: 'queued', tone: 'accent' },
  completed: { text: 'done', tone: 'good' },
  failed: { text: 'failed', tone: 'attention' },
  cancelled: { text: 'cancelled', tone: 'warning' },
  suspended: { text: 'paused', tone: 'warning' },
  unknown: { text: 'unknown', tone: 'default' },
};

/** At most this many jobs on the card; older ones are summarised in a count. */
export const MAX_JOBS_ON_CARD = 15;

/** Jobs the caller has beyond those given to the card; `exact: false` when only a lower bound is known. */
export interface OlderJobs {
  readonly count: number;
  readonly exact: boolean;
}

export function jobsCard(model: { jobs: readonly JobSummary[]; older?: OlderJobs; now: Date; windowDays: number; notice?: string }): AdaptiveCard {
  const body: CardElement[] = [heading('Your operations')];
  if (model.notice) body.push(literal(model.notice));
  const olderCount = Math.max(0, model.jobs.length - MAX_JOBS_ON_CARD) + (model.older?.count ?? 0);
  const exact = model.older?.exact ?? true;
  if (model.jobs.length === 0 && olderCount === 0 && exact) {
    body.push(paragraph(`You have no running operations and none in the last ${model.windowDays} days.`));
    return card(body);
  }
  const shown = model.jobs.slice(0, MAX_JOBS_ON_CARD);
  for (const job of shown) {
    const label = STATE_LABEL[job.state];
    const items: CardElement[] = [
      literal([{ text: job.commandLine, bold: true, mono: true }, { text: `  ${label.text}`, tone: label.tone, bold: true }, { text: `  ${formatAge(job.createdAt, model.now)}`, subtle: true }]),
      literal([{ text: job.jobId, subtle: true, mono: true }]),
    ];
    if (job.detail) items.push(literal([{ text: job.detail, subtle: true }]));
    if (job.cancellable) {
      items.push({ type: 'ActionSet', actions: [executeAction('Cancel', VERBS.cancelJob, { jobId: job.jobId }, { style: 'destructive' })] });
    }
    body.push(container(items, 'emphasis'));
  }
  if (olderCount > 0 || !exact) {
    const count = olderCount.toLocaleString('en-US');
    // With no job shown there is nothing to be "older" than, so that line stands on its own.
    const text =
      shown.length > 0
        ? `…and ${exact ? count : `more than ${count}`} older.`
        : `${exact ? count : `More than ${count}`} ${exact && olderCount === 1 ? 'operation' : 'operations'} of the last ${model.windowDays} days could not be listed here.`;
    body.push(paragraph(text, { subtle: true }));
  }
  return card(body, [executeAction('Refresh', VERBS.runCommand, { command: 'jobs', replace: true })]);
}
