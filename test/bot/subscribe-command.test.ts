import { describe, expect, it } from 'vitest';
import { handleMessage } from '../../bot/handle-message';
import { createMemorySubscriptionStore } from '../../adapters/storage/table-subscription-store';
import { visibleText } from '../cards/card-inspect';
import { chatMessage, CONVERSATION_KEY, PEOPLE, TENANT, testBot } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

function botWithStore() {
  const bot = testBot();
  const store = createMemorySubscriptionStore();
  const withStore: TestBot = { ...bot, deps: { ...bot.deps, subscriptions: store, expiryDefaultDays: 30 } };
  return { bot: withStore, store };
}

async function say(bot: TestBot, text: string, from: Person = PEOPLE.alex, where: 'channel' | 'personal' = 'channel') {
  const message = chatMessage(bot, text, from);
  const inChannel = { ...message, conversation: where === 'channel' ? { id: '19:vpn-alerts@thread.tacv2', type: 'channel' as const, tenantId: TENANT } : message.conversation };
  await handleMessage(inChannel, bot.deps);
  return visibleText(message.surface.replies.at(-1)!);
}

describe('subscribe / unsubscribe / subscriptions', () => {
  it('an operator subscribes the channel with who and when; again changes it; unsubscribe stops it', async () => {
    const { bot, store } = botWithStore();
    expect(await say(bot, 'subscribe expiry --days 7 --at 09:30')).toMatch(/^Subscribed\nThis channel receives the expiry report, certificates expiring within 7 days, daily at 09:30 UTC; subscribed by Alex Wilber on 2026-06-01 12:00 UTC/);
    expect(store.subscriptions.get(CONVERSATION_KEY)).toMatchObject({ conversationId: '19:vpn-alerts@thread.tacv2', days: 7, at: '09:30', subscribedBy: { name: 'Alex Wilber' }, subscribedAt: '2026-06-01T12:00:00.000Z' });
    expect(await store.teamConversation()).toBe(CONVERSATION_KEY);
    expect(await say(bot, 'subscribe expiry', PEOPLE.patti)).toMatch(/^Subscription changed\n.*within 30 days, daily;/);
    expect(await say(bot, 'subscriptions', PEOPLE.isaiah)).toMatch(/^Subscriptions\nHere: expiry report, certificates expiring within 30 days, daily; subscribed by Patti Fernandez/);
    expect(await say(bot, 'subscriptions', PEOPLE.isaiah)).not.toContain('Every subscribed conversation');
    expect(await say(bot, 'subscriptions')).toContain('Every subscribed conversation (1):\nthis channel: expiry report');
    expect(await say(bot, 'unsubscribe expiry')).toMatch(/^Unsubscribed/);
    expect(store.subscriptions.size).toBe(0);
    expect(await say(bot, 'unsubscribe expiry')).toMatch(/^Not subscribed/);
  });

  it('a reader is refused, and nothing is stored', async () => {
    const { bot, store } = botWithStore();
    expect(await say(bot, 'subscribe expiry', PEOPLE.isaiah)).toMatch(/operator/);
    expect(await say(bot, 'unsubscribe expiry', PEOPLE.lynne)).toMatch(/operator/);
    expect(store.subscriptions.size).toBe(0);
  });

  it('a personal chat or a bad time is refused with what to do', async () => {
    const { bot, store } = botWithStore();
    expect(await say(bot, 'subscribe expiry', PEOPLE.alex, 'personal')).toMatch(/Subscribe in a channel/);
    expect(await say(bot, 'subscribe expiry --at 25:00')).toMatch(/HH:MM/);
    expect(store.subscriptions.size).toBe(0);
  });
});
