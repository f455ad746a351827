import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../core/ike/diagnose';
import type { IkeEvent } from '../../../core/ike/ike-event';
import { parseAzureIkeMessage } from '../../../core/ike/parse-azure-ike-message';
import { DEFAULT_MAX_CHARON_EVENTS, parseCharonLog } from '../../../core/ike/parse-charon-log';
import { parseTunnelDiagnosticRow } from '../../../core/ike/parse-tunnel-diagnostic-row';
import { MAX_EVENT_TEXT, sanitizeLogText } from '../../../core/ike/sanitize-log-text';

/** Deterministic pseudo-random bytes (xorshift), decoded as Latin-1 so every byte value appears as a character. */
function junk(length: number, seed = 0x9e3779b9): string {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += String.fromCharCode(x & 0xff);
  }
  return out;
}

// Characters that can hide or reorder text in a chat card, or break JSON/HTML consumers.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function expectSafe(events: IkeEvent[]): void {
  for (const e of events) {
    expect(e.text.length).toBeLessThanOrEqual(MAX_EVENT_TEXT);
    expect(e.text).not.toMatch(UNSAFE);
    for (const value of [e.subject, e.issuer, e.expectedId, e.peerId, e.localId, e.status, e.instance, e.connection]) {
      if (value !== undefined) {
        expect(value.length).toBeLessThanOrEqual(300);
        expect(value).not.toMatch(UNSAFE);
      }
    }
  }
}

describe('hostile input', () => {
  it('Azure rows: megabyte lines, binary junk, control and bidi characters, wrong types', () => {
    const rows = [
      { timeGenerated: '2026-11-23T10:00:00Z', message: `SESSION_ID :{${'f'.repeat(36)}} Remote 1.2.3.4:500: Local 5.6.7.8:500: [SEND][NOTIFY] Sending Notify Message - Authentication failed ${'A'.repeat(1_000_000)}` },
      { timeGenerated: '2026-11-23T10:00:00Z', message: junk(200_000) },
      { timeGenerated: '2026-11-23T10:00:00Z', message: 'Remote 1.2.3.4:500: Local 5.6.7.8:500: [RECEIVED][SA_AUTH] Received peer certificate subject "CN=\u202eevil\u0000\u001b[31m" issuer "CN=x"' },
      { timeGenerated: '2026-11-23T10:00:00Z', message: `Policy1: Cipher=${'A-'.repeat(50_000)}` },
      { timeGenerated: '2026-11-23T10:00:00Z', message: `Number of TSIs 99999: ${'StartAddress 1.1.1.1 EndAddress 1.1.1.1 PortStart 0 PortEnd 65535 Protocol 0, '.repeat(5_000)}` },
      { timeGenerated: '2026-11-23T10:00:00Z', message: `[${'['.repeat(10_000)}` },
      { timeGenerated: '2026-11-23T10:00:00Z', message: '\ud800 lone surrogate \udc00 and \ufeff BOM' },
      { timeGenerated: 12 as unknown as string, message: 42 as unknown as string, instance: {} as unknown as string, level: null as unknown as string },
      { timeGenerated: undefined as unknown as string, message: undefined as unknown as string },
    ];
    const events = rows.map((row) => parseAzureIkeMessage(row));
    expectSafe(events);
    expect(events[0]!.kind).toBe('auth-failed-notify-sent');
    expect(events[2]!.subject).toBe('CN=?evil??[31m');
    expect(events[3]!.proposals ?? []).toHaveLength(0);
    expect(events[4]!.tsi!.length).toBeLessThanOrEqual(32);
    expect(events[8]!.at).toBeUndefined();
  });

  it('charon text: megabyte lines, junk, NUL, CR-only line ends and an endless log stay bounded', () => {
    const text = [
      `Nov 23 17:55:34 08[IKE] <s2s|1> received end entity cert "${'C'.repeat(2_000_000)}"`,
      junk(300_000),
      'Nov 23 17:55:34 08[IKE] <s2s|1> no trusted RSA public key found for \'CN=a\u0000\u202e\'',
      `${'08[IKE] '.repeat(20_000)}`,
      'Nov 23 17:55:34 08[IKE] <s2s|1> retransmit 99999999 of request with message ID 0\rNov 23 17:55:35 08[IKE] <s2s|1> giving up after 5 retransmits',
      ...Array.from({ length: 30_000 }, (_, i) => `08[NET] <s2s|${i}> sending packet: from 10.0.0.1[500] to 10.0.0.2[500] (508 bytes)`),
    ].join('\n');
    const events = parseCharonLog(text);
    expect(events.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARON_EVENTS);
    expectSafe(events);
    const all = parseCharonLog(text, { maxEvents: 100_000 });
    // The 2 MB subject is cut at the scan limit, so no closing quote: the event is kept, the subject is not invented.
    const received = all.find((e) => e.kind === 'certificate-received');
    expect(received?.subject).toBeUndefined();
    expect(all.find((e) => e.kind === 'certificate-untrusted')!.subject).toBe('CN=a??');
  });

  it('tunnel rows with junk are refused, not guessed', () => {
    expect(parseTunnelDiagnosticRow({ timeGenerated: 'not a date', status_s: 'Connected' })).toBeUndefined();
    expect(parseTunnelDiagnosticRow({ timeGenerated: '2026-11-23T10:00:00Z', status_s: 'Flapping' })).toBeUndefined();
    const row = parseTunnelDiagnosticRow({ timeGenerated: '2026-11-23T10:00:00Z', status_s: 'Disconnected', stateChangeReason_s: `DPD timed out\u0007${'x'.repeat(10_000)}`, remoteIP_s: '1.2.3.4; drop table', instance_s: 'GatewayTenantWorker_IN_1' });
    expect(row).toMatchObject({ status: 'Disconnected', instance: 'GatewayTenantWorker_IN_1' });
    expect(row!.remoteIp).toBeUndefined();
    expect(row!.reason!.length).toBeLessThanOrEqual(300);
    expect(row!.reason).not.toMatch(UNSAFE);
    expect(parseTunnelDiagnosticRow({ timeGenerated: new Date('2026-11-23T10:00:00Z'), operationName: 'TunnelConnected' })?.status).toBe('Connected');
  });

  it('diagnose over junk events from both parsers stays small and safe', () => {
    const azure = Array.from({ length: 5_000 }, (_, i) => parseAzureIkeMessage({ timeGenerated: new Date(Date.UTC(2026, 10, 23, 10, 0, 0, i)), message: junk(300, i + 1) }));
    const device = parseCharonLog(junk(500_000, 7));
    const d = diagnose({ azure, tunnels: [], device, now: '2026-11-23T12:00:00Z' });
    expect(JSON.stringify(d).length).toBeLessThan(8_000);
    for (const e of [...d.evidence, ...(d.latestEvents ?? [])]) expect(e.text).not.toMatch(UNSAFE);
  });

  it('sanitizeLogText keeps surrogate pairs whole when cutting', () => {
    const cut = sanitizeLogText(`${'a'.repeat(9)}😀😀`, 11);
    expect(cut).toBe(`${'a'.repeat(9)}…`);
    expect(sanitizeLogText('\ttab\tand  spaces ')).toBe('tab and  spaces');
  });
});
