import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyVaultCertificateId } from '../../adapters/azure/key-vault';
import { parseDer } from '../../core/pki/parse-certificate';
import { signatureVerifies } from '../../core/pki/verify-chain';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { VirtualClock } from '../../local/host';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * `rotate <site> outbound` end to end through the Agents Playground: alex (operator) asks, megan (approver) approves
 * through her own view of the approval card in the "VPN alerts" channel, the bot issues a new certificate from the
 * CA in the simulated Key Vault (kv-vpn-ca: the CA key only signs), moves the connection and verifies both tunnels
 * and the gateway's logs. The host runs on a virtual clock (approval timeout, verification retries); the simulator on
 * the real one, with logs arriving 2 s after they are written.
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

const sim = () => chat.sandbox.simulator;
const connectionOf = (site: string) => sim().resources.connections.get(sim().estateInfo.sites.find((s) => s.name === site)!.connectionId!)!;
const outboundUrl = (site: string) => connectionOf(site).config.certificateAuthentication!.outboundAuthCertificate!;
const tunnels = (site: string) => sim().inspectTunnels(connectionOf(site).id).map((t) => t.status);

/** Waits for a card to match, moving the host's virtual clock on meanwhile (verification retries, settle timers). */
async function untilAdvancing(id: string, pattern: RegExp, timeoutMs = 90_000): Promise<BotMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = chat.client.get(id);
    if (current && pattern.test(cardText(current))) return current;
    if (Date.now() > deadline) throw new Error(`card ${id} never matched ${pattern}: ${current ? cardText(current) : '(none)'}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await clock.advance(20_000);
  }
}

/** Asks as alex (or another, in the group chat); resolves once the plan waits for approval, with the approval card. */
async function request(line: string, as: keyof typeof USERS = 'alex'): Promise<{ mine: BotMessage; approval: BotMessage }> {
  const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)) && cardText(m).includes(line.split(' ')[1]!), 60_000);
  const ack = await chat.say(line, as === 'alex' ? {} : { as: USERS[as], conversation: 'group' });
  const mine = await chat.until(ack.id, /Waiting for approval/, 60_000);
  return { mine, approval: await inChannel };
}

async function press(message: BotMessage, verb: string, data: Record<string, unknown>, as: keyof typeof USERS) {
  const answer = await chat.client.invoke({ verb, data, replyToId: message.id, conversationId: message.postConversationId ?? message.conversationId, fromId: USERS[as] });
  expect(answer.status).toBe(200);
  return answer.body as { type?: string; value?: unknown };
}

const asMessage = (value: unknown): BotMessage => ({ id: '', conversationId: '', cards: [value as Record<string, unknown>], updates: 0, receivedAt: 0 });
const answerText = (body: { value?: unknown }): string => (typeof body.value === 'string' ? body.value : cardText(asMessage(body.value)));

/** megan opens her own view of the approval card (its refresh) and presses the button it gives her. */
async function decideAsMegan(approval: BotMessage, title: 'Approve' | 'Reject', reason?: string): Promise<string> {
  const refresh = (approval.cards[0]!.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
  const view = await press(approval, refresh.verb, refresh.data, 'megan');
  const button = cardActions(asMessage(view.value)).find((a) => a.title === title);
  if (!button) throw new Error(`megan's view has no ${title}: ${answerText(view)}`);
  // The button data names the request: a press on an older card of this connection would be refused.
  expect(button.data).toMatchObject({ requestId: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
  return answerText(await press(approval, button.verb!, { ...(button.data as Record<string, unknown>), ...(reason ? { reason } : {}) }, 'megan'));
}

describe('rotate site-paris outbound: a new certificate from the CA in Key Vault', () => {
  let before: string;
  let paris: { mine: BotMessage; approval: BotMessage };

  it('status shows paris expiring with a Rotate button', async () => {
    before = outboundUrl('site-paris');
    const ack = await chat.say('status site-paris');
    const status = await chat.until(ack.id, /Outbound certificate/, 60_000);
    expect(cardText(status)).toMatch(/expires in 1\d d/);
    expect(cardActions(status).map((a) => a.title)).toContain('Rotate');
  });

  it('alex asks: the plan shows old -> new, the same issuer (no device change), and waits for approval', async () => {
    paris = await request('rotate site-paris outbound');
    const plan = cardText(paris.mine);
    expect(plan).toMatch(/Rotate the outbound certificate of site-paris/);
    expect(plan).toMatch(/cn-site-paris outboundAuthCertificate:\s+outbound-site-paris version [0-9a-f]{32}\s+→\s+outbound-site-paris, a new version issued at apply time by the CA in Key Vault/);
    expect(plan).toMatch(/issuer:\s+CN=Contoso Azure VPN Root CA, O=Contoso, C=GB\s+→\s+CN=Contoso Azure VPN Root CA, O=Contoso, C=GB/);
    expect(plan).toMatch(/validity:\s+\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\s+→\s+\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(365 days\)/);
    expect(plan).toMatch(/device of site-paris trust:\s+accepts the current certificate\s+→\s+no change needed: same issuer as today/);
    expect(plan).toMatch(/stays enabled until .* UTC \(grace period\), then disabled/);
    expect(outboundUrl('site-paris')).toBe(before);
  });

  it('alex cannot approve his own change (four eyes), and a second rotate of paris is refused naming the pending job', async () => {
    const refresh = (paris.approval.cards[0]!.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    expect(cardActions(asMessage((await press(paris.approval, refresh.verb, refresh.data, 'alex')).value)).map((a) => a.title)).toEqual(['Withdraw']);
    const ack = await chat.say('rotate site-paris outbound', { as: USERS.patti, conversation: 'group' });
    expect(cardText(await chat.until(ack.id, /Another change is in progress/, 60_000))).toMatch(/\(rotate site-paris outbound\) by Alex Wilber is awaiting approval/);
  });

  it('megan approves through her own view; applied; both tunnels back; the gateway logged the negotiation', async () => {
    sim().stats.reset();
    expect(await decideAsMegan(paris.approval, 'Approve')).toMatch(/Approved by Megan Bowen/);
    const done = cardText(await untilAdvancing(paris.mine.id, /Done|Rolled back|Failed/));
    expect(done).toMatch(/Done: applied and verified\. Connection cn-site-paris now uses outbound-site-paris version [0-9a-f]{32} \(CN=azure-paris\.vpn\.contoso\.example, O=Contoso, issued by CN=Contoso Azure VPN Root CA/);
    expect(outboundUrl('site-paris')).not.toBe(before);
    expect(tunnels('site-paris')).toEqual(['Connected', 'Connected']);
  });

  it('the new certificate chains to the vault CA, and the CA key was only ever asked to sign', async () => {
    const ref = parseKeyVaultCertificateId(outboundUrl('site-paris'));
    const record = sim().vaults.certificateRecord(sandboxNames.keyVault, ref.name).versions.find((v) => v.version === ref.version)!;
    const leaf = parseDer(record.der!);
    const ca = parseDer(sim().vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!.der!);
    expect(signatureVerifies(leaf, ca)).toBe(true);
    expect(record.chain.map((c) => parseDer(c).subject)).toEqual([ca.subject]);
    const caCalls = sim().stats.calls().filter((c) => c.vault === sandboxNames.caVault).map((c) => `${c.method} ${c.path!.replace(/\/[0-9a-f]{32}/g, '/<v>')}`);
    expect(caCalls).toContain(`POST /keys/${sandboxNames.caCertificate}/<v>/sign`);
    expect(caCalls.filter((c) => !/^GET \/certificates\/|^GET \/keys\/[^/]+\/<v>$|\/sign$/.test(c))).toEqual([]);
    expect(caCalls.some((c) => /secrets/.test(c))).toBe(false);
  });

  it('status: paris is no longer expiring, and offers no Rotate', async () => {
    const ack = await chat.say('status site-paris');
    const status = await chat.until(ack.id, /Outbound certificate/, 60_000);
    expect(cardText(status)).not.toMatch(/expires in \d+ d/);
    expect(cardText(status)).toMatch(/36\d d left/);
    expect(cardActions(status).map((a) => a.title)).not.toContain('Rotate');
  });
});

describe('rotate site-vienna outbound: the device does not trust the vault CA', () => {
  it('the plan says the device must trust the CA first and gives its certificate; approved anyway, verification fails and it is rolled back, tunnels back', async () => {
    const before = outboundUrl('site-vienna');
    const vienna = await request('rotate site-vienna outbound');
    const plan = cardText(vienna.mine);
    expect(plan).toMatch(/device of site-vienna trust:\s+accepts the current certificate\s+→\s+must trust CN=Contoso Azure VPN Root CA, O=Contoso, C=GB before this is approved/);
    expect(plan).toMatch(/Install on the device as a trusted CA first \(CN=Contoso Azure VPN Root CA, O=Contoso, C=GB\):\s+-----BEGIN CERTIFICATE-----/);
    expect(await decideAsMegan(vienna.approval, 'Approve')).toMatch(/Approved by Megan Bowen/);
    const ended = cardText(await untilAdvancing(vienna.mine.id, /Done|Rolled back|Failed/, 180_000));
    expect(ended).toMatch(/Rolled back: rolled back and verified\. Tunnel vpngw-hub_198\.51\.100\.10 is NotConnected, tunnel vpngw-hub_198\.51\.100\.11 is NotConnected with the new certificate: The device rejected the gateway's authentication \(it sent AUTHENTICATION_FAILED\).*issuer the device does not trust yet.*Evidence: \[Azure IN_\d/);
    expect(outboundUrl('site-vienna')).toBe(before);
    await untilAdvancing(vienna.mine.id, /./);
    const deadline = Date.now() + 30_000;
    while (tunnels('site-vienna').some((t) => t !== 'Connected') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(tunnels('site-vienna')).toEqual(['Connected', 'Connected']);
  });
});

describe('rotations that end without a change', () => {
  it('megan rejects: nothing changes and alex is told why', async () => {
    const before = outboundUrl('site-london');
    const london = await request('rotate site-london outbound --days 90');
    expect(await decideAsMegan(london.approval, 'Reject', 'not this week')).toMatch(/Rejected by Megan Bowen/);
    expect(cardText(await chat.until(london.mine.id, /Rejected/, 60_000))).toMatch(/not this week/);
    expect(outboundUrl('site-london')).toBe(before);
  });

  it('nobody decides: it expires, nothing changes', async () => {
    const before = outboundUrl('site-london');
    const london = await request('rotate site-london outbound');
    await clock.advance(24 * 3_600_000 + 60_000);
    expect(cardText(await chat.until(london.mine.id, /Expired/, 60_000))).toMatch(/Expired: nobody decided by .*\. Nothing was changed\./);
    expect(outboundUrl('site-london')).toBe(before);
  });

  it('Key Vault refuses to sign: nothing was changed (checked), nothing left pending', async () => {
    const before = outboundUrl('site-london');
    const fault = sim().faults.add({ match: { service: 'keyvault', pathContains: '/sign' }, respond: { status: 500 } });
    try {
      const london = await request('rotate site-london outbound');
      await decideAsMegan(london.approval, 'Approve');
      const ended = cardText(await untilAdvancing(london.mine.id, /Done|Rolled back|Failed/, 120_000));
      expect(ended).toMatch(/Failed: nothing was changed \(checked\)\. Applying it failed: Key Vault .* sign with the CA key/i);
    } finally {
      fault.remove();
    }
    expect(outboundUrl('site-london')).toBe(before);
    expect(sim().vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-london').pending?.status).not.toBe('inProgress');
  });
});

describe('Azure busy in the middle of the apply', () => {
  it('the connection is busy (409, then 429) when the bot moves it: waited out, applied and verified', async () => {
    const before = outboundUrl('site-london');
    const london = await request('rotate site-london outbound');
    const busy = sim().faults.add({ match: { method: 'PUT', pathEndsWith: '/connections/cn-site-london' }, respond: { status: 409, code: 'AnotherOperationInProgress' }, times: 1 });
    const throttled = sim().faults.add({ match: { method: 'PUT', pathEndsWith: '/connections/cn-site-london' }, respond: { status: 429, retryAfterSeconds: 1 }, times: 1 });
    await decideAsMegan(london.approval, 'Approve');
    const ended = cardText(await untilAdvancing(london.mine.id, /Done|Rolled back|Failed/, 120_000));
    expect(busy.hits + throttled.hits).toBe(2);
    expect(ended).toMatch(/Done: applied and verified/);
    expect(outboundUrl('site-london')).not.toBe(before);
    expect(tunnels('site-london')).toEqual(['Connected', 'Connected']);
  });
});
