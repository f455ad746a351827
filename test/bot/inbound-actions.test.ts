import { beforeAll, describe, expect, it } from 'vitest';
import { handleCardAction } from '../../bot/handle-card-action';
import { handleMessage } from '../../bot/handle-message';
import { VERBS } from '../../cards/verbs';
import type { ChangeRequest } from '../../core/change/change-kind';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { ActionOutcome } from '../../core/ports/chat';
import { createRootCa, issueCertificate, type IssuedCertificate } from '../../local/pki/cert-factory';
import { visibleText } from '../cards/card-inspect';
import { FINGERPRINT, LISBON_JOB_ID, pendingChange, REQUEST_ID } from '../core/change/change-fixtures';
import { cardAction, chatMessage, NOW, PEOPLE, testBot, textFile } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

/**
 * The inbound side in the bot: `rotate <site> inbound` and the diagnose card's buttons check what they are given
 * before anything is asked for (Azure's chain rules, a strong proposal, the shape of the data), and a change waiting
 * for its maintenance window can be withdrawn or cancelled.
 */
let root: IssuedCertificate;
let issuing: IssuedCertificate;
let otherRoot: IssuedCertificate;
let chain: string;

beforeAll(async () => {
  const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000);
  root = await createRootCa({ subject: 'CN=Berlin Device Root CA G2', notBefore: at(-100), notAfter: at(3000) });
  issuing = await issueCertificate(root, { subject: 'CN=Berlin Device Issuing CA G2', isCa: true, notBefore: at(-100), notAfter: at(1000) });
  otherRoot = await createRootCa({ subject: 'CN=Other Root', notBefore: at(-100), notAfter: at(3000) });
  chain = `${issuing.pem}${root.pem}`;
});

async function press(bot: TestBot, verb: string, data: unknown, from: Person = PEOPLE.alex): Promise<{ outcome: ActionOutcome; replies: string[] }> {
  const action = cardAction(bot, verb, data, from);
  const outcome = await handleCardAction(action, bot.deps);
  return { outcome, replies: action.surface.replies.map((c) => visibleText(c)) };
}

async function say(bot: TestBot, text: string, files = [] as ReturnType<typeof textFile>[]): Promise<string[]> {
  const message = chatMessage(bot, text, PEOPLE.alex, files);
  await handleMessage(message, bot.deps);
  return message.surface.replies.map((c) => visibleText(c));
}

const requested = (bot: TestBot) => bot.jobs.started.filter((s) => s.orchestration === ORCHESTRATIONS.changeRequest).map((s) => s.envelope.payload as ChangeRequest);
const text = (o: ActionOutcome) => (o.kind === 'card' ? visibleText(o.card) : o.text);
const b64 = (c: IssuedCertificate) => Buffer.from(c.der).toString('base64');

describe('rotate <site> inbound', () => {
  it('asks for the change with the chain root first (base64 DER only) and the subject', async () => {
    const bot = testBot();
    await say(bot, `rotate site-berlin inbound --subject "CN=berlin-vpn.contoso.example"\n${chain}`);
    expect(requested(bot)).toEqual([{ kind: 'rotate-certificate', site: 'site-berlin', side: 'inbound', chain: [b64(root), b64(issuing)], subject: 'CN=berlin-vpn.contoso.example' }]);
    expect(bot.jobs.started[0]!.envelope.commandLine).toBe('rotate site-berlin inbound (+ 2 CA certificates) --subject "CN=berlin-vpn.contoso.example"');
  });

  it('reads an attached file as well', async () => {
    const bot = testBot();
    await say(bot, 'rotate site-berlin inbound', [textFile('chain.pem', chain)]);
    expect(requested(bot)[0]).toMatchObject({ chain: [b64(root), b64(issuing)] });
  });

  it('refuses bad input with every problem and its code, and asks for nothing', async () => {
    const bot = testBot();
    const replies = await say(bot, `rotate site-berlin inbound\n${root.pem}${otherRoot.pem}${issuing.pem}`);
    expect(replies.join('\n')).toMatch(/the new chain cannot be used[\s\S]*nothing was requested[\s\S]*VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts/);
    expect((await say(bot, `rotate site-berlin inbound\n${chain}${issuing.privateKeyPem}`)).join('\n')).toMatch(/contains a private key/);
    expect((await say(bot, 'rotate site-berlin inbound')).join('\n')).toMatch(/nothing to change[\s\S]*Give the new CA certificates/);
    expect((await say(bot, `rotate site-berlin inbound --at 2020-01-01T00:00Z\n${chain}`)).join('\n')).toMatch(/has passed/);
    expect((await say(bot, `rotate site-berlin inbound --source ca\n${chain}`)).join('\n')).toMatch(/are for the outbound certificate/);
    expect((await say(bot, 'rotate site-paris outbound --subject CN=x')).join('\n')).toMatch(/are for the inbound chain and subject/);
    expect(requested(bot)).toEqual([]);
  });

  it('carries a maintenance window as UTC', async () => {
    const bot = testBot();
    const at = new Date(NOW.getTime() + 3_600_000).toISOString().slice(0, 16);
    await say(bot, `rotate site-madrid inbound --subject CN=madrid-vpn.contoso.example --at ${at}Z`);
    expect(requested(bot)).toEqual([{ kind: 'rotate-certificate', site: 'site-madrid', side: 'inbound', subject: 'CN=madrid-vpn.contoso.example', at: `${at}:00.000Z` }]);
  });
});

describe("the diagnose card's fixes", () => {
  it('Set inbound subject asks for the subject change in one click; a reader may not', async () => {
    const bot = testBot();
    expect(text((await press(bot, VERBS.setInboundSubject, { site: 'site-madrid', subject: 'CN=madrid-vpn.contoso.example' })).outcome)).toMatch(/Planning: rotate site-madrid inbound --subject "CN=madrid-vpn\.contoso\.example"/);
    expect(text((await press(bot, VERBS.setInboundSubject, { site: 'site-madrid', subject: 'CN=x' }, PEOPLE.lynne)).outcome)).toMatch(/You need the operator role/);
    expect((await press(bot, VERBS.setInboundSubject, { site: 'site-madrid', subject: 'CN=a\nb' })).replies.join('\n')).toMatch(/invalid subject/);
    expect(requested(bot)).toEqual([{ kind: 'rotate-certificate', site: 'site-madrid', side: 'inbound', subject: 'CN=madrid-vpn.contoso.example' }]);
  });

  it('Update inbound chain checks the pasted certificates on the server before asking', async () => {
    const bot = testBot();
    const refused = await press(bot, VERBS.updateInboundChain, { site: 'site-berlin', chain: `${root.pem}${otherRoot.pem}` });
    expect(text(refused.outcome)).toMatch(/Nothing was requested/);
    expect(refused.replies.join('\n')).toMatch(/VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts/);
    const withKey = await press(bot, VERBS.updateInboundChain, { site: 'site-berlin', chain: `${chain}${issuing.privateKeyPem}` });
    expect(withKey.replies.join('\n')).toMatch(/contains a private key/);
    expect(withKey.replies.join('\n')).not.toContain(issuing.privateKeyPem.split('\n')[1]!);
    expect(requested(bot)).toEqual([]);
    expect(text((await press(bot, VERBS.updateInboundChain, { site: 'site-berlin', chain })).outcome)).toMatch(/Planning: rotate site-berlin inbound/);
    expect(requested(bot)).toEqual([{ kind: 'rotate-certificate', site: 'site-berlin', side: 'inbound', chain: [b64(root), b64(issuing)] }]);
  });

  it('Apply IPsec/IKE policy asks only for a strong proposal', async () => {
    const bot = testBot();
    expect((await press(bot, VERBS.applyIpsecPolicy, { site: 'site-oslo', encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' })).replies.join('\n')).toMatch(/ProposalNotPinnable|weak/);
    expect(requested(bot)).toEqual([]);
    await press(bot, VERBS.applyIpsecPolicy, { site: 'site-oslo', encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' });
    expect(requested(bot)).toEqual([{ kind: 'set-ipsec-policy', site: 'site-oslo', proposal: { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' } }]);
  });
});

describe('a change waiting for its maintenance window', () => {
  it('the requester withdraws it (the approval stays recorded); nobody else may; it cannot be approved again', async () => {
    const bot = testBot();
    pendingChange(bot, { phase: 'scheduled' });
    const patti = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID }, PEOPLE.patti);
    expect(patti.replies.join('\n')).toMatch(/Only Alex Wilber, who requested it, can withdraw this change/);
    const megan = await press(bot, VERBS.approveChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: FINGERPRINT }, PEOPLE.megan);
    expect(text(megan.outcome)).toMatch(/Scheduled for|no longer waiting/);
    const alex = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID });
    expect(text(alex.outcome)).toMatch(/Withdrawn by Alex Wilber/);
    expect(bot.jobs.raised.map((r) => (r.data as { decision: string }).decision)).toEqual(['withdrawn']);
  });

  it('`cancel` withdraws it too', async () => {
    const bot = testBot();
    pendingChange(bot, { phase: 'scheduled' });
    await handleMessage(chatMessage(bot, `cancel ${LISBON_JOB_ID}`, PEOPLE.alex), bot.deps);
    expect(bot.jobs.cancelled).toEqual([]);
    expect(bot.jobs.raised.map((r) => (r.data as { decision: string }).decision)).toEqual(['withdrawn']);
  });
});
