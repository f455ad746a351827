import { describe, expect, it } from 'vitest';
import type { IkeEvent, IkeEventKind } from '../../../core/ike/ike-event';
import { parseCharonLog } from '../../../core/ike/parse-charon-log';
import { STRONGSWAN_SCENARIOS, charonEvents, charonFixture, scenarioRunDate } from './ike-fixtures';

const kinds = (events: IkeEvent[]): IkeEventKind[] => events.map((e) => e.kind);
const first = (events: IkeEvent[], kind: IkeEventKind): IkeEvent => {
  const e = events.find((x) => x.kind === kind);
  if (!e) throw new Error(`no ${kind} event; got ${[...new Set(kinds(events))].join(', ')}`);
  return e;
};

describe('parseCharonLog on the real strongSwan logs (test/fixtures/ike/strongswan)', () => {
  it('reads every line of every fixture with a timestamp stamp, line number and IKE SA id', () => {
    for (const scenario of STRONGSWAN_SCENARIOS) {
      for (const side of ['initiator', 'responder'] as const) {
        const text = charonFixture(scenario, side);
        const events = parseCharonLog(text);
        // Every charon line has a marker, so every non-empty line becomes an event.
        expect(events.length, `${scenario}-${side}`).toBe(text.split('\n').filter((l) => l.trim() !== '').length - skippedLines(text));
        for (const e of events) {
          expect(e.source).toBe('device');
          expect(e.stamp).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$/);
          expect(e.at).toBeUndefined();
          expect(e.line).toBeGreaterThan(0);
        }
        const ikeLines = events.filter((e) => e.text.startsWith('initiating IKE_SA') || e.text.includes('is initiating an IKE_SA'));
        for (const e of ikeLines) expect(e.sessionId).toBe('1');
      }
    }
  });

  it('good: both IKE_SA and CHILD_SA established, with identities and selectors', () => {
    const events = charonEvents('good', 'initiator');
    const ike = events.find((e) => e.kind === 'sa-established' && e.sa === 'ike');
    expect(ike).toMatchObject({ connection: 's2s', localIp: '10.99.0.1', remoteIp: '10.99.0.2', localId: 'CN=onprem-vpn.contoso.example', peerId: 'CN=vpngw-hub.contoso.example' });
    const child = events.find((e) => e.kind === 'sa-established' && e.sa === 'child');
    expect(child).toMatchObject({ role: 'initiator' });
    expect(child?.tsi?.map((r) => r.cidr)).toEqual(['10.99.1.0/24']);
    expect(child?.tsr?.map((r) => r.cidr)).toEqual(['10.99.2.0/24']);
    expect(first(events, 'certificate-received').subject).toBe('CN=vpngw-hub.contoso.example');
    expect(first(events, 'certificate-trusted').issuer).toBe('CN=Contoso Azure Root CA');
    expect(first(events, 'proposal-selected').proposals).toEqual([{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' }]);
    expect(kinds(events)).not.toContain('auth-failed-notify-received');
    // The responder reads the same CHILD_SA with TSi/TSr the right way round.
    const responderChild = charonEvents('good', 'responder').find((e) => e.kind === 'sa-established' && e.sa === 'child');
    expect(responderChild?.tsi?.map((r) => r.cidr)).toEqual(['10.99.1.0/24']);
    expect(responderChild?.role).toBe('responder');
  });

  it("wrong-root: the initiator finds no issuer for the responder's certificate and names it", () => {
    const events = charonEvents('wrong-root', 'initiator');
    const untrusted = events.filter((e) => e.kind === 'certificate-untrusted');
    expect(untrusted[0]).toMatchObject({ subject: 'CN=vpngw-hub.contoso.example', issuer: 'CN=Fabrikam Root CA' });
    expect(untrusted[1]).toMatchObject({ text: 'issuer is "CN=Fabrikam Root CA"', subject: 'CN=vpngw-hub.contoso.example', issuer: 'CN=Fabrikam Root CA' });
    expect(untrusted.map((e) => e.text)).toContain("no trusted RSA public key found for 'CN=vpngw-hub.contoso.example'");
    expect(first(events, 'auth-failed-notify-sent').notify).toBe('AUTHENTICATION_FAILED');
  });

  it('subject-mismatch: the responder has no config for the presented identity; the initiator only sees AUTHENTICATION_FAILED', () => {
    expect(first(charonEvents('subject-mismatch', 'responder'), 'no-peer-config')).toMatchObject({ peerId: 'CN=branch-vpn.contoso.example', localId: 'CN=vpngw-hub.contoso.example' });
    const initiator = charonEvents('subject-mismatch', 'initiator');
    expect(first(initiator, 'auth-failed-notify-received')).toMatchObject({ direction: 'RECEIVED', notify: 'AUTHENTICATION_FAILED' });
    expect(first(initiator, 'certificate-sent').subject).toBe('CN=branch-vpn.contoso.example');
  });

  it('gateway-id-mismatch: the constraint check names the required and the presented identity', () => {
    expect(first(charonEvents('gateway-id-mismatch', 'initiator'), 'identity-mismatch')).toMatchObject({ expectedId: 'CN=*, O=Contoso Azure', peerId: 'CN=vpngw-hub.contoso.example' });
  });

  it('expired / not-yet-valid: the validity window is read; without a year in the line time it stays undecided', () => {
    const run = scenarioRunDate().getTime();
    const expired = first(charonEvents('expired', 'responder'), 'certificate-outside-validity');
    expect(expired.subject).toBe('CN=onprem-vpn.contoso.example');
    expect(Date.parse(expired.validTo!)).toBeLessThan(run);
    const future = first(charonEvents('not-yet-valid', 'responder'), 'certificate-outside-validity');
    expect(Date.parse(future.validFrom!)).toBeGreaterThan(run);
  });

  it('expired: with the year and zone known, the line decides expired by itself', () => {
    const year = new Date(Date.parse(first(charonEvents('expired', 'responder'), 'certificate-outside-validity').validTo!) + 35 * 86_400_000).getUTCFullYear();
    const events = parseCharonLog(charonFixture('expired', 'responder'), { year, utcOffsetMinutes: 0 });
    expect(kinds(events)).toContain('certificate-expired');
    expect(events[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("proposal-mismatch: the responder lists both sides' proposals and refuses; the initiator gets NO_PROPOSAL_CHOSEN", () => {
    const responder = charonEvents('proposal-mismatch', 'responder');
    expect(first(responder, 'proposals-received').proposals).toHaveLength(6);
    expect(first(responder, 'proposals-received').proposals?.[0]).toEqual({ encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' });
    expect(first(responder, 'proposals-offered').proposals).toEqual([{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }]);
    expect(kinds(responder)).toContain('policy-mismatch');
    expect(first(charonEvents('proposal-mismatch', 'initiator'), 'policy-mismatch')).toMatchObject({ direction: 'RECEIVED', notify: 'NO_PROPOSAL_CHOSEN' });
  });

  it('ts-mismatch: the responder refuses the selectors; the initiator gets TS_UNACCEPTABLE', () => {
    const refusal = first(charonEvents('ts-mismatch', 'responder'), 'ts-unacceptable');
    expect(refusal.direction).toBe('LOCAL');
    expect(refusal.tsi?.map((r) => r.cidr)).toEqual(['10.99.1.0/24']);
    expect(refusal.tsr?.map((r) => r.cidr)).toEqual(['10.99.2.0/24']);
    const initiator = charonEvents('ts-mismatch', 'initiator');
    expect(first(initiator, 'ts-unacceptable')).toMatchObject({ direction: 'RECEIVED', notify: 'TS_UNACCEPTABLE' });
    expect(kinds(initiator)).toContain('child-sa-failed');
  });

  it('psk-one-side: the initiator authenticates with a PSK; the responder has no key (or refuses the method)', () => {
    expect(first(charonEvents('psk-one-side', 'initiator'), 'psk-used')).toMatchObject({ direction: 'SEND', localId: 'CN=onprem-vpn.contoso.example' });
    expect(first(charonEvents('psk-one-side', 'responder'), 'psk-missing')).toMatchObject({ localId: 'CN=vpngw-hub.contoso.example', peerId: 'CN=onprem-vpn.contoso.example' });
    const keyKnown = charonEvents('psk-one-side-key-known', 'responder');
    expect(kinds(keyKnown)).toEqual(expect.arrayContaining(['psk-used', 'auth-method-mismatch', 'auth-failed-notify-sent']));
    expect(first(charonEvents('psk-mismatch', 'responder'), 'psk-mismatch').text).toContain('MAC mismatched');
  });

  it('peer-unreachable: retransmits with attempt numbers, then peer not responding', () => {
    const events = charonEvents('peer-unreachable', 'initiator');
    expect(events.filter((e) => e.kind === 'retransmit').map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.kind === 'peer-not-responding').map((e) => e.text)).toEqual(['giving up after 3 retransmits', 'establishing IKE_SA failed, peer not responding']);
    expect(kinds(charonEvents('peer-unreachable', 'responder'))).not.toContain('exchange');
  });
});

describe('parseCharonLog line shapes', () => {
  it('reads syslog lines (host and program before the marker)', () => {
    const [e] = parseCharonLog('Nov 23 17:55:34 vpn01 charon[1234]: 12[IKE] <s2s|3> received AUTHENTICATION_FAILED notify error');
    expect(e).toMatchObject({ kind: 'auth-failed-notify-received', stamp: 'Nov 23 17:55:34', connection: 's2s', sessionId: '3' });
  });

  it('reads ISO timestamps with a zone as absolute times', () => {
    const [e] = parseCharonLog('2026-11-23T17:55:34.123+01:00 vpn01 charon: 12[IKE] <s2s|3> giving up after 5 retransmits');
    expect(e).toMatchObject({ kind: 'peer-not-responding', at: '2026-11-23T16:55:34.123Z' });
  });

  it('reads lines without any timestamp, and swanctl --log lines without a thread number', () => {
    const events = parseCharonLog('08[IKE] <s2s|1> retransmit 4 of request with message ID 0\n[IKE] establishing IKE_SA failed, peer not responding\n');
    expect(events.map((e) => [e.kind, e.stamp, e.line])).toEqual([
      ['retransmit', undefined, 1],
      ['peer-not-responding', undefined, 2],
    ]);
  });

  it('keeps journal lines without a marker only when they say something recognised', () => {
    const events = parseCharonLog(
      [
        'Nov 23 17:55:34 vpn01 charon-systemd[99]: received end entity cert "CN=gw"',
        'Nov 23 17:55:34 vpn01 charon-systemd[99]: some unrelated chatter',
        'Nov 23 17:55:35 vpn01 kernel: eth0: link up',
      ].join('\r\n'),
    );
    expect(events.map((e) => [e.kind, e.subject, e.line])).toEqual([['certificate-received', 'CN=gw', 1]]);
  });

  it('reads journalctl -o short-iso lines of charon-systemd (no marker, zone in the stamp)', () => {
    const [e] = parseCharonLog("2026-11-23T17:55:34+0100 vpn01 charon-systemd[812]: no trusted RSA public key found for 'CN=vpngw-hub.contoso.example'");
    expect(e).toMatchObject({ kind: 'certificate-untrusted', subject: 'CN=vpngw-hub.contoso.example', at: '2026-11-23T16:55:34.000Z' });
  });

  it('reads the other wordings of proposal and key failures', () => {
    const events = parseCharonLog(['08[IKE] <c|1> no acceptable ESP proposal found', '08[CFG] <c|1> no matching proposal found, sending NO_PROPOSAL_CHOSEN', '08[IKE] <c|1> pre-shared key authentication failed'].join('\n'));
    expect(events.map((e) => e.kind)).toEqual(['policy-mismatch', 'policy-mismatch', 'psk-mismatch']);
  });

  it("reads a refused key size (remote.auth = rsa-2048) with the peer's authenticated identity", () => {
    const events = parseCharonLog(["09[IKE] <c|1> authentication of 'CN=gw' with RSA_EMSA_PKCS1_SHA2_256 successful", '09[CFG] <c|1> RSA-1024 signatures not acceptable', '09[CFG] <c|1> ECDSA-256 signatures not acceptable'].join('\n'));
    expect(events.filter((e) => e.kind === 'key-too-weak').map((e) => [e.keyType, e.keyBits, e.subject, e.direction])).toEqual([
      ['RSA', 1024, 'CN=gw', 'LOCAL'],
      ['ECDSA', 256, 'CN=gw', 'LOCAL'],
    ]);
  });

  it('turns syslog stamps into absolute times when year and offset are given', () => {
    const [e] = parseCharonLog('Jan  3 01:02:03 08[IKE] <c|1> giving up after 5 retransmits', { year: 2027, utcOffsetMinutes: 120 });
    expect(e?.at).toBe('2027-01-02T23:02:03.000Z');
    expect(e).not.toHaveProperty('stamp');
  });

  it('keeps only the latest maxEvents events', () => {
    const text = Array.from({ length: 50 }, (_, i) => `08[IKE] <c|${i}> retransmit ${i} of request with message ID 0`).join('\n');
    const events = parseCharonLog(text, { maxEvents: 10 });
    expect(events).toHaveLength(10);
    expect(events[0]!.attempt).toBe(40);
    expect(events[9]!.attempt).toBe(49);
  });
});

/** Lines that add no event by design: `using certificate` (it only names the certificate the next lines are about). */
function skippedLines(text: string): number {
  return text.split('\n').filter((l) => /\] <[^>]*>\s+using certificate /.test(l)).length;
}
