import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, VirtualClock } from '../../../local/host';
import type { LocalHost } from '../../../local/host';
import type { JobEnvelope } from '../../../core/jobs/job-envelope';

const clock = new VirtualClock(new Date('2026-06-01T12:00:00.000Z'));
let host: LocalHost;

beforeAll(async () => {
  host = await startLocalHost({ loadApp: () => import('./job-service-app'), appRoot: fileURLToPath(new URL('./host-app', import.meta.url)), clock, log: 'quiet' });
});
afterAll(async () => {
  await host?.close();
});

async function op<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${host.baseUrl}/api/jobs/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
  if (response.status !== 200) throw new Error(`${name} answered HTTP ${response.status}`);
  const body = (await response.json()) as T;
  await host.durable.idle();
  return body;
}

function envelope(jobId: string, payload: unknown = { site: 'site-paris' }): JobEnvelope<unknown> {
  return {
    jobId,
    commandLine: 'status site-paris',
    requestedBy: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' },
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: 'ack-1',
    requestedAt: clock.now().toISOString(),
    payload,
  };
}

interface WireRecord {
  jobId: string;
  orchestration: string;
  status: string;
  createdAt: string;
  envelope?: JobEnvelope<unknown>;
  customStatus?: unknown;
  output?: unknown;
}

describe('createDurableJobService over the real Durable client', () => {
  it('starts a job with its envelope as input, and reads it back with progress', async () => {
    expect(await op('start', { orchestration: 'WaitForGo', envelope: envelope('status-site-paris-00000001') })).toEqual({ result: 'started' });
    const { record } = await op<{ record: WireRecord }>('get', { jobId: 'status-site-paris-00000001' });
    expect(record).toMatchObject({ jobId: 'status-site-paris-00000001', orchestration: 'WaitForGo', status: 'Running', customStatus: { step: 'waiting', detail: 'for go' }, envelope: envelope('status-site-paris-00000001') });
    expect(record).not.toHaveProperty('output');
  });

  it('answers conflict while a job with that id runs, and starts it again once it finished', async () => {
    await op('start', { orchestration: 'WaitForGo', envelope: envelope('status-site-oslo-00000002') });
    expect(await op('start', { orchestration: 'WaitForGo', envelope: envelope('status-site-oslo-00000002') })).toEqual({ result: 'conflict' });
    await op('raise', { jobId: 'status-site-oslo-00000002' });
    const { record } = await op<{ record: WireRecord }>('get', { jobId: 'status-site-oslo-00000002' });
    expect(record).toMatchObject({ status: 'Completed', output: { done: true } });
    expect(await op('start', { orchestration: 'WaitForGo', envelope: envelope('status-site-oslo-00000002') })).toEqual({ result: 'started' });
    expect((await op<{ record: WireRecord }>('get', { jobId: 'status-site-oslo-00000002' })).record.status).toBe('Running');
  });

  it('does not know a job that was never started', async () => {
    expect(await op('get', { jobId: 'status-site-nowhere-00000003' })).toEqual({ record: null });
  });

  it('reads an instance the bot did not start without inventing an envelope for it', async () => {
    await op('startRaw', { orchestration: 'Quick', instanceId: 'someone-elses-instance', input: { jobId: 'x', payload: 1 } });
    const { record } = await op<{ record: WireRecord }>('get', { jobId: 'someone-elses-instance' });
    expect(record.status).toBe('Completed');
    expect(record).not.toHaveProperty('envelope');
  });

  it('cancels a running job, with a reason that survives the management URL', async () => {
    await op('start', { orchestration: 'WaitForGo', envelope: envelope('status-site-rome-00000004') });
    await op('cancel', { jobId: 'status-site-rome-00000004', reason: "Cancelled in Teams by Zoë O'Brien & co #1?x=y" });
    const { record } = await op<{ record: WireRecord }>('get', { jobId: 'status-site-rome-00000004' });
    expect(record.status).toBe('Terminated');
    expect(record.output).toBe('Cancelled in Teams by Zo OBrien  co 1xy');
  });
});
