import { beforeAll, describe, expect, it } from 'vitest';
import { handleMessage } from '../../bot/handle-message';
import { toPem } from '../../core/pki/certificate-info';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { createRootCa, generateKey, issueCertificate, type IssuedCertificate } from '../../local/pki/cert-factory';
import { visibleText } from '../cards/card-inspect';
import { chatMessage, PEOPLE, testBot, textFile } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

/** `provision <site> --outbound external` and `provision <site> --merge` as typed: what reaches the change request job. */
async function say(bot: TestBot, text: string, from: Person = PEOPLE.alex, files: Parameters<typeof chatMessage>[3] = []) {
  const message = chatMessage(bot, text, from, files);
  await handleMessage(message, bot.deps);
  return message.surface;
}

let root: IssuedCertificate;
let leaf: IssuedCertificate;
beforeAll(async () => {
  root = await createRootCa({ subject: 'CN=Rome Customer Root' });
  leaf = await issueCertificate(root, { subject: 'CN=azure-rome.vpn, O=vpngw-hub' });
});

describe('provision --outbound external, then --merge', () => {
  it('--outbound external is asked for like any provisioning (no longer refused)', async () => {
    const bot = testBot();
    await say(bot, `provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example --outbound external\n${root.pem}`);
    const [{ orchestration, envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(orchestration).toBe(ORCHESTRATIONS.changeRequest);
    expect(envelope.payload).toMatchObject({ kind: 'provision-site', site: 'site-rome', outbound: { kind: 'external' } });
    expect(envelope.commandLine).toMatch(/--outbound external \(\+ 1 CA certificate\)$/);
  });

  it('--merge carries only the site and the pasted certificates (as PEM), pasted or attached', async () => {
    const bot = testBot();
    await say(bot, `provision site-rome --merge\n${toPem(leaf.info)}\n${toPem(root.info)}`);
    const [{ envelope }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(envelope.commandLine).toBe('provision site-rome --merge (+ certificates)');
    expect(envelope.payload).toEqual({ kind: 'provision-site', site: 'site-rome', merge: `${toPem(leaf.info)}${toPem(root.info)}` });
    const attached = testBot();
    await say(attached, 'provision site-rome --merge', PEOPLE.alex, [textFile('signed.cer', leaf.der)]);
    expect((attached.jobs.started[0]!.envelope.payload as { merge: string }).merge).toBe(toPem(leaf.info));
  });

  it('refuses before anything runs: no site, other options with --merge, nothing pasted, a private key', async () => {
    const key = await generateKey();
    const cases: [string, RegExp][] = [
      [`provision --merge\n${toPem(leaf.info)}`, /--merge completes the provisioning of one site: name it.*Code: InvalidOptions/s],
      [`provision site-rome --merge --ip 203.0.113.50\n${toPem(leaf.info)}`, /--ip comes from the provisioning that waits for it.*Code: InvalidOptions/s],
      ['provision site-rome --merge', /needs the signed certificate and its chain.*Code: NothingToMerge/s],
      [`provision site-rome --merge\n${toPem(leaf.info)}${key.privateKeyPem}`, /private key.*Code: PrivateKeyNotAccepted/s],
    ];
    for (const [line, expected] of cases) {
      const bot = testBot();
      const chat = await say(bot, line);
      expect(visibleText(chat.replies[0] as never), line.split('\n')[0]).toMatch(expected);
      expect(bot.jobs.started).toEqual([]);
    }
  });
});
