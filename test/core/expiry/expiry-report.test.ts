import { describe, expect, it } from 'vitest';
import type { ConnectionFacts, ExpiryFacts } from '../../../core/expiry/expiry-report';
import { buildExpiryReport, describeWhen, parseTierBounds } from '../../../core/expiry/expiry-report';

const now = new Date('2026-12-05T08:00:00Z');
const inDays = (d: number, hours = 6) => new Date(now.getTime() + d * 86_400_000 + hours * 3_600_000).toISOString();
const key = (name: string) => `https://kv-vpn-certs.vault.azure.net/${name}`;

function connection(site: string, version: string, chain: ConnectionFacts['inboundChain'] = [{ subject: `CN=${site} Root`, notAfter: inDays(2000), root: true }]): ConnectionFacts {
  return {
    site,
    connectionName: `cn-${site}`,
    outbound: { id: `https://kv-vpn-certs.vault.azure.net/certificates/outbound-${site}/${version}`, vaultName: 'kv-vpn-certs', certificateKey: key(`outbound-${site}`), certificateName: `outbound-${site}`, version },
    inboundChain: chain,
  };
}

function facts(over: Partial<ExpiryFacts> = {}): ExpiryFacts {
  return {
    connections: [
      connection('site-paris', 'v1'),
      connection('site-london', 'v1'),
      connection('site-oslo', 'old', [
        { subject: 'CN=Oslo Root', notAfter: inDays(2000), root: true },
        { subject: 'CN=Oslo Issuing CA', notAfter: inDays(20), root: false },
      ]),
      connection('site-rome', 'v1'),
    ],
    certificates: {
      [key('outbound-site-paris')]: { versions: [{ version: 'v1', enabled: true, expiresOn: inDays(10), createdOn: inDays(-355) }] },
      [key('outbound-site-london')]: { versions: [{ version: 'v1', enabled: true, expiresOn: inDays(300), createdOn: inDays(-65) }] },
      [key('outbound-site-oslo')]: {
        versions: [
          { version: 'new', enabled: true, expiresOn: inDays(365), createdOn: inDays(-1) },
          { version: 'old', enabled: true, expiresOn: inDays(200), createdOn: inDays(-100) },
        ],
      },
      [key('outbound-site-rome')]: { versions: [{ version: 'v1', enabled: false, expiresOn: inDays(3), createdOn: inDays(-100) }] },
    },
    vaultCa: { vaultName: 'kv-vpn-ca', certificateName: 'root-ca', subject: 'CN=Contoso Azure VPN Root CA', notAfter: inDays(3000), enabled: true },
    gaps: [],
    checkedAt: now.toISOString(),
    ...over,
  };
}

describe('expiry report', () => {
  it('lists broken references, then tiers soonest first, then drift; the rest counted as fine', () => {
    const report = buildExpiryReport(facts(), now);
    expect(report.rows.map((r) => [r.site, r.kind, r.tier])).toEqual([
      ['site-rome', 'outbound', 'broken'],
      ['site-paris', 'outbound', 'tier-2'],
      ['site-oslo', 'inbound', 'tier-3'],
      ['site-oslo', 'outbound', 'drift'],
    ]);
    expect(report.counts).toMatchObject({ broken: 1, expired: 0, drift: 1, tiers: [{ days: 7, count: 0 }, { days: 14, count: 1 }, { days: 30, count: 1 }] });
    // london outbound, four roots and the vault CA
    expect(report.counts.fine).toBe(1 + 4 + 1);
    const paris = report.rows[1]!;
    expect(describeWhen(paris)).toBe(`expires in 10 days (${inDays(10).slice(0, 10)})`);
    expect(paris.rotate).toEqual({ drift: false });
    expect(report.rows[2]!.action).toMatch(/^Device owner: .*rotate site-oslo inbound/);
    expect(report.rows[2]!.rotate).toBeUndefined();
    expect(report.rows[3]!.rotate).toEqual({ drift: true });
    expect(report.rows[0]!.action).toMatch(/disabled/);
  });

  it('--days 7 keeps only its tier and broken references', () => {
    const report = buildExpiryReport(facts({ certificates: { ...facts().certificates, [key('outbound-site-rome')]: { versions: [{ version: 'v1', enabled: true, expiresOn: inDays(3) }] } } }), now, { thresholdDays: 7 });
    expect(report.rows.filter((r) => r.tier !== 'drift').map((r) => [r.site, r.tier])).toEqual([['site-rome', 'tier-1']]);
    expect(report.tierBounds).toEqual([7]);
  });

  it('expired first; a referenced version gone from Key Vault is broken and offers the newest', () => {
    const f = facts({
      connections: [connection('site-paris', 'v1'), connection('site-berlin', 'gone')],
      certificates: {
        [key('outbound-site-paris')]: { versions: [{ version: 'v1', enabled: true, expiresOn: inDays(-2) }] },
        [key('outbound-site-berlin')]: { versions: [{ version: 'v2', enabled: true, expiresOn: inDays(100) }] },
      },
    });
    const report = buildExpiryReport(f, now);
    expect(report.rows.map((r) => [r.site, r.tier])).toEqual([
      ['site-berlin', 'broken'],
      ['site-paris', 'expired'],
    ]);
    expect(report.rows[0]!.rotate).toEqual({ drift: true });
    expect(describeWhen(report.rows[1]!)).toMatch(/^expired 2 days ago/);
  });

  it('the vault CA is reported once, and a site filter keeps it', () => {
    const report = buildExpiryReport(facts({ vaultCa: { vaultName: 'kv-vpn-ca', certificateName: 'root-ca', subject: 'CN=CA', notAfter: inDays(5), enabled: true } }), now, { sites: ['site-london'] });
    expect(report.rows.map((r) => [r.site, r.kind])).toEqual([['vault CA', 'vault-ca']]);
    expect(report.site).toBe('site-london');
  });

  it('unreadable certificates and vaults are rows, not silence', () => {
    const report = buildExpiryReport(facts({ connections: [connection('site-paris', 'v1', [undefined])], certificates: { [key('outbound-site-paris')]: { problem: 'access denied' } }, vaultCa: { problem: 'CA not readable' } }), now);
    expect(report.rows.map((r) => [r.site, r.kind, r.tier])).toEqual([
      ['site-paris', 'inbound', 'broken'],
      ['site-paris', 'outbound', 'broken'],
      ['vault CA', 'vault-ca', 'broken'],
    ]);
  });

  it('tier bounds from configuration are checked', () => {
    expect(parseTierBounds(undefined)).toEqual({ bounds: [7, 14, 30] });
    expect(parseTierBounds('3, 10')).toEqual({ bounds: [3, 10] });
    expect(parseTierBounds('30,14')).toHaveProperty('problem');
    expect(parseTierBounds('x')).toHaveProperty('problem');
  });
});

describe('narrowing a report to a subscription threshold', () => {
  it('gives the same rows as a report read for that threshold', async () => {
    const { narrowReport } = await import('../../../core/expiry/expiry-report');
    const wide = buildExpiryReport(facts(), now, { thresholdDays: 30 });
    for (const days of [3, 7, 10, 14]) {
      const narrowed = narrowReport(wide, days);
      const direct = buildExpiryReport(facts(), now, { thresholdDays: days });
      expect(narrowed.rows.map((r) => [r.site, r.kind, r.tier])).toEqual(direct.rows.map((r) => [r.site, r.kind, r.tier]));
      expect(narrowed.counts).toEqual(direct.counts);
    }
  });
});
