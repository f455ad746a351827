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
 * The vault-access grant through the Agents Playground, on a sandbox whose bot may write kv-vpn-certs' access policies
 * (`sandboxEstate: { vaultAccessGrants: true }`, as `npm start -- --vault-access-grants`, a deployment's
 * ALLOW_VAULT_ACCESS_GRANTS): alex provisions site-rome on vpngw-noaccess, whose identity id-vpngw-noaccess may not
 * read certificates and secrets there; the preflight says the plan fixes it; megan approves; the grant is written to
 * the vault's access policy before the connection (which waits until Key Vault honours it), the device connects, and
 * audit tells the grant. Remove takes away exactly the permissions the provisioning added: what the identity held
 * before stays.
 */
let chat: ChatFixture;
const USERS = { alex: 'user-id-0', megan: 'user-id-1' } as const;
const noAccess = sandboxNames.noAccessIdentityPrincipalId;
/** What id-vpngw-noaccess holds before (set by an administrator): get on certificates, a key permission; no secrets. */
const before = { objectId: noAccess, certificates: ['get'], secrets: [] as string[], keys: ['get'] };

beforeAll(async () => {
  // Key Vault honours a new access policy 10 s after it is written: the connection's first PUT is refused and retried.
  chat = await startChat({
    simulator: { logIngestionDelayMs: 1_000, sandboxEstate: { vaultAccessGrants: true }, keyVaultAccessPropagationMs: 10_000 },
    settings: { PROVISION_DEVICE_WAIT_MINUTES: '1' },
  });
  sim().vaults.setAccessPolicy(sandboxNames.keyVault, before);
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
const ROME = 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example --gateway vpngw-noaccess';
/** id-vpngw-noaccess's access policy in kv-vpn-certs as ARM lists it. */
const policyOfIdentity = () => {
  const p = sim().vaults.listVaults().find((v) => v.name === sandboxNames.keyVault)!.accessPolicies.find((a) => a.objectId === noAccess);
  return p && { certificates: [...p.certificates].sort(), secrets: [...p.secrets].sort(), keys: [...p.keys].sort() };
};
const gatewayReads = () => sim().vaults.isAllowed(sandboxNames.keyVault, noAccess, 'certificates/get') && sim().vaults.isAllowed(sandboxNames.keyVault, noAccess, 'secrets/get');

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

describe('provision on a gateway whose identity lacks vault access, when the bot may grant it', () => {
  it('the plan grants what is missing; megan approves; granted before the connection; Connected; audit tells the grant', { timeout: 240_000 }, async () => {
    expect(gatewayReads()).toBe(false);
    const approval = nextApprovalCard();
    const ack = await chat.say(`${ROME}\n${romeChain()}`);
    const job = await chat.until(ack.id, /Waiting for approval|Could not|things? to fix|Failed/, 60_000);
    const plan = cardText(job);
    expect(plan).toMatch(/Waiting for approval/);
    expect(plan).toMatch(/Provision site-rome on vpngw-noaccess/);
    // Only what it lacks: list on certificates, get and list on secrets.
    expect(plan).toMatch(/↻ fixed by the plan: vault access: id-vpngw-noaccess [^\n]*the plan adds an access policy for id-vpngw-noaccess in kv-vpn-certs: list on certificates, get and list on secrets/);
    expect(plan).toMatch(/lng-site-rome local network gateway \(1, about 1 min\)[\s\S]*kv-vpn-certs Key Vault access for id-vpngw-noaccess \(2, about 5 s[\s\S]*outbound-site-rome outbound certificate \(3, about 10 s\)[\s\S]*cn-site-rome connection \(4, about 2 min\)/);
    // Nothing is granted before the approval.
    expect(policyOfIdentity()).toEqual({ certificates: ['get'], secrets: [], keys: ['get'] });

    await approveAsMegan(await approval);
    const done = cardText(await chat.until(job.id, /Done|Failed/, 200_000));
    expect(done).toMatch(/Done: applied and verified\./);
    // The grant is in the vault's access policy, merged with what the identity held; Key Vault honours it.
    expect(policyOfIdentity()).toEqual({ certificates: ['get', 'list'], secrets: ['get', 'list'], keys: ['get'] });
    expect(gatewayReads()).toBe(true);
    const connection = romeConnection()!;
    expect(connection.config.virtualNetworkGatewayId).toMatch(/\/virtualNetworkGateways\/vpngw-noaccess$/);
    expect(sim().inspectTunnels(connection.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);

    const audit = cardText(await chat.until((await chat.say('audit site-rome')).id, /Audit|audit/, 30_000));
    expect(audit).toMatch(/provision-site/);
    expect(audit).toMatch(/created local network gateway lng-site-rome \(203\.0\.113\.50, 10\.50\.0\.0\/16\); added to id-vpngw-noaccess's access policy in kv-vpn-certs: certificates list; secrets get, list; issued outbound-site-rome[\s\S]*created connection cn-site-rome/);
  });

  it('Remove (with approval) takes away the grant and what the provisioning created; the identity keeps what it held before', { timeout: 150_000 }, async () => {
    const ack = await chat.say('status site-rome');
    const status = await chat.until(ack.id, /\bConnected/, 45_000);
    const approval = nextApprovalCard();
    const pressed = await chat.client.invoke({ verb: 'removeSite', data: { site: 'site-rome' }, replyToId: status.id, conversationId: status.conversationId, fromId: USERS.alex });
    expect(String(pressed.body.value)).toMatch(/Planning the removal of site-rome/);
    const job = await chat.until((await chat.client.replyTo(pressed)).id, /Waiting for approval/, 60_000);
    const plan = cardText(job);
    expect(plan).toMatch(/cn-site-rome connection:\s+exists\s+→\s+deleted[\s\S]*lng-site-rome local network gateway:\s+exists \(203\.0\.113\.50, 10\.50\.0\.0\/16\)\s+→\s+deleted/);
    expect(plan).toMatch(/kv-vpn-certs access policy of object 7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e:\s+has certificates list, secrets get, secrets list \(added by provisioning \w+\)\s+→\s+certificates list, secrets get, secrets list removed/);
    // Still granted until megan approves.
    expect(policyOfIdentity()).toEqual({ certificates: ['get', 'list'], secrets: ['get', 'list'], keys: ['get'] });
    await approveAsMegan(await approval);
    expect(cardText(await chat.until(job.id, /Done|Failed/, 120_000))).toMatch(/Done: applied and verified\./);
    expect(romeConnection()).toBeUndefined();
    expect(romeLng()).toBeUndefined();
    // Exactly the grant is gone: get on certificates and the key permission stay.
    expect(policyOfIdentity()).toEqual({ certificates: ['get'], secrets: [], keys: ['get'] });
    // The other identities' policies are untouched.
    expect(sim().vaults.isAllowed(sandboxNames.keyVault, sandboxNames.identityPrincipalId, 'secrets/get')).toBe(true);
    const record = sim().vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome');
    expect(record.versions.filter((v) => v.enabled)).toHaveLength(1);
    expect(record.versions.find((v) => v.enabled)?.tags['provisioned-by']).toBeUndefined();
  });
});
