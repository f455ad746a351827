import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../core/commands/parse-command';
import { resolveSite, siteNameOf } from '../../../core/status/site-name';

describe('siteNameOf', () => {
  it('is the connection name without a leading cn- (any case)', () => {
    expect(siteNameOf({ name: 'cn-site-paris' })).toBe('site-paris');
    expect(siteNameOf({ name: 'CN-site-paris' })).toBe('site-paris');
    expect(siteNameOf({ name: 'site-oslo' })).toBe('site-oslo');
    expect(siteNameOf({ name: 'conn-cn-x' })).toBe('conn-cn-x');
  });

  it('is the site tag when the connection has one (site or Site), trimmed', () => {
    expect(siteNameOf({ name: 'cn-0042', tags: { site: ' london-hq ' } })).toBe('london-hq');
    expect(siteNameOf({ name: 'cn-0042', tags: { Site: 'london-hq' } })).toBe('london-hq');
  });

  it('ignores a blank site tag', () => {
    expect(siteNameOf({ name: 'cn-site-rome', tags: { site: '   ' } })).toBe('site-rome');
  });

  it('is always a name people can type back (cards put it in status and diagnose buttons)', () => {
    // Tag values are free text (up to 256 characters); connection names are Azure resource names.
    const connections = [
      { name: 'cn-0042', tags: { site: 'London HQ' } },
      { name: 'cn-0043', tags: { site: '**Approve** [here](https://evil.example)' } },
      { name: 'cn-0044', tags: { site: 'x'.repeat(200) } },
      { name: 'cn-0045', tags: { site: 'paris-dc.eu_1' } },
      { name: 'cn-site-oslo' },
    ];
    const names = connections.map((c) => siteNameOf(c));
    for (const name of names) {
      const typed = parseCommand(`status ${name}`);
      expect({ name, parses: typed.ok && typed.command.name === 'status' && typed.command.args.site === name }).toEqual({ name, parses: true });
    }
    expect(names).toEqual(['0042', '0043', '0044', 'paris-dc.eu_1', 'site-oslo']);
  });
});

describe('resolveSite', () => {
  const paris = { site: 'site-paris', connectionName: 'cn-site-paris', resourceGroup: 'rg-hub-network' };
  const berlin = { site: 'site-berlin', connectionName: 'cn-site-berlin', resourceGroup: 'rg-hub-network' };
  const tagged = { site: 'london-hq', connectionName: 'cn-0042', resourceGroup: 'rg-hub-network' };
  const parisEu = { site: 'site-paris', connectionName: 'cn-site-paris', resourceGroup: 'rg-eu' };
  const candidates = [paris, berlin, tagged];

  it('finds a site by its name in any case', () => {
    expect(resolveSite('Site-PARIS', candidates)).toEqual({ kind: 'found', item: paris });
  });

  it('finds a site by its connection name, cn- prefix included', () => {
    expect(resolveSite('cn-site-berlin', candidates)).toEqual({ kind: 'found', item: berlin });
    expect(resolveSite('CN-0042', candidates)).toEqual({ kind: 'found', item: tagged });
  });

  it('finds a tagged site by its tag', () => {
    expect(resolveSite('london-hq', candidates)).toEqual({ kind: 'found', item: tagged });
  });

  it('suggests close site names when nothing matches', () => {
    expect(resolveSite('site-pari', candidates)).toEqual({ kind: 'not-found', suggestions: ['site-paris'] });
    expect(resolveSite('site-berln', candidates)).toEqual({ kind: 'not-found', suggestions: ['site-berlin'] });
    expect(resolveSite('tokyo', candidates)).toEqual({ kind: 'not-found', suggestions: [] });
    expect(resolveSite('site-paris', [])).toEqual({ kind: 'not-found', suggestions: [] });
  });

  it('reports every match when one name means several connections', () => {
    expect(resolveSite('site-paris', [...candidates, parisEu])).toEqual({ kind: 'ambiguous', matches: [paris, parisEu] });
  });
});
