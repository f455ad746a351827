import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * A deployment without an approvals channel: the approval request goes as a personal card to each approver but the
 * requester, through the Agents Playground's connector as through Teams' (Bot Framework createConversation with the
 * approver's Teams user id, learnt from their own messages). The Playground chats as megan (an approver) and shows
 * her chats, her personal chat with the bot among them; alex asks in the group chat.
 */
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1', patti: 'user-id-4' } as const;

beforeAll(async () => {
  chat = await startChat({ approvals: 'personal', playgroundUser: 'megan' });
});
afterAll(async () => {
  await chat?.close();
});

const branchGatewayId = () => chat.sandbox.simulator.estateInfo.gateways.find((g) => g.name === sandboxNames.branchGateway)!.id;

/** Presses a button as `as` on a message; resolves to the text and buttons of the card the bot answered with. */
async function press(message: BotMessage, verb: string, data: unknown, as: keyof typeof USERS) {
  const answer = await chat.client.invoke({ verb, data, replyToId: message.id, conversationId: message.conversationId, fromId: USERS[as] });
  expect(answer.status).toBe(200);
  const value = answer.body.value;
  const asMessage = { id: '', conversationId: '', cards: typeof value === 'object' ? [value as Record<string, unknown>] : [], updates: 0, receivedAt: 0, ...(typeof value === 'string' ? { text: value } : {}) };
  return { text: cardText(asMessage), actions: cardActions(asMessage) };
}

describe('personal approval cards, without an approvals channel', () => {
  let mine: BotMessage;
  let megans: BotMessage;

  it("megan's personal chat with the bot receives the approval request; alex, who asked, gets none; the channel gets nothing", async () => {
    // The approvers have talked to the bot before (megan in the team channel, patti in the group chat): that is how
    // it learns the Teams user id Teams opens a personal chat with (an Entra object id would not do).
    expect(cardText(await chat.say('whoami', { conversation: 'channel' }))).toMatch(/Megan Bowen/);
    expect(cardText(await chat.say('whoami', { as: USERS.patti, conversation: 'group' }))).toMatch(/Patti Fernandez/);
    const personalChat = await chat.client.conversationId('personal');
    const inHerChat = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === personalChat && /Waiting for approval/.test(cardText(m)), 45_000);

    const ack = await chat.say('enable-diagnostics site-lisbon', { as: USERS.alex, conversation: 'group' });
    mine = await chat.until(ack.id, /Waiting for approval/, 45_000);
    megans = await inHerChat;
    expect(cardText(mine)).toMatch(/Approval\s+one of 2 approvers, not the requester/);
    // patti's card went to her own personal chat (which the Playground does not show megan): nobody was missed.
    expect(cardText(mine)).not.toMatch(/Not every approver was reached/);
    expect(cardText(megans)).toMatch(/^Enable diagnostics on site-lisbon Waiting for approval until .* UTC/);
    // As posted it is the observers' view; megan's client asks for hers through the card's refresh.
    expect(cardActions(megans)).toEqual([]);
    expect(chat.client.all().filter((m) => m.conversationId.startsWith(SANDBOX_APPROVALS_CHANNEL_ID) && /Enable diagnostics/.test(cardText(m)))).toEqual([]);
  });

  it('Universal Actions refresh in her personal chat gives megan Approve and Reject', async () => {
    const refresh = megans.cards[0]!.refresh as { action: { verb: string; data: unknown }; userIds: string[] };
    expect(refresh.userIds).toEqual(['8:orgid:5a7c0de0-0000-4000-8000-00000000a002', '8:orgid:5a7c0de0-0000-4000-8000-00000000a005']);
    const view = await press(megans, refresh.action.verb, refresh.action.data, 'megan');
    expect(view.actions.map((a) => a.title)).toEqual(['Approve', 'Reject']);
    expect(view.text).toMatch(/Enable diagnostics on site-lisbon.*Waiting for approval/);
  });

  it('megan approves from her personal card: applied, and her card and alex\'s say done', async () => {
    const refresh = megans.cards[0]!.refresh as { action: { verb: string; data: unknown } };
    const approve = (await press(megans, refresh.action.verb, refresh.action.data, 'megan')).actions.find((a) => a.title === 'Approve')!;
    expect((await press(megans, approve.verb, approve.data, 'megan')).text).toMatch(/Approved by Megan Bowen/);
    expect(cardText(await chat.until(mine.id, /Done/, 45_000))).toMatch(/Approved by Megan Bowen at .* UTC\. Done/);
    expect(cardText(await chat.until(megans.id, /Done/, 45_000))).toMatch(/Approved by Megan Bowen/);
    expect(chat.sandbox.simulator.resources.diagnosticSettingsOf(branchGatewayId()).map((s) => s.name)).toEqual(['vpn-chatops-diagnostics']);
  });
});
