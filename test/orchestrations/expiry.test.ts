import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import { startLocalHost, VirtualClock } from '../../local/host';
import type { InstanceSnapshot, LocalHost } from '../../local/host';
import { VAULT_URL } from '../activities/fake-adapters';
import { visibleText } from '../cards/card-inspect';
import type { StatusCertificates } from '../core/status/status-certificates';
import { statusCertificates } from '../core/status/status-certificates';
import { appState, resetAppState } from './orchestration-app';
import { createMemorySubscriptionStore } from '../../adapters/storage/table-subscription-store';
import { startDailyExpiryReport } from '../../bot/expiry-schedule';
import { UserError } from '../../core/errors/user-error';
import { CONVERSATION_GONE } from '../../core/ports/messaging';
import type { ExpirySubscription } from '../../core/ports/subscriptions';
import { testBot } from '../bot/bot-fakes';

const START = new Date('2026-06-01T12:00:00.000Z');
const clock = new VirtualClock(START);
let host: LocalHost;
let pki: StatusCertificates;
let jobs = 0;

beforeAll(async () => {
  pki = await statusCertificates();
  host = await startLocalHost({ loadApp: () => import('./orchestration-app'), appRoot: fileURLToPath(new URL('./host-app', import.meta.url)), clock, log: 'quiet' });
});
afterAll(async () => {
  await host?.close();
});
beforeEach(() => {
  resetAppState();
});

function envelopeFor(commandLine: string, payload: unknown): JobEnvelope<unknown> {
  jobs++;
  return {
    jobId: `${commandLine.replace(/\W+/g, '-')}-${String(jobs).padStart(8, '0')}`,
    commandLine,
    requestedBy: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' },
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: `ack-${jobs}`,
    requestedAt: clock.now().toISOString(),
    payload,
  };
}

async function run(orchestration: string, envelope: JobEnvelope<unknown>): Promise<InstanceSnapshot> {
  const response = await fetch(`${host.baseUrl}/api/start/${orchestration}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  expect(response.status).toBe(202);
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the host did not go idle')), 10_000);
  });
  try {
    await Promise.race([host.durable.idle(), stuck]);
  } finally {
    clearTimeout(timer);
  }
  return host.durable.getInstance(envelope.jobId)!;
}

function cardTexts(envelope: JobEnvelope<unknown>): string[] {
  return appState.ports.messenger.updates.filter((u) => u.activityId === envelope.cardActivityId).map((u) => visibleText(u.card));
}

function sandboxLike(): void {
  const { keyVault, network } = appState.ports;
  keyVault.put('outbound-site-paris', 'p1', pki.outbound.expiring.info);
  keyVault.put('outbound-site-oslo', 'o1', pki.outbound.good.info);
  keyVault.put('outbound-site-madrid', 'm1', pki.outbound.good.info);
  keyVault.put('outbound-site-madrid', 'm2', pki.deviceRoot.info);
  network.add({ name: 'cn-site-paris', outboundCertificateUrl: `${VAULT_URL}/certificates/outbound-site-paris/p1`, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
  network.add({ name: 'cn-site-oslo', outboundCertificateUrl: `${VAULT_URL}/certificates/outbound-site-oslo/o1`, inboundChain: [pki.deviceRoot.info, pki.expiringDeviceIssuing.info] });
  network.add({ name: 'cn-site-madrid', outboundCertificateUrl: `${VAULT_URL}/certificates/outbound-site-madrid/m1`, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
}

describe('expiry report job', () => {
  it('reads once and shows the report worst first: the outbound certificate, the chain certificate, the drift', async () => {
    sandboxLike();
    const envelope = envelopeFor('expiry', {});
    const done = await run(ORCHESTRATIONS.expiryReport, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(appState.calls.filter((c) => c.name === 'readExpiryReport')).toHaveLength(1);
    const text = cardTexts(envelope).at(-1)!;
    expect(text).toMatch(/site-paris {2}≤ 14 days\noutbound certificate outbound-site-paris \(version p1\) expires in 10 days[\s\S]*\[Rotate\][\s\S]*site-oslo {2}≤ 14 days\ninbound issuing CA CN=Paris Issuing CA.*\nDevice owner: [\s\S]*site-madrid {2}Drift/);
    expect(text).toContain('[Rotate to newest version]');
    const output = done.output as { kind: string; report: { rows: unknown[] } };
    expect(output.kind).toBe('report');
    expect(output.report.rows).toHaveLength(3);
  });

  it('--days 7 and one site', async () => {
    sandboxLike();
    const seven = envelopeFor('expiry --days 7', { days: 7 });
    await run(ORCHESTRATIONS.expiryReport, seven);
    expect(cardTexts(seven).at(-1)).not.toMatch(/site-paris|site-oslo/);
    const one = envelopeFor('expiry paris', { site: 'paris' });
    await run(ORCHESTRATIONS.expiryReport, one);
    expect(cardTexts(one).at(-1)).toMatch(/^Expiry: site-paris/);
    const none = envelopeFor('expiry parus', { site: 'parus' });
    await run(ORCHESTRATIONS.expiryReport, none);
    expect(cardTexts(none).at(-1)).toMatch(/No such site[\s\S]*Did you mean site-paris\?/);
  });
});

describe('daily expiry report run', () => {
  const DAY = START.toISOString().slice(0, 10);
  const CHANNEL = 'c0ffee00000000000000000000000000000000a1';
  const SEVEN = 'c0ffee00000000000000000000000000000000a7';

  function subscribe(store: ReturnType<typeof createMemorySubscriptionStore>, conversationKey: string, days: number, extra: Partial<ExpirySubscription> = {}) {
    void store.put({ conversationKey, conversationId: `19:${conversationKey}@thread.tacv2`, label: `channel ${days}`, days, subscribedBy: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, subscribedAt: START.toISOString(), ...extra });
  }

  function withStore() {
    const store = createMemorySubscriptionStore();
    Object.assign(appState.ports.ports, { subscriptions: store });
    return store;
  }

  function dailyEnvelope(): JobEnvelope<unknown> {
    jobs++;
    return { jobId: `expiry-daily-${DAY}-${jobs}`, commandLine: 'expiry (daily report)', requestedBy: { aadObjectId: '', name: 'daily schedule' }, conversationKey: '', cardActivityId: '', requestedAt: clock.now().toISOString(), payload: { day: DAY } };
  }

  it('reads the fleet once and posts each conversation its own threshold; a second run that day posts nothing', async () => {
    sandboxLike();
    const store = withStore();
    subscribe(store, CHANNEL, 30);
    subscribe(store, SEVEN, 7);
    const envelope = dailyEnvelope();
    const done = await run(ORCHESTRATIONS.expiryDelivery, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toMatchObject({ posted: 2, already: 0, removed: 0, problems: [] });
    expect(appState.calls.filter((c) => c.name === 'readExpiryReport').map((c) => c.input)).toEqual([{ thresholdDays: 30 }]);
    const posts = appState.ports.messenger.posts;
    const wide = visibleText(posts.find((p) => p.conversationKey === CHANNEL)!.card);
    expect(wide).toMatch(/^Daily certificate expiry report\nSubscribed by Alex Wilber: what expires within 30 days\.[\s\S]*site-paris[\s\S]*site-oslo[\s\S]*site-madrid {2}Drift/);
    // --days 7: only its tier (nothing expires within 7 days here), and the drift it shares.
    const seven = visibleText(posts.find((p) => p.conversationKey === SEVEN)!.card);
    expect(seven).not.toMatch(/site-paris|site-oslo/);
    expect(store.posts.map((p) => [p.conversationKey, p.day, p.sites])).toEqual(expect.arrayContaining([[CHANNEL, DAY, ['site-paris', 'site-madrid']], [SEVEN, DAY, ['site-madrid']]]));

    const again = await run(ORCHESTRATIONS.expiryDelivery, dailyEnvelope());
    expect(again.output).toMatchObject({ posted: 0, already: 2 });
    expect(appState.ports.messenger.posts).toHaveLength(2);
  });

  it('nothing to report: one short line (or silence when configured quiet)', async () => {
    const store = withStore();
    subscribe(store, SEVEN, 7);
    await run(ORCHESTRATIONS.expiryDelivery, dailyEnvelope());
    expect(appState.ports.messenger.posts.map((p) => visibleText(p.card))).toEqual(['All certificates are fine for the next 7 days.']);
  });

  it('a conversation that removed the bot (403/404) is unsubscribed and the subscriber told; the others still get theirs', async () => {
    sandboxLike();
    const store = withStore();
    subscribe(store, CHANNEL, 30);
    subscribe(store, SEVEN, 7);
    const messenger = appState.ports.messenger;
    const post = messenger.post.bind(messenger);
    messenger.post = async (key, card) => {
      if (key === SEVEN) throw new UserError(CONVERSATION_GONE, 'Teams refused the post (HTTP 403): the bot is no longer in that conversation.');
      return post(key, card);
    };
    const done = await run(ORCHESTRATIONS.expiryDelivery, dailyEnvelope());
    expect(done.output).toMatchObject({ posted: 1, removed: 1 });
    expect(store.subscriptions.has(SEVEN)).toBe(false);
    expect(store.subscriptions.has(CHANNEL)).toBe(true);
    const told = messenger.elsewhere.find((e) => 'personAadObjectId' in e.to);
    expect(told?.to).toEqual({ personAadObjectId: '5a7c0de0-0000-4000-8000-00000000a001' });
    expect(visibleText(told!.card)).toMatch(/Expiry report subscription ended[\s\S]*the bot is no longer in it[\s\S]*removed/);
  });

  it('Teams still throttling after its Retry-After waits: the post is tried again later, once', async () => {
    sandboxLike();
    const store = withStore();
    subscribe(store, CHANNEL, 30);
    const messenger = appState.ports.messenger;
    const post = messenger.post.bind(messenger);
    let attempts = 0;
    messenger.post = async (key, card) => {
      attempts++;
      if (attempts === 1) throw Object.assign(new Error('Too Many Requests'), { statusCode: 429 });
      return post(key, card);
    };
    const envelope = dailyEnvelope();
    const response = await fetch(`${host.baseUrl}/api/start/${ORCHESTRATIONS.expiryDelivery}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
    expect(response.status).toBe(202);
    await host.durable.idle();
    await clock.advance(10_000);
    await host.durable.idle();
    expect(host.durable.getInstance(envelope.jobId)!.output).toMatchObject({ posted: 1, problems: [] });
    expect(attempts).toBe(2);
    expect(messenger.posts).toHaveLength(1);
  });

  it('a subscription with --at later that day is posted then, from a fresh read', async () => {
    sandboxLike();
    const store = withStore();
    subscribe(store, CHANNEL, 30);
    subscribe(store, SEVEN, 7, { at: '23:30' });
    const envelope = dailyEnvelope();
    const response = await fetch(`${host.baseUrl}/api/start/${ORCHESTRATIONS.expiryDelivery}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
    expect(response.status).toBe(202);
    await host.durable.idle();
    expect(appState.ports.messenger.posts.map((p) => p.conversationKey)).toEqual([CHANNEL]);
    await clock.advance(12 * 3_600_000);
    await host.durable.idle();
    expect(appState.ports.messenger.posts.map((p) => p.conversationKey)).toEqual([CHANNEL, SEVEN]);
    expect(appState.calls.filter((c) => c.name === 'readExpiryReport').map((c) => c.input)).toEqual([{ thresholdDays: 30 }, { thresholdDays: 7 }]);
  });
});

describe('the timer starts one run a day', () => {
  it('a second firing the same day starts nothing', async () => {
    const bot = testBot();
    const now = new Date('2026-12-05T08:00:00.000Z');
    expect(await startDailyExpiryReport(bot.jobs, now)).toBe('started');
    expect(bot.jobs.started.map((s) => s.envelope.jobId)).toEqual(['expiry-daily-2026-12-05']);
    expect(await startDailyExpiryReport(bot.jobs, new Date('2026-12-05T08:00:30.000Z'))).toBe('already');
    bot.jobs.records.set('expiry-daily-2026-12-05', { ...bot.jobs.records.get('expiry-daily-2026-12-05')!, status: 'Completed' });
    expect(await startDailyExpiryReport(bot.jobs, new Date('2026-12-05T09:00:00.000Z'))).toBe('already');
    expect(await startDailyExpiryReport(bot.jobs, new Date('2026-12-06T08:00:00.000Z'))).toBe('started');
    expect(bot.jobs.started).toHaveLength(2);
  });
});
