import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FleetRef, FleetResult, InspectFleetChunkInput, InspectSiteOutput, ReadFleetCertificatesInput } from '../../activities/activity-names';
import { UserError } from '../../core/errors/user-error';
import type { FleetRow } from '../../core/status/fleet-status';
import { startLocalHost, VirtualClock } from '../../local/host';
import type { InstanceSnapshot, LocalHost } from '../../local/host';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import { FLEET_CHUNK_SIZE, FLEET_UPDATE_INTERVAL_MS, FLEET_WAVE_CHUNKS } from '../../orchestrations/fleet-status';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { siteStatusFixture, realistic } from '../cards/card-fixtures';
import { visibleText } from '../cards/card-inspect';
import { appState, resetAppState } from './orchestration-app';

const START = new Date('2026-06-01T12:00:00.000Z');
const clock = new VirtualClock(START);
let host: LocalHost;
let jobs = 0;

beforeAll(async () => {
  host = await startLocalHost({
    loadApp: () => import('./orchestration-app'),
    appRoot: fileURLToPath(new URL('./host-app', import.meta.url)),
    clock,
    log: 'quiet',
  });
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

/** Starts the job through the real Durable client and lets it run as far as it can without the clock moving. */
async function run(orchestration: string, envelope: JobEnvelope<unknown>): Promise<InstanceSnapshot> {
  const response = await fetch(`${host.baseUrl}/api/start/${orchestration}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  expect(response.status).toBe(202);
  return settled(envelope.jobId);
}

/** Waits until the host has nothing left to run (durable timers aside); fails fast instead of hanging the suite. */
async function settled(id: string): Promise<InstanceSnapshot> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the host did not go idle; ${id} is ${host.durable.getInstance(id)?.runtimeStatus}`)), 10_000);
  });
  try {
    await Promise.race([host.durable.idle(), stuck]);
  } finally {
    clearTimeout(timer);
  }
  return host.durable.getInstance(id)!;
}

/** The cards the job put on its acknowledgement card, as text, in order. */
function cardTexts(envelope: JobEnvelope<unknown>): string[] {
  return appState.ports.messenger.updates.filter((u) => u.activityId === envelope.cardActivityId).map((u) => visibleText(u.card));
}

function callsOf(name: string): unknown[] {
  return appState.calls.filter((c) => c.name === name).map((c) => c.input);
}

describe('site status job', () => {
  it('reads the site, shows its status card in place of the acknowledgement, and completes with the result', async () => {
    const status = siteStatusFixture(realistic);
    appState.scripts.inspectSite = async () => ({ kind: 'found', status }) satisfies InspectSiteOutput;
    const envelope = envelopeFor('status site-paris', { site: 'site-paris' });
    const done = await run(ORCHESTRATIONS.siteStatus, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({ kind: 'found', status });
    expect(done.customStatus).toEqual({ step: 'done', detail: 'Connected, 1 problem and 1 warning' });
    expect(callsOf('inspectSite')).toEqual([{ site: 'site-paris' }]);
    expect(appState.views.map((v) => v.kind)).toEqual(['site-status']);
    const [card] = cardTexts(envelope);
    expect(card).toMatch(/^status site-paris\nConnected/);
  });

  it('an unknown site ends with suggestions and completes', async () => {
    appState.scripts.inspectSite = async () => ({ kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris'] }) satisfies InspectSiteOutput;
    const envelope = envelopeFor('status site-pari', { site: 'site-pari' });
    const done = await run(ORCHESTRATIONS.siteStatus, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.customStatus).toEqual({ step: 'done', detail: 'unknown site' });
    expect(cardTexts(envelope)[0]).toMatch(/No such site[\s\S]*Did you mean site-paris\?[\s\S]*\[status site-paris\]/);
  });

  it('a read that keeps failing is retried, then the card shows the safe text and code, and the job is Failed', async () => {
    appState.scripts.inspectSite = async () => {
      throw new UserError('AzureThrottled', 'Azure is throttling reads for this subscription.', 'Try again in a few minutes.');
    };
    const envelope = envelopeFor('status site-paris', { site: 'site-paris' });
    expect((await run(ORCHESTRATIONS.siteStatus, envelope)).runtimeStatus).toBe('Running');
    // readRetry: two attempts, 2 s apart; the host surfaces the last failure one backoff (4 s) later.
    await clock.advance(10_000);
    const done = await settled(envelope.jobId);
    expect(done.runtimeStatus).toBe('Failed');
    expect(callsOf('inspectSite')).toHaveLength(2);
    expect(appState.views).toEqual([{ kind: 'failed', title: 'Could not read site-paris', problem: 'Azure is throttling reads for this subscription.', fix: 'Try again in a few minutes.', code: 'AzureThrottled' }]);
    expect(cardTexts(envelope)).toEqual([`Could not read site-paris\nAzure is throttling reads for this subscription.\nTry again in a few minutes.\nCode: AzureThrottled · Reference: ${envelope.jobId}`]);
  });

  it("a refusal is not retried: Azure's 400, 401, 403 and 404 fail the read at once, with their safe text", async () => {
    for (const code of ['AzureBadRequest', 'AzureUnauthenticated', 'AzureForbidden', 'AzureNotFound', 'AmbiguousSite']) {
      const before = callsOf('inspectSite').length;
      appState.scripts.inspectSite = async () => {
        throw new UserError(code, `Azure refused (${code}).`);
      };
      const envelope = envelopeFor('status site-paris', { site: 'site-paris' });
      const done = await run(ORCHESTRATIONS.siteStatus, envelope);
      expect({ code, status: done.runtimeStatus, attempts: callsOf('inspectSite').length - before }).toEqual({ code, status: 'Failed', attempts: 1 });
      expect(cardTexts(envelope)[0]).toContain(`Code: ${code}`);
    }
  });

  it('an unexpected failure shows only a reference: no exception text on the card or in durable history', async () => {
    appState.scripts.inspectSite = async () => {
      throw new Error('connect ECONNREFUSED 169.254.169.254:80 client_secret=s3cr3t');
    };
    const envelope = envelopeFor('status site-paris', { site: 'site-paris' });
    await run(ORCHESTRATIONS.siteStatus, envelope);
    await clock.advance(10_000);
    const done = await settled(envelope.jobId);
    expect(done.runtimeStatus).toBe('Failed');
    const [reference] = [...appState.unexpected.keys()].slice(-1);
    const [card] = cardTexts(envelope);
    expect(card).toContain(`The job failed unexpectedly (reference ${reference}).`);
    expect(card).toContain('Code: Unexpected');
    expect(card).not.toMatch(/ECONNREFUSED|s3cr3t/);
    expect(JSON.stringify(done)).not.toMatch(/ECONNREFUSED|s3cr3t/);
  });
});

/** A fleet of `count` connections, sites named site-000, site-001, ...; every 7th is down, every 5th expiring. */
function fleet(count: number): FleetRef[] {
  return Array.from({ length: count }, (_, i) => ({
    site: `site-${String(i).padStart(3, '0')}`,
    connectionName: `cn-site-${String(i).padStart(3, '0')}`,
    connectionId: `/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg/providers/Microsoft.Network/connections/cn-site-${i}`,
    subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
    resourceGroup: 'rg',
    authenticationType: 'Certificate',
    outboundCertificateId: `https://kv-vpn-certs.vault.azure.net/certificates/vpn-out-${i % 3}/0123456789abcdef0123456789abcdef`,
    inboundDays: 900,
  }));
}

function rowsOf(refs: readonly FleetRef[]): FleetRow[] {
  return refs.map((r, i) => {
    const index = Number(r.site.slice(5));
    const down = index % 7 === 3;
    return {
      site: r.site,
      connectionName: r.connectionName,
      subscriptionId: r.subscriptionId,
      resourceGroup: r.resourceGroup,
      status: down ? 'NotConnected' : 'Connected',
      tunnelsUp: down ? 0 : 2,
      tunnelsTotal: 2,
      authenticationType: r.authenticationType,
      ...(r.outboundCertificateId ? { outboundCertificateId: r.outboundCertificateId } : {}),
      ...(r.inboundDays !== undefined ? { inboundDays: r.inboundDays + i } : {}),
    };
  });
}

/**
 * Chunks answer at once, except: a flaky chunk (by first site) fails its first attempt, so the orchestration's retry
 * (a 2 s durable timer) makes its wave finish 2 s of orchestration time later; a failing chunk fails every attempt.
 */
function scriptFleet(refs: FleetRef[], options: { flakyChunks?: string[]; failChunks?: string[]; failCertificates?: boolean } = {}) {
  const attempted = new Set<string>();
  appState.scripts.listFleet = async () => ({ refs, gaps: ['Could not list connections in rg-spoke (5d6f3a2e…): The bot may not read rg-spoke.'] });
  appState.scripts.readFleetCertificates = async (input: ReadFleetCertificatesInput) => {
    if (options.failCertificates) throw new UserError('KeyVaultForbidden', 'No access to kv-vpn-certs.');
    return { certificates: Object.fromEntries(input.certificateIds.map((id) => [id, { days: id.includes('vpn-out-1/') ? 12 : 200 }])) };
  };
  appState.scripts.inspectFleetChunk = async (input: InspectFleetChunkInput) => {
    const first = input.refs[0]!.site;
    const firstAttempt = !attempted.has(first);
    attempted.add(first);
    if (options.failChunks?.includes(first) || (firstAttempt && options.flakyChunks?.includes(first))) throw new UserError('AzureThrottled', 'Azure throttled the request.');
    return { rows: rowsOf(input.refs) };
  };
}

const fleetViews = () => appState.views.filter((v): v is Extract<typeof v, { kind: 'fleet' }> => v.kind === 'fleet');

describe('fleet status job', () => {
  it('updates the card with progress between waves of chunks, at most every 1.5 s of orchestration time', async () => {
    // 13 chunks of 25 in waves of 4, 4, 4 and 1. Waves 1 and 3 each wait 2 s for a retry; wave 2 takes no time.
    const refs = fleet(12 * FLEET_CHUNK_SIZE + 1);
    scriptFleet(refs, { flakyChunks: ['site-000', 'site-200'] });
    const envelope = envelopeFor('status all', { page: 0 });
    const started = clock.now().getTime();
    expect((await run(ORCHESTRATIONS.fleetStatus, envelope)).runtimeStatus).toBe('Running');
    expect(callsOf('readFleetCertificates')).toEqual([{ certificateIds: [0, 1, 2].map((i) => `https://kv-vpn-certs.vault.azure.net/certificates/vpn-out-${i}/0123456789abcdef0123456789abcdef`) }]);
    // The flaky chunk's retry waits for a durable timer: the clock has not moved yet.
    expect(callsOf('inspectFleetChunk')).toHaveLength(FLEET_WAVE_CHUNKS);
    expect(fleetViews()).toEqual([]);

    await clock.advance(10_000);
    const done = await settled(envelope.jobId);
    expect(done.runtimeStatus).toBe('Completed');
    // Wave 1 ends 2 s in (a card), wave 2 at the same moment (too soon: none), wave 3 2 s later (a card), the
    // last wave only the final card.
    expect(fleetViews().map((v) => [v.progress, Date.parse(v.checkedAt) - started])).toEqual([
      [{ inspected: 100, total: 301 }, 2000],
      [{ inspected: 300, total: 301 }, 4000],
      [undefined, 4000],
    ]);
    expect(2000).toBeGreaterThanOrEqual(FLEET_UPDATE_INTERVAL_MS);
    expect(callsOf('readFleetCertificates')).toHaveLength(1);
    expect(callsOf('inspectFleetChunk')).toHaveLength(13 + 2);

    // Progress cards show the worst rows so far, with counts, and say they are still collecting.
    const progress = fleetViews()[0]!;
    expect(progress.rows).toHaveLength(12);
    expect(progress.rows[0]!.status).toBe('NotConnected');
    expect(progress.summary.total).toBe(100);
    expect(cardTexts(envelope)[0]).toMatch(/Fleet status \(collecting…\)[\s\S]*Checked 100 of 301; this card fills in as results arrive\./);
    expect(cardTexts(envelope).at(-1)).toMatch(/^Fleet status\n/);
    expect(cardTexts(envelope).at(-1)).toContain('Page 1 of 26');
    expect((done.output as FleetResult).rows).toHaveLength(301);
  });

  it('four waves that end at the same moment update the card at most once before the result', async () => {
    scriptFleet(fleet(12 * FLEET_CHUNK_SIZE + 1));
    const envelope = envelopeFor('status all', { page: 0 });
    expect((await run(ORCHESTRATIONS.fleetStatus, envelope)).runtimeStatus).toBe('Completed');
    expect(callsOf('inspectFleetChunk')).toHaveLength(13);
    const views = fleetViews();
    expect(views.filter((v) => v.progress !== undefined).length).toBeLessThanOrEqual(1);
    expect(views.at(-1)!.progress).toBeUndefined();
    expect(views.at(-1)!.pageCount).toBe(26);
  });

  it('a chunk that keeps failing becomes a gap; the rest is ranked worst first, with certificate expiry joined in', async () => {
    const refs = fleet(3 * FLEET_CHUNK_SIZE);
    scriptFleet(refs, { failChunks: ['site-025'] });
    const envelope = envelopeFor('status all', { page: 0 });
    await run(ORCHESTRATIONS.fleetStatus, envelope);
    await clock.advance(10_000);
    const done = await settled(envelope.jobId);
    expect(done.runtimeStatus).toBe('Completed');
    const result = done.output as FleetResult;
    expect(result.rows).toHaveLength(2 * FLEET_CHUNK_SIZE);
    expect(result.rows.some((r) => r.site >= 'site-025' && r.site < 'site-050')).toBe(false);
    expect(result.gaps).toEqual([
      'Could not list connections in rg-spoke (5d6f3a2e…): The bot may not read rg-spoke.',
      'Could not read 25 connection(s) (site-025, site-026, site-027, …); they are not in this report.',
    ]);
    // Worst first: down sites, then connected ones by soonest expiry (vpn-out-1 expires in 12 days).
    const down = result.rows.filter((r) => r.status === 'NotConnected').length;
    expect(down).toBeGreaterThan(0);
    expect(result.rows.slice(0, down).every((r) => r.status === 'NotConnected')).toBe(true);
    expect(result.rows[down]!.outboundDays).toBe(12);
    expect(result.rows.at(-1)!.outboundDays).toBe(200);
    expect(result.summary).toEqual({ total: 50, connected: 50 - down, down, expiring: result.rows.filter((r) => r.outboundDays === 12).length, degraded: 0 });
    expect(cardTexts(envelope).at(-1)).toContain('⚠ Could not read 25 connection(s) (site-025, site-026, site-027, …); they are not in this report.');
  });

  it('certificates that cannot be read become a gap, and rows keep no expiry', async () => {
    const refs = fleet(10);
    scriptFleet(refs, { failCertificates: true });
    const envelope = envelopeFor('status all', { page: 0 });
    await run(ORCHESTRATIONS.fleetStatus, envelope);
    await clock.advance(10_000);
    const result = (await settled(envelope.jobId)).output as FleetResult;
    expect(result.gaps).toContain('Could not read the outbound certificates from Key Vault; their expiry is not in this report.');
    expect(result.rows.every((r) => r.outboundDays === undefined)).toBe(true);
  });

  it('an empty scope completes with an empty report and reads no certificate', async () => {
    scriptFleet([]);
    const envelope = envelopeFor('status all', { page: 0 });
    const done = await run(ORCHESTRATIONS.fleetStatus, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(callsOf('readFleetCertificates')).toEqual([]);
    expect(cardTexts(envelope)).toHaveLength(1);
    expect(cardTexts(envelope)[0]).toContain('No certificate-authenticated connections in the configured scope.');
  });

  it('a fleet that cannot be listed fails the job with a card that says so', async () => {
    appState.scripts.listFleet = async () => {
      throw new UserError('AzureForbidden', 'The bot may not list connections in this subscription.');
    };
    const envelope = envelopeFor('status all', { page: 0 });
    await run(ORCHESTRATIONS.fleetStatus, envelope);
    await clock.advance(10_000);
    expect((await settled(envelope.jobId)).runtimeStatus).toBe('Failed');
    expect(cardTexts(envelope)).toEqual([`Could not list the fleet\nThe bot may not list connections in this subscription.\nCode: AzureForbidden · Reference: ${envelope.jobId}`]);
  });
});

describe('diagnose job', () => {
  it('hands the device events to the activity and shows the diagnosis', async () => {
    appState.scripts.diagnoseSite = async () => ({ kind: 'no-logs', site: 'site-oslo', connectionName: 'cn-site-oslo', status: 'NotConnected', hours: 6, workspaceName: 'log-vpn' });
    const deviceLog = { lines: 3, source: 'pasted', events: [{ source: 'device', kind: 'authentication-failed', tags: [], text: 'received AUTHENTICATION_FAILED notify error', line: 2 }] };
    const envelope = envelopeFor('diagnose site-oslo --hours 6 (+ device log)', { site: 'site-oslo', hours: 6, deviceLog });
    const done = await run(ORCHESTRATIONS.diagnoseSite, envelope);
    expect(done.runtimeStatus).toBe('Completed');
    expect(callsOf('diagnoseSite')).toEqual([{ site: 'site-oslo', hours: 6, deviceEvents: deviceLog.events, deviceLines: 3 }]);
    expect(done.customStatus).toEqual({ step: 'done', detail: 'no log entries in the window' });
    expect(cardTexts(envelope)[0]).toMatch(/^diagnose site-oslo: no log entries/);
  });

  it("leaves the cause in the card's words for the job list", async () => {
    appState.scripts.diagnoseSite = async () => ({
      kind: 'diagnosed',
      site: 'site-oslo',
      connectionName: 'cn-site-oslo',
      status: 'NotConnected',
      hours: 24,
      from: '2026-05-31T12:00:00.000Z',
      to: '2026-06-01T12:00:00.000Z',
      counts: { ike: 12, tunnel: 0 },
      diagnosis: { cause: 'proposal-mismatch', headline: 'The device and Azure share no IKE proposal.', confidence: 'high', evidence: [], actions: [] },
    });
    const done = await run(ORCHESTRATIONS.diagnoseSite, envelopeFor('diagnose site-oslo', { site: 'site-oslo', hours: 24 }));
    expect(done.customStatus).toEqual({ step: 'done', detail: 'IKE proposal mismatch' });
  });
});
