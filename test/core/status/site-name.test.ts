import { describe, expect, it } from 'vitest';
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
