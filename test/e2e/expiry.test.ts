import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKeyOf } from '../../adapters/storage/table-conversation-store';
import { createTableClientFactory } from '../../adapters/storage/table-client-factory';
import { createTableSubscriptionStore } from '../../adapters/storage/table-subscription-store';
import { VirtualClock } from '../../local/host';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * Expiry reports end to end through the Agents Playground: `expiry` on demand, the "VPN alerts" channel subscribed
 * by default and posted to when the host's virtual clock reaches 08:00 UTC, Rotate on paris's row (alex asks, megan
 * approves) updating the posted report in place, subscribe/unsubscribe in a channel, and a conversation that removed
 * the bot cleaned up.
 */
const clock = new VirtualClock(new Date());
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1', adele: 'user-id-2', isaiah: 'user-id-3', patti: 'user-id-4' } as const;

beforeAll(async () => {
  chat = await startChat({ hostClock: clock, simulator: { logIngestionDelayMs: 2_000 } });
});
afterAll(async () => {
  await chat?.close();
});

const store = () => createTableSubscriptionStore(createTableClientFactory({ kind: 'connection-string', connectionString: chat.sandbox.settings.STATE_TABLES_CONNECTION_STRING! }));

async function untilAdvancing(id: string, pattern: RegExp, timeoutMs = 120_000): Promise<BotMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = chat.client.get(id);
    if (current && pattern.test(cardText(current))) return current;
    if (Date.now() > deadline) throw new Error(`card ${id} never matched ${pattern}: ${current ? cardText(current) : '(none)'}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await clock.advance(20_000);
  }
}

async function press(message: BotMessage, verb: string, data: unknown, as: keyof typeof USERS) {
  const answer = await chat.client.invoke({ verb, data, replyToId: message.id, conversationId: message.postConversationId ?? message.conversationId, fromId: USERS[as] });
  expect(answer.status).toBe(200);
  return answer;
}
const asMessage = (value: unknown): BotMessage => ({ id: '', conversationId: '', cards: [value as Record<string, unknown>], updates: 0, receivedAt: 0 });

/** The next 08:00 UTC after the host's now. */
function next8(): Date {
  const now = clock.now();
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8, 0, 0));
  return at.getTime() > now.getTime() ? at : new Date(at.getTime() + 86_400_000);
}

let report: BotMessage;

describe('expiry on demand', () => {
  it('shows paris (outbound, 10 days), the vienna issuing CA (device owner), and vienna drift, worst first', async () => {
    const ack = await chat.say('expiry');
    const text = cardText(await chat.until(ack.id, /Checked/, 60_000));
    expect(text).toMatch(/site-paris\s+≤ 14 days\s+outbound certificate outbound-site-paris \(version [0-9a-f]{8}…\)\s+expires in 10 days/);
    expect(text).toMatch(/site-vienna\s+≤ 30 days\s+inbound issuing CA CN=Vienna Device Issuing CA, O=Contoso Vienna\s+expires in (19|20) days .*Device owner: /);
    expect(text).toMatch(/site-vienna\s+Drift\s+outbound certificate outbound-site-vienna .*Key Vault has a newer enabled version/);
    expect(text.indexOf('site-paris')).toBeLessThan(text.indexOf('Vienna Device Issuing CA'));
    expect(text.indexOf('Vienna Device Issuing CA')).toBeLessThan(text.indexOf('Drift'));
  });

  it('--days 7 shows only its tier', async () => {
    const ack = await chat.say('expiry --days 7');
    const text = cardText(await chat.until(ack.id, /Checked/, 60_000));
    expect(text).not.toMatch(/site-paris|Issuing CA/);
  });
});

describe('subscriptions', () => {
  it('the VPN alerts channel is subscribed from the start; a reader may list but not subscribe', async () => {
    const list = cardText(await chat.say('subscriptions', { conversation: 'channel' }));
    expect(list).toMatch(/VPN alerts:\s+expiry report, certificates expiring within 30 days, daily; subscribed by configuration/);
    const refused = cardText(await chat.say('subscribe expiry --days 7', { as: USERS.isaiah, conversation: 'channel' }));
    expect(refused).toMatch(/operator/);
    expect(refused).not.toMatch(/^Subscribed/);
  });

  it('an operator subscribes the channel and unsubscribes it again', async () => {
    expect(cardText(await chat.say('subscribe expiry --days 14', { as: USERS.patti, conversation: 'channel' }))).toMatch(/^Subscribed This channel receives the expiry report, certificates expiring within 14 days, daily; subscribed by Patti Fernandez/);
    expect(cardText(await chat.say('unsubscribe expiry', { as: USERS.patti, conversation: 'channel' }))).toMatch(/^Unsubscribed/);
  });
});

describe('the daily report', () => {
  it('at 08:00 UTC the report is posted once in VPN alerts; a conversation that removed the bot is cleaned up', async () => {
    // A subscription of a channel the bot is no longer in: Teams answers 404 there.
    const gone = 'sandbox-channel-removed';
    await store().put({ conversationKey: conversationKeyOf(gone), conversationId: gone, label: 'a removed channel', days: 30, subscribedBy: { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' }, subscribedAt: new Date().toISOString() });
    const posted = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Daily certificate expiry report/.test(cardText(m)), 90_000);
    await clock.advanceTo(new Date(next8().getTime() + 1_000));
    report = await posted;
    const text = cardText(report);
    expect(text).toMatch(/site-paris\s+≤ 14 days/);
    expect(cardActions(report).find((a) => a.title === 'Rotate')?.data).toEqual({ site: 'site-paris' });
    await clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const reports = chat.client.all().filter((m) => m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Daily certificate expiry report/.test(cardText(m)));
    expect(reports).toHaveLength(1);
    expect(await store().get(conversationKeyOf(gone))).toBeUndefined();
  });

  it('a Key Vault near-expiry event for paris, delivered by Event Grid, posts an alert in VPN alerts within seconds; a --days 7 chat does not hear of it', async () => {
    const weekly = await chat.say('subscribe expiry --days 7', { as: USERS.patti, conversation: 'group' });
    expect(cardText(weekly)).toMatch(/^Subscribed/);
    const alert = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Key Vault alert/.test(cardText(m)), 20_000);
    const started = Date.now();
    await chat.sandbox.simulator.eventGrid.publishCertificateEvent('kv-vpn-certs', 'outbound-site-paris', 'Microsoft.KeyVault.CertificateNearExpiry');
    const text = cardText(await alert);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(text).toMatch(/^Key Vault alert: outbound-site-paris expires soon/);
    expect(text).toMatch(/Key Vault kv-vpn-certs says the outbound certificate of site-paris expires soon/);
    expect(text).toMatch(/site-paris\s+≤ 14 days/);
    expect(text).not.toMatch(/site-vienna/);
    // Delivered the way Event Grid does: validated first, then a Notification the app accepted.
    expect(chat.sandbox.simulator.eventGrid.deliveries.filter((d) => d.eventType === 'Microsoft.KeyVault.CertificateNearExpiry').map((d) => d.status)).toEqual([200]);
    // paris expires in 10 days: outside the group chat's 7-day threshold, so its report will say so when it gets there.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(chat.client.all().filter((m) => m.conversationId === weekly.conversationId && /Key Vault alert/.test(cardText(m)))).toEqual([]);
    expect(cardText(await chat.say('unsubscribe expiry', { as: USERS.patti, conversation: 'group' }))).toMatch(/^Unsubscribed/);
  });

  it("Rotate on paris's row as alex -> megan approves -> rotated -> the report's row shows done", async () => {
    const rotate = cardActions(report).find((a) => a.title === 'Rotate')!;
    // Everyone in the channel sees the button; only an operator's press asks for the change (checked at the press).
    const refused = await press(report, rotate.verb!, rotate.data, 'isaiah');
    expect(JSON.stringify(refused.body.value)).toMatch(/operator/);
    const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)) && cardText(m).includes('site-paris'), 60_000);
    const pressed = await press(report, rotate.verb!, rotate.data, 'alex');
    expect(String(pressed.body.value)).toMatch(/Planning: rotate site-paris outbound/);
    const approval = await inChannel;
    const refresh = (approval.cards[0]!.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    const view = await press(approval, refresh.verb, refresh.data, 'megan');
    const approve = cardActions(asMessage(view.body.value)).find((a) => a.title === 'Approve')!;
    await press(approval, approve.verb!, approve.data, 'megan');
    const updated = await untilAdvancing(report.id, /site-paris\s+rotated/, 180_000);
    expect(cardText(updated)).toMatch(/Rotated \d{4}-\d\d-\d\d \d\d:\d\d UTC; this row is done\./);
    expect(cardActions(updated).map((a) => a.title)).not.toContain('Rotate');
  });
});
