import type { AdaptiveCard } from '../../cards/adaptive-card';

/** Answers a job's card later, from anywhere (activities, cancel), through a stored conversation reference. */
export interface CardMessenger {
  post(conversationKey: string, card: AdaptiveCard): Promise<string>;
  update(conversationKey: string, activityId: string, card: AdaptiveCard): Promise<void>;
}

/**
 * Stored conversation references, so jobs can answer in the conversation that started them. The reference is
 * opaque here (its shape belongs to the Teams adapter); the store only keys and keeps it.
 */
export interface ConversationStore {
  /** Saves (or refreshes) the reference; resolves to a stable key for this conversation. */
  save(conversationId: string, reference: Record<string, unknown>): Promise<string>;
  get(key: string): Promise<Record<string, unknown> | undefined>;
}
