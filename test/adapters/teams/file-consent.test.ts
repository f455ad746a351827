import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { createTurnLogic } from '../../../adapters/teams/teams-turn';
import { FILE_CONSENT_CARD, FILE_INFO_CARD, fileConsentActivity, uploadToSession } from '../../../adapters/teams/file-consent';
import { handleFileConsent, handoverFilesAction } from '../../../bot/handover-files';
import type { ChangePlan } from '../../../core/change/change-plan';
import { planFiles } from '../../../core/change/plan-files';
import { changeCard, changeCardModel } from '../../../cards/change-card';
import type { ChangePayload } from '../../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../../core/jobs/job-envelope';
import { isUserError } from '../../../core/errors/user-error';
import { PEOPLE, TENANT, cardAction, envelope, testBot } from '../../bot/bot-fakes';
import type { TestBot } from '../../bot/bot-fakes';
import { RecordingAdapter, RecordingStore } from './recording-adapter';

/**
 * Teams' file consent flow through the Teams adapter and the bot's handler: the consent card's shape, Allow (the PUT
 * to the OneDrive upload session with its headers and the file's bytes, then the file info card and the invoke's
 * 200), Decline, answers whose context is not ours or not the person's, and an upload that fails, on the card.
 */

const SWANCTL = 'connections {\n  azure-site-rome-0 {\n    remote_addrs = 198.51.100.10\n  }\n}\n';
const ROOT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PLAN: ChangePlan = {
  kind: 'provision-site',
  title: 'Provision site-rome on vpngw-hub',
  site: 'site-rome',
  target: { connectionId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/cn-site-rome', connectionName: 'cn-site-rome' },
  changes: [],
  risk: 'New resources only',
  verify: 'Both tunnels Connected',
  notes: [
    { label: 'Preflight (nothing changed yet):', text: '✓ passed' },
    { label: "Device hand-over (for site-rome's owner):", text: 'Azure gateway vpngw-hub: instance 0 198.51.100.10', file: 'site-rome-handover.txt' },
    { label: 'strongSwan swanctl.conf for the device (Linux reference):', text: SWANCTL, mono: true, file: 'site-rome.swanctl.conf' },
    { label: "Root to trust on the device for Azure's certificate (CN=Root):", text: ROOT, mono: true, file: 'site-rome-handover.txt' },
  ],
  details: {},
};
const JOB = 'change-cn-site-rome';

function withPlan(bot: TestBot, plan: ChangePlan = PLAN, orchestration = 'changeJob'): void {
  bot.jobs.add({
    jobId: JOB,
    orchestration,
    status: 'Running',
    envelope: envelope({ jobId: JOB, payload: { requestId: 'req-1', plan, fingerprint: 'f'.repeat(16), approval: { required: true, approverIds: [] } } }),
    customStatus: { change: { kind: 'provision-site', title: plan.title, site: plan.site, phase: 'awaiting-approval', fingerprint: 'f'.repeat(16), requestId: 'req-1' } },
  });
}

/** The local "OneDrive": records each request, answers as told. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
let server: Server;
let base = '';
const received: Received[] = [];
let answer: number | 'hang' = 201;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'item-1', name: 'x', size: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const uploadInfo = (over: Record<string, unknown> = {}) => ({ name: 'site-rome.swanctl.conf', uploadUrl: `${base}/upload/session-1`, contentUrl: 'https://contoso-my.sharepoint.com/personal/alex/Documents/Applications/site-rome.swanctl.conf', uniqueId: 'B1A2', fileType: 'conf', ...over });

async function consentTurn(bot: TestBot, value: unknown, options: { from?: { aadObjectId: string; name: string }; conversationType?: string; allowLoopback?: boolean } = {}): Promise<RecordingAdapter> {
  const adapter = new RecordingAdapter();
  const logic = createTurnLogic(
    {
      onMessage: async () => undefined,
      onAction: async () => ({ kind: 'message', text: 'ok' }),
      onInstalled: async () => undefined,
      onFileConsent: (a) => handleFileConsent(a, bot.deps),
    },
    new RecordingStore(),
    { downloads: { allowedHosts: ['*.sharepoint.com'], allowLoopback: options.allowLoopback ?? true } },
  );
  const from = options.from ?? { aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.displayName };
  const activity = {
    type: 'invoke',
    name: 'fileConsent/invoke',
    id: 'invoke-1',
    replyToId: 'consent-card-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: '29:1abc', ...from },
    recipient: { id: '28:bot', name: 'VPN Bot' },
    conversation: { id: 'a:1personal', conversationType: options.conversationType ?? 'personal', tenantId: TENANT, isGroup: false },
    value,
  };
  await logic(new TurnContext(adapter, activity as unknown as Activity));
  return adapter;
}

const context = (over: Record<string, unknown> = {}) => ({ jobId: JOB, file: 'site-rome.swanctl.conf', for: PEOPLE.alex.aadObjectId, ...over });
const accept = (ctx: unknown = context(), info: unknown = uploadInfo()) => ({ type: 'fileUpload', action: 'accept', context: ctx, uploadInfo: info });
const cardJson = (adapter: RecordingAdapter) => JSON.stringify(adapter.updated.map((u) => u.attachments));
const invokeAnswered200 = (adapter: RecordingAdapter) => expect(adapter.sent.filter((a) => a.type === 'invokeResponse').map((a) => a.value)).toEqual([{ status: 200 }]);

describe('Get files: a file consent card per file, with a context that names the file and nothing else', () => {
  it('offers the swanctl.conf and the hand-over text to the presser personally, each with its size', async () => {
    const bot = testBot();
    withPlan(bot);
    const action = cardAction(bot, 'handoverFiles', { jobId: JOB }, PEOPLE.alex);
    const outcome = await handoverFilesAction({ ...action, conversation: { id: '19:channel', type: 'channel', tenantId: TENANT } }, bot.deps);
    expect(outcome).toEqual({ kind: 'message', text: expect.stringMatching(/Sent to your personal chat with me: site-rome-handover\.txt, site-rome\.swanctl\.conf/) });
    expect(bot.messenger.offers.map((o) => [o.to.personAadObjectId, o.offer.name, o.offer.sizeInBytes])).toEqual([
      [PEOPLE.alex.aadObjectId, 'site-rome-handover.txt', Buffer.byteLength(planFiles(PLAN)[0]!.text)],
      [PEOPLE.alex.aadObjectId, 'site-rome.swanctl.conf', Buffer.byteLength(SWANCTL)],
    ]);
    // The hand-over text is the table, then the root, each under its label.
    expect(planFiles(PLAN)[0]!.text).toBe(`Device hand-over (for site-rome's owner):\nAzure gateway vpngw-hub: instance 0 198.51.100.10\n\nRoot to trust on the device for Azure's certificate (CN=Root):\n${ROOT}`);
    // Teams' consent card: the name, the description, the size; the contexts carry the job, the file and the person only.
    const activity = fileConsentActivity(bot.messenger.offers[1]!.offer);
    expect(activity.attachments).toEqual([
      {
        contentType: FILE_CONSENT_CARD,
        name: 'site-rome.swanctl.conf',
        content: { description: 'Provision site-rome on vpngw-hub: site-rome.swanctl.conf', sizeInBytes: Buffer.byteLength(SWANCTL), acceptContext: context(), declineContext: context() },
      },
    ]);
    expect(JSON.stringify(activity)).not.toContain('remote_addrs');
  });

  it('the change card has Get files while the plan may still be applied, and not once it never will be', () => {
    const payload: ChangePayload = { requestId: 'req-1', plan: PLAN, fingerprint: 'f'.repeat(16), approval: { required: true, timeoutMs: 86_400_000, approverIds: [] } };
    const model = (phase: 'awaiting-approval' | 'done' | 'failed' | 'rejected' | 'withdrawn' | 'expired') => changeCardModel(envelope({ jobId: JOB, payload }) as JobEnvelope<ChangePayload>, { phase });
    const buttons = (phase: Parameters<typeof model>[0], audience: 'requester' | 'approver' | 'observer' = 'observer') => JSON.stringify(changeCard(model(phase), audience).actions ?? []);
    for (const phase of ['awaiting-approval', 'done', 'failed'] as const) expect(buttons(phase), phase).toContain('"verb":"handoverFiles","data":{"jobId":"change-cn-site-rome"}');
    expect(buttons('awaiting-approval', 'approver')).toContain('handoverFiles');
    for (const phase of ['rejected', 'withdrawn', 'expired'] as const) expect(buttons(phase), phase).not.toContain('handoverFiles');
    const noFiles = { ...payload, plan: { ...PLAN, notes: PLAN.notes!.map(({ file: _file, ...n }) => n) } };
    expect(JSON.stringify(changeCard(changeCardModel(envelope({ jobId: JOB, payload: noFiles }) as JobEnvelope<ChangePayload>, { phase: 'done' }), 'observer'))).not.toContain('handoverFiles');
  });

  it('a plan without files, or a job that is not a change, gives no files', async () => {
    const bot = testBot();
    withPlan(bot, { ...PLAN, notes: PLAN.notes!.map(({ file: _file, ...n }) => n) });
    await expect(handoverFilesAction(cardAction(bot, 'handoverFiles', { jobId: JOB }, PEOPLE.alex), bot.deps)).rejects.toMatchObject({ code: 'NoHandoverFiles' });
    const other = testBot();
    withPlan(other, PLAN, 'siteStatusJob');
    await expect(handoverFilesAction(cardAction(other, 'handoverFiles', { jobId: JOB }, PEOPLE.alex), other.deps)).rejects.toMatchObject({ code: 'NoHandoverFiles' });
    expect(bot.messenger.offers).toEqual([]);
  });

  it('someone the bot cannot reach personally is told to open a chat with it first', async () => {
    const bot = testBot();
    withPlan(bot);
    const { UserError } = await import('../../../core/errors/user-error');
    bot.messenger.offerError = new UserError('PersonNotReachable', 'never talked');
    const error = await handoverFilesAction(cardAction(bot, 'handoverFiles', { jobId: JOB }, PEOPLE.alex), bot.deps).catch((e: unknown) => e);
    expect(isUserError(error) && error.safeMessage).toMatch(/only in a personal chat, and you have none with me yet/);
  });
});

describe('Allow: the bytes go to the upload session, then the file card', () => {
  it('PUTs the swanctl.conf in one fragment with Content-Range and Content-Length, posts the file info card and answers 200', async () => {
    const bot = testBot();
    withPlan(bot);
    received.length = 0;
    answer = 201;
    const adapter = await consentTurn(bot, accept());
    expect(received).toHaveLength(1);
    const put = received[0]!;
    const n = Buffer.byteLength(SWANCTL);
    expect(put.method).toBe('PUT');
    expect(put.url).toBe('/upload/session-1');
    expect(put.headers['content-range']).toBe(`bytes 0-${n - 1}/${n}`);
    expect(put.headers['content-length']).toBe(String(n));
    expect(put.body.toString('utf8')).toBe(SWANCTL);
    const info = adapter.sent.find((a) => a.type === 'message');
    expect(info?.attachments).toEqual([{ contentType: FILE_INFO_CARD, contentUrl: uploadInfo().contentUrl, name: 'site-rome.swanctl.conf', content: { uniqueId: 'B1A2', fileType: 'conf' } }]);
    expect(adapter.updated.map((u) => u.id)).toEqual(['consent-card-1']);
    expect(cardJson(adapter)).toMatch(/site-rome\.swanctl\.conf: sent/);
    invokeAnswered200(adapter);
    // Who has the hand-over is in the site's audit.
    expect(bot.audit.records).toEqual([{ action: 'handover-file', actor: { aadObjectId: PEOPLE.alex.aadObjectId, name: 'Alex Wilber' }, target: 'site-rome', outcome: 'succeeded', jobId: JOB, detail: `sent site-rome.swanctl.conf (${n} bytes) to their OneDrive` }]);
  });

  it('an upload OneDrive refuses is on the card, with no file card and no raw error', async () => {
    const bot = testBot();
    withPlan(bot);
    for (const [status, said] of [[500, /OneDrive answered HTTP 500/], [404, /upload session has expired \(HTTP 404\)/], [202, /did not complete the file/]] as const) {
      received.length = 0;
      answer = status;
      const adapter = await consentTurn(bot, accept());
      expect(received).toHaveLength(1);
      expect(adapter.sent.filter((a) => a.type === 'message')).toEqual([]);
      const shown = cardJson(adapter);
      expect(shown).toMatch(/The file was not sent/);
      expect(shown).toMatch(said);
      expect(shown).toMatch(/FileUploadFailed/);
      invokeAnswered200(adapter);
    }
    answer = 201;
  });

  it('an upload address that is not where Teams keeps files is not connected to', async () => {
    const bot = testBot();
    withPlan(bot);
    received.length = 0;
    const adapter = await consentTurn(bot, accept(context(), uploadInfo()), { allowLoopback: false });
    expect(received).toEqual([]);
    expect(cardJson(adapter)).toMatch(/not where Teams keeps files \(127\.0\.0\.1\)/);
    invokeAnswered200(adapter);
  });

  it('an upload session that never answers ends within the timeout, as a failure', async () => {
    answer = 'hang';
    received.length = 0;
    const started = Date.now();
    const error = await uploadToSession(`${base}/upload/slow`, new TextEncoder().encode(SWANCTL), { allowedHosts: [], allowLoopback: true }, 300).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(isUserError(error) && [error.code, error.safeMessage]).toEqual(['FileUploadFailed', expect.stringMatching(/did not answer within 0 s|did not answer within/)]);
    answer = 201;
  });

  it('a file over the limit is refused before anything is sent', async () => {
    received.length = 0;
    const error = await uploadToSession(`${base}/upload/big`, new Uint8Array(300 * 1024), { allowedHosts: [], allowLoopback: true }).catch((e: unknown) => e);
    expect(isUserError(error) && error.code).toBe('FileTooLarge');
    expect(received).toEqual([]);
  });
});

describe('Decline, and answers that are not ours', () => {
  it('Decline replaces the consent card and uploads nothing', async () => {
    const bot = testBot();
    withPlan(bot);
    received.length = 0;
    const adapter = await consentTurn(bot, { type: 'fileUpload', action: 'decline', context: context() });
    expect(received).toEqual([]);
    expect(cardJson(adapter)).toMatch(/site-rome\.swanctl\.conf: declined/);
    expect(bot.audit.records).toEqual([]);
    expect(adapter.sent.filter((a) => a.type === 'message')).toEqual([]);
    invokeAnswered200(adapter);
  });

  it('a context for someone else, a bad context, a file the plan does not have, a job that is not a change, or a non-personal chat: refused, nothing uploaded', async () => {
    const cases: [string, unknown, Parameters<typeof consentTurn>[2], RegExp, ((bot: TestBot) => void)?][] = [
      ['for someone else', accept(context({ for: PEOPLE.patti.aadObjectId })), {}, /offered to someone else/],
      ['pressed by someone else', accept(), { from: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti' } }, /offered to someone else/],
      ['no context', accept(null), {}, /does not name a file of mine/],
      ['a job id that is not text', accept(context({ jobId: 42 })), {}, /does not name a file of mine/],
      ['a path for a file', accept(context({ file: '../../etc/passwd' })), {}, /does not name a file of mine/],
      ['a file the plan does not have', accept(context({ file: 'secrets.txt' })), {}, /no file secrets\.txt for that change/],
      ['a job that is not a change', accept(), {}, /no file site-rome\.swanctl\.conf for that change/, (bot) => withPlan(bot, PLAN, 'siteStatusJob')],
      ['a group chat', accept(), { conversationType: 'groupChat' }, /only in your personal chat/],
    ];
    for (const [what, value, options, said, seed] of cases) {
      const bot = testBot();
      (seed ?? withPlan)(bot);
      received.length = 0;
      const adapter = await consentTurn(bot, value, options);
      expect(received, what).toEqual([]);
      expect(cardJson(adapter), what).toMatch(said);
      expect(adapter.sent.filter((a) => a.type === 'message'), what).toEqual([]);
      invokeAnswered200(adapter);
    }
  });

  it('someone without the operator role gets nothing, even with their own context', async () => {
    const bot = testBot();
    withPlan(bot);
    received.length = 0;
    const adapter = await consentTurn(bot, accept(context({ for: PEOPLE.lynne.aadObjectId })), { from: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne' } });
    expect(received).toEqual([]);
    expect(cardJson(adapter)).toMatch(/You need the operator role/);
  });
});
