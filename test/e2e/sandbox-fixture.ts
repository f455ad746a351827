import type { Sandbox, SandboxOptions } from '../../local/sandbox/sandbox';
import { startSandbox } from '../../local/sandbox/sandbox';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlaygroundClient } from '../../local/playground-client/playground-client';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardText } from '../../local/playground-client/playground-client';
import { expect } from 'vitest';
import { recordAppAzureCalls } from '../support/azure-call-log';

export interface ChatFixture {
  readonly sandbox: Sandbox;
  readonly client: PlaygroundClient;
  /** Sends a message and resolves with the bot's reply to it (a job's acknowledgement card: `until` waits for more). */
  say(text: string, options?: { as?: string; conversation?: 'personal' | 'group' | 'channel' }): Promise<BotMessage>;
  /** Waits until the message `id` shows text matching `pattern`. */
  until(id: string, pattern: RegExp, timeoutMs?: number): Promise<BotMessage>;
  close(): Promise<void>;
}

/** The real sandbox (Azurite, simulator, local host, Playground) driven through the Playground's API. */
export async function startChat(options: SandboxOptions = {}): Promise<ChatFixture> {
  const sandbox = await startSandbox({ log: 'quiet', stateDir: mkdtempSync(join(tmpdir(), 'vpn-sandbox-')), ...options });
  const testFile = expect.getState().testPath ?? 'unknown test file';
  const client = new PlaygroundClient(sandbox.playground!.url, sandbox.messagesUrl);
  await client.connect();
  return {
    sandbox,
    client,
    async say(text, opts = {}) {
      return client.replyTo(await client.send(text, { ...(opts.as ? { fromId: opts.as } : {}), ...(opts.conversation ? { conversation: opts.conversation } : {}) }));
    },
    async until(id, pattern, timeoutMs = 30_000) {
      const current = client.get(id);
      if (current && pattern.test(cardText(current))) return current;
      return client.waitFor((m) => m.id === id && pattern.test(cardText(m)), timeoutMs);
    },
    async close() {
      // What the app did in Azure, for the least-privilege check at the end of the run.
      recordAppAzureCalls(sandbox.simulator, testFile);
      client.close();
      await sandbox.close();
    },
  };
}
