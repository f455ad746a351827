import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCharonLog } from '../../../core/ike/parse-charon-log';
import type { DeviceLogSite, DeviceTunnel } from '../../../local/sandbox/device-log-writer';
import { charonProposal, writeDeviceLog } from '../../../local/sandbox/device-log-writer';
import type { TunnelOutcome } from '../../../local/simulator/tunnels/tunnel-outcome';

const NOW = new Date('2026-11-23T18:32:00Z');
const SINCE = new Date('2026-11-23T12:32:00Z');

function site(outcome: TunnelOutcome, over: Partial<DeviceLogSite> = {}): DeviceLogSite {
  const tunnel = (index: number): DeviceTunnel => ({ name: `azure-in${index}`, gatewayIp: `198.51.100.1${index}`, outcome, since: SINCE });
  return {
    deviceIp: '203.0.113.30',
    deviceId: 'CN=berlin-vpn.contoso.example',
    deviceIntermediates: ['CN=Berlin Device Issuing CA G2, O=Contoso Berlin'],
    trustedRoot: 'CN=Contoso Azure VPN Root CA, O=Contoso, C=GB',
    proposals: [{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' }],
    gatewayCertificate: { subject: 'CN=azure-berlin.vpn.contoso.example, O=Contoso', issuer: 'CN=Contoso Azure VPN Root CA, O=Contoso, C=GB' },
    tunnels: [tunnel(0), tunnel(1)],
    ...over,
  };
}

const log = (s: DeviceLogSite) => writeDeviceLog(s, { now: NOW, retryIntervalMs: 120_000 });

const OUTCOMES: TunnelOutcome[] = [
  { kind: 'connected' },
  { kind: 'inbound-untrusted' },
  { kind: 'inbound-subject-mismatch' },
  { kind: 'inbound-expired' },
  { kind: 'inbound-not-yet-valid' },
  { kind: 'outbound-rejected-by-peer' },
  { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth' },
  { kind: 'proposal-mismatch', azureOffers: [], deviceAccepts: [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }] },
  { kind: 'traffic-selector-mismatch', azurePrefixes: ['10.0.0.0/16'], devicePrefixes: ['10.9.0.0/16'] },
  { kind: 'peer-unreachable' },
  { kind: 'psk-one-side' },
];

/**
 * A charon line reduced to its wording: no time, thread or SA prefix, and names, addresses, numbers, algorithms and
 * payload lists replaced by placeholders.
 */
function wording(line: string): string {
  return line
    .replace(/^.*?\d\d\[([A-Z]{3})\] (<[^>]*> )?/, '$1 ')
    .replace(/"[^"]*"/g, '"X"')
    .replace(/'[^']*'/g, "'X'")
    .replace(/\[ [^\]]* \]/g, '[ … ]')
    .replace(/[\w-]+\[\d+\]/g, 'SA[N]')
    .replace(/[\w-]+\{\d+\}/g, 'CHILD{N}')
    .replace(/[\d.]+\.\d+(\/\d+)?(\[[^\]]*\])?/g, 'ADDR')
    .replace(/\b[0-9a-f]{8}_([io])\b/g, 'SPI_$1')
    .replace(/(IKE|ESP):[A-Z0-9_/]+/g, 'PROPOSAL')
    .replace(/\d+/g, 'N');
}

/**
 * charon messages the device logs use that the lab runs did not produce, each as strongSwan 5.9 writes it (source):
 * the lab's certificates had no intermediate, and no lab run left an IKE_SA half open.
 */
const CHARON_LINES_NOT_IN_THE_LAB = new Set([
  'IKE sending issuer cert "X"', // libcharon/sa/ikev2/tasks/ike_cert_post.c
  'JOB deleting half open IKE_SA with ADDR after timeout', // libcharon/processing/jobs/delete_ike_sa_job.c
]);

describe('device logs: real charon lines, rewritten to the site', () => {
  const lab = new Set<string>();
  const dir = join(__dirname, '../../fixtures/ike/strongswan');
  for (const file of readdirSync(dir)) for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) if (line) lab.add(wording(line));

  it.each(OUTCOMES.map((o) => [o.kind, o] as const))('%s: every line is worded as charon wrote it in the lab runs', (_kind, outcome) => {
    const lines = log(site(outcome)).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const foreign = lines.map(wording).filter((w) => !lab.has(w) && !CHARON_LINES_NOT_IN_THE_LAB.has(w));
    expect(foreign).toEqual([]);
    for (const line of lines) expect(line).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d\d\[[A-Z]{3}\] <(azure-in\d\|)?\d+> /);
  });

  it('talks to the gateway instances from the device\'s public IP, never to the lab\'s addresses', () => {
    for (const outcome of OUTCOMES) {
      const text = log(site(outcome));
      expect(text).not.toMatch(/10\.99\.|onprem-vpn|Contoso Device Root CA|behind NAT/);
      const peers = new Set(parseCharonLog(text).flatMap((e) => (e.remoteIp ? [e.remoteIp] : [])));
      expect([...peers].every((ip) => ip === '198.51.100.10' || ip === '198.51.100.11')).toBe(true);
      expect(text).toContain('203.0.113.30');
    }
  });

  it('each outcome reads, to the product\'s parser, as what the device would see', () => {
    const kinds = (outcome: TunnelOutcome) => new Set(parseCharonLog(log(site(outcome))).map((e) => e.kind));
    expect(kinds({ kind: 'connected' })).toContain('sa-established');
    expect(kinds({ kind: 'connected' })).not.toContain('auth-failed-notify-received');
    expect(kinds({ kind: 'inbound-untrusted' })).toContain('auth-failed-notify-received');
    expect([...kinds({ kind: 'outbound-rejected-by-peer' })]).toEqual(expect.arrayContaining(['certificate-untrusted', 'auth-failed-notify-sent']));
    expect([...kinds(OUTCOMES[7]!)]).toEqual(expect.arrayContaining(['proposals-received', 'proposals-offered', 'policy-mismatch']));
    expect(kinds(OUTCOMES[8]!)).toContain('ts-unacceptable');
    expect([...kinds({ kind: 'peer-unreachable' })]).toEqual(expect.arrayContaining(['retransmit', 'peer-not-responding']));
    expect([...kinds({ kind: 'psk-one-side' })]).toEqual(expect.arrayContaining(['psk-used', 'auth-failed-notify-received']));
  });

  it('a tunnel that is up shows the negotiation that brought it up; a failing one its latest attempts, both tunnels in time order', () => {
    const up = log(site({ kind: 'connected' }));
    expect(up.match(/IKE_SA azure-in\d\[\d+\] established between 203\.0\.113\.30\[CN=berlin-vpn\.contoso\.example\]\.\.\.198\.51\.100\.1[01]\[CN=azure-berlin\.vpn\.contoso\.example, O=Contoso\]/g)).toHaveLength(2);
    expect(up).toMatch(/^Nov 23 12:32:00 /);
    const failing = log(site({ kind: 'inbound-untrusted' }));
    expect(failing.match(/is initiating an IKE_SA/g)).toHaveLength(6);
    const stamps = failing.trimEnd().split('\n').map((l) => l.slice(0, 15));
    expect(stamps).toEqual([...stamps].sort());
    expect(stamps[stamps.length - 1]! <= 'Nov 23 18:32:00').toBe(true);
    // IKE_SAs are numbered in the order the daemon made them.
    const ids = [...failing.matchAll(/<(?:azure-in\d\|)?(\d+)> \S+ is initiating/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('reads the same for the same site and time', () => {
    expect(log(site({ kind: 'inbound-untrusted' }))).toBe(log(site({ kind: 'inbound-untrusted' })));
  });

  it('writes proposals in charon\'s words', () => {
    expect(charonProposal({ encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' })).toBe('IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024');
    expect(charonProposal({ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' })).toBe('IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384');
    expect(charonProposal({ encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup14' })).toBe('IKE:3DES_CBC/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048');
  });
});
