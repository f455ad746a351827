import { subscribedCard, subscriptionsCard, unsubscribedCard } from '../../cards/subscriptions-card';
import { errorCard } from '../../cards/error-card';
import { DEFAULT_EXPIRY_SCHEDULE } from '../../core/config/expiry-config';
import type { ExpirySubscription } from '../../core/ports/subscriptions';
import type { CommandHandler } from '../command-handler';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function unavailable() {
  return errorCard({ title: 'Subscriptions are not available', problem: 'This deployment has no subscription store.', code: 'SubscriptionsUnavailable' });
}

/** `subscribe expiry [--days N] [--at HH:MM]`: this channel (or group chat) gets the daily report. */
export const subscribeCommand: CommandHandler<'subscribe'> = {
  async run({ command, message, deps }) {
    const store = deps.subscriptions;
    if (!store) return unavailable();
    if (message.conversation.type === 'personal') {
      return errorCard({ title: 'Subscribe in a channel', problem: 'The expiry report is posted where the network team works: a channel (or a group chat), not a personal chat.', fix: 'Type @VPN Cert Bot subscribe expiry in the channel that should receive it.', code: 'SubscribeInChannel' });
    }
    const at = command.flags.at;
    if (at !== undefined && !TIME.test(at)) {
      return errorCard({ title: 'That time is not HH:MM', problem: `--at takes a time of day in UTC as HH:MM (00:00 to 23:59), not '${at.slice(0, 8)}'.`, fix: 'For example: subscribe expiry --at 09:30', code: 'InvalidTime' });
    }
    const conversationKey = await message.rememberConversation();
    const existing = await store.get(conversationKey);
    const subscription: ExpirySubscription = {
      conversationKey,
      conversationId: message.conversation.id,
      label: message.conversation.type === 'channel' ? 'this channel' : 'a group chat',
      days: command.flags.days ?? deps.expiryDefaultDays ?? 30,
      ...(at !== undefined ? { at } : {}),
      subscribedBy: { aadObjectId: message.caller.aadObjectId ?? '', name: message.caller.displayName },
      subscribedAt: deps.now().toISOString(),
    };
    // A channel conversation: the team's channels are reached through it later.
    if (message.conversation.type === 'channel') await store.rememberTeamConversation(conversationKey);
    await store.put(existing ? { ...subscription, label: existing.label } : subscription);
    await deps.audit
      .record({
        action: 'subscribe',
        target: 'expiry',
        outcome: 'succeeded',
        actor: { ...(message.caller.aadObjectId ? { aadObjectId: message.caller.aadObjectId } : {}), name: message.caller.displayName },
        detail: `${existing ? existing.label : subscription.label}: within ${subscription.days} days${at ? ` at ${at} UTC` : ''}`,
      })
      .catch(() => undefined);
    return subscribedCard(existing ? { ...subscription, label: existing.label } : subscription, existing !== undefined, deps.expirySchedule ?? DEFAULT_EXPIRY_SCHEDULE);
  },
};

export const unsubscribeCommand: CommandHandler<'unsubscribe'> = {
  async run({ message, deps }) {
    const store = deps.subscriptions;
    if (!store) return unavailable();
    const conversationKey = await message.rememberConversation();
    return unsubscribedCard(await store.remove(conversationKey));
  },
};

export const subscriptionsCommand: CommandHandler<'subscriptions'> = {
  async run({ message, deps, roles }) {
    const store = deps.subscriptions;
    if (!store) return unavailable();
    const conversationKey = await message.rememberConversation();
    const here = await store.get(conversationKey);
    const all = roles.includes('operator') ? await store.list() : undefined;
    return subscriptionsCard(here, all);
  },
};
