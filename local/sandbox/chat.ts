/**
 * `npm run chat -- [--as <person>] [--in personal|group|channel] [--json] "<command>"`
 *
 * Sends one message the way a person's message travels (through the Agents Playground) and prints the bot's
 * replies as they end up: text, and a readable rendering of each card (or the raw activities with --json).
 * Uses the running `npm start` if there is one, else starts a sandbox for this one message.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BotMessage, ConversationKind } from '../playground-client/playground-client';
import { cardText, PlaygroundClient } from '../playground-client/playground-client';
import { renderCard } from '../playground-client/render-card';
import type { Launch } from './launch';
import { projectRoot } from './project-root';
import type { Sandbox } from './sandbox';
import { findSandboxUser, SANDBOX_USERS } from './sandbox-identities';
import { findRunningSandbox } from './sandbox-state';
import type { SandboxState } from './sandbox-state';

const USAGE = 'Usage: npm run chat -- [--as <person>] [--in personal|group|channel] [--json] "<command>"';
const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
/** A job still running after this long gets its steps printed while `npm run chat` waits. */
const PROGRESS_AFTER_MS = 1_500;

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
  /** A sandbox for this one message; its `close` also removes whatever it wrote. */
  readonly startSandbox: () => Promise<Sandbox>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /**
   * The file that lets one `npm run chat` at a time send to a shared (running) sandbox until its reply is known, so
   * two runs sending the same text at once each get their own. Default `.sandbox/chat.lock` in the project.
   */
  readonly lockFile?: string;
}

/**
 * A sandbox of its own for one message, in a temporary folder that goes when it closes (or fails to start), and on
 * Ctrl-C too: a chat run leaves nothing behind. The sandbox modules load only here, so a chat with a running
 * `npm start` does not pay for them.
 */
export async function startOwnSandbox(options: { tmpRoot?: string; onInterrupt?: boolean } = {}): Promise<Sandbox> {
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'vpn-chat-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let sandbox: Sandbox;
  try {
    const { startSandbox } = await import('./sandbox.js');
    sandbox = await startSandbox({ log: 'quiet', stateDir: dir });
  } catch (error) {
    remove();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= sandbox.close().finally(remove));
  const interrupted = () => void close().finally(() => process.exit(130));
  if (options.onInterrupt) process.once('SIGINT', interrupted);
  return {
    ...sandbox,
    close: () => {
      process.off('SIGINT', interrupted);
      return close();
    },
  };
}

const CLI_DEPS: ChatDeps = {
  findRunningSandbox,
  startSandbox: () => startOwnSandbox({ onInterrupt: true }),
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
  try {
    await client.connect();
    // Every command gets exactly one reply, in its conversation; jobs then update that card in place. Other runs
    // (and the Playground page) may talk to the same bot at the same time: the reply is the bot's first new message
    // in reply to the activity the Playground delivered for this message (see PlaygroundClient.replyTo). That
    // activity is known by chat, sender, text and time, so one run at a time holds the lock from sending until its
    // reply is known: two runs sending the same text at once can then not take each other's.
    const release = running ? await acquireLock(deps.lockFile ?? join(projectRoot(), '.sandbox', 'chat.lock')) : () => undefined;
    let reply: BotMessage;
    try {
      reply = await client.replyTo(await client.send(args.text, { fromId: person.id, conversation }), 30_000);
    } finally {
      release();
    }
    const jobId = /Working on it/.test(cardText(reply)) ? /\bJob\s+([a-z0-9._-]+)/.exec(cardText(reply))?.[1] : undefined;
    if (jobId) await waitForJob(hostUrl, jobId, 180_000, deps);
    await quiet(client, reply.id, 800);
    const final = client.get(reply.id) ?? reply;
    if (args.json) deps.out(`${JSON.stringify([final], null, 2)}\n`);
    else deps.out(`${render(final)}\n`);
  } finally {
    client.close();
    await own?.close();
  }
}

/** How long a lock may be held: sending and the bot's acknowledgement take well under a second. */
const LOCK_STALE_MS = 60_000;

/** Waits for the chat lock (a file naming its holder's pid); a lock whose holder died or that is stale is taken over. */
async function acquireLock(path: string, timeoutMs = 2 * LOCK_STALE_MS): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsAbandoned(path)) rmSync(path, { force: true });
    else if (Date.now() > deadline) throw new Error(`Another \`npm run chat\` has been sending for over ${timeoutMs / 1000} s (${path}); try again.`);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lockIsAbandoned(path: string): boolean {
  try {
    if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) return true;
    process.kill(Number(readFileSync(path, 'utf8')), 0);
    return false;
  } catch (error) {
    // ESRCH: its holder is gone. ENOENT: released meanwhile (taking it over is then harmless). EPERM: alive.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Waits for the job to end; while it runs longer than a moment, says what it is doing (on stderr). */
async function waitForJob(hostUrl: string, jobId: string, timeoutMs: number, deps: ChatDeps): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let shown = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${hostUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(jobId)}`);
    if (response.ok) {
      const status = (await response.json()) as { runtimeStatus?: string; customStatus?: { step?: unknown; detail?: unknown } | null };
      if (status.runtimeStatus && TERMINAL.has(status.runtimeStatus)) return;
      const step = typeof status.customStatus?.step === 'string' ? status.customStatus.step : '';
      const detail = typeof status.customStatus?.detail === 'string' ? ` (${status.customStatus.detail})` : '';
      const line = step ? `${step}${detail}` : '';
      // Quick jobs print nothing extra; a slow one (e.g. `npm start -- --azure-latency 5s`) shows its steps.
      if (line && line !== shown && Date.now() - started > PROGRESS_AFTER_MS) {
        deps.err(`  … ${line}   (job ${jobId}; \`npm run chat -- "cancel ${jobId}"\` stops it)\n`);
        shown = line;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  deps.err(`Job ${jobId} is still running after ${timeoutMs / 1000} s; showing its card as it is now.\n`);
}

/** Resolves once the message `id` has not changed for `ms` (a job's last card update may trail its end). */
async function quiet(client: PlaygroundClient, id: string, ms: number): Promise<void> {
  while (await client.waitFor((m) => m.id === id, ms).then(() => true, () => false)) {
    // It changed: wait for another quiet spell.
  }
}

function render(message: BotMessage): string {
  const header = `--- bot${message.updates > 0 ? ` (card updated ${message.updates}×)` : ''} ---`;
  const body = [message.text ?? '', ...message.cards.map((card) => renderCard(card))].filter(Boolean).join('\n');
  return `${header}\n${body}\n`;
}

/** The command line entry point (`npm run chat` runs it through local/sandbox/run-built.mjs). */
export async function main(argv: readonly string[], _launch?: Launch): Promise<void> {
  process.exit(await runChat([...argv]));
}

if (typeof require !== 'undefined' && require.main === module) void main(process.argv.slice(2));
