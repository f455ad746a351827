import type { IkeEvent } from '../core/ike/ike-event';
import { parseCharonLog } from '../core/ike/parse-charon-log';
import { isUserError } from '../core/errors/user-error';
import type { FileAttachment } from '../core/ports/chat';

/** Largest device log we read. A day of charon output around one connection fits easily; a full syslog does not. */
export const MAX_DEVICE_LOG_BYTES = 1024 * 1024;
/** Significant events kept for the diagnosis: enough for every cause, small enough for durable history. */
export const MAX_DEVICE_EVENTS = 80;

export interface DeviceLogSummary {
  /** Lines read from the pasted text or file. */
  readonly lines: number;
  readonly source: 'pasted' | 'file';
  /** The significant events (never `other`), latest kept, each text already bounded by the parser. */
  readonly events: readonly IkeEvent[];
}

export type DeviceLogResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'parsed'; readonly summary: DeviceLogSummary }
  | { readonly kind: 'rejected'; readonly code: string; readonly problem: string; readonly fix: string };

/**
 * The on-prem device's side of the story, pasted under the command or attached as a text file. It is parsed here,
 * in the bot, and reduced to its significant events, so the raw log never enters orchestration history.
 */
export async function readDeviceLog(pastedText: string | undefined, files: readonly FileAttachment[]): Promise<DeviceLogResult> {
  if (pastedText && pastedText.trim().length > 0) return summarize(pastedText, 'pasted');
  const file = files[0];
  if (!file) return { kind: 'none' };
  if (files.length > 1) return reject('TooManyAttachments', `I got ${files.length} attachments and read one device log at a time.`, 'Attach only the strongSwan (charon) log.');
  if (file.size !== undefined && file.size > MAX_DEVICE_LOG_BYTES) return tooLarge(file.size);
  let bytes: Uint8Array;
  try {
    bytes = await file.download(MAX_DEVICE_LOG_BYTES);
  } catch (error) {
    if (isUserError(error)) return reject(error.code, error.safeMessage, error.hint ?? 'Paste the log lines into the message instead.');
    return reject('AttachmentUnreadable', 'I could not download the attachment.', 'Paste the log lines into the message instead.');
  }
  if (bytes.byteLength > MAX_DEVICE_LOG_BYTES) return tooLarge(bytes.byteLength);
  const text = decodeText(bytes);
  if (text === undefined) {
    return reject('BinaryAttachment', `${shortName(file.name)} is not a text file.`, 'Attach the charon log as plain text (.log or .txt), not an archive, image or capture.');
  }
  return summarize(text, 'file');
}

function summarize(text: string, source: 'pasted' | 'file'): DeviceLogResult {
  // Lines as a person counts them: a trailing newline does not start another one.
  const lines = text.replace(/\r?\n$/, '').split('\n').length;
  const events = parseCharonLog(text);
  const significant = events.filter((e) => e.kind !== 'other');
  if (events.length === 0) {
    return reject(
      'NotACharonLog',
      `The ${source === 'file' ? 'attached file' : 'pasted text'} does not look like a strongSwan (charon) log: ${lines === 1 ? 'its one line has no' : `none of its ${lines} lines has a`} charon marker such as "08[IKE]".`,
      'Copy the lines from the device\'s charon log (journalctl -u strongswan, or /var/log/charon.log) around the failed connection attempt.',
    );
  }
  return { kind: 'parsed', summary: { lines, source, events: significant.slice(-MAX_DEVICE_EVENTS) } };
}

/** UTF-8 text without NULs; anything else is binary. */
function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function tooLarge(size: number): DeviceLogResult {
  return reject(
    'AttachmentTooLarge',
    `The device log is ${Math.ceil(size / 1024)} KB; I read at most ${MAX_DEVICE_LOG_BYTES / 1024} KB.`,
    'Attach only the charon lines around the failed connection attempt.',
  );
}

function reject(code: string, problem: string, fix: string): DeviceLogResult {
  return { kind: 'rejected', code, problem, fix };
}

function shortName(name: string): string {
  const cleaned = name.replace(/[^\w .-]/g, '').slice(0, 60);
  return cleaned || 'The attachment';
}
