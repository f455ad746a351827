import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { VirtualClock } from '../../local/host';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID, SANDBOX_BOT, SANDBOX_TENANT_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * The change pipeline end to end through the Agents Playground, with the sandbox's people: alex (operator) asks,
 * megan (approver) decides in the "VPN alerts" channel, adele (no role) and isaiah (reader) may only look, and patti
 * (operator and approver) may approve others' changes but not her own. The host runs on a virtual clock, so the
 * approval timeout passes when the test says so.
 */
const clock = new VirtualClock(new Date());
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1', adele: 'user-id-2', isaiah: 'user-id-3', patti: 'user-id-4' } as const;

beforeAll(async () => {
  chat = await startChat({ hostClock: clock });
});
afterAll(async () => {
  await chat?.close();
});

const branchGatewayId = () => chat.sandbox.simulator.estateInfo.gateways.find((g) => g.name === sandboxNames.branchGateway)!.id;
const diagnosticSettings = () => chat.sandbox.simulator.resources.diagnosticSettingsOf(branchGatewayId());
function removeDiagnostics(): void {
  for (const setting of diagnosticSettings()) chat.sandbox.simulator.resources.diagnosticSettings.delete(setting.id);
}

/** Asks for the change (as alex, or `as` in the group chat); resolves with the requester's card once it waits for approval, and the approval card in the channel. */
async function request(as?: keyof typeof USERS): Promise<{ mine: BotMessage; approval: BotMessage }> {
  const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)), 45_000);
  const ack = await chat.say('enable-diagnostics site-lisbon', as && as !== 'alex' ? { as: USERS[as], conversation: 'group' } : {});
  const mine = await chat.until(ack.id, /Waiting for approval/, 45_000);
  return { mine, approval: await inChannel };
}

async function press(message: BotMessage, title: string, as: keyof typeof USERS, data?: Record<string, unknown>) {
  const button = cardActions(message).find((a) => a.title === title);
  if (!button && !data) throw new Error(`no ${title} button on: ${cardText(message)}`);
  const verb = button?.verb ?? (title === 'Approve' ? 'approveChange' : title === 'Reject' ? 'rejectChange' : 'approvalView');
  const answer = await chat.client.invoke({ verb, data: data ?? button!.data, replyToId: message.id, conversationId: message.postConversationId ?? message.conversationId, fromId: USERS[as] });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The card (or message) the bot answered a press with, as text. */
const answerText = (body: { type?: string; value?: unknown }): string => (typeof body.value === 'string' ? body.value : cardText({ id: '', conversationId: '', cards: [body.value as Record<string, unknown>], updates: 0, receivedAt: 0 }));
const answerActions = (body: { value?: unknown }) => (typeof body.value === 'object' ? cardActions({ id: '', conversationId: '', cards: [body.value as Record<string, unknown>], updates: 0, receivedAt: 0 }).map((a) => a.title) : []);

describe('enable diagnostics goes through approval', () => {
  let first: { mine: BotMessage; approval: BotMessage };

  it("alex asks: his card becomes the plan, waiting for approval; the approval card appears in the approvals channel", async () => {
    expect(diagnosticSettings()).toEqual([]);
    first = await request();
    const plan = cardText(first.mine);
    expect(plan).toMatch(/Enable diagnostics on site-lisbon.*Waiting for approval until .* UTC/);
    expect(plan).toMatch(/vpngw-branch IKEDiagnosticLog:\s+not sent anywhere\s+→\s+sent to workspace log-vpn/);
    expect(plan).toMatch(/Risk.*Verified by.*Rollback.*Approval.*one of 2 approvers, not the requester/);
    expect(cardActions(first.mine).map((a) => a.title)).toEqual(['Withdraw']);
    // As posted, the channel card is the observers' view; approvers' clients refresh it to theirs.
    expect(cardActions(first.approval).map((a) => a.title)).toEqual([]);
    expect(first.approval.cards[0]!.refresh).toMatchObject({ action: { verb: 'approvalView' }, userIds: ['8:orgid:5a7c0de0-0000-4000-8000-00000000a002', '8:orgid:5a7c0de0-0000-4000-8000-00000000a005'] });
  });

  it("each person's view: megan and patti get Approve/Reject, isaiah only the state, adele (no role) keeps the card as posted", async () => {
    const view = refreshData(first.approval);
    expect(answerActions(await press(first.approval, 'view', 'megan', view))).toEqual(['Approve', 'Reject']);
    expect(answerActions(await press(first.approval, 'view', 'patti', view))).toEqual(['Approve', 'Reject']);
    expect(answerActions(await press(first.approval, 'view', 'adele', view))).toEqual([]);
    expect(answerActions(await press(first.approval, 'view', 'isaiah', view))).toEqual([]);
  });

  it('`approvals` lists the change for megan', async () => {
    const list = await chat.say('approvals', { as: USERS.megan, conversation: 'channel' });
    expect(cardText(list)).toMatch(/Changes waiting for approval.*Enable diagnostics on site-lisbon.*Requested by Alex Wilber/);
    expect(cardText(await chat.say('jobs', { as: USERS.megan, conversation: 'channel' }))).toMatch(/1 change waits for your approval/);
  });

  it('people without the approver role and forged presses are refused; nothing is decided', async () => {
    const data = approveData(first.mine);
    // alex is an operator, not an approver: refused on the role (patti's own request, below, meets the four-eyes rule).
    expect(answerText(await press(first.approval, 'Approve', 'alex', data))).toMatch(/You need the approver role/);
    expect(answerText(await press(first.approval, 'Approve', 'adele', data))).toMatch(/You need the approver role/);
    expect(answerText(await press(first.approval, 'Approve', 'isaiah', data))).toMatch(/You need the approver role/);
    await press(first.approval, 'Approve', 'megan', { ...data, fingerprint: 'ffffffffffffffff' });
    await press(first.approval, 'Approve', 'megan', { ...data, jobId: 'change~subscriptions~00000000-0000-4000-8000-000000000000~resourcegroups~rg~providers~microsoft.network~connections~cn-x' });
    const after = chat.client.all().filter((m) => m.conversationId.startsWith(SANDBOX_APPROVALS_CHANNEL_ID)).map(cardText);
    expect(after.some((t) => /another plan than the change now has/.test(t))).toBe(true);
    expect(after.some((t) => /does not belong to a change I know/.test(t))).toBe(true);
    expect(chat.sandbox.host.durable.getInstance(jobIdOf(first.mine))!.customStatus).toMatchObject({ change: { phase: 'awaiting-approval' } });
  });

  it("patti's request for the same site is refused and names alex's change", async () => {
    const ack = await chat.say('enable-diagnostics site-lisbon', { as: USERS.patti, conversation: 'group' });
    const refused = cardText(await chat.until(ack.id, /Another change is in progress/, 45_000));
    expect(refused).toMatch(new RegExp(`job ${escape(jobIdOf(first.mine))} \\(enable-diagnostics site-lisbon\\) by Alex Wilber is awaiting approval`));
  });

  it('megan approves (twice: one decision); it is applied, the setting exists in Azure, and both cards say done', async () => {
    const approved = answerText(await press(first.approval, 'Approve', 'megan', approveData(first.mine)));
    expect(approved).toMatch(/Approved by Megan Bowen/);
    expect(answerText(await press(first.approval, 'Approve', 'megan', approveData(first.mine)))).toMatch(/Approved by Megan Bowen/);
    expect(cardText(await chat.until(first.mine.id, /Done/, 45_000))).toMatch(/Approved by Megan Bowen at .* UTC\. Done: applied and verified\. Gateway vpngw-branch now sends its IKE and tunnel logs to workspace log-vpn/);
    expect(cardText(await chat.until(first.approval.id, /Done/, 45_000))).toMatch(/Approved by Megan Bowen/);
    expect(diagnosticSettings().map((s) => s.name)).toEqual(['vpn-chatops-diagnostics']);
  });

  it("patti (operator and approver) asks: her own Approve is refused by the four-eyes rule and the card says why; megan approves it", async () => {
    removeDiagnostics();
    const hers = await request('patti');
    // Her own view of the approval card is the requester's: Withdraw, never Approve.
    expect(answerActions(await press(hers.approval, 'view', 'patti', refreshData(hers.approval)))).toEqual(['Withdraw']);
    expect(cardText(hers.mine)).toMatch(/Requested by\s+Patti Fernandez/);
    // A press on Approve anyway (an old approver view, or a crafted one): refused, with why and what to do.
    const refusal = chat.client.waitFor((m, e) => e.action === 'createMessage' && /four eyes/.test(cardText(m)), 45_000);
    await press(hers.approval, 'Approve', 'patti', approveData(hers.mine));
    expect(cardText(await refusal)).toMatch(/You requested this change, so someone else must approve it \(four eyes\)\..*Ask another approver\..*OwnChange/);
    expect(chat.sandbox.host.durable.getInstance(jobIdOf(hers.mine))!.customStatus).toMatchObject({ change: { phase: 'awaiting-approval' } });
    // The connection's job id is the same as for alex's first change, and so is the plan: Approve pressed again on
    // that earlier card (a replay) must not decide patti's.
    const replayed = chat.client.waitFor((m, e) => e.action === 'createMessage' && /EndedRequest/.test(cardText(m)), 45_000);
    await press(first.approval, 'Approve', 'megan', approveData(first.mine));
    expect(cardText(await replayed)).toMatch(/This card belongs to an earlier request for this connection, which has ended; a newer change to it is awaiting approval\. Nothing was decided\./);
    expect(chat.sandbox.host.durable.getInstance(jobIdOf(hers.mine))!.customStatus).toMatchObject({ change: { phase: 'awaiting-approval' } });
    expect(answerText(await press(hers.approval, 'Approve', 'megan', approveData(hers.mine)))).toMatch(/Approved by Megan Bowen/);
    expect(cardText(await chat.until(hers.mine.id, /Done/, 45_000))).toMatch(/Approved by Megan Bowen at .* UTC\. Done/);
    expect(diagnosticSettings().map((s) => s.name)).toEqual(['vpn-chatops-diagnostics']);
  });

  it('megan rejects the next request with a reason: nothing changes and alex is told why', async () => {
    removeDiagnostics();
    const second = await request();
    const notice = chat.client.waitFor((m, e) => e.action === 'createMessage' && /rejected/i.test(cardText(m)) && m.conversationId === second.mine.conversationId, 45_000);
    expect(answerText(await press(second.approval, 'Reject', 'megan', { ...approveData(second.mine), reason: 'change freeze until Monday' }))).toMatch(/Rejected by Megan Bowen/);
    expect(cardText(await notice)).toMatch(/Rejected by Megan Bowen at .*: "change freeze until Monday"\. Nothing was changed\./);
    expect(cardText(await chat.until(second.mine.id, /Rejected/, 45_000))).toMatch(/change freeze until Monday/);
    expect(diagnosticSettings()).toEqual([]);
  });

  it('alex withdraws a pending request', async () => {
    const third = await request();
    expect(answerText(await press(third.mine, 'Withdraw', 'alex'))).toMatch(/Withdrawn by Alex Wilber/);
    expect(cardText(await chat.until(third.approval.id, /Withdrawn/, 45_000))).toMatch(/Nothing was changed/);
    expect(diagnosticSettings()).toEqual([]);
  });

  it('a request nobody decides expires after the timeout (virtual clock), after a reminder at half-time', async () => {
    const fourth = await request();
    const reminder = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /^Reminder/.test(cardText(m)), 45_000);
    await clock.advance(12 * 3_600_000);
    expect(cardText(await reminder)).toMatch(/Reminder: Enable diagnostics on site-lisbon waits for approval/);
    await clock.advance(12 * 3_600_000);
    expect(cardText(await chat.until(fourth.mine.id, /Expired/, 45_000))).toMatch(/Expired: nobody decided by .*\. Nothing was changed\./);
    expect(cardText(await chat.until(fourth.approval.id, /Expired/, 45_000))).toMatch(/Expired/);
    expect(diagnosticSettings()).toEqual([]);
  });

  it('`audit site-lisbon` tells each story: requested, refused, decided, applied, verified, withdrawn, timed out', async () => {
    // Newest first, a page at a time: read every page through the Older button.
    const first = await chat.say('audit site-lisbon', { as: USERS.isaiah, conversation: 'channel' });
    expect(cardText(first)).toMatch(/^Audit: site-lisbon, last 7 days/);
    let audit = cardText(first);
    let older = cardActions(first).find((a) => a.title === 'Older');
    for (let page = 0; older && page < 10; page++) {
      const body = await chat.client.invoke({ verb: older.verb, data: older.data, replyToId: first.id, conversationId: first.postConversationId ?? first.conversationId, fromId: USERS.isaiah });
      audit += ` ${answerText(body.body)}`;
      older = typeof body.body.value === 'object' ? cardActions({ id: '', conversationId: '', cards: [body.body.value as Record<string, unknown>], updates: 0, receivedAt: 0 }).find((a) => a.title === 'Older') : undefined;
    }
    for (const line of [
      /Alex Wilber\s+enable-diagnostics\s+requested/,
      /Megan Bowen\s+enable-diagnostics\s+approved/,
      /enable-diagnostics\s+applied/,
      /enable-diagnostics\s+verified/,
      /Megan Bowen\s+enable-diagnostics\s+rejected\s+site-lisbon.*change freeze until Monday/,
      /Alex Wilber\s+enable-diagnostics\s+withdrawn/,
      /enable-diagnostics\s+timed-out/,
      /Patti Fernandez\s+enable-diagnostics\s+refused/,
      /Megan Bowen\s+approve\s+denied\s+site-lisbon StalePlan/,
      // Refused for lack of role, and by the four-eyes rule: each on the change's site.
      /Alex Wilber\s+approve\s+denied\s+site-lisbon needs the approver role/,
      /Adele Vance\s+approve\s+denied\s+site-lisbon needs the approver role/,
      /Isaiah Langer\s+approve\s+denied\s+site-lisbon needs the approver role/,
      /Patti Fernandez\s+enable-diagnostics\s+requested/,
      /Patti Fernandez\s+approve\s+denied\s+site-lisbon OwnChange/,
    ]) {
      expect(audit).toMatch(line);
    }
  });
});

describe('one job per Teams activity', () => {
  it('the same activity posted twice starts one job', async () => {
    const config = await chat.client.config();
    const activity = {
      type: 'message',
      id: 'redelivered-activity-1',
      text: `<at>${SANDBOX_BOT.name}</at> status site-paris`,
      textFormat: 'plain',
      channelId: 'msteams',
      serviceUrl: `${chat.client.baseUrl.replace('127.0.0.1', 'localhost')}/_connector`,
      from: { id: USERS.patti, name: 'Patti Fernandez', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a005' },
      recipient: { id: config.bot.id, name: config.bot.name },
      conversation: { id: await chat.client.conversationId('group'), conversationType: 'groupChat', isGroup: true, tenantId: SANDBOX_TENANT_ID },
      entities: [{ type: 'mention', mentioned: { id: config.bot.id, name: config.bot.name }, text: `<at>${SANDBOX_BOT.name}</at>` }],
      channelData: { tenant: { id: SANDBOX_TENANT_ID } },
    };
    const before = chat.sandbox.host.durable.list().filter((i) => i.instanceId.startsWith('status-site-paris-')).length;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(chat.sandbox.messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity, timestamp: new Date().toISOString() }) });
      expect(response.status).toBe(200);
    }
    expect(chat.sandbox.host.durable.list().filter((i) => i.instanceId.startsWith('status-site-paris-')).length).toBe(before + 1);
  });
});

/** What the approval card's Universal Actions refresh sends. */
function refreshData(card: BotMessage): Record<string, unknown> {
  return (card.cards[0]!.refresh as { action: { data: Record<string, unknown> } }).action.data;
}

function jobIdOf(card: BotMessage): string {
  const id = /Job (change~\S+) · plan/.exec(cardText(card))?.[1];
  if (!id) throw new Error(`no change job id on: ${cardText(card)}`);
  return id;
}

/** What Approve on the request's approval card sends: the job, the request (from the plan card's Withdraw) and the plan. */
function approveData(card: BotMessage): Record<string, unknown> {
  const fingerprint = /· plan ([0-9a-f]{16})/.exec(cardText(card))?.[1];
  const requestId = (cardActions(card).find((a) => a.title === 'Withdraw')?.data as { requestId?: string } | undefined)?.requestId;
  if (!requestId) throw new Error(`no request id on: ${cardText(card)}`);
  return { jobId: jobIdOf(card), requestId, fingerprint };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
