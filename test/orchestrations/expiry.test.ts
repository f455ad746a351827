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
