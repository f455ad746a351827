import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { BotMessage } from '../../local/playground-client/playground-client';
import { FILE_CONSENT_CARD, cardActions, cardText } from '../../local/playground-client/playground-client';
import { SANDBOX_APPROVALS_CHANNEL_ID } from '../../local/sandbox/sandbox-identities';
import { parseSwanctlConf, type SwanctlSection } from '../support/swanctl-conf';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

/**
 * Issue 10's hand-over as a file, through the local host: alex asks for site-rome, the plan card (his, in his personal
 * chat; the approval card in the VPN alerts channel) offers Get files; pressed, a file consent card per file arrives in
 * his personal chat (also when pressed in the channel); Allow (played as Teams would, local/playground-client) puts the
 * swanctl.conf into the OneDrive stand-in through its upload session, and the file that arrives there is the card's
 * swanctl.conf, byte for byte, and reads as swanctl.conf; Decline uploads nothing.
 */
let chat: ChatFixture;
const ALEX = 'user-id-0';

beforeAll(async () => {
  chat = await startChat();
});
afterAll(async () => {
  await chat?.close();
});

const filesDir = () => dirname(dirname(chat.sandbox.deviceLogs[0]!.path));
const romeChain = () => readFileSync(join(filesDir(), sandboxNames.files.romeDeviceChain), 'utf8');
const ROME = 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example';
const consentOf = (m: BotMessage) => (m.attachments ?? []).find((a) => a.contentType === FILE_CONSENT_CARD);

/** The text under a note's label on a card, as the card shows it. */
function noteText(message: BotMessage, labelStart: string): string {
  const body = (message.cards[0]!.body ?? []) as { type?: string; text?: string; inlines?: { text: string }[] }[];
  const at = body.findIndex((e) => e.type === 'TextBlock' && e.text?.startsWith(labelStart));
  expect(at, `a note "${labelStart}" on: ${cardText(message).slice(0, 300)}`).toBeGreaterThanOrEqual(0);
  return (body[at + 1]!.inlines ?? []).map((r) => r.text).join('');
}

/** Collects the consent cards the bot posts from now on, until `count` have come. */
function nextConsentCards(count: number): Promise<BotMessage[]> {
  return new Promise((resolve, reject) => {
    const seen: BotMessage[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${seen.length} of ${count} file consent cards came`));
    }, 30_000);
    const stop = chat.client.onEvent((event) => {
      if (event.action !== 'createMessage' || !consentOf(event.message)) return;
      seen.push(event.message);
      if (seen.length === count) {
        clearTimeout(timer);
        stop();
        resolve(seen);
      }
    });
  });
}

describe('the hand-over as files', () => {
  it('Get files offers the swanctl.conf and the hand-over text personally; Allow puts the card\'s swanctl.conf into OneDrive; Decline sends nothing', { timeout: 150_000 }, async () => {
    const approval = chat.client.waitFor((m, e) => e.action === 'createMessage' && m.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && /Waiting for approval/.test(cardText(m)), 60_000);
    const ack = await chat.say(`${ROME}\n${romeChain()}`);
    const job = await chat.until(ack.id, /Waiting for approval|Could not|to fix|Failed/, 60_000);
    expect(cardText(job)).toMatch(/Waiting for approval/);
    const swanctlOnCard = noteText(job, 'strongSwan swanctl.conf');
    expect(swanctlOnCard).toMatch(/remote_addrs = 198\.51\.100\.10/);

    // Pressed on his own card in the personal chat: the consent cards come right there.
    const getFiles = cardActions(job).find((a) => a.title === 'Get files');
    expect(getFiles, cardText(job)).toBeDefined();
    const offered = nextConsentCards(2);
    const pressed = await chat.client.invoke({ verb: getFiles!.verb, data: getFiles!.data, replyToId: job.id, conversationId: job.conversationId, fromId: ALEX });
    expect(String(pressed.body.value)).toMatch(/Allow the files below: site-rome-handover\.txt, site-rome\.swanctl\.conf/);
    const cards = await offered;
    const personal = await chat.client.conversationId('personal');
    expect(cards.map((c) => c.conversationId)).toEqual([personal, personal]);
    const swanctlConsent = cards.find((c) => consentOf(c)?.name === 'site-rome.swanctl.conf')!;
    const textConsent = cards.find((c) => consentOf(c)?.name === 'site-rome-handover.txt')!;
    const content = consentOf(swanctlConsent)!.content as { sizeInBytes: number; acceptContext: Record<string, unknown> };
    expect(content.sizeInBytes).toBe(Buffer.byteLength(swanctlOnCard));
    expect(Object.keys(content.acceptContext).sort()).toEqual(['file', 'for', 'jobId']);

    // Allow: the upload session gets the bytes; the consent card says sent; the file's card follows.
    const sent = chat.client.waitFor((m) => m.id === swanctlConsent.id && /site-rome\.swanctl\.conf: sent/.test(cardText(m)), 30_000);
    const fileCard = chat.client.waitFor((m, e) => e.action === 'createMessage' && (m.attachments ?? []).some((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info' && a.name === 'site-rome.swanctl.conf'), 30_000);
    expect(await chat.client.answerFileConsent(swanctlConsent, 'accept', { oneDriveUrl: chat.sandbox.oneDrive.url })).toBe(200);
    await sent;
    await fileCard;
    const uploads = chat.sandbox.oneDrive.uploads();
    expect(uploads.map((u) => u.name)).toEqual(['site-rome.swanctl.conf']);
    const n = Buffer.byteLength(swanctlOnCard);
    expect(uploads[0]!.requests).toEqual([{ contentRange: `bytes 0-${n - 1}/${n}`, contentLength: String(n) }]);
    const delivered = readFileSync(uploads[0]!.path, 'utf8');
    expect(delivered).toBe(swanctlOnCard);
    // It reads as swanctl.conf: both tunnels, each with certificate authentication and the device's selectors.
    const conf = parseSwanctlConf(delivered);
    const connections = conf.connections as Record<string, SwanctlSection>;
    expect(Object.keys(connections)).toEqual(['azure-site-rome-0', 'azure-site-rome-1']);
    expect(Object.values(connections).map((c) => c.remote_addrs)).toEqual(['198.51.100.10', '198.51.100.11']);
    expect((connections['azure-site-rome-0']!.local as SwanctlSection).auth).toBe('pubkey');
    expect((connections['azure-site-rome-0']!.local as SwanctlSection).id).toBe('"CN=rome-vpn.contoso.example"');
    expect(((connections['azure-site-rome-0']!.children as SwanctlSection)['azure-site-rome-0-net'] as SwanctlSection).local_ts).toBe('10.50.0.0/16');

    // Decline: the card says so, and nothing more reaches OneDrive.
    const declined = chat.client.waitFor((m) => m.id === textConsent.id && /site-rome-handover\.txt: declined/.test(cardText(m)), 30_000);
    expect(await chat.client.answerFileConsent(textConsent, 'decline', { oneDriveUrl: chat.sandbox.oneDrive.url })).toBe(200);
    await declined;
    expect(chat.sandbox.oneDrive.uploads()).toHaveLength(1);

    // Pressed in the channel, on the approval card: files are never posted there; they come to his personal chat.
    const request = await approval;
    const inChannel = cardActions(request).find((a) => a.title === 'Get files');
    expect(inChannel, cardText(request)).toBeDefined();
    const again = nextConsentCards(2);
    const fromChannel = await chat.client.invoke({ verb: inChannel!.verb, data: inChannel!.data, replyToId: request.id, conversationId: request.postConversationId ?? request.conversationId, fromId: ALEX });
    expect(String(fromChannel.body.value)).toMatch(/Sent to your personal chat with me/);
    expect((await again).map((c) => c.conversationId)).toEqual([personal, personal]);
  });
});
