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
 * Issue 10 through the Agents Playground: `status site-rome` says it is not in Azure and offers Provision; the
 * preflight names what Azure would reject, each with its fix, and nothing is asked; alex provisions site-rome with
 * the form, megan approves, the resources are created in order, the plan hands the device over, the simulated device
 * connects, and status and audit tell the story. A wrong chain leaves the tunnels down: the bot diagnoses it and
 * offers Keep or Remove, and Remove deletes only what the provisioning created. An Azure failure mid-apply says what
 * exists, and asking again continues from there.
 */
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1' } as const;

beforeAll(async () => {
  // The device gets 1 minute to connect (PROVISION_DEVICE_WAIT_MINUTES); logs reach Log Analytics 1 s late.
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
const romeLng = () => sim().resources.localNetworkGateways.get(`${rg()}/localNetworkGateways/lng-site-rome`);
const romeChain = () => sandboxFile(sandboxNames.files.romeDeviceChain);
const ROME = 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example';

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
  return { job: await chat.until(ack.id, /Waiting for approval|Could not|things? to fix|Failed/, 60_000), approval };
}

/** A press on a card as alex; resolves with the invoke answer. */
async function press(card: BotMessage, title: string | RegExp, extra: Record<string, unknown> = {}) {
  const button = cardActions(card).find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  expect(button, `button ${String(title)} on: ${cardText(card)}`).toBeDefined();
  return chat.client.invoke({ verb: button!.verb, data: { ...(button!.data as object), ...extra }, replyToId: card.id, conversationId: card.conversationId, fromId: USERS.alex });
}

async function statusOf(site: string): Promise<string> {
  const ack = await chat.say(`status ${site}`);
  return cardText(await chat.until(ack.id, /not in Azure|Connected|NotConnected|Connecting|No such site|Could not/, 45_000));
}

describe('before: site-rome is a device waiting', () => {
  it('status site-rome says it is not in Azure and offers Provision, which opens the form', async () => {
    const ack = await chat.say('status site-rome');
    const card = await chat.until(ack.id, /not in Azure/, 45_000);
    expect(cardText(card)).toMatch(/site-rome is not in Azure yet/);
    const form = await press(card, 'Provision');
    const formCard = form.body.value as { body: { id?: string; value?: string }[] };
    expect(formCard.body.find((e) => e.id === 'site')?.value).toBe('site-rome');
    expect(formCard.body.map((e) => e.id).filter(Boolean)).toEqual(['site', 'ip', 'fqdn', 'prefixes', 'subject', 'chain', 'gateway', 'policy', 'outbound']);
  });
});

describe('preflight: what Azure would reject is named with its fix, and nothing is asked', () => {
  const blocked = async (text: string, code: RegExp, fix: RegExp) => {
    const before = sim().stats.count('Microsoft.Network/localNetworkGateways/write');
    const { job } = await ask(text);
    const shown = cardText(job);
    expect(shown).toMatch(/nothing was changed/);
    expect(shown).toMatch(code);
    expect(shown).toMatch(fix);
    expect(sim().stats.count('Microsoft.Network/localNetworkGateways/write')).toBe(before);
    expect(romeLng()).toBeUndefined();
    return shown;
  };

  it('a prefix overlapping vnet-hub, then one overlapping site-london', async () => {
    await blocked(`${ROME.replace('10.50.0.0/16', '10.0.128.0/20')}\n${romeChain()}`, /10\.0\.128\.0\/20 overlaps 10\.0\.0\.0\/16 of the gateway's virtual network vnet-hub[\s\S]*AddressPrefixesOverlap/, /Give the device's own, unused prefixes/);
    await blocked(`${ROME.replace('10.50.0.0/16', '10.10.4.0/24')}\n${romeChain()}`, /10\.10\.4\.0\/24 overlaps 10\.10\.0\.0\/16 of site-london/, /renumber/);
  });

  it('a private device address is refused before anything is planned', async () => {
    const ack = await chat.say(`${ROME.replace('203.0.113.50', '192.168.10.1')}\n${romeChain()}`);
    const shown = cardText(await chat.until(ack.id, /to fix/, 30_000));
    expect(shown).toMatch(/--ip: 192\.168\.10\.1 is private \(RFC 1918\)[\s\S]*DeviceIpNotPublic/);
  });

  it('a chain without its root; six certificates; a device certificate the subject does not match', async () => {
    const issuingOnly = romeChain().split(/(?=-----BEGIN CERTIFICATE-----)/)[1]!;
    await blocked(`${ROME}\n${issuingOnly}`, /VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert/, /Add the root CA/);
    const root = await createRootCa({ subject: 'CN=Extra Root' });
    const extras = await Promise.all([1, 2, 3, 4].map((i) => issueCertificate(root, { subject: `CN=Extra CA ${i}`, isCa: true })));
    await blocked(`${ROME}\n${romeChain()}${extras.map((e) => e.pem).join('')}`, /MaxRootCertificatePublicKeySupported[\s\S]*Fix: Give at most 5 certificates/, /Fix each blocking check/);
    const device = sandboxFile(sandboxNames.files.romeDeviceLeaf);
    await blocked(`${ROME.replace('CN=rome-vpn.contoso.example', 'CN=other.contoso.example')}\n${romeChain()}${device}`, /does not match the inbound subject CN=other\.contoso\.example[\s\S]*DeviceCertificateMismatch/, /Give --subject with the device certificate's subject \(CN=rome-vpn\.contoso\.example\)/);
  });

  it('a Basic-SKU gateway; a gateway whose identity has no vault access', async () => {
    await blocked(`${ROME} --gateway vpngw-basic\n${romeChain()}`, /vpngw-basic is Basic[\s\S]*VpnGatewayManagedIdentity/, /Resize vpngw-basic to VpnGw1AZ or higher/);
    // The check asks Azure (kv-vpn-certs' access policies, the bot's own permissions there) and names the exact grant.
    await blocked(
      `${ROME} --gateway vpngw-noaccess\n${romeChain()}`,
      /id-vpngw-noaccess \(object id 7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e\) has no access policy in kv-vpn-certs[\s\S]*VpnGatewayKeyVaultInaccessibleKeyvault/,
      /az keyvault set-policy --name kv-vpn-certs --object-id 7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e --certificate-permissions get list --secret-permissions get list/,
    );
  });
});

describe('preflight: access the bot may grant is fixed by the plan', () => {
  it('when the bot may write kv-vpn-certs\' access policies (ALLOW_VAULT_ACCESS_GRANTS), the plan grants the access itself, before the connection', async () => {
    const bot = sim().estateInfo.principals.bot!.objectId;
    const vaultId = sim().estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.id;
    sim().grantRole(bot, 'Key Vault Contributor', vaultId);
    try {
      const { job, approval } = await ask(`${ROME} --gateway vpngw-noaccess\n${romeChain()}`);
      const plan = cardText(job);
      expect(plan).toMatch(/Waiting for approval/);
      expect(plan).toMatch(/↻ fixed by the plan: vault access: id-vpngw-noaccess [^\n]*the plan adds an access policy for id-vpngw-noaccess in kv-vpn-certs: get and list on certificates, get and list on secrets/);
      expect(plan).toMatch(/lng-site-rome local network gateway \(1, about 1 min\)[\s\S]*kv-vpn-certs Key Vault access for id-vpngw-noaccess \(2, about 5 s[\s\S]*outbound-site-rome outbound certificate \(3, about 10 s\)[\s\S]*cn-site-rome connection \(4, about 2 min\)/);
      // Rejected here (the site is provisioned on vpngw-hub below): nothing was granted.
      const card = await approval;
      const asMegan = { replyToId: card.id, conversationId: card.postConversationId ?? card.conversationId, fromId: USERS.megan };
      const refresh = card.cards[0]!.refresh as { action: { verb: string; data: unknown } };
      const view = await chat.client.invoke({ verb: refresh.action.verb, data: refresh.action.data, ...asMegan });
      const reject = cardActions({ ...card, cards: [view.body.value as Record<string, unknown>] }).find((a) => a.title === 'Reject');
      expect(reject).toBeDefined();
      await chat.client.invoke({ verb: reject!.verb, data: { ...(reject!.data as object), reason: 'provisioned on vpngw-hub instead' }, ...asMegan });
      expect(cardText(await chat.until(job.id, /Rejected/, 45_000))).toMatch(/provisioned on vpngw-hub instead/);
      expect(sim().vaults.isAllowed(sandboxNames.keyVault, sandboxNames.noAccessIdentityPrincipalId, 'secrets/get', new Date(Date.now() + 3_600_000))).toBe(false);
      expect(romeLng()).toBeUndefined();
    } finally {
      sim().rbac.revoke(bot, 'Key Vault Contributor');
    }
  });
});

describe('provision site-rome with the form', () => {
  it('the form answers a bad field in the form itself; corrected, megan approves; created in order; both tunnels Connected; status healthy; audit tells it', { timeout: 200_000 }, async () => {
    const ack = await chat.say('provision');
    const formMessage = await chat.until(ack.id, /Provision a site/, 30_000);
    const fields = { site: 'site-rome', ip: '10.50.0.1', prefixes: '10.50.0.0/16', subject: 'CN=rome-vpn.contoso.example', chain: romeChain(), policy: 'default', outbound: 'ca' };
    const refused = await press(formMessage, 'Check and plan', fields);
    const again = JSON.stringify(refused.body.value);
    expect(again).toMatch(/Provision a site/);
    expect(again).toMatch(/10\.50\.0\.1 is private \(RFC 1918\)/);
    expect(again).toContain('"id":"ip"');
    // The corrected form: planned, then approved.
    const approval = nextApprovalCard();
    const pressed = await press(formMessage, 'Check and plan', { ...fields, ip: '203.0.113.50' });
    expect(String(pressed.body.value)).toMatch(/Planning: provision site-rome/);
    const planAck = await chat.client.replyTo(pressed);
    const job = await chat.until(planAck.id, /Waiting for approval/, 60_000);
    const plan = cardText(job);
    expect(plan).toMatch(/Provision site-rome on vpngw-hub/);
    // Each resource in order with Azure's expected time.
    expect(plan).toMatch(/lng-site-rome local network gateway \(1, about 1 min\)[\s\S]*outbound-site-rome outbound certificate \(2, about 10 s\)[\s\S]*cn-site-rome connection \(3, about 2 min\)/);
    expect(plan).toMatch(/✓ passed: address prefixes: 10\.50\.0\.0\/16 overlap nothing/);
    expect(plan).toMatch(/↻ fixed by the plan: outbound certificate/);
    // The hand-over: both gateway instances, the parameters, the root, the subject, a swanctl.conf.
    expect(plan).toMatch(/instance 0 198\.51\.100\.10, instance 1 198\.51\.100\.11 \(active-active: configure both tunnels\)/);
    expect(plan).toMatch(/Azure expects the device's certificate subject: CN=rome-vpn\.contoso\.example/);
    expect(plan).toMatch(/remote_addrs = 198\.51\.100\.10[\s\S]*remote_addrs = 198\.51\.100\.11/);
    expect(plan).toMatch(/Root to trust on the device for Azure's certificate \(CN=Contoso Azure VPN Root CA/);
    // Each step shows on the card as it goes, with what the steps before it did.
    const stepShown = chat.client.waitFor((m) => m.id === job.id && /step 3 of 3\s+✓ 1\. created local network gateway lng-site-rome[\s\S]*✓ 2\. issued outbound-site-rome version[\s\S]*… 3\. create connection cn-site-rome \(Azure: 2 min\)/.test(cardText(m)), 120_000);
    await approveAsMegan(await approval);
    await stepShown;
    const done = cardText(await chat.until(job.id, /Done|Failed/, 150_000));
    expect(done).toMatch(/Done: applied and verified\./);
    expect(sim().inspectTunnels(romeConnection()!.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);
    expect(await statusOf('site-rome')).toMatch(/Connected/);
    const audit = cardText(await chat.until((await chat.say('audit site-rome')).id, /Audit|audit/, 30_000));
    expect(audit).toMatch(/provision-site/);
    expect(audit).toMatch(/created local network gateway lng-site-rome[\s\S]*issued outbound-site-rome[\s\S]*created connection cn-site-rome/);
    expect(audit).toMatch(/successful negotiations? with 203\.0\.113\.50/);
  });

  it('a second provisioning of the same site is refused while the site exists', async () => {
    const { job } = await ask(`${ROME}\n${romeChain()}`);
    expect(cardText(job)).toMatch(/connection cn-site-rome on vpngw-hub already is site-rome \(provisioned earlier; change it with rotate, or Remove it first\)[\s\S]*SiteNameTaken/);
  });

  it('Remove (asked for by its button) deletes what the provisioning created and nothing else', { timeout: 150_000 }, async () => {
    const ack = await chat.say('status site-rome');
    const status = await chat.until(ack.id, /Connected/, 45_000);
    const approval = nextApprovalCard();
    const pressed = await chat.client.invoke({ verb: 'removeSite', data: { site: 'site-rome' }, replyToId: status.id, conversationId: status.conversationId, fromId: USERS.alex });
    expect(String(pressed.body.value)).toMatch(/Planning the removal of site-rome/);
    const job = await chat.until((await chat.client.replyTo(pressed)).id, /Waiting for approval/, 60_000);
    expect(cardText(job)).toMatch(/cn-site-rome connection:\s+exists\s+→\s+deleted[\s\S]*lng-site-rome local network gateway:\s+exists \(203\.0\.113\.50, 10\.50\.0\.0\/16\)\s+→\s+deleted[\s\S]*outbound-site-rome version \w+:\s+enabled\s+→\s+disabled/);
    const gateways = sim().resources.gateways.size;
    await approveAsMegan(await approval);
    expect(cardText(await chat.until(job.id, /Done|Failed/, 120_000))).toMatch(/Done: applied and verified\./);
    expect(romeConnection()).toBeUndefined();
    expect(romeLng()).toBeUndefined();
    expect(sim().resources.gateways.size).toBe(gateways);
    expect(sim().resources.localNetworkGateways.get(`${rg()}/localNetworkGateways/lng-site-london`)).toBeDefined();
    // The version the vault held before stays enabled; only the provisioning's own version is disabled.
    const record = sim().vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome');
    expect(record.versions.filter((v) => v.enabled)).toHaveLength(1);
    expect(record.versions.find((v) => v.enabled)?.tags['provisioned-by']).toBeUndefined();
  });
});

describe('when it does not connect, or Azure fails part-way', () => {
  it('a wrong chain: tunnels stay down, the bot diagnoses it and offers Keep or Remove; Remove deletes only what was created', { timeout: 300_000 }, async () => {
    const wrong = sandboxFile(sandboxNames.files.berlinG2Chain);
    const { job, approval } = await ask(`${ROME}\n${wrong}`);
    expect(cardText(job)).toMatch(/Waiting for approval/);
    await approveAsMegan(await approval);
    const ended = await chat.until(job.id, /Failed|Done/, 240_000);
    const text = cardText(ended);
    expect(text).toMatch(/applied, not verified/);
    expect(text).toMatch(/waiting for the device/);
    expect(text).toMatch(/Diagnosis:/);
    // The hand-over stays at hand for the device owner (Get files).
    expect(cardActions(ended).map((a) => a.title)).toEqual(['Keep', 'Remove', 'Get files']);
    // Keep: left for the device owner, and the audit says who kept it.
    const kept = await press(ended, 'Keep');
    expect(String(kept.body.value)).toMatch(/Kept: site-rome stays in Azure for the device owner/);
    expect(romeConnection()).toBeDefined();
    const audit = cardText(await chat.until((await chat.say('audit site-rome')).id, /Audit|audit/, 30_000));
    expect(audit).toMatch(/kept: left in place for the device owner/);
    expect(audit).toMatch(/not verified[\s\S]*Diagnosis: /);
    const removal = nextApprovalCard();
    const pressed = await press(ended, 'Remove');
    const removeJob = await chat.until((await chat.client.replyTo(pressed)).id, /Waiting for approval/, 60_000);
    await approveAsMegan(await removal);
    expect(cardText(await chat.until(removeJob.id, /Done|Failed/, 120_000))).toMatch(/Done: applied and verified\./);
    expect(romeConnection()).toBeUndefined();
    expect(romeLng()).toBeUndefined();
  });

  it('the connection PUT fails: the card says what exists; asking again continues from there and connects', { timeout: 240_000 }, async () => {
    const fault = sim().faults.add({ match: { method: 'PUT', pathEndsWith: '/connections/cn-site-rome' }, respond: { status: 500 } });
    let job: BotMessage;
    try {
      const asked = await ask(`${ROME}\n${romeChain()}`);
      job = asked.job;
      await approveAsMegan(await asked.approval);
      const failed = cardText(await chat.until(job.id, /Failed|Done/, 150_000));
      expect(failed).toMatch(/Applying it failed part-way: Azure had a server error while trying to create or update connection cn-site-rome/);
      expect(failed).toMatch(/What exists now: local network gateway lng-site-rome, outbound-site-rome version \w+ exist\. Ask for it again to continue/);
    } finally {
      fault.remove();
    }
    const lngId = romeLng()!.id;
    const again = await ask(`${ROME}\n${romeChain()}`);
    expect(cardText(again.job)).toMatch(/lng-site-rome local network gateway \(1, about 1 min\):\s+exists \(an earlier run\)/);
    await approveAsMegan(await again.approval);
    const done = cardText(await chat.until(again.job.id, /Done|Failed/, 150_000));
    expect(done).toMatch(/Done: applied and verified\./);
    expect(romeLng()!.id).toBe(lngId);
    expect(sim().inspectTunnels(romeConnection()!.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);
  });
});
