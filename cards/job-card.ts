import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, facts, heading, literal, paragraph } from './adaptive-card';
import { formatUtc } from './format';

export interface JobCardModel {
  readonly jobId: string;
  /** The command line as the bot understood it, e.g. `status site-paris`. */
  readonly commandLine: string;
  readonly requestedBy: string;
  readonly startedAt: Date;
  readonly state: 'started' | 'running' | 'cancelled' | 'failed';
  /** Progress lines, bot-authored or built from validated names; shown literally. */
  readonly progress?: readonly string[];
  readonly note?: string;
}

const TITLE: Record<JobCardModel['state'], string> = {
  started: 'Working on it',
  running: 'Working on it',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** The acknowledgement card, later updated in place as the job progresses (and replaced by its result card). */
export function jobCard(model: JobCardModel): AdaptiveCard {
  const tone = model.state === 'failed' ? 'attention' : model.state === 'cancelled' ? 'warning' : 'default';
  const body: CardElement[] = [
    heading(`${TITLE[model.state]}: ${model.commandLine.split(' ')[0]}`, tone),
    literal([{ text: model.commandLine, mono: true }]),
  ];
  if (model.progress && model.progress.length > 0) body.push(...model.progress.slice(-6).map((line) => literal(`• ${line}`)));
  if (model.note) body.push(literal(model.note));
  body.push(
    facts([
      ['Job', model.jobId],
      ['Requested by', model.requestedBy],
      ['Started', formatUtc(model.startedAt)],
    ]),
  );
  if (model.state === 'started') body.push(paragraph('This card updates itself when the result is ready.', { subtle: true, size: 'Small' }));
  return card(body);
}
