import { beforeAll, describe, expect, it } from 'vitest';
import { readExpiryReport } from '../../activities/expiry-activities';
import { UserError } from '../../core/errors/user-error';
import type { StatusCertificates } from '../core/status/status-certificates';
import { statusCertificates } from '../core/status/status-certificates';
import { RG, SUBSCRIPTION, testPorts, VAULT_URL } from './fake-adapters';
import { markExpiryRotated } from '../../activities/expiry-delivery';
import { createMemorySubscriptionStore } from '../../adapters/storage/table-subscription-store';
import type { ExpiryDeliveryOutput } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { visibleText } from '../cards/card-inspect';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const outbound = (name: string, version: string) => `${VAULT_URL}/certificates/${name}/${version}`;

describe('readExpiryReport', () => {
  it('lists the fleet once and each distinct outbound certificate once, however many connections share it', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-shared', 'v1', pki.outbound.good.info);
    t.keyVault.put('vpn-paris', 'p1', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info, pki.expiringDeviceIssuing.info] });
    for (const name of ['cn-site-a', 'cn-site-b', 'cn-site-c']) t.network.add({ name, outboundCertificateUrl: outbound('vpn-shared', 'v1'), inboundChain: [pki.deviceRoot.info] });
    const out = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    if (out.kind !== 'report') throw new Error(out.kind);
    expect(out.report.rows.map((r) => [r.site, r.kind, r.tier])).toEqual([
      ['site-paris', 'outbound', expect.stringMatching(/^tier-/)],
      ['site-paris', 'inbound', expect.stringMatching(/^tier-/)],
    ]);
    expect(out.report.rows[1]!.action).toMatch(/^Device owner/);
    expect(t.calls.filter((c) => c.startsWith('listCertificateVersions')).sort()).toEqual(['listCertificateVersions vpn-paris', 'listCertificateVersions vpn-shared']);
    expect(t.calls.filter((c) => c.startsWith('listSiteToSite'))).toHaveLength(1);
    expect(t.calls.some((c) => c.startsWith('getConnection'))).toBe(false);
    expect(out.reads).toEqual({ connectionsListed: 4, certificateVersionLists: 2, vaultCa: 0 });
  });

  it("reads a resource group's certificates as soon as its list arrives, not after the slowest group's", async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG, 'rg-slow'] }] });
    t.keyVault.put('vpn-fast', 'f1', pki.outbound.good.info);
    t.keyVault.put('vpn-slow', 's1', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-fast', outboundCertificateUrl: outbound('vpn-fast', 'f1'), inboundChain: [pki.deviceRoot.info] });
    t.network.add({ name: 'cn-site-slow', resourceGroup: 'rg-slow', outboundCertificateUrl: outbound('vpn-slow', 's1'), inboundChain: [pki.deviceRoot.info] });
    // rg-slow's list answers only when released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const list = t.network.listSiteToSiteConnections.bind(t.network);
    t.network.listSiteToSiteConnections = async (scope) => {
      if (scope.resourceGroups?.includes('rg-slow')) await held;
      return list(scope);
    };
    const report = readExpiryReport({ thresholdDays: 30 }, t.ports);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.calls.filter((c) => c.startsWith('listCertificateVersions'))).toEqual(['listCertificateVersions vpn-fast']);
    release();
    const out = await report;
    if (out.kind !== 'report') throw new Error(out.kind);
    expect(out.report.rows.map((r) => r.site)).toEqual(['site-slow']);
    expect(t.calls.filter((c) => c.startsWith('listCertificateVersions'))).toEqual(['listCertificateVersions vpn-fast', 'listCertificateVersions vpn-slow']);
  });

  it('names drift: a newer enabled version the connection does not reference', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-oslo', 'old', pki.outbound.good.info);
    t.keyVault.put('vpn-oslo', 'new', pki.outbound.good.info);
    // Same dates: not newer. A longer-lived version is.
    t.network.add({ name: 'cn-site-oslo', outboundCertificateUrl: outbound('vpn-oslo', 'old'), inboundChain: [pki.deviceRoot.info] });
    const same = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    expect(same.kind === 'report' && same.report.rows).toEqual([]);
    t.keyVault.versions.get('vpn-oslo')!.reverse();
    t.keyVault.put('vpn-oslo', 'newest', pki.deviceRoot.info);
    const drift = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    if (drift.kind !== 'report') throw new Error(drift.kind);
    expect(drift.report.rows.map((r) => [r.site, r.tier, r.rotate])).toEqual([['site-oslo', 'drift', { drift: true }]]);
  });

  it('one site by its short name; an unknown one gets suggestions', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-paris', 'p1', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info] });
    t.network.add({ name: 'cn-site-lyon', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info] });
    const one = await readExpiryReport({ thresholdDays: 30, site: 'paris' }, t.ports);
    expect(one.kind === 'report' && one.report.rows.map((r) => r.site)).toEqual(['site-paris']);
    const miss = await readExpiryReport({ thresholdDays: 30, site: 'pariss' }, t.ports);
    expect(miss).toMatchObject({ kind: 'site-not-found', typed: 'pariss', suggestions: ['site-paris'] });
  });

  it('a refused Key Vault read is a row; throttling that outlasts the retries fails the read so it is tried again', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-paris', 'p1', pki.outbound.good.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info] });
    t.keyVault.listError = new UserError('AzureForbidden', 'The bot may not list certificates in kv-vpn-certs.');
    const refused = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    expect(refused.kind === 'report' && refused.report.rows.map((r) => [r.tier, r.action])).toEqual([['broken', expect.stringContaining('may not list')]]);
    t.keyVault.listError = new UserError('AzureThrottled', 'Key Vault is throttling.');
    await expect(readExpiryReport({ thresholdDays: 30 }, t.ports)).rejects.toMatchObject({ code: 'AzureThrottled' });
  });
});

describe('markExpiryRotated', () => {
  it("updates every recent posted report that offers Rotate for the site: its row shows done, without Rotate", async () => {
    const t = testPorts();
    const store = createMemorySubscriptionStore();
    Object.assign(t.ports, { subscriptions: store });
    t.keyVault.put('vpn-paris', 'p1', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info] });
    const read = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    if (read.kind !== 'report') throw new Error(read.kind);
    const output: ExpiryDeliveryOutput = { day: '2026-06-01', groups: [{ at: '2026-06-01T08:00:00.000Z', days: 30, report: read.report }], posted: 1, already: 0, removed: 0, problems: [] };
    t.jobs.records.set('expiry-daily-2026-06-01', { jobId: 'expiry-daily-2026-06-01', orchestration: ORCHESTRATIONS.expiryDelivery, status: 'Completed', createdAt: new Date(), lastUpdatedAt: new Date(), output });
    const key = 'c0ffee00000000000000000000000000000000a1';
    await store.recordPosted({ conversationKey: key, day: '2026-06-01', activityId: 'card-1', jobId: 'expiry-daily-2026-06-01', days: 30, group: 0, sites: ['site-paris'] });
    await store.recordPosted({ conversationKey: 'c0ffee00000000000000000000000000000000a2', day: '2026-06-01', activityId: 'card-2', jobId: 'expiry-daily-2026-06-01', days: 30, group: 0, sites: ['site-oslo'] });
    await markExpiryRotated({ site: 'site-paris', at: '2026-06-01T09:30:00.000Z' }, t.ports);
    expect(t.messenger.updates.map((u) => [u.conversationKey, u.activityId])).toEqual([[key, 'card-1']]);
    const text = visibleText(t.messenger.updates[0]!.card);
    expect(text).toMatch(/✔ site-paris {2}rotated[\s\S]*Rotated 2026-06-01 09:30 UTC; this row is done\./);
    expect(text).not.toContain('[Rotate]');
    expect((await store.posted('2026-06-01', key))?.rotated).toEqual([{ site: 'site-paris', at: '2026-06-01T09:30:00.000Z' }]);
  });
});

describe('readExpiryReport: how long the reads take', () => {
  it('lists every resource group of the scope at once, and reads Key Vault while the site index is written', async () => {
    const groups = [RG, ...Array.from({ length: 11 }, (_, i) => `rg-vpn-${i}`)];
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: groups }] });
    t.keyVault.put('vpn-paris', 'p1', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: outbound('vpn-paris', 'p1'), inboundChain: [pki.deviceRoot.info] });
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    const list = t.ports.network.listSiteToSiteConnections.bind(t.ports.network);
    t.ports.network.listSiteToSiteConnections = async (scope) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return list(scope);
    };
    const replace = t.ports.siteIndex.replace.bind(t.ports.siteIndex);
    t.ports.siteIndex.replace = async (entries, listed) => {
      events.push('index write started');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await replace(entries, listed);
      events.push('index written');
    };
    const versions = t.ports.keyVault.listCertificateVersions.bind(t.ports.keyVault);
    t.ports.keyVault.listCertificateVersions = async (vaultUrl, name) => {
      events.push(`read ${name}`);
      return versions(vaultUrl, name);
    };
    const out = await readExpiryReport({ thresholdDays: 30 }, t.ports);
    expect(out.kind).toBe('report');
    // One round trip for the fleet, however many groups the scope names (up to 16).
    expect(most).toBe(12);
    // The Key Vault read does not wait for the index (it starts when its group's list arrives, before the last group's
    // list and so before the index write), and the activity does not end before the index is written.
    expect(events).toEqual(['read vpn-paris', 'index write started', 'index written']);
    expect(t.siteIndex.snapshot?.entries.map((e) => e.site)).toEqual(['site-paris']);
  });
});
