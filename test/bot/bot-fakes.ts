import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { BotDeps } from '../../bot/bot-deps';
import type { AuditLog, AuditRecord } from '../../core/ports/audit';
import type { CardAction, ChatMessage, ConversationInfo, FileAttachment } from '../../core/ports/chat';
import type { CardMessenger } from '../../core/ports/messaging';
import type { JobIndex, JobRecord, JobService } from '../../core/ports/jobs';
import type { Logger } from '../../core/ports/logger';
import type { AccessPolicy } from '../../core/auth/access-policy';
import type { ChangeDecision } from '../../core/change/change-state';
import type { ApprovalStore, PendingApproval } from '../../core/ports/approvals';
import type { StoredAuditRecord } from '../../core/ports/audit';
import type { Destination, FileOffer } from '../../core/ports/messaging';
import type { JobEnvelope } from '../../core/jobs/job-envelope';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = '0e0e0e0e-1111-4222-8333-444455556666';
export const NOW = new Date('2026-06-01T12:00:00.000Z');

export interface Person {
  readonly aadObjectId?: string;
  readonly tenantId?: string;
  readonly displayName: string;
}

/** The sandbox's people (README): roles come from the policy below, never from the person object. */
export const PEOPLE = {
  alex: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', tenantId: TENANT, displayName: 'Alex Wilber' },
  patti: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a005', tenantId: TENANT, displayName: 'Patti Fernandez' },
  lynne: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a006', tenantId: TENANT, displayName: 'Lynne Robbins' },
  adele: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a003', tenantId: TENANT, displayName: 'Adele Vance' },
  megan: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a002', tenantId: TENANT, displayName: 'Megan Bowen' },
  isaiah: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a004', tenantId: TENANT, displayName: 'Isaiah Langer' },
  stranger: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', tenantId: OTHER_TENANT, displayName: 'Alex from elsewhere' },
  anonymous: { displayName: 'someone' },
} as const satisfies Record<string, Person>;

/** alex and patti: operators (so also readers); megan and patti: approvers; lynne and isaiah: readers; adele: no role. */
export function accessPolicy(): AccessPolicy {
  return {
    allowedTenantIds: new Set([TENANT]),
    members: {
      reader: new Set([PEOPLE.lynne.aadObjectId, PEOPLE.isaiah.aadObjectId]),
      operator: new Set([PEOPLE.alex.aadObjectId, PEOPLE.patti.aadObjectId]),
      approver: new Set<string>([PEOPLE.megan.aadObjectId, PEOPLE.patti.aadObjectId]),
    },
  };
}

/** What happened, in order, across every fake: lets tests assert "ack card, then start, then audit". */
export type Timeline = string[];

export class FakeJobService implements JobService {
  readonly started: { orchestration: string; envelope: JobEnvelope<unknown> }[] = [];
  readonly cancelled: { jobId: string; reason: string }[] = [];
  readonly records = new Map<string, JobRecord>();
  /** What the next start answers; an Error is thrown. */
  startAnswer: 'started' | 'conflict' | Error = 'started';
  /** Ids read with `get`, in order: status reads are what `jobs` must keep bounded. */
  readonly reads: string[] = [];

  constructor(
    private readonly timeline: Timeline,
    private readonly index: FakeJobIndex,
  ) {}

  /** Events raised on jobs, in order. */
  readonly raised: { jobId: string; event: string; data: unknown }[] = [];

  async raise(jobId: string, event: string, data: unknown): Promise<void> {
    this.timeline.push(`raise ${event} ${jobId}`);
    this.raised.push({ jobId, event, data });
  }

  async start(orchestration: string, envelope: JobEnvelope<unknown>): Promise<'started' | 'conflict'> {
    this.timeline.push(`start ${orchestration}`);
    if (this.startAnswer instanceof Error) throw this.startAnswer;
    if (this.startAnswer === 'started') {
      this.started.push({ orchestration, envelope });
      this.records.set(envelope.jobId, { jobId: envelope.jobId, orchestration, status: 'Running', createdAt: new Date(envelope.requestedAt), lastUpdatedAt: new Date(envelope.requestedAt), envelope });
    }
    return this.startAnswer;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    this.reads.push(jobId);
    return this.records.get(jobId);
  }

  async cancel(jobId: string, reason: string): Promise<void> {
    this.timeline.push(`cancel ${jobId}`);
    this.cancelled.push({ jobId, reason });
    const record = this.records.get(jobId);
    if (record) this.records.set(jobId, { ...record, status: 'Terminated' });
  }

  /** A job someone started earlier, as the Durable client reports it. */
  add(record: Omit<JobRecord, 'createdAt' | 'lastUpdatedAt' | 'orchestration'> & Partial<JobRecord>): JobRecord {
    const full: JobRecord = { orchestration: 'siteStatusJob', createdAt: new Date(NOW.getTime() - 60_000), lastUpdatedAt: NOW, ...record };
    this.records.set(full.jobId, full);
    if (full.envelope) this.index.entries.push({ jobId: full.jobId, requesterId: full.envelope.requestedBy.aadObjectId.toLowerCase(), createdAt: full.createdAt });
    return full;
  }
}

/** The per-person job index, in memory. */
export class FakeJobIndex implements JobIndex {
  readonly entries: { jobId: string; requesterId: string; createdAt: Date }[] = [];
  listError?: Error;
  addError?: Error;

  constructor(private readonly timeline: Timeline) {}

  readonly deliveries = new Set<string>();

  async claimDelivery(jobId: string): Promise<boolean> {
    this.timeline.push(`claim ${jobId}`);
    if (this.deliveries.has(jobId)) return false;
    this.deliveries.add(jobId);
    return true;
  }

  async add(entry: { jobId: string; requesterId: string; createdAt: Date }): Promise<void> {
    this.timeline.push(`index ${entry.jobId}`);
    if (this.addError) throw this.addError;
    this.entries.push({ ...entry, requesterId: entry.requesterId.toLowerCase() });
  }

  async recentFor(requesterId: string, since: Date, limit: number): Promise<string[]> {
    if (this.listError) throw this.listError;
    return this.entries
      .filter((e) => e.requesterId === requesterId.toLowerCase() && e.createdAt >= since)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .map((e) => e.jobId);
  }
}

export class FakeMessenger implements CardMessenger {
  readonly posts: { conversationKey: string; card: AdaptiveCard }[] = [];
  readonly updates: { conversationKey: string; activityId: string; card: AdaptiveCard }[] = [];
  updateError?: Error;

  constructor(private readonly timeline: Timeline) {}

  async post(conversationKey: string, card: AdaptiveCard): Promise<string> {
    this.timeline.push('messenger.post');
    this.posts.push({ conversationKey, card });
    return `posted-${this.posts.length}`;
  }

  async update(conversationKey: string, activityId: string, card: AdaptiveCard): Promise<void> {
    this.timeline.push(`messenger.update ${activityId}`);
    if (this.updateError) throw this.updateError;
    this.updates.push({ conversationKey, activityId, card });
  }

  /** Cards posted elsewhere (approval cards), with where they went. */
  readonly elsewhere: { via: string; to: Destination; card: AdaptiveCard; conversationKey: string; activityId: string }[] = [];

  /** Set to make postTo fail; `postToFailures` fail the next calls for a destination once each (then they succeed). */
  postToError?: Error;
  readonly postToFailures: { to: Destination; error: Error }[] = [];

  async postTo(via: string, to: Destination, card: AdaptiveCard): Promise<{ conversationKey: string; activityId: string }> {
    this.timeline.push('messenger.postTo');
    if (this.updateError) throw this.updateError;
    if (this.postToError) throw this.postToError;
    const failing = this.postToFailures.findIndex((f) => JSON.stringify(f.to) === JSON.stringify(to));
    if (failing >= 0) throw this.postToFailures.splice(failing, 1)[0]!.error;
    const conversationKey = 'channelId' in to ? `channel:${to.channelId}` : `person:${to.personAadObjectId}`;
    const activityId = `elsewhere-${this.elsewhere.length + 1}`;
    this.elsewhere.push({ via, to, card, conversationKey, activityId });
    return { conversationKey, activityId };
  }

  /** Files offered for consent, with whom to. */
  readonly offers: { via: string; to: { personAadObjectId: string }; offer: FileOffer }[] = [];
  offerError?: Error;

  async offerFile(via: string, to: { personAadObjectId: string }, offer: FileOffer): Promise<{ conversationKey: string; activityId: string }> {
    this.timeline.push('messenger.offerFile');
    if (this.offerError) throw this.offerError;
    this.offers.push({ via, to, offer });
    return { conversationKey: `person:${to.personAadObjectId}`, activityId: `offer-${this.offers.length}` };
  }
}

/** Pending approvals and decisions in memory; the first decision per request wins, as in Table Storage. */
export class FakeApprovals implements ApprovalStore {
  readonly open_ = new Map<string, PendingApproval>();
  readonly decisions = new Map<string, ChangeDecision>();
  async open(entry: PendingApproval): Promise<void> {
    this.open_.set(entry.requestId, entry);
  }
  async close(requestId: string): Promise<void> {
    this.open_.delete(requestId);
  }
  async pending(limit: number): Promise<PendingApproval[]> {
    return [...this.open_.values()].slice(0, limit);
  }
  async decide(requestId: string, decision: ChangeDecision): Promise<{ recorded: boolean; decision: ChangeDecision }> {
    const existing = this.decisions.get(requestId);
    if (existing) return { recorded: false, decision: existing };
    this.decisions.set(requestId, decision);
    return { recorded: true, decision };
  }
}

export class FakeAudit implements AuditLog {
  readonly records: AuditRecord[] = [];
  /** Failures the next record() calls throw, in order (a Table outage). */
  readonly failures: Error[] = [];
  constructor(private readonly timeline: Timeline) {}
  async record(entry: AuditRecord): Promise<void> {
    this.timeline.push(`audit ${entry.action} ${entry.outcome}`);
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.records.push(entry);
  }
  async recent(query: { since: Date; until: Date; target?: string; limit: number }): Promise<StoredAuditRecord[]> {
    return this.records
      .map((r, i) => ({ ...r, at: new Date(NOW.getTime() - (this.records.length - i) * 60_000).toISOString() }))
      .filter((r) => query.target === undefined || r.target.toLowerCase() === query.target.toLowerCase())
      .reverse()
      .slice(0, query.limit);
  }
}

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly properties?: Record<string, unknown>;
}

export class FakeLogger implements Logger {
  readonly entries: LogEntry[] = [];
  info(message: string, properties?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, ...(properties ? { properties } : {}) });
  }
  warn(message: string, properties?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, ...(properties ? { properties } : {}) });
  }
  error(message: string, properties?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, ...(properties ? { properties } : {}) });
  }
}

export interface TestBot {
  readonly deps: BotDeps;
  readonly timeline: Timeline;
  readonly jobs: FakeJobService;
  readonly jobIndex: FakeJobIndex;
  readonly messenger: FakeMessenger;
  readonly audit: FakeAudit;
  readonly log: FakeLogger;
  readonly approvals: FakeApprovals;
}

export function testBot(): TestBot {
  const timeline: Timeline = [];
  const jobIndex = new FakeJobIndex(timeline);
  const jobs = new FakeJobService(timeline, jobIndex);
  const messenger = new FakeMessenger(timeline);
  const audit = new FakeAudit(timeline);
  const log = new FakeLogger();
  const approvals = new FakeApprovals();
  let ids = 0;
  const deps: BotDeps = {
    access: accessPolicy(),
    environmentName: 'test',
    jobs,
    jobIndex,
    approvals,
    messenger,
    audit,
    log,
    now: () => NOW,
    // Lowercase hex like the real one, so ids pass the job-id rules.
    newId: () => (0xa0000000 + ++ids).toString(16),
  };
  return { deps, timeline, jobs, jobIndex, messenger, audit, log, approvals };
}

/** The chat surface of one conversation: what the bot sent and replaced there. */
export interface Surface {
  readonly replies: AdaptiveCard[];
  readonly updates: { activityId: string; card: AdaptiveCard }[];
  readonly reply: (card: AdaptiveCard) => Promise<string>;
  readonly update: (activityId: string, card: AdaptiveCard) => Promise<void>;
  readonly rememberConversation: () => Promise<string>;
  readonly conversation: ConversationInfo;
  /** Makes the next reply fail (e.g. Teams down). */
  failReplies?: Error;
  /** Makes remembering the conversation fail (Table Storage down). */
  failRemember?: Error;
}

export const CONVERSATION_KEY = 'c0ffee0000000000000000000000000000000001';

export function surface(timeline: Timeline): Surface {
  const s: Surface = {
    replies: [],
    updates: [],
    conversation: { id: 'a:1personal-chat', type: 'personal', tenantId: TENANT },
    reply: async (card) => {
      timeline.push('reply');
      if (s.failReplies) throw s.failReplies;
      s.replies.push(card);
      return `activity-${s.replies.length}`;
    },
    update: async (activityId, card) => {
      timeline.push(`update ${activityId}`);
      s.updates.push({ activityId, card });
    },
    rememberConversation: async () => {
      timeline.push('remember');
      if (s.failRemember) throw s.failRemember;
      return CONVERSATION_KEY;
    },
  };
  return s;
}

export function chatMessage(bot: TestBot, text: string, from: Person, files: FileAttachment[] = []): ChatMessage & { surface: Surface } {
  const s = surface(bot.timeline);
  return {
    text,
    caller: { ...from },
    conversation: s.conversation,
    files,
    reply: s.reply,
    update: s.update,
    rememberConversation: s.rememberConversation,
    surface: s,
  };
}

export function cardAction(bot: TestBot, verb: string, data: unknown, from: Person): CardAction & { surface: Surface } {
  const s = surface(bot.timeline);
  return { verb, data, caller: { ...from }, conversation: s.conversation, reply: s.reply, update: s.update, rememberConversation: s.rememberConversation, surface: s };
}

/** A text file attachment whose download is observable. */
export function textFile(name: string, content: string | Uint8Array, options: { size?: number; downloadError?: unknown } = {}): FileAttachment & { downloads: number[] } {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const file = {
    name,
    contentType: 'text/plain',
    ...(options.size !== undefined ? { size: options.size } : {}),
    downloads: [] as number[],
    async download(maxBytes: number): Promise<Uint8Array> {
      file.downloads.push(maxBytes);
      if (options.downloadError !== undefined) throw options.downloadError;
      return bytes;
    },
  };
  return file;
}

/** A job envelope as the bot records it when it starts a job. */
export function envelope(over: Partial<JobEnvelope<unknown>> & { jobId: string }): JobEnvelope<unknown> {
  return {
    commandLine: 'status site-paris',
    requestedBy: { aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.displayName },
    conversationKey: CONVERSATION_KEY,
    cardActivityId: 'ack-activity-1',
    requestedAt: new Date(NOW.getTime() - 60_000).toISOString(),
    payload: { site: 'site-paris' },
    ...over,
  };
}
