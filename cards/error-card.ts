import type { AdaptiveCard, CardAction, CardElement } from './adaptive-card';
import { card, container, facts, heading, literal, literalHeading, paragraph } from './adaptive-card';

export interface ErrorCardModel {
  readonly title: string;
  /** What went wrong, safe text (may contain user input already quoted and shortened: shown literally). */
  readonly problem: string;
  /** What to do about it. */
  readonly fix?: string;
  /** Bot-written findings, one per line (e.g. a preflight's checks): shown whole below the problem, up to a few KB. */
  readonly findings?: string;
  readonly usage?: string;
  readonly example?: string;
  /** Error code, for people who report it. */
  readonly code?: string;
  /** Correlation id for failures whose detail is only in the logs. */
  readonly reference?: string;
  readonly actions?: CardAction[];
}

export function errorCard(model: ErrorCardModel): AdaptiveCard {
  // Titles name what failed (a site, a job): shown literally, like every value that did not come from the bot.
  const body: CardElement[] = [literalHeading(model.title, 'attention'), literal(model.problem)];
  if (model.findings) body.push(literal(model.findings, { max: 4000 }));
  if (model.fix) body.push(literal(model.fix));
  const rows: [string, string][] = [];
  if (model.usage) rows.push(['Usage', model.usage]);
  if (model.example) rows.push(['Example', model.example]);
  if (rows.length > 0) body.push(container([facts(rows)], 'emphasis'));
  const footer: string[] = [];
  if (model.code) footer.push(`Code: ${model.code}`);
  if (model.reference) footer.push(`Reference: ${model.reference}`);
  if (footer.length > 0) body.push(literal([{ text: footer.join(' · '), subtle: true }]));
  return card(body, model.actions ?? []);
}

/** Every failure that is not a known user error: no detail in chat, a reference to find it in the logs. */
export function unexpectedErrorCard(reference: string): AdaptiveCard {
  return card([
    heading('Something went wrong', 'attention'),
    paragraph('The bot hit an unexpected error and did not finish. Nothing was changed by this message.'),
    literal([{ text: `Reference: ${reference}`, subtle: true }]),
    paragraph('Try again in a minute; if it keeps failing, give the reference to the bot operators.', { subtle: true }),
  ]);
}
