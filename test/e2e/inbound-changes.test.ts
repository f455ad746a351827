import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { createRootCa, issueCertificate } from '../../local/pki/cert-factory';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * The inbound side of issue 9 through the Agents Playground: the diagnose card's buttons fix berlin (the G2 chain
 * pasted into the form), madrid (one click) and oslo (the IPsec/IKE policy), each approved by megan through her own
 * view of the approval card; a cutover the device does not follow is rolled back and says so; bad chains are refused
 * with Azure's codes and nothing is requested.
 */
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1', isaiah: 'user-id-3' } as const;

beforeAll(async () => {
  // Logs reach Log Analytics 1 s late (tunnels take 3 s to renegotiate) and a rotation's verification has 1 minute (OUTBOUND_VERIFY_MINUTES): the
  // pipeline asks again while tunnels renegotiate and rows are on their way, and gives up on a device that does not come back.
  chat = await startChat({ simulator: { logIngestionDelayMs: 1_000 }, settings: { OUTBOUND_VERIFY_MINUTES: '1' } });
});
afterAll(async () => {
  await chat?.close();
});

const filesDir = () => dirname(dirname(chat.sandbox.deviceLogs[0]!.path));
const sandboxFile = (path: string) => readFileSync(join(filesDir(), path), 'utf8');
const connectionOf = (site: string) => {
  const id = chat.sandbox.simulator.estateInfo.sites.find((s) => s.name === site)!.connectionId!;
  return chat.sandbox.simulator.resources.connections.get(id)!;
};
const tunnelsOf = (site: string) => chat.sandbox.simulator.inspectTunnels(connectionOf(site).id).map((t) => t.status);

async function result(text: string, final = /Checked|Read \d+|Could not|Failed|cannot|nothing to change/, conversation?: 'group'): Promise<BotMessage> {
  const ack = await chat.say(text, conversation ? { conversation } : {});
  return chat.until(ack.id, final, 45_000);
}

/** The approval card posted in the channel for the next request (started before asking). */
const nextApprovalCard = () => chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)), 45_000);

/** megan's client refreshes the approval card to her own view, whose Approve names the request; she presses it. */
async function approveAsMegan(request: BotMessage): Promise<void> {
  const asMegan = { replyToId: request.id, conversationId: request.postConversationId ?? request.conversationId, fromId: USERS.megan };
  const refresh = request.cards[0]!.refresh as { action: { verb: string; data: unknown } };
  const view = await chat.client.invoke({ verb: refresh.action.verb, data: refresh.action.data, ...asMegan });
  const approve = cardActions({ ...request, cards: [view.body.value as Record<string, unknown>] }).find((a) => a.title === 'Approve');
  expect(approve, 'megan sees Approve on her view').toBeDefined();
  const approved = await chat.client.invoke({ verb: approve!.verb, data: approve!.data, ...asMegan });
  expect(JSON.stringify(approved.body.value)).toMatch(/Approved by Megan Bowen/);
}

/** Presses a diagnose card button as alex; resolves with the change's card once it waits for approval, and the approval card. */
async function pressForChange(card: BotMessage, title: string | RegExp, extra: Record<string, unknown> = {}): Promise<{ job: BotMessage; approval: BotMessage }> {
  const button = cardActions(card).find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  expect(button, `button ${String(title)} on: ${cardText(card)}`).toBeDefined();
  const approval = nextApprovalCard();
  const pressed = await chat.client.invoke({ verb: button!.verb, data: { ...(button!.data as object), ...extra }, replyToId: card.id, conversationId: card.conversationId });
  expect(String(pressed.body.value)).toMatch(/Planning/);
  const ack = await chat.client.replyTo(pressed);
  const job = await chat.until(ack.id, /Waiting for approval/, 45_000);
  return { job, approval: await approval };
}

describe('fixes offered where the problem is seen', () => {
  it('madrid: one click sets the inbound subject to what the device presents; megan approves; Connected afterwards', async () => {
    expect(tunnelsOf('site-madrid')).not.toContain('Connected');
    const diagnosis = await result('diagnose site-madrid');
    expect(cardText(diagnosis)).toMatch(/Certificate subject mismatch/);
    const { job, approval } = await pressForChange(diagnosis, 'Set inbound subject to CN=madrid-vpn.contoso.example');
    expect(cardText(job)).toMatch(/inbound certificate subject:\s+CN=madrid-gw\.contoso\.example\s+→\s+CN=madrid-vpn\.contoso\.example/);
    await approveAsMegan(approval);
    expect(cardText(await chat.until(job.id, /Done|Rolled back|Failed/, 60_000))).toMatch(/Done: applied and verified\. Inbound subject CN=madrid-vpn\.contoso\.example set on cn-site-madrid/);
    // The audit says how it was verified: both tunnels and a negotiation the gateway logged after the switch.
    expect(cardText(await result('audit site-madrid', /Audit|audit/))).toMatch(/both tunnels are Connected with the new inbound chain and subject; the gateway logged \d+ successful negotiations? with 203\.0\.113\.40/);
    expect(connectionOf('site-madrid').config.certificateAuthentication?.inboundAuthCertificateSubjectName).toBe('CN=madrid-vpn.contoso.example');
    expect(tunnelsOf('site-madrid')).toEqual(['Connected', 'Connected']);
  });

  it('berlin: the G2 chain pasted into the diagnose card form becomes the inbound chain; Connected afterwards', async () => {
    const diagnosis = await result('diagnose site-berlin');
    expect(cardText(diagnosis)).toMatch(/Azure doesn't trust the device's certificate/);
    const form = diagnosis.cards[0]!.actions as { type: string; title: string; card?: { body: { type: string; id?: string; isMultiline?: boolean }[] } }[];
    const show = form.find((a) => a.title === 'Update inbound chain');
    expect(show?.type).toBe('Action.ShowCard');
    expect(show?.card?.body.find((e) => e.type === 'Input.Text')).toMatchObject({ id: 'chain', isMultiline: true });
    const g2 = sandboxFile(sandboxNames.files.berlinG2Chain);
    // The form's text as Teams sends it: the input's value next to the button's data.
    const { job, approval } = await pressForChange(diagnosis, 'Request the change', { chain: g2 });
    expect(cardText(job)).toMatch(/inbound certificate chain \(root first\):\s+CN=Berlin Device Root CA, O=Contoso Berlin -> CN=Berlin Device Issuing CA, O=Contoso Berlin\s+→\s+CN=Berlin Device Root CA G2, O=Contoso Berlin -> CN=Berlin Device Issuing CA G2, O=Contoso Berlin/);
    await approveAsMegan(approval);
    expect(cardText(await chat.until(job.id, /Done|Rolled back|Failed/, 60_000))).toMatch(/Done: applied and verified\./);
    expect(tunnelsOf('site-berlin')).toEqual(['Connected', 'Connected']);
  });

  it("oslo: the device's strongest proposal is pinned as the connection's IPsec/IKE policy; Connected afterwards", async () => {
    const diagnosis = await result('diagnose site-oslo');
    expect(cardText(diagnosis)).toMatch(/IKE proposal mismatch/);
    const { job, approval } = await pressForChange(diagnosis, /^Apply IPsec\/IKE policy \(GCMAES256/);
    expect(cardText(job)).toMatch(/custom IPsec\/IKE policy:\s+none \(Azure's default proposals\)\s+→\s+IKE GCMAES256\/SHA384\/ECP384, IPsec GCMAES256\/GCMAES256, PFS ECP384/);
    await approveAsMegan(approval);
    expect(cardText(await chat.until(job.id, /Done|Rolled back|Failed/, 60_000))).toMatch(/Done: applied and verified\./);
    expect(connectionOf('site-oslo').config.ipsecPolicies).toMatchObject([{ ikeEncryption: 'GCMAES256', ikeIntegrity: 'SHA384', dhGroup: 'ECP384' }]);
    expect(tunnelsOf('site-oslo')).toEqual(['Connected', 'Connected']);
  });

  it('only operators may press them: a reader is refused and nothing is asked', async () => {
    // In the group chat, so that another member (the auditor) can press the button too.
    const diagnosis = await result('diagnose site-madrid', undefined, 'group');
    // madrid is fixed now: the card no longer offers the subject button.
    expect(cardActions(diagnosis).map((a) => a.title)).not.toContain('Set inbound subject to CN=madrid-vpn.contoso.example');
    const denied = await chat.client.invoke({ verb: 'setInboundSubject', data: { site: 'site-madrid', subject: 'CN=x' }, replyToId: diagnosis.id, conversationId: diagnosis.conversationId, fromId: USERS.isaiah });
    expect(String(denied.body.value)).toMatch(/You need the operator role/);
  });
});

describe('rotate <site> inbound', () => {
  it('a cutover the device does not follow is rolled back to the old chain and subject, and the card says so', { timeout: 150_000 }, async () => {
    const before = connectionOf('site-london').config.certificateAuthentication!;
    const rome = sandboxFile(sandboxNames.files.romeDeviceChain);
    const approval = nextApprovalCard();
    const ack = await chat.say(`rotate site-london inbound --subject CN=rome-vpn.contoso.example\n${rome}`);
    const job = await chat.until(ack.id, /Waiting for approval/, 45_000);
    expect(cardText(job)).toMatch(/Rotate the inbound chain and subject of site-london/);
    await approveAsMegan(await approval);
    const ended = cardText(await chat.until(job.id, /Done|Rolled back|Failed/, 120_000));
    expect(ended).toMatch(/Rolled back: rolled back and verified\./);
    expect(ended).toMatch(/put back the previous inbound chain/);
    expect(connectionOf('site-london').config.certificateAuthentication).toEqual(before);
    expect(tunnelsOf('site-london')).toEqual(['Connected', 'Connected']);
  });

  it('--at: approved first, then scheduled for the window; alex withdraws it before the window and nothing changes', async () => {
    const before = connectionOf('site-london').config.certificateAuthentication!;
    const at = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
    const approval = nextApprovalCard();
    const ack = await chat.say(`rotate site-london inbound --subject CN=london-device-2.contoso.example --at ${at}Z`);
    const job = await chat.until(ack.id, /Waiting for approval/, 45_000);
    expect(cardText(job)).toMatch(new RegExp(`Maintenance window\\s+applied at ${at.replace('T', ' ')} UTC once approved, not before`));
    await approveAsMegan(await approval);
    const scheduled = await chat.until(job.id, /Scheduled for/, 45_000);
    expect(cardText(scheduled)).toMatch(new RegExp(`Approved by Megan Bowen .*Scheduled for ${at.replace('T', ' ')} UTC: applied then, not before\\. Alex Wilber can withdraw it until then\\.`));
    const withdraw = cardActions(scheduled).find((a) => a.title === 'Withdraw');
    expect(withdraw).toBeDefined();
    await chat.client.invoke({ verb: withdraw!.verb, data: withdraw!.data, replyToId: scheduled.id, conversationId: scheduled.conversationId });
    expect(cardText(await chat.until(job.id, /Withdrawn/, 45_000))).toMatch(/Withdrawn by Alex Wilber.*Nothing was changed/);
    expect(connectionOf('site-london').config.certificateAuthentication).toEqual(before);
  });

  describe('bad input gets a clear error per problem and nothing is requested', () => {
    let chains: Record<'six' | 'twoRoots' | 'noRoot', string>;
    let withKey: string;
    beforeAll(async () => {
      const root = await createRootCa({ subject: 'CN=Test Root A' });
      const other = await createRootCa({ subject: 'CN=Test Root B' });
      let parent = root;
      const intermediates = [];
      for (let i = 1; i <= 5; i++) {
        parent = await issueCertificate(parent, { subject: `CN=Test Intermediate ${i}`, isCa: true });
        intermediates.push(parent);
      }
      chains = {
        six: [root, ...intermediates].map((c) => c.pem).join(''),
        twoRoots: [root, other, intermediates[0]!].map((c) => c.pem).join(''),
        noRoot: [intermediates[0]!, intermediates[1]!].map((c) => c.pem).join(''),
      };
      withKey = `${root.pem}${intermediates[0]!.pem}${intermediates[0]!.privateKeyPem}`;
    });

    it.each([
      ['six certificates', 'six', /MaxRootCertificatePublicKeySupported/, /6 certificates; Azure accepts at most 5/],
      ['two roots', 'twoRoots', /VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts/, /2 roots/],
      ['no root', 'noRoot', /VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert/, /has no root certificate/],
    ] as const)('%s', async (_name, key, code, problem) => {
      const reply = cardText(await chat.say(`rotate site-paris inbound\n${chains[key]}`));
      expect(reply).toMatch(/the new chain cannot be used/);
      expect(reply).toMatch(/nothing was requested/);
      expect(reply).toMatch(code);
      expect(reply).toMatch(problem);
      expect(reply).not.toMatch(/Working on it|Waiting for approval/);
    });

    it('a private key pasted with the chain: refused with Azure\'s code, never echoed', async () => {
      const reply = await chat.say(`rotate site-paris inbound\n${withKey}`);
      const text = cardText(reply);
      expect(text).toMatch(/VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey/);
      expect(text).toMatch(/contains a private key.*nothing was requested/);
      const body = withKey.split('-----BEGIN PRIVATE KEY-----')[1]!.split('\n').find((l) => l.length > 40)!;
      expect(JSON.stringify(reply.cards)).not.toContain(body);
      expect(JSON.stringify(reply.cards)).not.toMatch(/BEGIN (RSA )?PRIVATE KEY/);
    });

    it('the audit holds no request for site-paris inbound', async () => {
      const audit = cardText(await result('audit site-paris', /Audit|No audit|nothing/i));
      expect(audit).not.toMatch(/rotate-certificate.*requested/);
    });
  });
});
