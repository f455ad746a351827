import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableAuditLog } from '../../../adapters/storage/table-audit-log';
import { createTableClientFactory } from '../../../adapters/storage/table-client-factory';
import { createTableSiteIndex } from '../../../adapters/storage/table-site-index';
import { conversationKeyOf, createTableConversationStore } from '../../../adapters/storage/table-conversation-store';
import type { RunningAzurite } from '../../../local/sandbox/azurite';
import { startAzurite } from '../../../local/sandbox/azurite';

let azurite: RunningAzurite;
let tables: ReturnType<typeof createTableClientFactory>;

beforeAll(async () => {
  azurite = await startAzurite();
  tables = createTableClientFactory({ kind: 'connection-string', connectionString: azurite.connectionString });
});
afterAll(async () => {
  await azurite?.stop();
});

describe('table conversation store (Azurite)', () => {
  const reference = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:abc/def#ghi?x@thread.tacv2', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, bot: { id: '28:bot' } };

  it('keys a conversation by a stable hash, so ids with characters RowKey forbids work', async () => {
    const store = createTableConversationStore(tables);
    const key = await store.save(reference.conversation.id, reference);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(key).toBe(conversationKeyOf(reference.conversation.id));
    expect(await store.get(key)).toEqual(reference);
    expect(conversationKeyOf('a:1other')).not.toBe(key);
  });

  it('refreshes a saved reference in place', async () => {
    const store = createTableConversationStore(tables);
    const key = await store.save('a:1personal', { serviceUrl: 'https://old.example/' });
    expect(await store.save('a:1personal', { serviceUrl: 'https://new.example/' })).toBe(key);
    expect(await store.get(key)).toEqual({ serviceUrl: 'https://new.example/' });
  });

  it('knows no reference for an unknown key, and does not query with a malformed one', async () => {
    const store = createTableConversationStore(tables);
    expect(await store.get('0'.repeat(40))).toBeUndefined();
    let calls = 0;
    const counting = createTableConversationStore(async (name) => {
      calls++;
      return tables(name);
    });
    expect(await counting.get("x' or PartitionKey ne 'y")).toBeUndefined();
    expect(calls).toBe(0);
  });

  it("remembers a person's Teams user id and personal chat; a later group message keeps that chat; each is written once per process", async () => {
    let calls = 0;
    const store = createTableConversationStore(async (name) => {
      calls++;
      return tables(name);
    });
    const megan = '5A7C0DE0-0000-4000-8000-00000000A002';
    const chat = { conversationId: 'a:1megan', reference: { conversation: { id: 'a:1megan' } } };
    expect(await store.person(megan)).toBeUndefined();
    expect(await store.savePerson(megan, '29:megan')).toBeUndefined();
    expect(await store.person(megan)).toEqual({ userId: '29:megan' });
    expect(await store.savePerson(megan, '29:megan', chat)).toBe(conversationKeyOf('a:1megan'));
    const personal = await store.person(megan.toLowerCase());
    expect(personal).toEqual({ userId: '29:megan', personalConversationKey: conversationKeyOf('a:1megan') });
    expect(await store.get(personal!.personalConversationKey!)).toEqual({ conversation: { id: 'a:1megan' } });
    // Her next messages (in a channel, or the same personal chat) write nothing: this process knows them already.
    const before = calls;
    await store.savePerson(megan, '29:megan');
    expect(await store.savePerson(megan, '29:megan', chat)).toBe(conversationKeyOf('a:1megan'));
    expect(calls - before).toBe(0);
    // Another process learns her (new) Teams id from a channel message: the personal chat stays.
    await createTableConversationStore(tables).savePerson(megan, '29:megan-2');
    expect(await store.person(megan)).toEqual({ userId: '29:megan-2', personalConversationKey: conversationKeyOf('a:1megan') });
    // Only Entra object ids (GUIDs) key people.
    await store.savePerson("x' or PartitionKey ne 'y", '29:x');
    expect(await store.person("x' or PartitionKey ne 'y")).toBeUndefined();
  });

  it('creating its tables again (another worker) is harmless', async () => {
    const again = createTableClientFactory({ kind: 'connection-string', connectionString: azurite.connectionString });
    const store = createTableConversationStore(again);
    expect(await store.get(await store.save('a:1again', { ok: true }))).toEqual({ ok: true });
  });
});

describe('table audit log (Azurite)', () => {
  it('records who did what to what, and lists a month newest first', async () => {
    let now = new Date('2026-06-01T10:00:00.000Z');
    const audit = createTableAuditLog(tables, () => now);
    await audit.record({ action: 'status', actor: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, target: 'site-paris', outcome: 'started', jobId: 'status-site-paris-1' });
    now = new Date('2026-06-01T10:05:00.000Z');
    await audit.record({ action: 'jobs', actor: { name: 'someone' }, target: 'jobs', outcome: 'denied', detail: 'no-identity' });
    now = new Date('2026-07-01T00:00:00.000Z');
    await audit.record({ action: 'cancel', actor: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a005', name: 'Patti Fernandez' }, target: 'status-fleet-2', outcome: 'cancelled', jobId: 'status-fleet-2' });
    expect(await audit.list('2026-06')).toEqual([
      { at: '2026-06-01T10:05:00.000Z', action: 'jobs', actor: { name: 'someone' }, target: 'jobs', outcome: 'denied', detail: 'no-identity' },
      { at: '2026-06-01T10:00:00.000Z', action: 'status', actor: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, target: 'site-paris', outcome: 'started', jobId: 'status-site-paris-1' },
    ]);
    expect((await audit.list('2026-07')).map((r) => r.action)).toEqual(['cancel']);
    expect(await audit.list('2026-06', 1)).toHaveLength(1);
  });

  it('keeps two records made in the same millisecond', async () => {
    const at = new Date('2026-08-01T00:00:00.000Z');
    const audit = createTableAuditLog(tables, () => at);
    await audit.record({ action: 'status', actor: { name: 'a' }, target: 'x', outcome: 'started' });
    await audit.record({ action: 'status', actor: { name: 'b' }, target: 'x', outcome: 'started' });
    expect((await audit.list('2026-08')).map((r) => r.actor.name).sort()).toEqual(['a', 'b']);
  });

  it('a month that tries to widen the query reads nothing', async () => {
    const audit = createTableAuditLog(tables);
    expect(await audit.list("2026-06' or PartitionKey ne '")).toEqual([]);
  });
});

describe('table site index (Azurite)', () => {
  const id = (name: string, rg = 'rg-hub-network') => `/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/${rg}/providers/Microsoft.Network/connections/${name}`;

  it('knows nothing before the first listing', async () => {
    expect(await createTableSiteIndex(createTableClientFactory({ kind: 'connection-string', connectionString: azurite.connectionString })).read()).toBeUndefined();
  });

  it('replaces its entries with a listing, keeps single changes, and says when and for which scope it was listed', async () => {
    const index = createTableSiteIndex(tables);
    const at = new Date('2026-06-01T10:00:00.000Z');
    const many = Array.from({ length: 250 }, (_, i) => ({ connectionId: id(`cn-site-${i}`, i % 2 ? 'rg-a' : 'rg-b'), site: `site-${i}`, connectionName: `cn-site-${i}` }));
    await index.replace(many, { scopeKey: 'scope-1', refreshedAt: at });
    const read = await index.read();
    expect(read?.refreshedAt).toEqual(at);
    expect(read?.scopeKey).toBe('scope-1');
    expect(read?.entries).toHaveLength(250);
    expect(read?.entries).toContainEqual(many[7]);

    // A second listing: one site renamed, one gone, one new; only those rows change.
    const next = [...many.slice(0, 100), { ...many[100]!, site: 'site-renamed' }, ...many.slice(102), { connectionId: id('cn-(new).x'), site: 'site-new', connectionName: 'cn-(new).x' }];
    await index.replace(next, { scopeKey: 'scope-1', refreshedAt: new Date(at.getTime() + 60_000) });
    const after = (await index.read())!;
    expect(after.entries).toHaveLength(250);
    expect(after.entries.find((e) => e.connectionName === 'cn-site-100')?.site).toBe('site-renamed');
    expect(after.entries.find((e) => e.connectionName === 'cn-site-101')).toBeUndefined();

    await index.put({ connectionId: id('cn-site-rome'), site: 'site-rome', connectionName: 'cn-site-rome' });
    await index.remove(id('cn-site-0', 'rg-b'));
    await index.remove(id('cn-never-there'));
    const final = (await index.read())!;
    expect(final.entries.map((e) => e.site)).toContain('site-rome');
    expect(final.entries.map((e) => e.site)).not.toContain('site-0');
  });
});
