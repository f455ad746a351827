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
import type { SandboxState } from './sandbox-state';

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

/** Where `runChat` finds a sandbox and writes; the CLI passes the real ones, tests a fake Playground and buffers. */
export interface ChatDeps {
  readonly findRunningSandbox: () => Promise<SandboxState | undefined>;
  readonly startSandbox: () => Promise<Sandbox>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const CLI_DEPS: ChatDeps = {
  findRunningSandbox,
  startSandbox: () => startSandbox({ log: 'quiet', stateDir: mkdtempSync(join(tmpdir(), 'vpn-chat-')) }),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Runs one chat exchange and resolves to the exit code. A failure prints its message alone: they are written
 * for the person at the terminal (the Playground client's say what the Playground answered and what to do), and a
 * stack trace would bury that.
 */
export async function runChat(argv: string[], deps: ChatDeps = CLI_DEPS): Promise<number> {
  try {
    await chat(parseArgs(argv), deps);
    return 0;
  } catch (error: unknown) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function chat(args: ChatArgs, deps: ChatDeps): Promise<void> {
  const person = args.as ? findSandboxUser(args.as) : SANDBOX_USERS[0];
  if (!person) throw new Error(`No sandbox person "${args.as}". Choose one of: ${SANDBOX_USERS.map((u) => u.handle).join(', ')}.`);
  const conversation: ConversationKind = args.in ?? (person === SANDBOX_USERS[0] ? 'personal' : 'group');

  const running = await deps.findRunningSandbox();
  let own: Sandbox | undefined;
  if (!running) {
    deps.err('No running `npm start` found; starting a sandbox for this message (takes a few seconds)…\n');
    own = await deps.startSandbox();
  }
  const playgroundUrl = running?.playgroundUrl ?? own!.playground!.url;
  const hostUrl = running?.hostUrl ?? own!.host.baseUrl;
  const messagesUrl = running?.messagesUrl ?? own!.messagesUrl;
  const client = new PlaygroundClient(playgroundUrl, messagesUrl);
  let first: Promise<BotMessage> | undefined;
  try {
    await client.connect();
    await client.config();
    first = client.waitFor((_m, event) => event.action === 'createMessage', 30_000);
    await client.send(args.text, { fromId: person.id, conversation });
    const reply = await first;
    const jobId = /Working on it/.test(cardText(reply)) ? /\bJob\s+([a-z0-9._-]+)/.exec(cardText(reply))?.[1] : undefined;
    if (jobId) await waitForJob(hostUrl, jobId, 180_000, deps);
    await quiet(client, 800);
    const messages = client.all().filter((m) => m.receivedAt >= reply.receivedAt);
    if (args.json) deps.out(`${JSON.stringify(messages, null, 2)}\n`);
    else for (const message of messages) deps.out(`${render(message)}\n`);
  } finally {
    // When sending failed nobody awaits the reply; its timeout must not surface later as an unhandled rejection.
    first?.catch(() => undefined);
    client.close();
    await own?.close();
  }
}

async function waitForJob(hostUrl: string, jobId: string, timeoutMs: number, deps: ChatDeps): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${hostUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(jobId)}`);
    if (response.ok) {
      const status = (await response.json()) as { runtimeStatus?: string };
      if (status.runtimeStatus && TERMINAL.has(status.runtimeStatus)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  deps.err(`Job ${jobId} is still running after ${timeoutMs / 1000} s; showing its card as it is now.\n`);
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

if (typeof require !== 'undefined' && require.main === module) {
  void runChat(process.argv.slice(2)).then((code) => process.exit(code));
}
