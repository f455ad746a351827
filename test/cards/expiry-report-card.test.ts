import { describe, expect, it } from 'vitest';
import { cardSizeBytes, MAX_CARD_BYTES, SHORTENED_NOTE } from '../../cards/adaptive-card';
import { EXPIRY_PAGE_SIZE, expiryReportCard } from '../../cards/expiry-report-card';
import type { ExpiryReport, ExpiryRow } from '../../core/expiry/expiry-report';
import { parseCommand } from '../../core/commands/parse-command';
import { nodesOf, visibleText } from './card-inspect';

const checkedAt = '2026-12-05T08:00:00.000Z';

function report(rows: ExpiryRow[]): ExpiryReport {
  return {
    rows,
    counts: { broken: 0, expired: 0, tiers: [{ days: 7, count: 0 }, { days: 14, count: 1 }, { days: 30, count: 1 }], drift: 1, fine: 12 },
    thresholdDays: 30,
    tierBounds: [7, 14, 30],
    gaps: [],
    checkedAt,
  };
}

const paris: ExpiryRow = { site: 'site-paris', kind: 'outbound', tier: 'tier-2', what: 'outbound certificate outbound-site-paris (version 1a2b3c4d…)', expiresAt: '2026-12-15T14:00:00.000Z', days: 10, action: 'Rotate: a new certificate from the CA.', rotate: { drift: false } };
const chain: ExpiryRow = { site: 'site-oslo', kind: 'inbound', tier: 'tier-3', what: 'inbound issuing CA CN=Oslo Device Issuing CA, O=Contoso Oslo', expiresAt: '2026-12-25T00:00:00.000Z', days: 20, action: 'Device owner: get the issuing CA renewed, re-issue the device certificate under it, then rotate site-oslo inbound with the new chain.' };
const drift: ExpiryRow = { site: 'site-madrid', kind: 'outbound', tier: 'drift', what: 'outbound certificate outbound-site-madrid (version 9f8e7d6c…)', expiresAt: '2027-08-27T00:00:00.000Z', days: 265, action: 'Key Vault has a newer enabled version the connection does not use yet: rotate to it.', rotate: { drift: true } };

/** What a Rotate or Status button does when pressed. */
function buttons(card: ReturnType<typeof expiryReportCard>) {
  return nodesOf(card)
    .filter((n) => n.type === 'Action.Execute')
    .map((n) => ({ title: n.title, verb: n.verb, data: n.data }));
}

describe('expiry report card', () => {
  it('counts, then rows worst first: what, when, what to do; Rotate on outbound rows, Status on every site', () => {
    const card = expiryReportCard({ report: report([paris, chain, drift]), page: 0, paging: { jobId: 'expiry-1' } });
    const text = visibleText(card);
    expect(text).toContain('0 expired · 0 ≤ 7 days · 1 ≤ 14 days · 1 ≤ 30 days · 1 drift · 12 fine');
    expect(text).toMatch(/site-paris {2}≤ 14 days\noutbound certificate outbound-site-paris .* expires in 10 days \(2026-12-15\)\nRotate/);
    expect(text).toMatch(/site-oslo {2}≤ 30 days\ninbound issuing CA CN=Oslo Device Issuing CA.*\nDevice owner: /);
    expect(buttons(card)).toEqual([
      { title: 'Rotate', verb: 'rotateOutbound', data: { site: 'site-paris' } },
      { title: 'Status', verb: 'runCommand', data: { command: 'status site-paris' } },
      { title: 'Status', verb: 'runCommand', data: { command: 'status site-oslo' } },
      { title: 'Rotate to newest version', verb: 'rotateOutbound', data: { site: 'site-madrid', source: 'vault' } },
      { title: 'Status', verb: 'runCommand', data: { command: 'status site-madrid' } },
      { title: 'Refresh', verb: 'runCommand', data: { command: 'expiry --days 30' } },
    ]);
  });

  it('a rotated row shows done, without Rotate', () => {
    const card = expiryReportCard({ report: report([paris]), page: 0, rotated: [{ site: 'site-paris', at: '2026-12-05T09:10:00.000Z' }] });
    expect(visibleText(card)).toMatch(/✔ site-paris {2}rotated[\s\S]*Rotated 2026-12-05 09:10 UTC; this row is done\./);
    expect(buttons(card).map((b) => b.title)).toEqual(['Status', 'Refresh']);
  });

  it('nothing to report says so in one line', () => {
    const card = expiryReportCard({ report: { ...report([]), counts: { ...report([]).counts, tiers: [], drift: 0 } }, page: 0 });
    expect(visibleText(card)).toContain('All certificates are fine for the next 30 days.');
  });

  it('pages of the longest rows stay under 28 KB without being shortened, with Previous/Next naming the job', () => {
    const long = (i: number): ExpiryRow => ({
      ...paris,
      site: `site-${'x'.repeat(70)}-${i}`,
      what: `inbound issuing CA CN=${'Very Long Organisation Name '.repeat(8)}`,
      action: `Device owner: ${'get the issuing CA renewed and re-issue the device certificate under it; '.repeat(4)}`,
      rotate: { drift: true },
    });
    const rows = Array.from({ length: EXPIRY_PAGE_SIZE * 3 + 1 }, (_, i) => long(i));
    for (const page of [0, 1, 3]) {
      const card = expiryReportCard({ report: report(rows), page, paging: { jobId: `expiry-daily-2026-12-05-${'c'.repeat(40)}`, days: 14 } });
      expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(visibleText(card)).not.toContain(SHORTENED_NOTE);
    }
    const middle = expiryReportCard({ report: report(rows), page: 1, paging: { jobId: 'expiry-1', days: 14 } });
    expect(buttons(middle).filter((b) => b.verb === 'expiryPage')).toEqual([
      { title: 'Previous', verb: 'expiryPage', data: { jobId: 'expiry-1', page: 0, days: 14 } },
      { title: 'Next', verb: 'expiryPage', data: { jobId: 'expiry-1', page: 2, days: 14 } },
    ]);
    expect(visibleText(middle)).toContain('Page 2 of 4');
  });
});

describe('expiry command', () => {
  it('parses [--days N] [site]', () => {
    const parsed = parseCommand('expiry paris --days 7');
    expect(parsed.ok && parsed.command.spec.name).toBe('expiry');
    expect(parsed.ok && (parsed.command as unknown as { args: unknown; flags: unknown })).toMatchObject({ args: { site: 'paris' }, flags: { days: 7 } });
    const bad = parseCommand('expiry --days 0');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.failure.kind === 'invalid' && bad.failure.problem).toMatch(/1.*365/);
  });
});
