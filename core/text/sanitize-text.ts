/** Longest command line we read; anything longer is refused rather than truncated silently. */
export const MAX_COMMAND_LINE_LENGTH = 500;
/** Longest message body we read at all (a pasted device log); Teams itself caps a message near 28 KB of text. */
export const MAX_MESSAGE_LENGTH = 200_000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * Teams delivers channel and personal messages either as plain text or with light HTML (`<p>`, `<br>`, `&nbsp;`),
 * depending on client and formatting. Convert the structural tags to newlines and decode entities, leaving anything
 * else untouched: pasted charon logs contain `<conn|1>` which is not HTML.
 */
export function teamsHtmlToText(input: string): string {
  return input
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div)>\s*/gi, '\n')
    .replace(/<(p|div|span)(\s[^<>]*)?>/gi, '')
    .replace(/<\/span>/gi, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_match, name: string) => ENTITIES[name] ?? '');
}

/**
 * Makes user text safe to process: Unicode-normalised (so full-width or compatibility forms of command names
 * still match), with control and format characters removed (keeps newline and tab), and CRLF unified.
 */
export function normalizeUserText(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    // C0/C1 controls except \t and \n, plus zero-width and bidi override characters that hide what text says.
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '');
}

/** Cuts text to `max` characters (by code point, never splitting a surrogate pair) and marks the cut. */
export function truncateText(input: string, max: number): string {
  const chars = Array.from(input);
  if (chars.length <= max) return input;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** For quoting user input back in an error: one line, printable, short. */
export function quoteForDisplay(input: string, max = 40): string {
  const oneLine = normalizeUserText(input).replace(/\s+/g, ' ').trim();
  return truncateText(oneLine, max);
}
