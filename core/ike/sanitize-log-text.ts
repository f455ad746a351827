/** Longest text kept from one log line in an event (characters). Enough for every real IKE line we know. */
export const MAX_EVENT_TEXT = 600;

/** Longest part of a raw line we look at at all; the rest of a hostile megabyte line is never scanned. */
export const MAX_SCANNED_LINE = 8192;

// C0/C1 controls (tab handled separately), DEL, zero-width and bidirectional formatting characters, BOM, and lone
// surrogates: all of these can hide or reorder text when shown in a chat card.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TABS = /\t/g;

// A single character class (no lookarounds) scans fast; almost every line is clean, and only a hit pays for UNSAFE.
// Surrogates are included, so a line with an emoji also takes the precise path, which keeps valid pairs.
// eslint-disable-next-line no-control-regex
const MAYBE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/;

/**
 * Text from a log line made safe to quote to a person: unsafe characters become `?`, tabs become spaces, surrounding
 * whitespace goes, and anything past `max` characters is cut with an ellipsis (never inside a surrogate pair).
 */
export function sanitizeLogText(input: string, max = MAX_EVENT_TEXT): string {
  let text = input.length > max * 2 ? input.slice(0, max * 2) : input;
  if (MAYBE_UNSAFE.test(text)) {
    if (text.includes('\t')) text = text.replace(TABS, ' ');
    UNSAFE.lastIndex = 0;
    text = text.replace(UNSAFE, '?');
  }
  text = text.trim();
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
