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

export function jobsCard(model: { jobs: readonly JobSummary[]; now: Date; windowDays: number; notice?: string }): AdaptiveCard {
  const body: CardElement[] = [heading('Your operations')];
  if (model.notice) body.push(literal(model.notice));
  if (model.jobs.length === 0) {
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
  if (model.jobs.length > shown.length) body.push(paragraph(`…and ${model.jobs.length - shown.length} older.`, { subtle: true }));
  return card(body, [executeAction('Refresh', VERBS.runCommand, { command: 'jobs', replace: true })]);
}
