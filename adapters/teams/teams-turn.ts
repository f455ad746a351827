import { ActivityTypes } from 'botbuilder';
import type { Activity, TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import type { ActionOutcome, CardAction, ChatMessage, ConversationInfo, FileAttachment, FileConsentAnswer } from '../../core/ports/chat';
import type { ConversationStore } from '../../core/ports/messaging';
import { adaptiveCardActivity, conversationReferenceOf } from './teams-bot-adapter';
import { downloadLimited } from './download-limited';
import type { DownloadPolicy } from './download-limited';
import { FILE_CONSENT_INVOKE, fileInfoActivity, parseConsentInvoke, uploadToSession } from './file-consent';

/** The only channel whose identity the bot trusts. */
const TEAMS_CHANNEL = 'msteams';

export interface TurnOptions {
  /** Where attachments may be downloaded from (see download-limited.ts); files the bot sends go to the same hosts only. */
  readonly downloads: DownloadPolicy;
  /** Told (for the log) why an activity was not handled: another channel. */
  readonly onRefused?: (why: string) => void;
}

/** What the bot does with turns; botbuilder-free (see bot/). */
export interface TurnHandlers {
  onMessage(message: ChatMessage): Promise<void>;
  onAction(action: CardAction): Promise<ActionOutcome>;
  onInstalled(caller: ChatMessage['caller'], reply: (card: AdaptiveCard) => Promise<string>): Promise<void>;
  /**
   * The bot was added to a team (installation update, or the team's conversation update): its conversation reference
   * is stored first, so channels of the team can be posted to without a message from anyone there.
   */
  onAddedToTeam?(conversationKey: string, conversationId: string): Promise<void>;
  /** Allow or Decline on a file consent card the bot sent (see file-consent.ts); absent: the answer is ignored. */
  onFileConsent?(answer: FileConsentAnswer): Promise<void>;
}

/**
 * Turns a verified Bot Framework activity into the bot's own types. Identity comes from the activity only
 * (`from.aadObjectId`, the conversation's tenant), never from anything a card sent back.
 */
export function createTurnLogic(handlers: TurnHandlers, conversations: ConversationStore, options: TurnOptions) {
  const answer = answerLogic(handlers, conversations, options);
  return async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    // Identity is trusted only as Teams states it: other channels (Web Chat, Direct Line...) name people differently.
    if (activity.channelId !== TEAMS_CHANNEL) {
      options.onRefused?.(`activity from channel ${String(activity.channelId).slice(0, 40)}`);
      if (activity.type === ActivityTypes.Invoke) await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'This bot answers in Microsoft Teams only.' } } });
      return;
    }
    // Who sent it, so the bot can reach them personally later (approval cards): Teams opens a personal chat with a
    // bot only by the person's Teams user id, which only their own activities carry. Alongside the answer; a failure
    // to remember never fails the turn (the person is then reported unreachable when a card must go to them).
    const remembered = rememberSender(context, conversations).catch(() => undefined);
    try {
      await answer(context);
    } finally {
      await remembered;
    }
  };
}

/** The sender's Teams user id, and their personal chat's reference when the activity came from it. */
async function rememberSender(context: TurnContext, conversations: ConversationStore): Promise<void> {
  const { from, conversation } = context.activity;
  if (!from?.aadObjectId || !from.id) return;
  const personal = conversation?.conversationType === 'personal';
  await conversations.savePerson(from.aadObjectId, from.id, personal ? { conversationId: conversation.id, reference: conversationReferenceOf(context) as Record<string, unknown> } : undefined);
}

function answerLogic(handlers: TurnHandlers, conversations: ConversationStore, options: TurnOptions) {
  return async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    const reply = async (card: AdaptiveCard): Promise<string> => (await context.sendActivity(adaptiveCardActivity(card)))?.id ?? '';
    const update = async (activityId: string, card: AdaptiveCard): Promise<void> => {
      await context.updateActivity({ ...adaptiveCardActivity(card), id: activityId, conversation: activity.conversation });
    };
    const rememberConversation = async (): Promise<string> =>
      conversations.save(activity.conversation.id, conversationReferenceOf(context) as Record<string, unknown>);
    const caller = callerOf(activity);
    const conversation = conversationOf(activity);

    if (activity.type === ActivityTypes.Message) {
      await handlers.onMessage({
        text: typeof activity.text === 'string' ? activity.text : '',
        ...(activity.id ? { activityId: activity.id } : {}),
        caller,
        conversation,
        files: filesOf(activity, options),
        reply,
        update,
        rememberConversation,
      });
      return;
    }
    if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
      const action = (activity.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined)?.action;
      const outcome: ActionOutcome =
        action?.type === 'Action.Execute' && typeof action.verb === 'string'
          ? await handlers.onAction({ verb: action.verb, ...(activity.id ? { activityId: activity.id } : {}), data: action.data, caller, conversation, reply, update, rememberConversation })
          : { kind: 'message', text: 'That button is not one of mine.' };
      const body =
        outcome.kind === 'card'
          ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: outcome.card }
          : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: outcome.text };
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
      return;
    }
    if (activity.type === ActivityTypes.Invoke && activity.name === FILE_CONSENT_INVOKE) {
      const consent = parseConsentInvoke(activity.value);
      if (consent && handlers.onFileConsent) {
        const info = consent.uploadInfo;
        const consentCardId = activity.replyToId;
        await handlers.onFileConsent({
          action: consent.action,
          context: consent.context,
          caller,
          conversation,
          ...(consent.action === 'accept' && info
            ? {
                deliver: async (bytes: Uint8Array) => {
                  await uploadToSession(info.uploadUrl, bytes, options.downloads);
                  await context.sendActivity(fileInfoActivity(info));
                },
              }
            : {}),
          replaceConsentCard: async (card: AdaptiveCard) => {
            // Without the consent card's id (a client that does not say what it answers) the outcome is a new message.
            if (consentCardId) await update(consentCardId, card);
            else await reply(card);
          },
        });
      }
      // Teams expects 200 whatever the outcome (the outcome is on the card); anything else shows the person an error.
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
      return;
    }
    if (isBotInstalled(activity)) {
      await handlers.onInstalled(caller, reply);
    }
    if (isAddedToTeam(activity) && handlers.onAddedToTeam) {
      await handlers.onAddedToTeam(await rememberConversation(), activity.conversation.id);
    }
  };
}

/**
 * The activity's tenant: Teams states it twice, in the conversation and in the channel data. When both are given they
 * must agree; an activity whose two tenants differ has none (so nobody in it holds a role).
 */
function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const inConversation = typeof activity.conversation?.tenantId === 'string' && activity.conversation.tenantId !== '' ? activity.conversation.tenantId : undefined;
  const inChannelData = typeof channelData?.tenant?.id === 'string' && channelData.tenant.id !== '' ? channelData.tenant.id : undefined;
  if (inConversation && inChannelData && inConversation.trim().toLowerCase() !== inChannelData.trim().toLowerCase()) return undefined;
  return inConversation ?? inChannelData;
}

function callerOf(activity: Activity): ChatMessage['caller'] {
  const tenantId = tenantOf(activity);
  const aadObjectId = activity.from?.aadObjectId;
  return {
    ...(aadObjectId ? { aadObjectId } : {}),
    ...(tenantId ? { tenantId } : {}),
    displayName: activity.from?.name?.trim() || 'someone',
  };
}

function conversationOf(activity: Activity): ConversationInfo {
  const type = activity.conversation?.conversationType;
  const tenantId = tenantOf(activity);
  return {
    id: activity.conversation.id,
    type: type === 'channel' || type === 'groupChat' ? type : 'personal',
    ...(tenantId && activity.conversation?.tenantId ? { tenantId } : {}),
  };
}

const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';

/**
 * Files the user attached. Teams also attaches the message itself as text/html, and cards as attachments: those
 * are not files. Personal-chat files arrive as a pre-authorised download URL; plain attachments as contentUrl.
 */
function filesOf(activity: Activity, options: TurnOptions): FileAttachment[] {
  const files: FileAttachment[] = [];
  for (const attachment of activity.attachments ?? []) {
    const name = attachment.name ?? 'attachment';
    if (attachment.contentType === TEAMS_FILE) {
      const content = attachment.content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
      if (typeof content?.downloadUrl !== 'string') continue;
      const url = content.downloadUrl;
      files.push({ name, contentType: typeof content.fileType === 'string' ? content.fileType : 'application/octet-stream', download: (max) => downloadLimited(url, max, options.downloads) });
      continue;
    }
    if (attachment.contentType === 'text/html' || attachment.contentType.startsWith('application/vnd.microsoft.card')) continue;
    if (typeof attachment.contentUrl === 'string') {
      const url = attachment.contentUrl;
      files.push({ name, contentType: attachment.contentType, download: (max) => downloadLimited(url, max, options.downloads) });
    } else if (typeof attachment.content === 'string') {
      const bytes = new TextEncoder().encode(attachment.content);
      files.push({ name, contentType: attachment.contentType, size: bytes.length, download: async () => bytes });
    }
  }
  return files;
}

/**
 * Teams sends both installationUpdate and conversationUpdate when someone adds the bot to a personal chat; the
 * welcome answers only the latter, so it is said once.
 */
function isBotInstalled(activity: Activity): boolean {
  if (activity.type === ActivityTypes.ConversationUpdate) {
    return (activity.membersAdded ?? []).some((member) => member.id === activity.recipient?.id) && activity.conversation?.conversationType === 'personal';
  }
  return false;
}

/** The bot added to a team: Teams sends installationUpdate (action `add`) and a conversationUpdate naming the bot. */
function isAddedToTeam(activity: Activity): boolean {
  const channelData = activity.channelData as { team?: { id?: unknown } } | undefined;
  const inTeam = activity.conversation?.conversationType === 'channel' || typeof channelData?.team?.id === 'string';
  if (!inTeam) return false;
  if (activity.type === ActivityTypes.InstallationUpdate) return activity.action === undefined || /^add/i.test(String(activity.action));
  if (activity.type === ActivityTypes.ConversationUpdate) return (activity.membersAdded ?? []).some((member) => member.id === activity.recipient?.id);
  return false;
}
