/**
 * `npm run chat -- [--as <person>] [--in personal|group|channel] [--json] "<command>"`
 *
 * Sends one message the way a person's message travels (through the Agents Playground) and prints the bot's
 * replies as they end up: text, and a readable rendering of each card (or the raw activities with --json).
 * Uses the running `npm start` if there is one, else starts a sandbox for this one message.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BotMessage, ConversationKind } from '../playground-client/playground-client';
import { cardText, PlaygroundClient } from '../playground-client/playground-client';
import { renderCard } from '../playground-client/render-card';
import { startSandbox } from './sandbox';
import type { Sandbox } from './sandbox';
import { findSandboxUser, SANDBOX_USERS } from './sandbox-identities';
import { findRunningSandbox } from './sandbox-state';

const USAGE = 'Usage: npm run chat -- [--as <person>] [--in personal|group|channel] [--json] "<command>"';
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

interface ChatArgs {
  readonly text: string;
  readonly as?: string;
  readonly in?: ConversationKind;
  readonly json: boolean;
}

function parseArgs(argv: string[]): ChatArgs {
  let as: string | undefined;
  let where: ConversationKind | undefined;
  let json = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--as') as = argv[++i];
    else if (arg === '--in') {
      const value = argv[++i];
      if (value !== 'personal' && value !== 'group' && value !== 'channel') throw new Error(`--in takes personal, group or channel. ${USAGE}`);
      where = value;
    } else words.push(arg);
  }
  const text = words.join(' ').trim();
  if (!text) throw new Error(USAGE);
  return { text, json, ...(as ? { as } : {}), ...(where ? { in: where } : {}) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const person = args.as ? findSandboxUser(args.as) : SANDBOX_USERS[0];
  if (!person) throw new Error(`No sandbox person "${args.as}". Choose one of: ${SANDBOX_USERS.map((u) => u.handle).join(', ')}.`);
  const conversation: ConversationKind = args.in ?? (person === SANDBOX_USERS[0] ? 'personal' : 'group');

  const running = await findRunningSandbox();
  let own: Sandbox | undefined;
  if (!running) {
    process.stderr.write('No running `npm start` found; starting a sandbox for this message (takes a few seconds)…\n');
    own = await startSandbox({ log: 'quiet', stateDir: mkdtempSync(join(tmpdir(), 'vpn-chat-')) });
  }
  const playgroundUrl = running?.playgroundUrl ?? own!.playground!.url;
  const hostUrl = running?.hostUrl ?? own!.host.baseUrl;
  const messagesUrl = running?.messagesUrl ?? own!.messagesUrl;
  const client = new PlaygroundClient(playgroundUrl, messagesUrl);
  try {
    await client.connect();
    await client.config();
    const first = client.waitFor((_m, event) => event.action === 'createMessage', 30_000);
    await client.send(args.text, { fromId: person.id, conversation });
    const reply = await first;
    const jobId = /Working on it/.test(cardText(reply)) ? /\bJob\s+([a-z0-9._-]+)/.exec(cardText(reply))?.[1] : undefined;
    if (jobId) await waitForJob(hostUrl, jobId, 180_000);
    await quiet(client, 800);
    const messages = client.all().filter((m) => m.receivedAt >= reply.receivedAt);
    if (args.json) console.log(JSON.stringify(messages, null, 2));
    else for (const message of messages) console.log(render(message));
  } finally {
    client.close();
    await own?.close();
  }
}

async function waitForJob(hostUrl: string, jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${hostUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(jobId)}`);
    if (response.ok) {
      const status = (await response.json()) as { runtimeStatus?: string };
      if (status.runtimeStatus && TERMINAL.has(status.runtimeStatus)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  process.stderr.write(`Job ${jobId} is still running after ${timeoutMs / 1000} s; showing its card as it is now.\n`);
}

/** Resolves once no bot message has arrived or changed for `ms`. */
async function quiet(client: PlaygroundClient, ms: number): Promise<void> {
  while (await client.waitFor(() => true, ms).then(() => true, () => false)) {
    // Something changed: wait for another quiet spell.
  }
}

function render(message: BotMessage): string {
  const header = `--- bot${message.updates > 0 ? ` (card updated ${message.updates}×)` : ''} ---`;
  const body = [message.text ?? '', ...message.cards.map((card) => renderCard(card))].filter(Boolean).join('\n');
  return `${header}\n${body}\n`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
