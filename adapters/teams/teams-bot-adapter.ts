import {
  ActivityTypes,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TurnContext,
} from 'botbuilder';
import type { Activity, ConversationReference } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { ConnectorClient } from 'botframework-connector';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { BotConfig } from '../../core/config/app-config';

/** The HTTP request as the function received it: only what Bot Framework needs. */
export interface BotHttpRequest {
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface BotHttpResponse {
  readonly status: number;
  readonly body?: unknown;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * botbuilder's CloudAdapter, configured once from validated settings. `process()` of the base class writes raw
 * exception text into the HTTP response; this adapter answers 401 for any authentication failure and a bare 500
 * otherwise, and leaves logging to the caller.
 */
export class TeamsBotAdapter extends CloudAdapter {
  readonly botAppId: string;

  constructor(config: BotConfig) {
    const settings =
      config.authentication === 'enabled'
        ? {
            MicrosoftAppId: config.appId,
            MicrosoftAppType: config.appType,
            MicrosoftAppTenantId: config.tenantId,
            ...(config.appPassword ? { MicrosoftAppPassword: config.appPassword } : {}),
          }
        : {};
    super(new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings)));
    this.botAppId = config.authentication === 'enabled' ? config.appId : '';
  }

  /** Authenticates and runs one activity; resolves to the HTTP answer (invoke responses included). */
  async handle(request: BotHttpRequest, logic: TurnLogic, onError: (error: unknown) => void): Promise<BotHttpResponse> {
    const activity = request.body;
    if (typeof activity !== 'object' || activity === null || typeof (activity as { type?: unknown }).type !== 'string') {
      return { status: 400, body: { error: 'The request body must be a Bot Framework activity (JSON object with a type).' } };
    }
    try {
      const invokeResponse = await this.processActivity(request.authorization ?? '', activity as Activity, logic);
      return { status: invokeResponse?.status ?? 200, ...(invokeResponse?.body !== undefined ? { body: invokeResponse.body } : {}) };
    } catch (error) {
      if (isAuthenticationFailure(error)) return { status: 401 };
      onError(error);
      return { status: 500 };
    }
  }

  /**
   * Opens the bot's personal chat with a person of the tenant (Teams creates it, or returns the existing one) and runs
   * `logic` in it. `userId` is the person's Teams user id (`29:…`, the `from.id` of their activities): Bot Framework's
   * createConversation takes that as the member. `via` is any conversation of that tenant the bot knows: it gives the
   * service URL and the bot.
   */
  async inPersonalChat(via: Partial<ConversationReference>, userId: string, logic: TurnLogic): Promise<void> {
    const tenantId = via.conversation?.tenantId;
    await this.createConversationAsync(
      this.botAppId,
      via.channelId ?? 'msteams',
      via.serviceUrl ?? '',
      'https://api.botframework.com',
      { isGroup: false, bot: via.bot ?? { id: this.botAppId, name: 'bot' }, members: [{ id: userId, name: '' }], ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}) } as never,
      logic,
    );
  }

  /**
   * Posts `activity` as a new message (not a reply) in the reference's conversation: a new post in a channel, the
   * next message in a chat. Resolves to the new activity's id. (TurnContext.sendActivity in a proactive turn would
   * send it as a reply to the turn's synthetic continuation activity, which a channel does not have.)
   */
  async postNew(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string> {
    let id = '';
    await this.continueConversationAsync(this.botAppId, reference, async (context) => {
      const connector = context.turnState.get(this.ConnectorClientKey) as ConnectorClient;
      const outgoing = { ...activity, channelId: reference.channelId, serviceUrl: reference.serviceUrl, conversation: reference.conversation, from: reference.bot, recipient: reference.user } as Activity;
      id = (await connector.conversations.sendToConversation(reference.conversation!.id, outgoing)).id ?? '';
    });
    return id;
  }

  /** Runs `logic` in a conversation the bot was in before (proactive messages and card updates). */
  async inConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    await this.continueConversationAsync(this.botAppId, reference, logic);
  }
}

/** Every failure to authenticate the caller is a 401, whatever status botbuilder attached to it. */
function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof AuthenticationError;
}

export function adaptiveCardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(card)] };
}

export function conversationReferenceOf(context: TurnContext): Partial<ConversationReference> {
  return TurnContext.getConversationReference(context.activity);
}
