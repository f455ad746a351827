import { beforeAll, describe, expect, it } from 'vitest';
import { handleMessage } from '../../bot/handle-message';
import { handleCardAction } from '../../bot/handle-card-action';
import { toPem } from '../../core/pki/certificate-info';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { createRootCa, generateKey, issueCertificate, type IssuedCertificate } from '../../local/pki/cert-factory';
import { visibleText } from '../cards/card-inspect';
import { cardAction, chatMessage, PEOPLE, testBot, textFile } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

async function say(bot: TestBot, text: string, from: Person = PEOPLE.alex, files: Parameters<typeof chatMessage>[3] = []) {
  const message = chatMessage(bot, text, from, files);
  await handleMessage(message, bot.deps);
  return message.surface;
}

let root: IssuedCertificate;
let leaf: IssuedCertificate;
beforeAll(async () => {
  root = await createRootCa({ subject: 'CN=Merge Root' });
  leaf = await issueCertificate(root, { subject: 'CN=azure-paris.vpn.contoso.example' });
});

describe('rotate <site> outbound: the command asks for a change', () => {
  it('plans through the change request job with the typed source and days', async () => {
    const bot = testBot();
    await say(bot, 'rotate paris outbound --source ca --days 90');
    const [{ orchestration, envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(orchestration).toBe(ORCHESTRATIONS.changeRequest);
    expect(envelope.commandLine).toBe('rotate paris outbound --source ca --days 90');
    expect(envelope.payload).toEqual({ kind: 'rotate-certificate', site: 'paris', side: 'outbound', source: 'ca', days: 90 });
  });

  it('--merge carries the pasted certificates as PEM (re-encoded, nothing else of the message)', async () => {
    const bot = testBot();
    await say(bot, `rotate site-paris outbound --merge\nsome words first\n${toPem(leaf.info)}\n${toPem(root.info)}`);
    const [{ envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(envelope.commandLine).toBe('rotate site-paris outbound --merge (+ certificates)');
    const payload = envelope.payload as { merge: string };
    expect(payload.merge).toBe(`${toPem(leaf.info)}${toPem(root.info)}`);
  });

  it('--merge reads an attached DER certificate', async () => {
    const bot = testBot();
    await say(bot, 'rotate site-paris outbound --merge', PEOPLE.alex, [textFile('signed.cer', leaf.der)]);
    const [{ envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect((envelope.payload as { merge: string }).merge).toBe(toPem(leaf.info));
  });

  it('refuses before anything runs: a private key pasted, nothing to merge, --merge with --source, --days without ca', async () => {
    const key = await generateKey();
    const cases: [string, RegExp][] = [
      [`rotate site-paris outbound --merge\n${toPem(leaf.info)}${key.privateKeyPem}`, /private key.*Code: PrivateKeyNotAccepted/s],
      ['rotate site-paris outbound --merge', /needs the signed certificate and its chain.*Code: NothingToMerge/s],
      ['rotate site-paris outbound --merge --source ca', /--merge completes the pending external request.*Code: InvalidOptions/s],
      ['rotate site-paris outbound --source vault --days 30', /--days sets how long a certificate the CA issues is valid.*Code: InvalidOptions/s],
    ];
    for (const [line, expected] of cases) {
      const bot = testBot();
      const chat = await say(bot, line);
      expect(visibleText(chat.replies[0] as never)).toMatch(expected);
      expect(bot.jobs.started).toEqual([]);
    }
  });

  it('needs the operator role', async () => {
    const bot = testBot();
    const chat = await say(bot, 'rotate site-paris outbound', PEOPLE.isaiah);
    expect(visibleText(chat.replies[0] as never)).toMatch(/operator/);
    expect(bot.jobs.started).toEqual([]);
  });
});

describe('the Rotate button', () => {
  it('asks for the change as typed, with --source vault for drift', async () => {
    const bot = testBot();
    const press = cardAction(bot, 'rotateOutbound', { site: 'site-paris', source: 'vault' }, PEOPLE.alex);
    const outcome = await handleCardAction(press, bot.deps);
    expect(outcome).toMatchObject({ kind: 'message', text: 'Planning: rotate site-paris outbound --source vault.' });
    const [{ envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(envelope.payload).toEqual({ kind: 'rotate-certificate', site: 'site-paris', side: 'outbound', source: 'vault' });
  });

  it('is refused for a reader and for data that names no valid site or source', async () => {
    const bot = testBot();
    expect(JSON.stringify(await handleCardAction(cardAction(bot, 'rotateOutbound', { site: 'site-paris' }, PEOPLE.isaiah), bot.deps))).toMatch(/operator/);
    for (const data of [{ site: 'site paris;' }, { site: 'site-paris', source: 'ca' }]) {
      const press = cardAction(bot, 'rotateOutbound', data, PEOPLE.alex);
      await handleCardAction(press, bot.deps);
      expect(visibleText(press.surface.replies.at(-1) as never)).toMatch(/Code: InvalidCardData/);
    }
    expect(bot.jobs.started).toEqual([]);
  });
});
