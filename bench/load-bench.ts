import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveryKey } from '../core/jobs/delivery-key';
import { sandboxNames } from '../local/estate/sandbox-estate';
import type { BotMessage } from '../local/playground-client/playground-client';
import { cardActions, cardText, PlaygroundClient } from '../local/playground-client/playground-client';
import { startSandbox } from '../local/sandbox/sandbox';
import { SANDBOX_APPROVALS_CHANNEL_ID, SANDBOX_BOT, SANDBOX_CONVERSATIONS, SANDBOX_TENANT_ID, SANDBOX_USERS, sandboxAccessSettings } from '../local/sandbox/sandbox-identities';
import type { LatencySummary } from './bench-stats';
import { summarizeLatencies } from './bench-stats';
import type { PeakRss } from './peak-rss-meter';
import { startPeakRssMeter } from './peak-rss-meter';

export interface LoadBenchOptions {
  /** Simulated people acting at once (the sandbox's six among them). */
  readonly people: number;
  readonly durationMs: number;
  /** Added to every Azure answer (ARM read throttling is on too). */
  readonly latencyMs: number;
  /** Seed of everyone's choices, so two runs ask the same things. */
  readonly seed: number;
  /** Share of messages Teams delivers twice (as it does when an answer is slow). */
  readonly redeliveryRate: number;
}

export interface LoadBenchResult {
  readonly people: number;
  readonly durationMs: number;
  readonly latencyMs: number;
  readonly startupMs: number;
  readonly messages: { readonly sent: number; readonly answered: number; readonly redelivered: number; readonly byCommand: Readonly<Record<string, number>> };
  readonly presses: { readonly sent: number; readonly answered: number; readonly throughPlaygroundApi: number; readonly byVerb: Readonly<Record<string, number>> };
  /** Message to the bot's HTTP answer: the acknowledgement (or whole answer) has reached the Playground's connector by then. */
  readonly ack: LatencySummary;
  /** Message to its acknowledgement card arriving on the Playground's WebSocket, as Teams clients see it (job commands). */
  readonly ackSeen: LatencySummary;
  /** Button press to the bot's invoke answer. */
  readonly press: LatencySummary;
  /** Nothing may be lost: messages or presses without an answer, jobs that never ended or whose card never changed. */
  readonly lost: { readonly messages: number; readonly presses: number; readonly jobsNotEnded: number; readonly cardsNotUpdated: number; readonly examples: readonly string[] };
  /** Jobs the messages started, by how they ended; `startedTwice`: instances that ran more than one execution, and redelivered messages that started anything. */
  readonly jobs: { readonly started: number; readonly byStatus: Readonly<Record<string, number>>; readonly startedTwice: number; readonly drainMs: number };
  readonly memory: {
    readonly peak: PeakRss;
    /** This process (app, host, simulator) every 5 s: RSS and heap used. */
    readonly samples: readonly { readonly atSeconds: number; readonly rssMb: number; readonly heapUsedMb: number }[];
    /** Heap used at the end less at the middle of the run (after a full GC when exposed): near zero when bounded. */
    readonly heapGrowthSecondHalfMb: number;
  };
  readonly azureCalls: number;
  readonly throttled429: number;
}

type Role = 'reader' | 'operator' | 'approver';
interface Person {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly role: Role;
  /** One of the Playground's own users: presses go through its invoke API. */
  readonly playgroundUser: boolean;
}

/** xorshift32: the same choices every run for a seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

function crowd(size: number): Person[] {
  const roleOf = (u: (typeof SANDBOX_USERS)[number]): Role => (u.roles.includes('approver') ? 'approver' : u.roles.includes('operator') ? 'operator' : 'reader');
  // Adele (no role) is left out of the crowd: everyone here may do something; refusals are tested elsewhere.
  const sandbox: Person[] = SANDBOX_USERS.filter((u) => u.roles.length > 0).map((u) => ({ id: u.id, name: u.name, aadObjectId: u.aadObjectId, role: roleOf(u), playgroundUser: true }));
  const extra: Person[] = Array.from({ length: Math.max(0, size - sandbox.length) }, (_, i) => ({
    id: `load-person-${i}`,
    name: `Load Person ${i}`,
    aadObjectId: `5a7c0de0-0000-4000-8000-0000000c${String(i).padStart(4, "0")}`,
    role: i % 10 === 0 ? 'approver' : i % 3 === 0 ? 'operator' : 'reader',
    playgroundUser: false,
  }));
  return [...sandbox, ...extra].slice(0, size);
}

const SITES = Object.keys(sandboxNames.sites);

/**
 * `people` simulated people, each acting every 0.3 to 2.3 s for `durationMs`: commands (help, whoami, status of the
 * fleet and of sites, diagnose, jobs, audit, approvals, enable-diagnostics) and button presses on the cards they see
 * (rows of fleet cards, Refresh, Older, approvals). Through the local host with the real app and simulated Azure, and
 * the Agents Playground as Teams: every answer and card update goes through its connector and reaches a client on its
 * WebSocket. The Playground's message API speaks as its current user only and its invoke API as its six users, so
 * the crowd's messages are posted as Teams posts them (to the bot, with the Playground as the service), and presses
 * go through the Playground's invoke API for its six users and as Teams posts them for everyone else.
 */
export async function runLoadBench(options: LoadBenchOptions): Promise<LoadBenchResult> {
  const startedAt = performance.now();
  const people = crowd(options.people);
  const ids = (role: Role) => people.filter((p) => p.role === role || (role === 'reader' && p.role !== 'reader')).map((p) => p.aadObjectId);
  const stateDir = await mkdtemp(join(tmpdir(), 'vpn-load-'));
  const base = sandboxAccessSettings();
  const sandbox = await startSandbox({
    log: 'quiet',
    stateDir,
    simulator: { estate: 'sandbox', latencyMs: options.latencyMs, throttling: true },
    settings: {
      ACCESS_READERS: [base.ACCESS_READERS, ...ids('reader')].join(','),
      ACCESS_OPERATORS: [base.ACCESS_OPERATORS, ...people.filter((p) => p.role === 'operator').map((p) => p.aadObjectId)].join(','),
      ACCESS_APPROVERS: [base.ACCESS_APPROVERS, ...people.filter((p) => p.role === 'approver').map((p) => p.aadObjectId)].join(','),
    },
  });
  const client = new PlaygroundClient(sandbox.playground!.url, sandbox.messagesUrl);
  try {
    await client.connect();
    const config = await client.config();
    const serviceUrl = `${sandbox.playground!.url.replace('127.0.0.1', 'localhost')}/_connector`;
    const mention = `<at>${config.bot.name}</at>`;
    const conversations = { group: SANDBOX_CONVERSATIONS.group, channel: SANDBOX_APPROVALS_CHANNEL_ID } as const;
    const conversationOf = (kind: keyof typeof conversations) => ({
      id: conversations[kind],
      conversationType: kind === 'channel' ? 'channel' : 'groupChat',
      isGroup: true,
      tenantId: SANDBOX_TENANT_ID,
    });
    const channelData = (kind: keyof typeof conversations) => ({ tenant: { id: SANDBOX_TENANT_ID }, ...(kind === 'channel' ? { teamsChannelId: conversations.channel, teamsTeamId: SANDBOX_CONVERSATIONS.team, team: { id: SANDBOX_CONVERSATIONS.team }, channel: { id: conversations.channel } } : {}) });

    // What the Teams client sees: every card as it arrives, and when.
    const seen: { message: BotMessage; at: number; action: string }[] = [];
    const latest = new Map<string, BotMessage>();
    client.onEvent((event) => {
      seen.push({ message: event.message, at: performance.now(), action: event.action });
      latest.set(event.message.id, event.message);
    });

    // Warm the app's message path once (not measured).
    await post({ type: 'message', id: 'load-warmup', text: `${mention} help`, textFormat: 'plain' }, people[0]!, 'group');

    const { host, simulator } = sandbox;
    const instancesBefore = new Set(host.durable.list().map((i) => i.instanceId));
    const executions = new Map<string, Set<string>>();
    const watchExecutions = () => {
      for (const i of host.durable.list()) if (!instancesBefore.has(i.instanceId)) executions.set(i.instanceId, (executions.get(i.instanceId) ?? new Set()).add(i.executionId));
    };
    const watcher = setInterval(watchExecutions, 250);
    simulator.stats.reset();

    const ackHttp: number[] = [];
    const ackSeenMs: number[] = [];
    const pressMs: number[] = [];
    const byCommand: Record<string, number> = {};
    const byVerb: Record<string, number> = {};
    const lostExamples: string[] = [];
    let messagesSent = 0;
    let messagesAnswered = 0;
    let redelivered = 0;
    let pressesSent = 0;
    let pressesAnswered = 0;
    let pressesThroughPlayground = 0;
    /** Job-starting messages: their delivery key (in the job id) and when they were posted. */
    const jobMessages: { key: string; postedAt: number; text: string }[] = [];

    async function post(activity: Record<string, unknown>, person: Person, kind: keyof typeof conversations): Promise<{ status: number; body: unknown; ms: number }> {
      const full = {
        ...activity,
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl,
        from: { id: person.id, name: person.name, aadObjectId: person.aadObjectId },
        recipient: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name },
        conversation: conversationOf(kind),
        ...(activity.type === 'message' ? { entities: [{ type: 'mention', mentioned: { id: config.bot.id, name: config.bot.name }, text: mention }] } : {}),
        channelData: channelData(kind),
      };
      const at = performance.now();
      const response = await fetch(sandbox.messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(full), signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, ms: performance.now() - at };
    }

    async function say(person: Person, text: string, kind: keyof typeof conversations, n: number): Promise<void> {
      const id = `load-${person.id}-${n}`;
      const command = text.split(' ')[0]!;
      byCommand[command] = (byCommand[command] ?? 0) + 1;
      messagesSent++;
      const jobCommand = /^(status|diagnose|enable-diagnostics)\b/.test(text);
      const postedAt = performance.now();
      if (jobCommand) jobMessages.push({ key: deliveryKey(conversations[kind], id), postedAt, text });
      const activity = { type: 'message', id, text: `${mention} ${text}`, textFormat: 'plain' };
      const answer = await post(activity, person, kind).catch((error: unknown) => ({ status: 0, body: String(error), ms: 0 }));
      if (answer.status === 200) {
        messagesAnswered++;
        ackHttp.push(answer.ms);
      } else if (lostExamples.length < 5) lostExamples.push(`message "${text}" answered ${answer.status}`);
      // Teams delivers some messages twice; the second delivery must start nothing and say nothing.
      if (rand() < options.redeliveryRate) {
        redelivered++;
        await post(activity, person, kind).catch(() => undefined);
      }
    }

    async function press(person: Person, message: BotMessage, verb: string, data: unknown): Promise<void> {
      pressesSent++;
      byVerb[verb] = (byVerb[verb] ?? 0) + 1;
      const at = performance.now();
      let status: number;
      if (person.playgroundUser) {
        pressesThroughPlayground++;
        status = (await client.invoke({ verb, data, replyToId: message.id, conversationId: message.postConversationId ?? message.conversationId, fromId: person.id }).catch(() => ({ status: 0 }))).status;
      } else {
        const kind = message.conversationId === conversations.channel ? 'channel' : 'group';
        const answer = await post({ type: 'invoke', name: 'adaptiveCard/action', id: `load-press-${pressesSent}`, replyToId: message.id, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } }, person, kind).catch(() => ({ status: 0, ms: 0 }));
        status = answer.status;
      }
      if (status === 200) {
        pressesAnswered++;
        pressMs.push(performance.now() - at);
      } else if (lostExamples.length < 5) lostExamples.push(`press ${verb} answered ${status}`);
    }

    /** A person's own view of an approval card (approvalView), as their client refreshes it; undefined when refused. */
    async function viewOf(person: Person, message: BotMessage, data: unknown): Promise<Record<string, unknown> | undefined> {
      const body = person.playgroundUser
        ? (await client.invoke({ verb: 'approvalView', data, replyToId: message.id, conversationId: message.postConversationId ?? message.conversationId, fromId: person.id }).catch(() => undefined))?.body
        : ((await post({ type: 'invoke', name: 'adaptiveCard/action', id: `load-view-${pressesSent}-${person.id}`, replyToId: message.id, value: { action: { type: 'Action.Execute', verb: 'approvalView', data }, trigger: 'automatic' } }, person, 'channel').catch(() => undefined))?.body as { value?: unknown } | undefined);
      return typeof body?.value === 'object' && body.value !== null ? (body.value as Record<string, unknown>) : undefined;
    }

    const rand = random(options.seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const site = () => pick(SITES);
    const buttons = (kind: keyof typeof conversations) =>
      [...latest.values()]
        .filter((m) => m.conversationId === conversations[kind])
        .slice(-30)
        .flatMap((m) => cardActions(m).filter((a) => a.verb === 'runCommand' || a.verb === 'auditPage').map((a) => ({ message: m, verb: a.verb, data: a.data })));

    const endAt = performance.now() + options.durationMs;
    const runStarted = performance.now();
    const samples: LoadBenchResult['memory']['samples'] = [];
    const sampleMemory = () => {
      const usage = process.memoryUsage();
      (samples as { atSeconds: number; rssMb: number; heapUsedMb: number }[]).push({ atSeconds: Math.round((performance.now() - runStarted) / 1000), rssMb: Math.round(usage.rss / 1_048_576), heapUsedMb: Math.round(usage.heapUsed / 1_048_576) });
    };
    const gc = (globalThis as { gc?: () => void }).gc;
    let heapAtMiddle = 0;
    const middle = setTimeout(() => {
      gc?.();
      heapAtMiddle = process.memoryUsage().heapUsed;
    }, options.durationMs / 2);
    sampleMemory();
    const sampler = setInterval(sampleMemory, 5_000);
    const meter = startPeakRssMeter();

    await Promise.all(
      people.map(async (person, index) => {
        let n = 0;
        // People do not all start in the same millisecond.
        await sleep(index * 20);
        while (performance.now() < endAt) {
          await sleep(300 + rand() * 2_000);
          if (performance.now() >= endAt) break;
          const roll = rand();
          n++;
          if (person.role === 'approver' && roll < 0.3) {
            // An approver looks at what waits in the approvals channel and decides the oldest pending change.
            const pending = [...latest.values()].filter((m) => m.conversationId === conversations.channel && /Waiting for approval/.test(cardText(m)) && m.cards[0]?.refresh);
            const card = pending[0];
            if (card) {
              // Their own view of the card (its refresh, as their Teams client asks for it) carries Approve.
              const view = (card.cards[0]!.refresh as { action: { data: unknown } }).action.data;
              const own = await viewOf(person, card, view);
              const approve = own && cardActions({ id: '', conversationId: '', cards: [own], updates: 0, receivedAt: 0 }).find((a) => a.title === 'Approve');
              if (approve) {
                await press(person, card, approve.verb, approve.data);
                continue;
              }
            }
            await say(person, 'approvals', 'channel', n);
            continue;
          }
          if (roll < 0.25) {
            const available = buttons(rand() < 0.8 ? 'group' : 'channel');
            if (available.length > 0) {
              const button = pick(available);
              await press(person, button.message, button.verb, button.data);
              continue;
            }
          }
          const commands = [
            'help',
            'whoami',
            'status',
            `status ${site()}`,
            `status ${site().replace(/^site-/, '')}`,
            `diagnose ${site()}`,
            'jobs',
            `audit ${site()}`,
            ...(person.role === 'operator' && rand() < 0.15 ? ['enable-diagnostics site-lisbon'] : []),
          ];
          await say(person, pick(commands), rand() < 0.85 ? 'group' : 'channel', n);
        }
      }),
    );
    clearInterval(sampler);
    clearTimeout(middle);
    sampleMemory();
    gc?.();
    const heapAtEnd = process.memoryUsage().heapUsed;
    const peak = meter.stop();

    // Drain: every job the crowd started runs to its end (Azure's throttling may make the last ones wait).
    const drainStarted = performance.now();
    const crowdJobs = () => host.durable.list().filter((i) => !instancesBefore.has(i.instanceId) && jobMessages.some((m) => i.instanceId.endsWith(`-${m.key}`)));
    while (crowdJobs().some((j) => j.runtimeStatus === 'Running' || j.runtimeStatus === 'Pending') && performance.now() - drainStarted < 120_000) await sleep(250);
    const drainMs = performance.now() - drainStarted;
    await sleep(500);
    clearInterval(watcher);
    watchExecutions();

    const jobs = crowdJobs();
    const byStatus: Record<string, number> = {};
    for (const job of jobs) byStatus[job.runtimeStatus] = (byStatus[job.runtimeStatus] ?? 0) + 1;
    const startedTwice = [...executions.values()].filter((set) => set.size > 1).length;
    const jobsNotEnded = jobs.filter((j) => j.runtimeStatus === 'Running' || j.runtimeStatus === 'Pending').length;
    // Each job's acknowledgement card: seen on the WebSocket, and updated since (the job's result replaced it).
    let cardsNotUpdated = 0;
    for (const message of jobMessages) {
      const ack = seen.find((s) => s.action === 'createMessage' && cardText(s.message).includes(`-${message.key}`));
      if (!ack) {
        cardsNotUpdated++;
        if (lostExamples.length < 5) lostExamples.push(`no acknowledgement card seen for "${message.text}"`);
        continue;
      }
      ackSeenMs.push(ack.at - message.postedAt);
      const job = jobs.find((j) => j.instanceId.endsWith(`-${message.key}`));
      const changes = job?.name === 'changeRequestJob';
      if (!changes && (latest.get(ack.message.id)?.updates ?? 0) === 0) {
        cardsNotUpdated++;
        if (lostExamples.length < 5) lostExamples.push(`the card of "${message.text}" was never updated`);
      }
    }
    const stats = simulator.stats.snapshot();
    return {
      people: people.length,
      durationMs: options.durationMs,
      latencyMs: options.latencyMs,
      startupMs: runStarted - startedAt,
      messages: { sent: messagesSent, answered: messagesAnswered, redelivered, byCommand },
      presses: { sent: pressesSent, answered: pressesAnswered, throughPlaygroundApi: pressesThroughPlayground, byVerb },
      ack: summarizeLatencies(ackHttp),
      ackSeen: summarizeLatencies(ackSeenMs.length > 0 ? ackSeenMs : [Number.NaN]),
      press: summarizeLatencies(pressMs.length > 0 ? pressMs : [Number.NaN]),
      lost: { messages: messagesSent - messagesAnswered, presses: pressesSent - pressesAnswered, jobsNotEnded, cardsNotUpdated, examples: lostExamples },
      jobs: { started: jobs.length, byStatus, startedTwice, drainMs },
      memory: { peak, samples, heapGrowthSecondHalfMb: Math.round(((heapAtEnd - heapAtMiddle) / 1_048_576) * 10) / 10 },
      azureCalls: stats.total,
      throttled429: stats.throttled,
    };
  } finally {
    client.close();
    await sandbox.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}
