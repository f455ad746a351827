import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import { toPem } from '../../core/pki/certificate-info';
import { parseDer } from '../../core/pki/parse-certificate';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { signCsr } from '../../local/pki/csr';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import { generateKey } from '../../local/pki/cert-factory';
import type { ChatFixture } from './sandbox-fixture';

/**
 * The end-to-end flows the secret scan runs (test/e2e/secret-scan.test.ts), in order, on one sandbox. Everything the
 * product writes while they run is scanned: logs, every card and every update of it, invoke answers, durable history
 * and custom status, and every Table Storage row. A new command or change kind adds its flow here (see
 * docs/adding-a-command.md): it runs the story through the Playground as people would, and the scan does the rest.
 */
export interface ScanFlow {
  readonly name: string;
  run(chat: ChatFixture, scan: ScanRecorder): Promise<void>;
}

/** What a flow hands the scan besides what the sandbox records by itself: the answers to its button presses. */
export interface ScanRecorder {
  invokeAnswer(where: string, body: unknown): void;
}

/** The Playground's user ids of the sandbox people (README). */
export const SCAN_USERS = { alex: 'user-id-0', megan: 'user-id-1', adele: 'user-id-2', isaiah: 'user-id-3', patti: 'user-id-4' } as const;

/** Sends a line and waits until the job's card is final (its card stops saying it is working). */
export async function finalCard(chat: ChatFixture, text: string, options: { as?: string; conversation?: 'personal' | 'group' | 'channel' } = {}): Promise<BotMessage> {
  const ack = await chat.say(text, options);
  if (!/Working on it|This card updates itself/.test(cardText(ack))) return ack;
  return chat.until(ack.id, /^(?![\s\S]*(Working on it|This card updates itself))/, 45_000);
}

const deviceLog = (): string => readFileSync(join(__dirname, '../fixtures/ike/strongswan/wrong-root-initiator.log'), 'utf8');

export const SECRET_SCAN_FLOWS: readonly ScanFlow[] = [
  {
    name: 'status',
    async run(chat) {
      expect(cardText(await finalCard(chat, 'status'))).toMatch(/of 7 sites/);
      expect(cardText(await finalCard(chat, 'status paris'))).toMatch(/site-paris/);
      expect(cardText(await finalCard(chat, 'status site-rome'))).toMatch(/not in Azure yet/);
      await finalCard(chat, 'whoami');
      await finalCard(chat, 'jobs');
    },
  },
  {
    name: 'diagnose',
    async run(chat) {
      expect(cardText(await finalCard(chat, 'diagnose site-berlin'))).toMatch(/doesn't trust the device's certificate/);
      expect(cardText(await finalCard(chat, `diagnose site-london\n${deviceLog()}`))).toMatch(/Healthy/);
      await finalCard(chat, 'diagnose oslo --hours 6', { as: SCAN_USERS.isaiah, conversation: 'channel' });
    },
  },
  {
    name: 'enable diagnostics through approval',
    async run(chat, scan) {
      const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)), 45_000);
      const ack = await chat.say('enable-diagnostics site-lisbon');
      const plan = await chat.until(ack.id, /Waiting for approval/, 45_000);
      const approval = await inChannel;
      const conversationId = approval.postConversationId ?? approval.conversationId;
      // megan's own view of the approval card (its refresh, as her Teams client asks for it) carries Approve.
      const view = (approval.cards[0]!.refresh as { action: { data: Record<string, unknown> } }).action.data;
      const hers = (await chat.client.invoke({ verb: 'approvalView', data: view, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body;
      scan.invokeAnswer('approval view (megan)', hers);
      const approve = cardActions({ id: '', conversationId: '', cards: [hers.value as Record<string, unknown>], updates: 0, receivedAt: 0 }).find((a) => a.title === 'Approve')!;
      scan.invokeAnswer('approve (alex, refused)', (await chat.client.invoke({ verb: approve.verb, data: approve.data, replyToId: approval.id, conversationId, fromId: SCAN_USERS.alex })).body);
      scan.invokeAnswer('approve (megan)', (await chat.client.invoke({ verb: approve.verb, data: { ...(approve.data as object), reason: 'ok for today' }, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body);
      expect(cardText(await chat.until(plan.id, /Done/, 45_000))).toMatch(/applied and verified/);
      await finalCard(chat, 'approvals', { as: SCAN_USERS.megan, conversation: 'channel' });
      expect(cardText(await finalCard(chat, 'audit site-lisbon', { as: SCAN_USERS.isaiah, conversation: 'channel' }))).toMatch(/verified/);
    },
  },
  {
    // rotate outbound (issue 9): a certificate from the CA in Key Vault, then an external CSR signed outside and merged.
    name: 'rotate outbound: from the vault CA, and an external CSR merged',
    async run(chat, scan) {
      const approveAsMegan = async (line: string, as?: string): Promise<BotMessage> => {
        const site = line.split(' ')[1]!;
        const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)) && cardText(m).includes(site), 60_000);
        const ack = await chat.say(line, as ? { as } : {});
        const plan = await chat.until(ack.id, /Waiting for approval|Could not/, 60_000);
        expect(cardText(plan)).toMatch(/Waiting for approval/);
        const approval = await inChannel;
        const conversationId = approval.postConversationId ?? approval.conversationId;
        const view = (approval.cards[0]!.refresh as { action: { data: Record<string, unknown> } }).action.data;
        const hers = (await chat.client.invoke({ verb: 'approvalView', data: view, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body;
        scan.invokeAnswer(`approval view (megan): ${line.split('\n')[0]}`, hers);
        const approve = cardActions({ id: '', conversationId: '', cards: [hers.value as Record<string, unknown>], updates: 0, receivedAt: 0 }).find((a) => a.title === 'Approve')!;
        scan.invokeAnswer(`approve (megan): ${line.split('\n')[0]}`, (await chat.client.invoke({ verb: approve.verb, data: approve.data, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body);
        return chat.until(plan.id, /Done|Rolled back|Failed/, 180_000);
      };
      expect(cardText(await approveAsMegan('rotate site-paris outbound'))).toMatch(/Done: applied and verified/);
      const requested = cardText(await approveAsMegan('rotate site-london outbound --source external'));
      const csr = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/.exec(requested)?.[0];
      expect(csr, requested).toBeDefined();
      // The outside CA signs it: here the sandbox's own root, which london's device trusts.
      const ca = chat.sandbox.simulator.vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
      const caCertificate = parseDer(ca.der!);
      const signed = signCsr({ der: caCertificate.der, pem: toPem(caCertificate), privateKeyPem: ca.privateKeyPem, info: caCertificate }, csr!);
      expect(cardText(await approveAsMegan(`rotate site-london outbound --merge\n${toPem(caCertificate)}${signed.pem}`))).toMatch(/Done: applied and verified/);
      expect(cardText(await finalCard(chat, 'audit site-london', { as: SCAN_USERS.isaiah, conversation: 'channel' }))).toMatch(/rotate-certificate/);
    },
  },
  {
    // rotate <site> inbound (issue 9): a chain pasted with a private key, typed and through the diagnose card's form,
    // is refused without being echoed; a good chain is planned and asked for (its certificates in history, cards and
    // tables), then withdrawn.
    name: 'rotate inbound: a chain pasted with a private key, then a good one planned and withdrawn',
    async run(chat, scan) {
      const filesDir = dirname(dirname(chat.sandbox.deviceLogs[0]!.path));
      const g2 = readFileSync(join(filesDir, sandboxNames.files.berlinG2Chain), 'utf8');
      const { privateKeyPem } = await generateKey();
      expect(cardText(await chat.say(`rotate site-berlin inbound\n${g2}${privateKeyPem}`))).toMatch(/contains a private key/);
      const diagnosis = await finalCard(chat, 'diagnose site-berlin');
      const request = cardActions(diagnosis).find((a) => a.title === 'Request the change')!;
      const refused = (await chat.client.invoke({ verb: request.verb, data: { ...(request.data as object), chain: `${privateKeyPem}${g2}` }, replyToId: diagnosis.id, conversationId: diagnosis.conversationId })).body;
      scan.invokeAnswer('update inbound chain with a key (alex)', refused);
      const pressed = await chat.client.invoke({ verb: request.verb, data: { ...(request.data as object), chain: g2 }, replyToId: diagnosis.id, conversationId: diagnosis.conversationId });
      scan.invokeAnswer('update inbound chain (alex)', pressed.body);
      const ack = await chat.client.replyTo(pressed);
      const plan = await chat.until(ack.id, /Waiting for approval/, 45_000);
      const withdraw = cardActions(plan).find((a) => a.title === 'Withdraw')!;
      scan.invokeAnswer('withdraw (alex)', (await chat.client.invoke({ verb: withdraw.verb, data: withdraw.data, replyToId: plan.id, conversationId: plan.conversationId })).body);
      expect(cardText(await chat.until(plan.id, /Withdrawn/, 45_000))).toMatch(/Nothing was changed/);
    },
  },
  {
    // provision (issue 10): the form (with a private key pasted into its chain: refused, not echoed), then site-rome
    // provisioned inline through approval (a certificate issued in Key Vault, the hand-over on the card), and its audit.
    name: 'provision: the form with a key pasted, then site-rome inline through approval',
    async run(chat, scan) {
      const filesDir = dirname(dirname(chat.sandbox.deviceLogs[0]!.path));
      const chain = readFileSync(join(filesDir, sandboxNames.files.romeDeviceChain), 'utf8');
      const { privateKeyPem } = await generateKey();
      const status = await finalCard(chat, 'status site-rome');
      const provision = cardActions(status).find((a) => a.title === 'Provision')!;
      const form = (await chat.client.invoke({ verb: provision.verb, data: provision.data, replyToId: status.id, conversationId: status.conversationId })).body;
      scan.invokeAnswer('provision form (alex)', form);
      const fields = { site: 'site-rome', ip: '203.0.113.50', prefixes: '10.50.0.0/16', subject: 'CN=rome-vpn.contoso.example', chain: `${chain}${privateKeyPem}` };
      const refused = (await chat.client.invoke({ verb: 'provisionSite', data: fields, replyToId: status.id, conversationId: status.conversationId })).body;
      scan.invokeAnswer('provision form with a key (alex)', refused);
      expect(JSON.stringify(refused)).toMatch(/private key/);
      const inChannel = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)) && cardText(m).includes('site-rome'), 60_000);
      const ack = await chat.say(`provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example\n${chain}`);
      const plan = await chat.until(ack.id, /Waiting for approval|Could not/, 60_000);
      expect(cardText(plan)).toMatch(/Waiting for approval/);
      const approval = await inChannel;
      const conversationId = approval.postConversationId ?? approval.conversationId;
      const view = (approval.cards[0]!.refresh as { action: { data: Record<string, unknown> } }).action.data;
      const hers = (await chat.client.invoke({ verb: 'approvalView', data: view, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body;
      scan.invokeAnswer('approval view (megan): provision site-rome', hers);
      const approve = cardActions({ id: '', conversationId: '', cards: [hers.value as Record<string, unknown>], updates: 0, receivedAt: 0 }).find((a) => a.title === 'Approve')!;
      scan.invokeAnswer('approve (megan): provision site-rome', (await chat.client.invoke({ verb: approve.verb, data: approve.data, replyToId: approval.id, conversationId, fromId: SCAN_USERS.megan })).body);
      expect(cardText(await chat.until(plan.id, /Done|Failed/, 180_000))).toMatch(/Done: applied and verified/);
      expect(cardText(await finalCard(chat, 'audit site-rome', { as: SCAN_USERS.isaiah, conversation: 'channel' }))).toMatch(/provision-site/);
    },
  },
];
