/**
 * The subset of Adaptive Cards 1.5 the bot renders, and primitives that make untrusted text safe.
 *
 * Teams renders markdown in TextBlock and FactSet, so any text that came from a person or from Azure goes into
 * RichTextBlock TextRuns, which are never parsed as markdown. Only text the bot wrote itself uses TextBlock.
 */
export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly version: '1.5';
  readonly body: CardElement[];
  readonly actions?: CardAction[];
  readonly msteams?: { readonly width: 'Full' };
  readonly refresh?: unknown;
}

export type CardElement = Record<string, unknown> & { readonly type: string };
export type CardAction = Record<string, unknown> & { readonly type: 'Action.Execute' | 'Action.OpenUrl' | 'Action.ShowCard' | 'Action.ToggleVisibility' };
export type Tone = 'default' | 'good' | 'warning' | 'attention' | 'accent';

/** Longest single value we put on a card: cards must stay far below Teams' limits whatever Azure returns. */
export const MAX_VALUE_LENGTH = 300;
/** Teams' webhook limit; our goal for every card, so cards work everywhere. */
export const MAX_CARD_BYTES = 28 * 1024;

/** Every card the bot builds: Adaptive Cards 1.5, full width, and never over MAX_CARD_BYTES (see fitToSize). */
export function card(body: CardElement[], actions: CardAction[] = []): AdaptiveCard {
  return fitToSize({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  });
}

/** Said at the end of a card that had to be shortened. */
export const SHORTENED_NOTE = 'Shortened to fit the size Teams allows for a card.';
/** Button data holds ids and names (a few hundred bytes): a button whose data is bigger could not be pressed anyway. */
const MAX_ACTION_DATA_BYTES = 512;
/** Shortest a text is cut to before whole elements go. */
const MIN_TEXT_LENGTH = 24;

const bytesOf = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/**
 * Each value on a card is bounded, but a card has many (a fleet page, a diagnosis with its evidence): with long
 * values everywhere the whole can still exceed what Teams accepts. A card over MAX_CARD_BYTES is shortened, in this
 * order, until it fits: buttons whose data is too big to be pressed go; the longest texts are cut (repeatedly, down to
 * MIN_TEXT_LENGTH characters); then whole elements and buttons from the end. A card that fits is returned as it is.
 */
export function fitToSize(built: AdaptiveCard): AdaptiveCard {
  if (bytesOf(built) <= MAX_CARD_BYTES) return built;
  const fitted = JSON.parse(JSON.stringify(built)) as { body: CardElement[]; actions?: CardAction[] } & AdaptiveCard;
  const fits = () => bytesOf(fitted) <= MAX_CARD_BYTES;
  dropOversizedActions(fitted);
  const texts = textHolders(fitted);
  for (let cap = longestText(texts); !fits() && cap > MIN_TEXT_LENGTH; ) {
    cap = Math.max(MIN_TEXT_LENGTH, Math.floor(cap * 0.6));
    for (const holder of texts) holder.set(cleanValue(holder.get(), cap));
  }
  if (fits()) return fitted;
  // Still too big: whole elements go from the end (each measured once), then buttons, and the card says so.
  const note = paragraph(SHORTENED_NOTE, { subtle: true, size: 'Small' });
  let excess = bytesOf(fitted) + bytesOf(note) + 1 - MAX_CARD_BYTES;
  while (excess > 0 && fitted.body.length > 1) excess -= bytesOf(fitted.body.pop()) + 1;
  while (excess > 0 && (fitted.actions?.length ?? 0) > 0) excess -= bytesOf(fitted.actions!.pop()) + 1;
  fitted.body.push(note);
  return fitted;
}

interface TextHolder {
  get(): string;
  set(text: string): void;
}

/** Every text people read on the card: text runs, text blocks, button titles, input placeholders. */
function textHolders(root: unknown): TextHolder[] {
  const found: TextHolder[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'placeholder'] as const) {
      if (typeof record[key] === 'string') found.push({ get: () => record[key] as string, set: (text) => (record[key] = text) });
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
  };
  visit(root);
  return found;
}

function longestText(texts: readonly TextHolder[]): number {
  return texts.reduce((max, t) => Math.max(max, Array.from(t.get()).length), 0);
}

/** Removes Action.Execute buttons (in action lists and as select actions) whose data is too big to be a real button. */
function dropOversizedActions(root: unknown): void {
  const oversized = (action: unknown) => typeof action === 'object' && action !== null && bytesOf((action as { data?: unknown }).data ?? null) > MAX_ACTION_DATA_BYTES;
  const emptyActionSet = (item: unknown) => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'ActionSet' && ((item as { actions?: unknown[] }).actions ?? []).length === 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.actions)) record.actions = record.actions.filter((a) => !oversized(a));
    if (oversized(record.selectAction)) delete record.selectAction;
    // A Universal Actions refresh is a button Teams presses for the viewer.
    if (oversized((record.refresh as { action?: unknown } | undefined)?.action)) delete record.refresh;
    for (const [key, value] of Object.entries(record)) {
      visit(value);
      // An ActionSet left without buttons goes too (Adaptive Cards wants at least one).
      if (Array.isArray(value) && key !== 'actions') record[key] = value.filter((item) => !emptyActionSet(item));
    }
  };
  visit(root);
}

/** Removes control characters and shortens: applied to every untrusted value before it reaches a card. */
export function cleanValue(value: string, max = MAX_VALUE_LENGTH): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const cleaned = value.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '');
  const chars = Array.from(cleaned);
  return chars.length <= max ? cleaned : `${chars.slice(0, max - 1).join('')}…`;
}

/** Bot-authored heading (markdown allowed: the bot wrote it). */
export function heading(text: string, tone: Tone = 'default'): CardElement {
  return { type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true, ...(tone !== 'default' ? { color: tone } : {}) };
}

/**
 * A heading that names something untrusted (a site name comes from an Azure tag): it looks like `heading` but its
 * text is one literal TextRun, so a tag value can't turn into a link or formatting.
 */
export function literalHeading(text: string, tone: Tone = 'default'): CardElement {
  return {
    type: 'RichTextBlock',
    inlines: [{ type: 'TextRun', text: cleanValue(text), weight: 'Bolder', size: 'Medium', ...(tone !== 'default' ? { color: tone } : {}) }],
  };
}

/** Bot-authored paragraph. */
export function paragraph(text: string, options: { subtle?: boolean; tone?: Tone; size?: 'Small' | 'Default' } = {}): CardElement {
  return {
    type: 'TextBlock',
    text,
    wrap: true,
    ...(options.subtle ? { isSubtle: true } : {}),
    ...(options.tone && options.tone !== 'default' ? { color: options.tone } : {}),
    ...(options.size ? { size: options.size } : {}),
  };
}

export interface Run {
  readonly text: string;
  readonly bold?: boolean;
  readonly mono?: boolean;
  readonly tone?: Tone;
  readonly subtle?: boolean;
}

/** Text made of runs that are shown literally, never as markdown: the only way untrusted text reaches a card. */
export function literal(runs: Run[] | string, options: { max?: number } = {}): CardElement {
  const list = typeof runs === 'string' ? [{ text: runs }] : runs;
  return {
    type: 'RichTextBlock',
    inlines: list.map((run) => ({
      type: 'TextRun',
      text: cleanValue(run.text, options.max),
      ...(run.bold ? { weight: 'Bolder' } : {}),
      ...(run.mono ? { fontType: 'Monospace' } : {}),
      ...(run.tone && run.tone !== 'default' ? { color: run.tone } : {}),
      ...(run.subtle ? { isSubtle: true } : {}),
    })),
  };
}

/** Label/value rows; values are literal. (FactSet would render values as markdown.) */
export function facts(rows: readonly (readonly [label: string, value: string | Run])[]): CardElement {
  return {
    type: 'Container',
    spacing: 'Small',
    items: rows.map(([label, value]) => ({
      type: 'ColumnSet',
      spacing: 'None',
      columns: [
        { type: 'Column', width: 'auto', items: [{ type: 'TextBlock', text: label, weight: 'Bolder', wrap: true, minHeight: '0px' }], minHeight: '0px' },
        { type: 'Column', width: 'stretch', items: [literal([typeof value === 'string' ? { text: value } : value])] },
      ],
    })),
  };
}

export function container(items: CardElement[], style?: 'emphasis' | 'good' | 'attention' | 'warning' | 'accent'): CardElement {
  return { type: 'Container', items, ...(style ? { style } : {}) };
}

/** Buttons inside the body, next to what they act on (the card's own actions sit at its end). */
export function actionSet(actions: readonly CardAction[]): CardElement {
  return { type: 'ActionSet', actions: [...actions] };
}

/** Monospaced block for quoted log lines; literal. */
export function codeLines(lines: readonly string[], max = 240): CardElement {
  return {
    type: 'Container',
    style: 'emphasis',
    items: lines.map((line) => literal([{ text: line, mono: true }], { max })),
  };
}

export function cardSizeBytes(value: AdaptiveCard): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}
