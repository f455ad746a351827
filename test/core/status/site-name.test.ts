import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../core/commands/parse-command';
import { resolveSite, shortNamesOf, siteNameOf } from '../../../core/status/site-name';

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

  describe('short names: the part after a prefix such as site-', () => {
    const sandbox = ['london', 'paris', 'berlin', 'madrid', 'oslo'].map((city) => ({ site: `site-${city}`, connectionName: `cn-site-${city}`, resourceGroup: 'rg-hub-network' }));
    const byName = (name: string) => sandbox.find((s) => s.site === name)!;

    it('resolves a short name only one site has, in any case', () => {
      expect(resolveSite('paris', sandbox)).toEqual({ kind: 'found', item: byName('site-paris') });
      expect(resolveSite('BERLIN', sandbox)).toEqual({ kind: 'found', item: byName('site-berlin') });
      expect(resolveSite('Oslo', sandbox)).toEqual({ kind: 'found', item: byName('site-oslo') });
    });

    it('cuts after any -, _ or . prefix, so longer names have several short names', () => {
      expect(shortNamesOf('site-eu-paris')).toEqual(['eu-paris', 'paris']);
      expect(shortNamesOf('Branch_Lyon.01')).toEqual(['lyon.01', '01']);
      expect(shortNamesOf('london')).toEqual([]);
      const eu = { site: 'site-eu-paris', connectionName: 'cn-site-eu-paris' };
      expect(resolveSite('eu-paris', [eu])).toEqual({ kind: 'found', item: eu });
      expect(resolveSite('paris', [eu])).toEqual({ kind: 'found', item: eu });
    });

    it('a full name wins over a short name of another site', () => {
      const paris = { site: 'paris', connectionName: 'cn-paris' };
      const siteParis = { site: 'site-paris', connectionName: 'cn-site-paris' };
      expect(resolveSite('paris', [siteParis, paris])).toEqual({ kind: 'found', item: paris });
    });

    it('a short name of several sites is ambiguous, with every one of them', () => {
      const dcParis = { site: 'dc-paris', connectionName: 'cn-dc-paris', resourceGroup: 'rg-dc' };
      expect(resolveSite('paris', [...sandbox, dcParis])).toEqual({ kind: 'ambiguous', matches: [byName('site-paris'), dcParis] });
    });

    it('a near miss of a short name suggests the site (did you mean site-paris?)', () => {
      expect(resolveSite('pari', sandbox)).toEqual({ kind: 'not-found', suggestions: ['site-paris'] });
      expect(resolveSite('berlim', sandbox)).toEqual({ kind: 'not-found', suggestions: ['site-berlin'] });
      expect(resolveSite('Pariss', sandbox)).toEqual({ kind: 'not-found', suggestions: ['site-paris'] });
      expect(resolveSite('site-pariss', sandbox)).toEqual({ kind: 'not-found', suggestions: ['site-paris'] });
      expect(resolveSite('rome', sandbox)).toEqual({ kind: 'not-found', suggestions: [] });
    });

    it('suggests each site once, even when its full and short names are both close', () => {
      expect(resolveSite('site-osl', sandbox)).toEqual({ kind: 'not-found', suggestions: ['site-oslo'] });
    });
  });
});

