import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../core/pki/certificate-info';
import { parseDer } from '../../core/pki/parse-certificate';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { createRootCa, issueCertificate } from '../../local/pki/cert-factory';
import { signCsr } from '../../local/pki/csr';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * Issue 10, `--outbound external`, through the Agents Playground: alex provisions site-rome with the outbound
 * certificate from the customer's own CA; megan approves; the card stops at "waiting for the signed certificate" with
 * the CSR and no connection exists. The CSR is signed outside (here by the sandbox's root CA, which rome's device
 * trusts); a certificate for another key is refused with nothing asked; `provision site-rome --merge` with the signed
 * certificate and its root is planned from the stored provisioning, approved by megan, merged, the connection created,
 * and the device connects.
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
const romeChain = () => readFileSync(join(filesDir(), sandboxNames.files.romeDeviceChain), 'utf8');
const rg = () => `/subscriptions/${sandboxNames.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}/providers/Microsoft.Network`;
const romeConnection = () => sim().resources.connections.get(`${rg()}/connections/cn-site-rome`);
const romeLng = () => sim().resources.localNetworkGateways.get(`${rg()}/localNetworkGateways/lng-site-rome`);
const ROME = 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example --outbound external';

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

/** Typed as alex; resolves with the card once it waits for approval (or failed), and the approval card. */
async function ask(text: string): Promise<{ job: BotMessage; approval: Promise<BotMessage> }> {
  const approval = nextApprovalCard();
  approval.catch(() => undefined);
  const ack = await chat.say(text);
  return { job: await chat.until(ack.id, /Waiting for approval|Could not|things? to fix|Failed|Nothing to change/, 60_000), approval };
}

describe('provision site-rome --outbound external, then --merge', () => {
  let csr: string;

  it('part 1: planned and approved by megan; the card waits for the signed certificate with the CSR; no connection yet', { timeout: 150_000 }, async () => {
    const { job, approval } = await ask(`${ROME}\n${romeChain()}`);
    const plan = cardText(job);
    expect(plan).toMatch(/Provision site-rome on vpngw-hub \(part 1: up to the CSR for your CA\)/);
    expect(plan).toMatch(/outbound-site-rome outbound certificate \(2, about 10 s\):\s+none for this site\s+→\s+a pending request: Key Vault makes the key and a CSR/);
    expect(plan).toMatch(/cn-site-rome connection \(3, about 2 min\):\s+none\s+→\s+after provision site-rome --merge/);
    expect(plan).not.toMatch(/Root to trust on the device/);
    await approveAsMegan(await approval);
    const done = cardText(await chat.until(job.id, /Done|Failed/, 120_000));
    expect(done).toMatch(/Done: applied and verified\. Created local network gateway lng-site-rome[\s\S]*waiting for the signed certificate: Key Vault \S+ made the key and this CSR for outbound-site-rome[\s\S]*send provision site-rome --merge/);
    csr = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/.exec(done)?.[0] ?? '';
    expect(csr, done).not.toBe('');
    expect(romeLng()).toBeDefined();
    expect(romeConnection()).toBeUndefined();
  });

  it('a certificate for another key is refused before anything is asked', async () => {
    const other = await createRootCa({ subject: 'CN=Some Other CA' });
    const leaf = await issueCertificate(other, { subject: 'CN=azure-rome.vpn' });
    const { job } = await ask(`provision site-rome --merge\n${leaf.pem}${other.pem}`);
    const shown = cardText(job);
    expect(shown).toMatch(/Could not plan[\s\S]*carries the key of the pending request[\s\S]*CertificateDoesNotMatchRequest/);
    expect(romeConnection()).toBeUndefined();
  });

  it('status site-rome between the parts says it waits for the signed certificate and what to send, without offering Provision', async () => {
    const ack = await chat.say('status rome');
    const shown = await chat.until(ack.id, /site-rome/, 30_000);
    const text = cardText(shown);
    expect(text).toMatch(/site-rome waits for its signed certificate/);
    expect(text).toMatch(/Key Vault \S+ holds the key and CSR of its outbound certificate outbound-site-rome/);
    expect(text).toMatch(/send provision site-rome --merge with the signed certificate/);
    expect(text).toMatch(/SiteAwaitingSignedCertificate/);
    expect(cardActions(shown).map((a) => a.title)).not.toContain('Provision');
  });

  it('part 2: the signed certificate merged after megan approves; the connection created; the device connects; audit tells both parts', { timeout: 200_000 }, async () => {
    // The customer's CA signs the CSR: here the sandbox's root CA, which rome's device trusts.
    const ca = sim().vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
    const caCertificate = parseDer(ca.der!);
    const signed = signCsr({ der: caCertificate.der, pem: toPem(caCertificate), privateKeyPem: ca.privateKeyPem!, info: caCertificate }, csr);
    const { job, approval } = await ask(`provision site-rome --merge\n${toPem(caCertificate)}${signed.pem}`);
    const plan = cardText(job);
    expect(plan).toMatch(/Provision site-rome on vpngw-hub \(part 2: your CA's certificate and the connection\)/);
    expect(plan).toMatch(new RegExp(`outbound-site-rome chain merged:\\s+none\\s+→\\s+${signed.info.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → CN=Contoso Azure VPN Root CA`));
    // Not retyped: the inbound subject and the device address come from part 1.
    expect(plan).toMatch(/inbound subject CN=rome-vpn\.contoso\.example/);
    expect(plan).toMatch(/Root to trust on the device for Azure's certificate \(CN=Contoso Azure VPN Root CA/);
    await approveAsMegan(await approval);
    const done = cardText(await chat.until(job.id, /Done|Failed/, 180_000));
    expect(done).toMatch(/Done: applied and verified\. Merged the signed certificate into outbound-site-rome[\s\S]*created connection cn-site-rome/);
    expect(sim().inspectTunnels(romeConnection()!.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);
    const audit = cardText(await chat.until((await chat.say('audit site-rome')).id, /Audit|audit/, 30_000));
    expect(audit).toMatch(/waiting for the signed certificate/);
    expect(audit).toMatch(/merged the signed certificate into outbound-site-rome[\s\S]*created connection cn-site-rome|successful negotiations? with 203\.0\.113\.50/);
  });

  it('sending the same --merge again: nothing to change, the site is provisioned', async () => {
    const root = toPem(parseDer(sim().vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!.der!));
    const ack = await chat.say(`provision site-rome --merge\n${root}`);
    expect(cardText(await chat.until(ack.id, /Nothing to change|nothing to change|Could not/, 60_000))).toMatch(/site-rome is provisioned: connection cn-site-rome exists/);
  });
});
