import type { AdaptiveCard } from '../../cards/adaptive-card';

/** Where a card goes that is not the conversation a job started in: a team channel, or a person's chat with the bot. */
export type Destination = { readonly channelId: string } | { readonly personAadObjectId: string };

/** Answers a job's card later, from anywhere (activities, cancel), through a stored conversation reference. */
export interface CardMessenger {
  post(conversationKey: string, card: AdaptiveCard): Promise<string>;
  update(conversationKey: string, activityId: string, card: AdaptiveCard): Promise<void>;
  /**
   * Posts into another conversation of the same tenant and Teams service, reached through one the bot already knows
   * (`via`); resolves to that conversation's key and the new card's id, for later updates.
   */
  postTo(via: string, to: Destination, card: AdaptiveCard): Promise<{ readonly conversationKey: string; readonly activityId: string }>;
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
