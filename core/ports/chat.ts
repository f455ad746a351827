import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { Caller } from '../auth/access-policy';

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
  /** The Teams activity's id: the same message delivered twice has the same id (jobs derive their id from it). */
  readonly activityId?: string;
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
  /** The invoke activity's id (a redelivered press has the same one). */
  readonly activityId?: string;
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

/**
 * A person's answer on a file consent card the bot sent them (Teams: the `fileConsent/invoke` invoke): Allow or
 * Decline. The context is what the card carried, as the client sent it back: untrusted, validated by the handler.
 */
export interface FileConsentAnswer {
  readonly action: 'accept' | 'decline';
  readonly context: unknown;
  readonly caller: Caller & { readonly displayName: string };
  readonly conversation: ConversationInfo;
  /**
   * Accept only: puts the bytes where Teams said (the person's OneDrive upload session), bounded in size and time, then
   * posts the file's card in the chat. Throws a UserError (`FileUploadFailed`, `FileTooLarge`) saying what went wrong.
   */
  deliver?(bytes: Uint8Array): Promise<void>;
  /** Replaces the consent card with this card (the outcome: sent, declined, or why not). */
  replaceConsentCard(card: AdaptiveCard): Promise<void>;
}
