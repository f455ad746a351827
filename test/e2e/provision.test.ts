import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * Issue 10 through the Agents Playground: alex provisions site-rome (inline and with the form), megan approves, the
 * resources are created in order, the plan hands the device over, the simulated device connects, and status and
 * audit tell the story; the preflight names what Azure would reject, each with its fix.
 */
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1' } as const;

beforeAll(async () => {
  chat = await startChat({ simulator: { logIngestionDelayMs: 1_000 }, settings: { PROVISION_DEVICE_WAIT_MINUTES: '1' } });
});
afterAll(async () => {
  await chat?.close();
});

const sim = () => chat.sandbox.simulator;
const filesDir = () => dirname(dirname(chat.sandbox.deviceLogs[0]!.path));
const sandboxFile = (path: string) => readFileSync(join(filesDir(), path), 'utf8');
const rg = () => `/subscriptions/${sandboxNames.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}/providers/Microsoft.Network`;
const romeConnection = () => sim().resources.connections.get(`${rg()}/connections/cn-site-rome`);

const nextApprovalCard = () => chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)), 60_000);

async function approveAsMegan(request: BotMessage): Promise<void> {
  const asMegan = { replyToId: request.id, conversationId: request.postConversationId ?? request.conversationId, fromId: USERS.megan };
  const refresh = request.cards[0]!.refresh as { action: { verb: string; data: unknown } };
  const view = await chat.client.invoke({ verb: refresh.action.verb, data: refresh.action.data, ...asMegan });
  const approve = cardActions({ ...request, cards: [view.body.value as Record<string, unknown>] }).find((a) => a.title === 'Approve');
  expect(approve, 'megan sees Approve on her view').toBeDefined();
  const approved = await chat.client.invoke({ verb: approve!.verb, data: approve!.data, ...asMegan });
  expect(JSON.stringify(approved.body.value)).toMatch(/Approved by Megan Bowen/);
}

const ROME = 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example';

describe('provision site-rome inline', () => {
  it('status first says it is not in Azure', async () => {
    const ack = await chat.say('status site-rome');
    const status = await chat.until(ack.id, /not in Azure|not provisioned|waiting|Could not|not found/i, 45_000);
    expect(cardText(status)).toMatch(/not|waiting/i);
  });

  it('alex asks inline with the chain pasted; megan approves; resources created; both tunnels Connected', { timeout: 240_000 }, async () => {
    const chain = sandboxFile(sandboxNames.files.romeDeviceChain);
    const approval = nextApprovalCard();
    const ack = await chat.say(`${ROME}\n${chain}`);
    const job = await chat.until(ack.id, /Waiting for approval|Could not|blocking/, 60_000);
    const plan = cardText(job);
    expect(plan).toMatch(/Provision site-rome on vpngw-hub/);
    expect(plan).toMatch(/lng-site-rome local network gateway \(1, about 1 min\)/);
    expect(plan).toMatch(/cn-site-rome connection/);
    expect(plan).toMatch(/✓ passed: address prefixes/);
    expect(plan).toMatch(/swanctl\.conf/);
    expect(plan).toMatch(/remote_addrs = 198\.51\.100\.10/);
    expect(plan).toMatch(/remote_addrs = 198\.51\.100\.11/);
    await approveAsMegan(await approval);
    const done = cardText(await chat.until(job.id, /Done|Failed|Rolled back/, 200_000));
    expect(done).toMatch(/Done: applied and verified/);
    expect(sim().inspectTunnels(romeConnection()!.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);
  });
});
