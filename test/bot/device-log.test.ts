import { describe, expect, it } from 'vitest';
import { MAX_DEVICE_EVENTS, MAX_DEVICE_LOG_BYTES, readDeviceLog } from '../../bot/device-log';
import type { DeviceLogResult } from '../../bot/device-log';
import { UserError } from '../../core/errors/user-error';
import { charonFixture } from '../core/ike/ike-fixtures';
import { textFile } from './bot-fakes';

const LOG = charonFixture('wrong-root', 'initiator');

function parsed(result: DeviceLogResult) {
  if (result.kind !== 'parsed') throw new Error(`expected a parsed log, got ${JSON.stringify(result)}`);
  return result.summary;
}

function rejected(result: DeviceLogResult) {
  if (result.kind !== 'rejected') throw new Error(`expected a rejection, got ${result.kind}`);
  return result;
}

describe('readDeviceLog', () => {
  it('has nothing to read without pasted text or a file', async () => {
    expect(await readDeviceLog(undefined, [])).toEqual({ kind: 'none' });
    expect(await readDeviceLog('  \n\t ', [])).toEqual({ kind: 'none' });
  });

  it('reads pasted charon lines down to their significant events, bounded for durable history', async () => {
    const summary = parsed(await readDeviceLog(LOG, []));
    expect(summary.source).toBe('pasted');
    expect(summary.lines).toBe(LOG.replace(/\n$/, '').split('\n').length);
    expect(summary.events.length).toBeGreaterThan(0);
    expect(summary.events.length).toBeLessThanOrEqual(MAX_DEVICE_EVENTS);
    expect(summary.events.every((e) => e.kind !== 'other' && e.source === 'device')).toBe(true);
    expect(summary.events.map((e) => e.kind)).toContain('certificate-untrusted');
  });

  it('prefers pasted text over an attachment (and does not download it)', async () => {
    const file = textFile('charon.log', LOG);
    expect(parsed(await readDeviceLog(LOG, [file])).source).toBe('pasted');
    expect(file.downloads).toEqual([]);
  });

  it('reads an attached text file, asking the download for at most the limit', async () => {
    const file = textFile('charon.log', LOG, { size: LOG.length });
    const summary = parsed(await readDeviceLog(undefined, [file]));
    expect(summary.source).toBe('file');
    expect(summary.events.length).toBeGreaterThan(0);
    expect(file.downloads).toEqual([MAX_DEVICE_LOG_BYTES]);
  });

  it('accepts a UTF-8 file with a byte order mark and CRLF line ends', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(LOG.replace(/\n/g, '\r\n'))]);
    expect(parsed(await readDeviceLog(undefined, [textFile('charon.txt', bytes)])).events.map((e) => e.kind)).toContain('certificate-untrusted');
  });

  it('keeps the latest events when the log has more than it can carry', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `Nov 23 17:58:${String(i % 60).padStart(2, '0')} 08[IKE] <s2s|${i + 1}> received AUTHENTICATION_FAILED notify error`);
    const summary = parsed(await readDeviceLog(lines.join('\n'), []));
    expect(summary.events).toHaveLength(MAX_DEVICE_EVENTS);
    expect(summary.events.at(-1)!.line).toBe(200);
    expect(summary.events[0]!.line).toBe(200 - MAX_DEVICE_EVENTS + 1);
  });

  it('reads one attachment at a time', async () => {
    const a = textFile('a.log', LOG);
    const b = textFile('b.log', LOG);
    const result = rejected(await readDeviceLog(undefined, [a, b]));
    expect(result).toMatchObject({ code: 'TooManyAttachments', problem: 'I got 2 attachments and read one device log at a time.' });
    expect(a.downloads).toEqual([]);
  });

  it('refuses a file whose declared size is over the limit without downloading it', async () => {
    const file = textFile('syslog', LOG, { size: MAX_DEVICE_LOG_BYTES + 1 });
    expect(rejected(await readDeviceLog(undefined, [file]))).toMatchObject({ code: 'AttachmentTooLarge', problem: 'The device log is 1025 KB; I read at most 1024 KB.' });
    expect(file.downloads).toEqual([]);
  });

  it('refuses a file that turns out larger than the limit when downloaded (no or wrong declared size)', async () => {
    const big = new Uint8Array(MAX_DEVICE_LOG_BYTES + 10).fill(0x41);
    expect(rejected(await readDeviceLog(undefined, [textFile('syslog', big)])).code).toBe('AttachmentTooLarge');
    expect(rejected(await readDeviceLog(undefined, [textFile('syslog', big, { size: 100 })])).code).toBe('AttachmentTooLarge');
  });

  it('passes on a download refusal that is safe to show', async () => {
    const file = textFile('charon.log', LOG, { downloadError: new UserError('AttachmentTooLarge', 'The attachment is larger than 1024 KB.', 'Attach only the charon lines.') });
    expect(rejected(await readDeviceLog(undefined, [file]))).toEqual({ kind: 'rejected', code: 'AttachmentTooLarge', problem: 'The attachment is larger than 1024 KB.', fix: 'Attach only the charon lines.' });
  });

  it('hides the detail of an unexpected download failure', async () => {
    const file = textFile('charon.log', LOG, { downloadError: new Error('socket hang up at https://tenant.sharepoint.com/?token=secret') });
    const result = rejected(await readDeviceLog(undefined, [file]));
    expect(result.code).toBe('AttachmentUnreadable');
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('refuses binary files: NUL bytes, or bytes that are not UTF-8', async () => {
    const withNul = new TextEncoder().encode(`${LOG.slice(0, 200)}\u0000${LOG.slice(200)}`);
    expect(rejected(await readDeviceLog(undefined, [textFile('charon.log', withNul)]))).toMatchObject({ code: 'BinaryAttachment', problem: 'charon.log is not a text file.' });
    const latin1 = new Uint8Array([...new TextEncoder().encode('Nov 23 17:58:10 08[IKE] caf'), 0xe9, 0x0a]);
    expect(rejected(await readDeviceLog(undefined, [textFile('charon.log', latin1)])).code).toBe('BinaryAttachment');
    const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0xfd]);
    expect(rejected(await readDeviceLog(undefined, [textFile('charon.log.gz', gzip)])).code).toBe('BinaryAttachment');
  });

  it('names a binary file by a cleaned, short version of its name', async () => {
    const result = rejected(await readDeviceLog(undefined, [textFile(`**evil**<b>[x](y)\u202E${'n'.repeat(200)}.pcap`, new Uint8Array([0, 1, 2]))]));
    expect(result.problem).toMatch(/^evilbxyn{53} is not a text file\.$/);
    expect(rejected(await readDeviceLog(undefined, [textFile('<<<>>>', new Uint8Array([0]))])).problem).toBe('The attachment is not a text file.');
  });

  it('refuses text that is not a charon log, and says how many lines it read', async () => {
    const text = 'hello\nthis is my router config\ninterface Gi0/0\n';
    expect(rejected(await readDeviceLog(text, []))).toMatchObject({ code: 'NotACharonLog', problem: expect.stringContaining('The pasted text does not look like a strongSwan (charon) log: none of its 3 lines') });
    expect(rejected(await readDeviceLog('hello', [])).problem).toContain('its one line has no charon marker');
    expect(rejected(await readDeviceLog(undefined, [textFile('config.txt', text)])).problem).toContain('The attached file does not look like');
  });
});
