import type { Caller } from '../core/auth/access-policy';
import type { AdaptiveCard } from '../cards/adaptive-card';
import type { JobEnvelope } from '../orchestrations/job-envelope';
export type { ConversationStore } from './conversation-store';

/**
 * The bot's view of Teams, independent of botbuilder (which is archived upstream): `adapters/teams/` turns a
 * verified Bot Framework activity into these, so moving to the Agents SDK touches one folder.
 */
export interface ConversationInfo {
  readonly id: string;
  readonly type: 'personal' | 'groupChat' | 'channel';
  readonly tenantId?: string;
}

export interface FileAttachment {
  readonly name: string;
  readonly contentType: string;
  /** Declared size if the channel tells it. */
  readonly size?: number;
  /** Fetches the content, refusing anything over `maxBytes`. */
  download(maxBytes: number): Promise<Uint8Array>;
}

export interface ChatMessage {
  readonly text: string;
  /** Identity from the verified activity only. */
  readonly caller: Caller & { readonly displayName: string };
  readonly conversation: ConversationInfo;
  readonly files: readonly FileAttachment[];
  /** Sends a card into this conversation; resolves to the new activity id. */
  reply(card: AdaptiveCard): Promise<string>;
  /** Replaces a card the bot sent earlier in this conversation. */
  update(activityId: string, card: AdaptiveCard): Promise<void>;
  /** Stores this conversation's reference so jobs can answer later; resolves to its key. */
  rememberConversation(): Promise<string>;
}

/** An Action.Execute press on one of the bot's cards. */
export interface CardAction {
  readonly verb: string;
  /** Whatever the card carried back: untrusted, validated per verb. */
  readonly data: unknown;
  readonly caller: Caller & { readonly displayName: string };
  readonly conversation: ConversationInfo;
  /** Sends a new card into the conversation (the pressed card is answered by the return value). */
  reply(card: AdaptiveCard): Promise<string>;
  update(activityId: string, card: AdaptiveCard): Promise<void>;
  rememberConversation(): Promise<string>;
}

/** What an Action.Execute returns: a card that replaces the pressed one, or a short message with the card unchanged. */
export type ActionOutcome = { readonly kind: 'card'; readonly card: AdaptiveCard } | { readonly kind: 'message'; readonly text: string };

export type JobRuntimeStatus = 'Running' | 'Pending' | 'Completed' | 'Failed' | 'Terminated' | 'Suspended' | 'ContinuedAsNew' | 'Canceled' | 'Unknown';

export interface JobRecord {
  readonly jobId: string;
  readonly orchestration: string;
  readonly status: JobRuntimeStatus;
  readonly createdAt: Date;
  readonly lastUpdatedAt: Date;
  readonly envelope?: JobEnvelope<unknown>;
  readonly customStatus?: unknown;
  /** The orchestration's result once completed (e.g. the fleet status a card pages through). */
  readonly output?: unknown;
}

/** Durable jobs as the bot uses them (wraps the Durable client). */
export interface JobService {
  /** Starts the orchestration; `conflict` when a job with this id is still running. */
  start(orchestration: string, envelope: JobEnvelope<unknown>): Promise<'started' | 'conflict'>;
  get(jobId: string): Promise<JobRecord | undefined>;
  cancel(jobId: string, reason: string): Promise<void>;
}

/**
 * Which jobs each person started, so `jobs` reads only the caller's few instead of every instance in the task hub.
 * Status still comes from the Durable client; the index only knows ids.
 */
export interface JobIndex {
  add(entry: { readonly jobId: string; readonly requesterId: string; readonly createdAt: Date }): Promise<void>;
  /** Job ids the person started since `since`, newest first, at most `limit`. */
  recentFor(requesterId: string, since: Date, limit: number): Promise<string[]>;
}

/** Answers a job's card later, from anywhere (activities, cancel), through a stored conversation reference. */
export interface CardMessenger {
  post(conversationKey: string, card: AdaptiveCard): Promise<string>;
  update(conversationKey: string, activityId: string, card: AdaptiveCard): Promise<void>;
}

export interface AuditRecord {
  readonly action: string;
  readonly actor: { readonly aadObjectId?: string; readonly name: string };
  readonly target: string;
  readonly outcome: 'started' | 'succeeded' | 'failed' | 'denied' | 'cancelled' | 'rejected' | 'approved' | 'timed-out';
  readonly jobId?: string;
  /** Short safe text; never secrets or raw errors. */
  readonly detail?: string;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
}

export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}
