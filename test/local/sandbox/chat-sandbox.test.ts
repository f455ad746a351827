import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../../local/sandbox/chat';
import { runChat } from '../../../local/sandbox/chat';
import type { Sandbox } from '../../../local/sandbox/sandbox';
import { startSandbox } from '../../../local/sandbox/sandbox';
import type { SandboxState } from '../../../local/sandbox/sandbox-state';

/** `npm run chat` (runChat, as the CLI runs it) against a real sandbox: the Playground, the bot and the simulator. */
describe('npm run chat with a running sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let state: SandboxState;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-test-'));
    sandbox = await startSandbox({ log: 'quiet', stateDir: join(dir, 'sandbox') });
    state = { pid: process.pid, playgroundUrl: sandbox.playground!.url, hostUrl: sandbox.host.baseUrl, messagesUrl: sandbox.messagesUrl, simulatorUrl: sandbox.simulator.url };
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chat = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const deps: ChatDeps = {
      findRunningSandbox: async () => state,
      startSandbox: () => Promise.reject(new Error('a sandbox is running')),
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      lockFile: join(dir, 'chat.lock'),
    };
    const code = await runChat(argv, deps);
    return { code, out: out.join(''), err: err.join('') };
  };

  it('three runs at once each print only the reply to their own message', async () => {
    const [status, diagnose, help] = await Promise.all([chat(['status paris']), chat(['diagnose', 'berlin']), chat(['help'])]);
    expect([status.code, diagnose.code, help.code]).toEqual([0, 0, 0]);
    expect(status.out).toMatch(/^--- bot \(card updated 1×\) ---\n== status site-paris ==\nConnected/);
    expect(diagnose.out).toMatch(/^--- bot \(card updated 1×\) ---\n== diagnose site-berlin: Azure doesn't trust the device's certificate ==/);
    expect(help.out).toMatch(/^--- bot ---\n== VPN certificate bot ==/);
    for (const run of [status, diagnose, help]) expect(run.out.match(/^--- bot/gm)).toHaveLength(1);
    expect(status.out).not.toMatch(/diagnose site-berlin:|VPN certificate bot/);
    expect(diagnose.out).not.toMatch(/== status site-paris|VPN certificate bot/);
    expect(help.out).not.toMatch(/site-paris|site-berlin/);
  }, 120_000);

  it('shows the Key Vault by its name, as in Azure, not the simulator\'s address', async () => {
    const { out } = await chat(['status site-paris']);
    expect(out).toMatch(/\nKey Vault {2}kv-vpn-certs \/ outbound-site-paris\n/);
    expect(out).not.toMatch(/127\.0\.0\.1/);
  }, 60_000);
});
