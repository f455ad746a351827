import { describe, expect, it } from 'vitest';
import type { FleetRow } from '../../../core/status/fleet-status';
import { headlineOf, rankFleet, severityOf, summarizeFleet, withCertificates } from '../../../core/status/fleet-status';

function row(site: string, over: Partial<FleetRow> = {}): FleetRow {
  return {
    site,
    connectionName: `cn-${site}`,
    subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
    resourceGroup: 'rg-hub-network',
    status: 'Connected',
    tunnelsUp: 2,
    tunnelsTotal: 2,
    outboundDays: 300,
    inboundDays: 2000,
    authenticationType: 'Certificate',
    ...over,
  };
}

describe('severityOf and headlineOf', () => {
  const cases: [string, Partial<FleetRow>, ReturnType<typeof severityOf>, string][] = [
    ['healthy', {}, 'ok', 'healthy'],
    ['down', { status: 'NotConnected', tunnelsUp: 0 }, 'critical', 'no tunnel up'],
    ['connecting', { status: 'Connecting', tunnelsUp: 0 }, 'critical', 'connecting'],
    ['state unknown', { status: 'Unknown', tunnelsUp: 0 }, 'critical', 'state unknown'],
    ['outbound expired', { outboundDays: -1 }, 'critical', 'outbound certificate expired'],
    ['inbound chain expired', { inboundDays: -30 }, 'critical', 'inbound chain expired'],
    ['a read problem', { problem: 'could not read the connection: Azure throttled the request' }, 'critical', 'could not read the connection: Azure throttled the request'],
    ['outbound expiring', { outboundDays: 29 }, 'warning', 'outbound certificate expires in 29 d'],
    ['outbound at 30 days is fine', { outboundDays: 30 }, 'ok', 'healthy'],
    ['inbound expiring', { inboundDays: 0 }, 'warning', 'inbound chain expires in 0 d'],
    ['one tunnel of two', { tunnelsUp: 1 }, 'warning', '1/2 tunnels up'],
    ['pre-shared key', { authenticationType: 'PSK', outboundDays: undefined }, 'warning', 'pre-shared key'],
    ['no certificate dates known', { outboundDays: undefined, inboundDays: undefined }, 'ok', 'healthy'],
    ['everything at once, worst first', { problem: 'unreadable inbound certificate', status: 'NotConnected', tunnelsUp: 0, outboundDays: -2, inboundDays: 3 }, 'critical', 'unreadable inbound certificate, no tunnel up, outbound certificate expired, inbound chain expires in 3 d'],
  ];
  for (const [name, over, severity, headline] of cases) {
    it(name, () => {
      expect(severityOf(row('site-x', over))).toBe(severity);
      expect(headlineOf(row('site-x', over))).toBe(headline);
    });
  }
});

describe('rankFleet', () => {
  it('puts critical before warning before ok; then down before up; then soonest expiry; then name', () => {
    const rows = [
      row('site-ok-b'),
      row('site-ok-a'),
      row('site-expiring-20', { outboundDays: 20 }),
      row('site-expiring-5', { inboundDays: 5 }),
      row('site-one-tunnel', { tunnelsUp: 1 }),
      row('site-expired', { outboundDays: -3 }),
      row('site-unknown', { status: 'Unknown', tunnelsUp: 0 }),
      row('site-down-b', { status: 'NotConnected', tunnelsUp: 0 }),
      row('site-down-a', { status: 'NotConnected', tunnelsUp: 0, outboundDays: 400 }),
      row('site-connecting', { status: 'Connecting', tunnelsUp: 0 }),
    ];
    expect(rankFleet(rows).map((r) => r.site)).toEqual([
      'site-down-b',
      'site-down-a',
      'site-unknown',
      'site-connecting',
      'site-expired',
      'site-expiring-5',
      'site-expiring-20',
      'site-one-tunnel',
      'site-ok-a',
      'site-ok-b',
    ]);
  });

  it('does not reorder its input', () => {
    const rows = [row('b'), row('a')];
    rankFleet(rows);
    expect(rows.map((r) => r.site)).toEqual(['b', 'a']);
  });
});

describe('summarizeFleet', () => {
  it('counts connected, down, expiring (expired included, either direction) and sites on one tunnel', () => {
    const rows = [
      row('a'),
      row('b', { tunnelsUp: 1 }),
      row('c', { status: 'NotConnected', tunnelsUp: 0 }),
      row('d', { status: 'Unknown', tunnelsUp: 0, outboundDays: -1 }),
      row('e', { inboundDays: 10 }),
      row('f', { outboundDays: undefined, inboundDays: undefined }),
    ];
    expect(summarizeFleet(rows)).toEqual({ total: 6, connected: 4, down: 2, expiring: 2, degraded: 1 });
    expect(summarizeFleet([])).toEqual({ total: 0, connected: 0, down: 0, expiring: 0, degraded: 0 });
  });
});

describe('withCertificates', () => {
  const id = 'https://kv-vpn-certs.vault.azure.net/certificates/vpn-out/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b';
  const other = 'https://kv-vpn-certs.vault.azure.net/certificates/vpn-other/9d8c7b6a5f4e3d2c1b0a998877665544';

  it('joins each row with its outbound certificate\'s days to expiry', () => {
    const [a, b] = withCertificates([row('a', { outboundCertificateId: id, outboundDays: undefined }), row('b', { outboundCertificateId: id, outboundDays: undefined })], { [id]: { days: 12 } });
    expect([a!.outboundDays, b!.outboundDays]).toEqual([12, 12]);
    expect(severityOf(a!)).toBe('warning');
  });

  it('turns a certificate that could not be read into the row\'s problem, unless the row already has one', () => {
    const [a, b] = withCertificates(
      [row('a', { outboundCertificateId: other, outboundDays: undefined }), row('b', { outboundCertificateId: other, outboundDays: undefined, problem: 'no inbound chain' })],
      { [other]: { problem: 'outbound certificate unreadable' } },
    );
    expect(a!.problem).toBe('outbound certificate unreadable');
    expect(a!.outboundDays).toBeUndefined();
    expect(b!.problem).toBe('no inbound chain');
  });

  it('leaves rows without a certificate, or whose certificate was not read, as they are', () => {
    const rows = [row('a'), row('b', { outboundCertificateId: other })];
    expect(withCertificates(rows, { [id]: { days: 1 } })).toEqual(rows);
  });
});
