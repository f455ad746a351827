import { afterEach, describe, expect, it } from 'vitest';
import { runChat } from '../../../local/sandbox/chat';
import type { ChatDeps } from '../../../local/sandbox/chat';
import { EXPRESS_413_PAGE, startFakePlayground } from '../playground-client/fake-playground';
import type { FakePlayground } from '../playground-client/fake-playground';

let playground: FakePlayground | undefined;
afterEach(async () => {
  await playground?.close();
  playground = undefined;
});

/** The CLI against a "running sandbox" whose Playground is the fake; what it prints is collected. */
function deps(url: string) {
  const out: string[] = [];
  const err: string[] = [];
  const chatDeps: ChatDeps = {
    findRunningSandbox: async () => ({ pid: process.pid, playgroundUrl: url, hostUrl: 'http://127.0.0.1:9', messagesUrl: 'http://127.0.0.1:9/api/messages', simulatorUrl: 'http://127.0.0.1:9' }),
    startSandbox: () => Promise.reject(new Error('the test gives a running sandbox')),
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  return { chatDeps, out, err };
}

describe('npm run chat', () => {
  it('prints why the Playground refused a long paste and what to do, without a stack, and exits 1', async () => {
    playground = await startFakePlayground(() => ({ status: 413, contentType: 'text/html; charset=utf-8', body: EXPRESS_413_PAGE }));
    const { chatDeps, out, err } = deps(playground.url);
    const paste = `diagnose site-oslo\n${'Nov 23 09:14:02 oslo-gw charon: 09[IKE] received AUTHENTICATION_FAILED notify error\n'.repeat(1_500)}`;
    const code = await runChat([paste], chatDeps);
    expect(code).toBe(1);
    expect(playground.posted).toHaveLength(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^The Agents Playground refused the message: HTTP 413 \(Payload Too Large\)\. The message is \d+ KB, too big to send; Teams itself limits how big a message can be, so attach a long device log to the message as a file instead of pasting it, or paste only the lines around the failure\.\n$/);
    expect(err[0]).not.toMatch(/\bat |Error:|DOCTYPE|Unexpected token/);
  });

  it('prints the usage, not a stack, when there is nothing to send', async () => {
    const { chatDeps, err } = deps('http://127.0.0.1:9');
    expect(await runChat(['--json'], chatDeps)).toBe(1);
    expect(err).toEqual(['Usage: npm run chat -- [--as <person>] [--in personal|group|channel] [--json] "<command>"\n']);
  });
});
