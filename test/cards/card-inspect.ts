import type { AdaptiveCard } from '../../cards/adaptive-card';
import { VERBS } from '../../cards/verbs';

type Node = Record<string, unknown>;

/** Every object in the card (elements, columns, inlines, actions, nested show-cards), depth first. */
export function nodesOf(card: AdaptiveCard): Node[] {
  const nodes: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    nodes.push(node);
    // `data` is what a button sends back, not something Teams renders.
    for (const [key, child] of Object.entries(node)) if (key !== 'data') visit(child);
  };
  visit(card.body);
  visit(card.actions ?? []);
  return nodes;
}

/** Text that Teams renders as markdown: TextBlock text and FactSet titles and values. */
export function markdownTexts(card: AdaptiveCard): string[] {
  const texts: string[] = [];
  for (const node of nodesOf(card)) {
    if (node.type === 'TextBlock') texts.push(String(node.text));
    if (node.type === 'FactSet') for (const fact of (node.facts as { title: string; value: string }[]) ?? []) texts.push(fact.title, fact.value);
  }
  return texts;
}

/** Text shown literally: the TextRuns of RichTextBlocks. */
export function literalTexts(card: AdaptiveCard): string[] {
  return nodesOf(card)
    .filter((n) => n.type === 'TextRun')
    .map((n) => String(n.text));
}

/** Everything a person can read on the card, in order (markdown and literal text, button titles). */
export function visibleText(card: AdaptiveCard): string {
  const parts: string[] = [];
  for (const node of nodesOf(card)) {
    if (node.type === 'TextBlock') parts.push(String(node.text));
    // The runs of one RichTextBlock read as one line.
    if (node.type === 'RichTextBlock') parts.push(((node.inlines as Node[] | undefined) ?? []).map((run) => String(run.text)).join(''));
    if (typeof node.type === 'string' && node.type.startsWith('Action.') && typeof node.title === 'string') parts.push(`[${node.title}]`);
  }
  return parts.join('\n');
}

/** The tone (color) an element shows in: its own, or its first run's. */
export function toneOf(element: Node | undefined): unknown {
  if (!element) return undefined;
  if (element.type === 'RichTextBlock') return ((element.inlines as Node[] | undefined) ?? [])[0]?.color;
  return element.color;
}

export interface ExecuteAction {
  readonly title: string;
  readonly verb: string;
  readonly data: unknown;
}

export function executeActions(card: AdaptiveCard): ExecuteAction[] {
  return nodesOf(card)
    .filter((n) => n.type === 'Action.Execute')
    .map((n) => ({ title: String(n.title), verb: String(n.verb), data: n.data }));
}

const KNOWN_VERBS: ReadonlySet<string> = new Set(Object.values(VERBS));
const ELEMENT_TYPES = new Set(['TextBlock', 'RichTextBlock', 'TextRun', 'Container', 'ColumnSet', 'Column', 'ActionSet', 'FactSet', 'Input.Text', 'Input.ChoiceSet']);
const ACTION_TYPES = new Set(['Action.Execute', 'Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility']);
// C0/C1 controls (tab and newline allowed), zero-width and bidi controls: never on a card.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;

/**
 * The rules every card the bot sends must keep; returns the broken ones (empty: fine). Checked structurally so a
 * builder added later is held to the same rules by the same tests.
 */
export function cardProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  if (card.type !== 'AdaptiveCard') problems.push(`type is ${String(card.type)}`);
  if (card.version !== '1.5') problems.push(`version is ${String(card.version)}`);
  if (card.$schema !== 'http://adaptivecards.io/schemas/adaptive-card.json') problems.push('no schema');
  for (const node of nodesOf(card)) {
    const type = node.type;
    if (typeof type !== 'string') continue;
    if (type.startsWith('Action.')) {
      if (!ACTION_TYPES.has(type)) problems.push(`unknown action type ${type}`);
      if (type === 'Action.Execute' && !KNOWN_VERBS.has(String(node.verb))) problems.push(`verb ${String(node.verb)} is not in cards/verbs.ts`);
      if (type === 'Action.Execute' && (typeof node.data !== 'object' || node.data === null)) problems.push(`verb ${String(node.verb)} sends no data object`);
    } else if (!ELEMENT_TYPES.has(type)) {
      problems.push(`element type ${type} is not one the bot renders`);
    }
    if ((type === 'TextBlock' || type === 'TextRun') && UNSAFE_CHARACTERS.test(String(node.text))) problems.push(`${type} has a control character: ${JSON.stringify(node.text).slice(0, 60)}`);
    if (type === 'RichTextBlock' && (node.inlines as Node[] | undefined)?.some((run) => run.type !== 'TextRun')) problems.push('RichTextBlock holds something other than TextRuns');
  }
  return problems;
}

/**
 * Hostile values for every untrusted field: markdown that would turn into a link or bold, HTML and Teams mention
 * markup, control and bidi characters that hide or reorder text, and a 10k-character string. Each carries a marker
 * so a test can tell where it ended up.
 */
export const HOSTILE = {
  markdown: 'MDMARK **bold** [click here](https://evil.example/phish) _it_ # Heading\n- list',
  html: 'HTMLMARK <script>alert(1)</script><at>VPN Bot</at><img src=x onerror=alert(1)>',
  control: 'CTLMARK a\u0000b\u0007c\u001bd\u202Ee\u200Bf\u2066g\uFEFFh',
  long: `LONGMARK${'A'.repeat(10_000)}`,
} as const;

export const HOSTILE_MARKERS = ['MDMARK', 'HTMLMARK', 'CTLMARK', 'LONGMARK'] as const;

/** Where each hostile marker appears in markdown-rendered text; empty when none does. */
export function hostileInMarkdown(card: AdaptiveCard): string[] {
  return markdownTexts(card).filter((text) => HOSTILE_MARKERS.some((m) => text.includes(m)));
}
