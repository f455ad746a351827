import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../../local/sandbox/chat';
import { runChat } from '../../../local/sandbox/chat';
import type { Sandbox } from '../../../local/sandbox/sandbox';
import { startSandbox } from '../../../local/sandbox/sandbox';
import { parseStartArgs } from '../../../local/sandbox/start';

describe('npm start -- --azure-latency <duration>', () => {
  it('reads a duration with its unit, and refuses anything else with the usage', () => {
    expect(parseStartArgs([])).toEqual({ azureLatencyMs: 0 });
    expect(parseStartArgs(['--azure-latency', '5s'])).toEqual({ azureLatencyMs: 5000 });
    expect(parseStartArgs(['--azure-latency=800ms'])).toEqual({ azureLatencyMs: 800 });
    expect(parseStartArgs(['--azure-latency', '1.5s'])).toEqual({ azureLatencyMs: 1500 });
    expect(() => parseStartArgs(['--azure-latency', '5'])).toThrow(/--azure-latency takes a duration with its unit, such as 5s or 800ms, not 5\. Usage: npm start/);
    expect(() => parseStartArgs(['--azure-latency'])).toThrow(/such as 5s or 800ms\. Usage/);
    expect(() => parseStartArgs(['--azure-latency', '2m'])).toThrow(/not 2m/);
    expect(() => parseStartArgs(['--azure-latency', '90s'])).toThrow(/at most 60s/);
    expect(() => parseStartArgs(['--latency', '5s'])).toThrow(/Unknown option --latency\. Usage: npm start \[-- \[--azure-latency <duration, e\.g\. 5s or 800ms>\] \[--vault-access-grants\]\]/);
    expect(parseStartArgs(['--vault-access-grants', '--azure-latency', '1s'])).toEqual({ azureLatencyMs: 1000, vaultAccessGrants: true });
    expect(parseStartArgs([])).toStrictEqual({ azureLatencyMs: 0 });
  });
});

/** A sandbox whose Azure answers every call after a second, as `npm start -- --azure-latency 1s` runs it. */
describe('a slow Azure: a job runs long enough to watch and to cancel', () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-latency-'));
    sandbox = await startSandbox({ log: 'quiet', stateDir: join(dir, 'sandbox'), simulator: { latencyMs: 1_000 } });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chat = (argv: string[], onErr: (text: string) => void = () => undefined) => {
    const out: string[] = [];
    const err: string[] = [];
    const deps: ChatDeps = {
      findRunningSandbox: async () => ({ pid: process.pid, playgroundUrl: sandbox.playground!.url, hostUrl: sandbox.host.baseUrl, messagesUrl: sandbox.messagesUrl, simulatorUrl: sandbox.simulator.url }),
      startSandbox: () => Promise.reject(new Error('a sandbox is running')),
      out: (text) => out.push(text),
      err: (text) => {
        err.push(text);
        onErr(text);
      },
      lockFile: join(dir, 'chat.lock'),
    };
    return runChat(argv, deps).then((code) => ({ code, out: out.join(''), err: err.join('') }));
  };

  it('npm run chat shows the running job\'s steps, and a second npm run chat cancels it', async () => {
    let cancelled: Promise<{ code: number; out: string }> | undefined;
    const status = await chat(['status site-paris'], (text) => {
      const jobId = /\(job ([a-z0-9._-]+);/.exec(text)?.[1];
      if (jobId && !cancelled) cancelled = chat([`cancel ${jobId}`]);
    });
    expect(status.err).toMatch(/ {2}… reading Azure \(site-paris\) {3}\(job status-[a-z0-9._-]+; `npm run chat -- "cancel status-[a-z0-9._-]+"` stops it\)\n/);
    expect(cancelled).toBeDefined();
    const cancel = await cancelled!;
    expect(cancel.out).toMatch(/== Cancelled ==\nstatus site-paris/);
    expect(status.out).toMatch(/Cancelled by Alex Wilber/);
  }, 120_000);
});
