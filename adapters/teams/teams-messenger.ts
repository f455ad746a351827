import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { CardMessenger, ConversationStore } from '../../core/ports/messaging';
import { CONVERSATION_GONE, PERSON_NOT_REACHABLE } from '../../core/ports/messaging';
import { UserError } from '../../core/errors/user-error';
import type { TeamsBotAdapter } from './teams-bot-adapter';
import { adaptiveCardActivity, conversationReferenceOf } from './teams-bot-adapter';
import { fileConsentActivity } from './file-consent';

/** Teams answers these when a bot sends too fast (7 per second per thread) or is briefly unavailable. */
const RETRYABLE = new Set([412, 429, 502, 503, 504]);

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Proactive messages and in-place card updates through stored conversation references, with Teams' backoff. */
export function createTeamsMessenger(adapter: TeamsBotAdapter, conversations: ConversationStore, retry: RetryPolicy = DEFAULT_RETRY): CardMessenger {
  const referenceFor = async (key: string): Promise<Partial<ConversationReference>> => {
    const reference = await conversations.get(key);
    if (!reference) throw new UserError('ConversationUnknown', 'The conversation this job should answer in is not known any more.');
    return reference as Partial<ConversationReference>;
  };
  /** Posts into a person's personal chat with the bot, opening it when the bot has none yet. */
  const toPerson = async (base: Partial<ConversationReference>, personAadObjectId: string, activity: Partial<Activity>): Promise<{ conversationKey: string; activityId: string }> => {
    // A person: in their personal chat with the bot, known from their own messages (or installing the bot). Teams
    // opens (or returns) that chat for the person's Teams user id, never for an Entra object id.
    const person = await conversations.person(personAadObjectId);
    if (!person) {
      throw new UserError(
        PERSON_NOT_REACHABLE,
        `Approver ${personAadObjectId} has never talked to the bot, so it cannot open a personal chat with them.`,
        'Ask them to open a chat with the bot in Teams (or install it for themselves), or set APPROVALS_CHANNEL_ID to post approval requests in a channel.',
      );
    }
    const known = person.personalConversationKey ? await conversations.get(person.personalConversationKey) : undefined;
    if (person.personalConversationKey && known) {
      const reference: Partial<ConversationReference> = { ...(known as Partial<ConversationReference>) };
      delete reference.activityId;
      let activityId = '';
      await withRetry(retry, async () => {
        activityId = await adapter.postNew(reference, activity);
      });
      return { conversationKey: person.personalConversationKey, activityId };
    }
    let conversationKey = '';
    let activityId = '';
    await withRetry(retry, () =>
      adapter.inPersonalChat(base, person.userId, async (context: TurnContext) => {
        const reference = conversationReferenceOf(context);
        delete reference.activityId;
        // The chat is theirs from now on: the next card goes straight into it.
        conversationKey = (await conversations.savePerson(personAadObjectId, person.userId, { conversationId: context.activity.conversation.id, reference: reference as Record<string, unknown> })) ?? '';
        activityId = await adapter.postNew(reference, activity);
      }),
    );
    return { conversationKey, activityId };
  };
  return {
    async post(conversationKey: string, card: AdaptiveCard): Promise<string> {
      const reference = await referenceFor(conversationKey);
      let id = '';
      try {
        await withRetry(retry, async () => {
          id = await adapter.postNew(reference, adaptiveCardActivity(card));
        });
      } catch (error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        if (status === 403 || status === 404) throw new UserError(CONVERSATION_GONE, `Teams refused the post (HTTP ${status}): the bot is no longer in that conversation.`);
        throw error;
      }
      return id;
    },
    async postTo(via, to, card) {
      const base = await referenceFor(via);
      if ('channelId' in to) {
        // A new post in the channel: the channel's conversation, on the same service as the conversation we know.
        const reference: Partial<ConversationReference> = {
          channelId: base.channelId ?? 'msteams',
          serviceUrl: base.serviceUrl ?? '',
          bot: base.bot ?? { id: adapter.botAppId, name: 'bot' },
          conversation: { id: to.channelId, isGroup: true, conversationType: 'channel', ...(base.conversation?.tenantId ? { tenantId: base.conversation.tenantId } : {}) } as ConversationReference['conversation'],
        };
        const conversationKey = await conversations.save(to.channelId, reference as Record<string, unknown>);
        let activityId = '';
        await withRetry(retry, async () => {
          activityId = await adapter.postNew(reference, adaptiveCardActivity(card));
        });
        return { conversationKey, activityId };
      }
      return toPerson(base, to.personAadObjectId, adaptiveCardActivity(card));
    },
    async offerFile(via, to, offer) {
      return toPerson(await referenceFor(via), to.personAadObjectId, fileConsentActivity(offer));
    },
    async update(conversationKey: string, activityId: string, card: AdaptiveCard): Promise<void> {
      const reference = await referenceFor(conversationKey);
      await withRetry(retry, () =>
        adapter.inConversation(reference, async (context) => {
          await context.updateActivity({ ...adaptiveCardActivity(card), id: activityId, conversation: context.activity.conversation });
        }),
      );
    },
  };
}

async function withRetry(policy: RetryPolicy, work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return;
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      if (attempt >= policy.attempts || typeof status !== 'number' || !RETRYABLE.has(status)) throw error;
      const retryAfter = Number((error as { response?: { headers?: { get?(name: string): string | null } } }).response?.headers?.get?.('retry-after'));
      const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : policy.baseDelayMs * 2 ** (attempt - 1);
      await policy.sleep(Math.min(delay, 30_000));
    }
  }
}
