import { describe, expect, it } from 'vitest';
import { findSite, listScopeConnections, refreshSiteIndex, SITE_INDEX_TTL_MS } from '../../activities/site-directory';
import { UserError } from '../../core/errors/user-error';
import type { FakeLogger } from '../bot/bot-fakes';
import { STATUS_NOW } from '../core/status/status-certificates';
import { RG, SUBSCRIPTION, testPorts } from './fake-adapters';
import type { TestPorts } from './fake-adapters';

/** Four sites in one resource group; `indexed` fills the site index as a fleet read would have, `age` ms ago. */
async function estate(options: { indexed?: boolean; age?: number } = {}): Promise<TestPorts> {
  const t = testPorts();
  t.network.add({ name: 'cn-site-paris' });
  t.network.add({ name: 'cn-site-berlin' });
  t.network.add({ name: 'cn-dc-oslo' });
  t.network.add({ name: 'cn-site-oslo' });
  if (options.indexed ?? true) {
    await listScopeConnections(t.ports);
    if (options.age !== undefined) t.siteIndex.snapshot = { ...t.siteIndex.snapshot!, refreshedAt: new Date(STATUS_NOW.getTime() - options.age) };
  }
  t.calls.length = 0;
  return t;
}

const listed = (t: TestPorts) => t.calls.filter((c) => c.startsWith('listSiteToSite'));

describe('findSite with the site index', () => {
  it('a fleet read fills the index; then a site costs one connection read and no listing', async () => {
    const t = await estate();
    expect(t.siteIndex.snapshot!.entries.map((e) => e.site).sort()).toEqual(['dc-oslo', 'site-berlin', 'site-oslo', 'site-paris']);
    const found = await findSite(t.ports, 'PARIS');
    expect(found).toMatchObject({ site: 'site-paris', connectionName: 'cn-site-paris', details: { status: 'Connected' } });
    expect(t.calls).toEqual(['siteIndex.read', 'getConnection cn-site-paris']);
  });

  it('confirms a short name several sites share with a listing (the index may hold a site deleted since)', async () => {
    const t = await estate();
    expect(await findSite(t.ports, 'oslo')).toEqual({ kind: 'site-not-found', typed: 'oslo', suggestions: ['dc-oslo', 'site-oslo'], ambiguous: true });
    expect(listed(t)).toHaveLength(1);
    t.network.connections.splice(t.network.connections.findIndex((c) => c.name === 'cn-dc-oslo'), 1);
    expect(await findSite(t.ports, 'oslo')).toMatchObject({ site: 'site-oslo' });
  });

  it('lists the scope again when the index is older than its TTL, or was listed for another scope', async () => {
    const stale = await estate({ age: SITE_INDEX_TTL_MS + 1 });
    expect(await findSite(stale.ports, 'site-paris')).toMatchObject({ site: 'site-paris' });
    expect(listed(stale)).toHaveLength(1);
    expect(stale.siteIndex.snapshot!.refreshedAt).toEqual(STATUS_NOW);

    const fresh = await estate({ age: SITE_INDEX_TTL_MS - 1 });
    await findSite(fresh.ports, 'site-paris');
    expect(listed(fresh)).toEqual([]);

    const other = await estate();
    other.siteIndex.snapshot = { ...other.siteIndex.snapshot!, scopeKey: '[["00000000-0000-0000-0000-000000000000",[]]]' };
    await findSite(other.ports, 'site-paris');
    expect(listed(other)).toHaveLength(1);
  });

  it('finds a site created outside the bot since the last listing (a name the index does not know lists again)', async () => {
    const t = await estate();
    t.network.add({ name: 'cn-site-rome' });
    expect(await findSite(t.ports, 'rome')).toMatchObject({ site: 'site-rome' });
    expect(listed(t)).toHaveLength(1);
    expect(t.siteIndex.snapshot!.entries.map((e) => e.site)).toContain('site-rome');
  });

  it('does not trust an entry whose connection is gone or answers to another name now', async () => {
    const gone = await estate();
    gone.network.connections.splice(gone.network.connections.findIndex((c) => c.name === 'cn-site-berlin'), 1);
    expect(await findSite(gone.ports, 'site-berlin')).toMatchObject({ kind: 'site-not-found', typed: 'site-berlin' });
    expect(listed(gone)).toHaveLength(1);

    const renamed = await estate();
    const paris = renamed.network.connections.find((c) => c.name === 'cn-site-paris')!;
    renamed.network.connections.splice(renamed.network.connections.indexOf(paris), 1, { ...paris, tags: { site: 'site-lutece' } });
    expect(await findSite(renamed.ports, 'site-paris')).toMatchObject({ kind: 'site-not-found', typed: 'site-paris' });
    expect(await findSite(renamed.ports, 'lutece')).toMatchObject({ site: 'site-lutece', connectionName: 'cn-site-paris' });
  });

  it('keeps near-miss suggestions: a typo lists the scope and suggests the closest sites', async () => {
    const t = await estate();
    expect(await findSite(t.ports, 'pari')).toEqual({ kind: 'site-not-found', typed: 'pari', suggestions: ['site-paris'] });
  });

  it('with Table Storage down, finds the site by listing and says so in the log only', async () => {
    const t = await estate();
    t.siteIndex.failure = new Error('Table Storage unavailable');
    expect(await findSite(t.ports, 'site-paris')).toMatchObject({ site: 'site-paris' });
    expect(listed(t)).toHaveLength(1);
    expect((t.ports.log as FakeLogger).entries.map((e) => e.message)).toEqual(['could not read the site index; listing the scope instead', 'could not refresh the site index']);
  });

  it('does not fill the index from a listing with gaps (a scope it could not read)', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG, 'rg-spoke'] }] });
    t.network.add({ name: 'cn-site-paris' });
    t.network.listErrors.set(`${SUBSCRIPTION}/rg-spoke`, new UserError('AzureForbidden', 'The bot may not read rg-spoke.'));
    expect((await listScopeConnections(t.ports)).gaps).toHaveLength(1);
    expect(t.siteIndex.snapshot).toBeUndefined();
  });
});

describe('refreshSiteIndex (after a change the bot made)', () => {
  it('writes the connection as it is now, and removes one that is gone', async () => {
    const t = await estate();
    const created = t.network.add({ name: 'cn-site-rome' });
    await refreshSiteIndex({ connectionId: created.id }, t.ports);
    expect(t.siteIndex.snapshot!.entries.find((e) => e.site === 'site-rome')).toEqual({ connectionId: created.id, site: 'site-rome', connectionName: 'cn-site-rome' });
    t.network.connections.splice(t.network.connections.indexOf(created), 1);
    await refreshSiteIndex({ connectionId: created.id }, t.ports);
    expect(t.siteIndex.snapshot!.entries.map((e) => e.site)).not.toContain('site-rome');
  });
});
