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
  /**
   * Offers a file to a person in their personal chat with the bot (Teams lets a bot send files there only): they see
   * the file's name, description and size and choose Allow or Decline; their answer comes back as a FileConsentAnswer
   * (core/ports/chat.ts) carrying `offer.context`. Throws PERSON_NOT_REACHABLE as postTo does.
   */
  offerFile(via: string, to: { readonly personAadObjectId: string }, offer: FileOffer): Promise<{ readonly conversationKey: string; readonly activityId: string }>;
}

/**
 * A file offered for consent. The context is echoed back by the person's client, so it is untrusted when it returns
 * and must carry no secret and no content: only what names the file (which job, which file, for whom); the bytes are
 * made again on the server when the person accepts.
 */
export interface FileOffer {
  readonly name: string;
  readonly description: string;
  readonly sizeInBytes: number;
  readonly context: FileOfferContext;
}

export interface FileOfferContext {
  readonly jobId: string;
  readonly file: string;
  /** The Entra object id of the person it was offered to: an answer from anyone else is refused. */
  readonly for: string;
}

/** The code of the error `post` throws when Teams answers 403 or 404: the bot was removed from the conversation (or it is gone). */
export const CONVERSATION_GONE = 'ConversationGone';

/** The code of the error `postTo` throws for a person the bot cannot reach personally (they never talked to it). */
export const PERSON_NOT_REACHABLE = 'PersonNotReachable';

/**
 * How the bot reaches a person privately, learnt from their own activities (their first message, or installing the
 * bot): Teams opens a personal chat with a bot only by the person's Teams user id, never by their Entra object id.
 */
export interface KnownPerson {
  /** The Teams user id (`from.id`, e.g. `29:1a2b…`), what Bot Framework's createConversation takes as a member. */
  readonly userId: string;
  /** The key of the person's personal chat with the bot, once seen or created. */
  readonly personalConversationKey?: string;
}

/**
 * Stored conversation references, so jobs can answer in the conversation that started them, and the people the bot
 * has seen, so it can reach them personally. The reference is opaque here (its shape belongs to the Teams adapter);
 * the store only keys and keeps it.
 */
export interface ConversationStore {
  /** Saves (or refreshes) the reference; resolves to a stable key for this conversation. */
  save(conversationId: string, reference: Record<string, unknown>): Promise<string>;
  get(key: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Remembers a person by Entra object id, with their personal chat when the activity came from it (a known personal
   * chat is kept when none is given); resolves to that personal chat's key. Called for every activity: writes only
   * what the store does not know yet.
   */
  savePerson(aadObjectId: string, userId: string, personalChat?: { readonly conversationId: string; readonly reference: Record<string, unknown> }): Promise<string | undefined>;
  person(aadObjectId: string): Promise<KnownPerson | undefined>;
}
