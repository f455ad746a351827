import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTurnLogic } from '../../adapters/teams/teams-turn';
import { handleCardAction } from '../../bot/handle-card-action';
import { handleFileConsent } from '../../bot/handover-files';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import { cardSizeBytes, MAX_CARD_BYTES } from '../../cards/adaptive-card';
import { VERBS } from '../../cards/verbs';
import { DECISION_EVENT } from '../../core/change/change-state';
import type { ChangeDecision } from '../../core/change/change-state';
import { RecordingStore, runRecordedTurn } from '../adapters/teams/recording-adapter';
import { envelope, OTHER_TENANT, PEOPLE, TENANT, testBot } from '../bot/bot-fakes';
import type { Person, TestBot } from '../bot/bot-fakes';
import { visibleText } from '../cards/card-inspect';
import { FINGERPRINT, LISBON_JOB_ID, pendingChange } from '../core/change/change-fixtures';
import { fuzzAsync, messyText, RAW_EXCEPTION } from './fuzz';

/**
 * Card presses as Teams delivers them (invoke activities carrying Action.Execute data), through the real turn logic
 * and the real press handlers over fakes, with a change waiting for approval and a finished fleet report in place:
 * every verb (and names that are no verb), data of every shape, every kind of presser, forged tenants. Every press
 * ends in one 200 invoke answer; nothing crashes; no card shows exception text or exceeds 28 KB; only megan, an
 * approver who is not the requester, decides the change, and only on its plan; nobody without a role starts anything.
 */
const FLEET_JOB = 'status-fleet-e1';
const people: readonly Person[] = Object.values(PEOPLE);

const jobId = fc.oneof({ weight: 5, arbitrary: fc.constant(LISBON_JOB_ID) }, { weight: 3, arbitrary: fc.constantFrom(FLEET_JOB, 'status-site-paris-d1') }, { weight: 2, arbitrary: fc.constantFrom(`${LISBON_JOB_ID}x`, LISBON_JOB_ID.toUpperCase(), 'constructor', '__proto__') }, { weight: 1, arbitrary: messyText(40) });
const fields = {
  command: fc.oneof(fc.constantFrom('status', 'jobs', 'whoami', 'status site-paris', 'approvals', 'audit site-lisbon', 'enable-diagnostics site-lisbon', 'cancel status-site-paris-d1', 'help cancel'), messyText(60, ['status', 'diagnose', '--hours'])),
  jobId,
  fingerprint: fc.oneof({ weight: 4, arbitrary: fc.constant(FINGERPRINT) }, { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }) }, { weight: 1, arbitrary: messyText(20) }),
  page: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(1.5, '1', 1e9, Number.NaN, null)),
  days: fc.oneof(fc.integer({ min: -1, max: 100 }), fc.constant('7')),
  site: fc.oneof(fc.constantFrom('site-lisbon', 'site-paris', 'a'.repeat(81), '../x', 'site lisbon'), messyText(30)),
  reason: messyText(400),
  replace: fc.boolean(),
  aadObjectId: fc.constantFrom(PEOPLE.megan.aadObjectId, PEOPLE.alex.aadObjectId),
};
/** Every field a verb reads, mostly with values that reach past the first checks; sometimes fields missing, sometimes anything at all. */
const data = fc.oneof({ weight: 6, arbitrary: fc.record(fields) }, { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) }, { weight: 1, arbitrary: fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }) });
const verb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...Object.values(VERBS)) }, { weight: 1, arbitrary: fc.constantFrom('constructor', '__proto__', 'toString', 'approveEverything', '') }, { weight: 1, arbitrary: messyText(20) });
const value = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      action: fc.oneof(
        { weight: 9, arbitrary: fc.record({ type: fc.oneof({ weight: 9, arbitrary: fc.constant('Action.Execute') }, { weight: 1, arbitrary: fc.constantFrom('Action.Submit', 'Action.OpenUrl', '') }), verb, data }) },
        { weight: 1, arbitrary: fc.record({ type: fc.constant('Action.Execute'), verb, data }, { requiredKeys: [] }) },
      ),
      trigger: fc.constantFrom('manual', 'automatic'),
    }),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);
const press = fc.record({
  who: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(PEOPLE.megan, PEOPLE.alex) }, { weight: 2, arbitrary: fc.constantFrom(...people) }),
  name: fc.oneof({ weight: 9, arbitrary: fc.constant('adaptiveCard/action') }, { weight: 1, arbitrary: fc.constantFrom('composeExtension/query', 'task/fetch', '') }),
  channelId: fc.oneof({ weight: 9, arbitrary: fc.constant('msteams') }, { weight: 1, arbitrary: fc.constantFrom('webchat', 'directline') }),
  conversationType: fc.constantFrom('personal', 'channel', 'groupChat'),
  channelTenant: fc.constantFrom<string | undefined>(TENANT, TENANT, OTHER_TENANT, undefined),
  value,
});

function setUp(): TestBot {
  const bot = testBot();
  pendingChange(bot);
  bot.jobs.add({ jobId: FLEET_JOB, orchestration: 'fleetStatusJob', status: 'Completed', envelope: envelope({ jobId: FLEET_JOB, commandLine: 'status all', payload: { page: 0 } }), output: { rows: [], summary: { total: 0, connected: 0, down: 0, expiring: 0, problems: 0 }, gaps: [], checkedAt: '2026-06-01T12:00:00.000Z' } });
  bot.jobs.add({ jobId: 'status-site-paris-d1', status: 'Running', envelope: envelope({ jobId: 'status-site-paris-d1' }) });
  return bot;
}

function cardsIn(sent: readonly { attachments?: { contentType: string; content?: unknown }[]; value?: unknown }[]): AdaptiveCard[] {
  const cards: AdaptiveCard[] = [];
  for (const activity of sent) {
    for (const a of activity.attachments ?? []) if (a.contentType === 'application/vnd.microsoft.card.adaptive') cards.push(a.content as AdaptiveCard);
    const body = (activity.value as { body?: { type?: string; value?: unknown } } | undefined)?.body;
    if (body?.type === 'application/vnd.microsoft.card.adaptive') cards.push(body.value as AdaptiveCard);
  }
  return cards;
}

const hasRole = (aadObjectId: string) => bot0.deps.access.members.reader.has(aadObjectId) || bot0.deps.access.members.operator.has(aadObjectId) || bot0.deps.access.members.approver.has(aadObjectId);
const bot0 = testBot();

describe('fuzz: card action data and invoke payloads', () => {
  it('every press ends in one answer, and only the rules decide a change', async () => {
    await fuzzAsync(press, async (p) => {
      const bot = setUp();
      const logic = createTurnLogic(
        { onMessage: async () => undefined, onAction: (action) => handleCardAction(action, bot.deps), onInstalled: async () => undefined },
        new RecordingStore(),
        { downloads: { allowedHosts: [], allowLoopback: false } },
      );
      const activity = {
        type: 'invoke',
        name: p.name,
        id: 'f:invoke-1',
        channelId: p.channelId,
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        from: { id: '29:x', name: p.who.displayName, ...(p.who.aadObjectId ? { aadObjectId: p.who.aadObjectId } : {}) },
        recipient: { id: '28:bot', name: 'VPN Bot' },
        conversation: { id: 'a:1conversation', conversationType: p.conversationType, isGroup: p.conversationType !== 'personal', name: '', ...(p.who.tenantId ? { tenantId: p.who.tenantId } : {}) },
        ...(p.channelTenant ? { channelData: { tenant: { id: p.channelTenant } } } : {}),
        value: p.value,
      };
      const adapter = await runRecordedTurn(logic, activity);

      if (p.name === 'adaptiveCard/action') {
        const answers = adapter.sent.filter((a) => a.type === 'invokeResponse');
        expect(answers).toHaveLength(1);
        expect(answers[0]!.value).toMatchObject({ status: 200, body: { statusCode: 200 } });
        const body = (answers[0]!.value as { body: { type: string; value: unknown } }).body;
        if (body.type === 'application/vnd.microsoft.activity.message') expect(body.value).not.toMatch(RAW_EXCEPTION);
      }
      for (const card of cardsIn(adapter.sent)) {
        expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
        expect(visibleText(card)).not.toMatch(RAW_EXCEPTION);
      }
      // Nothing unexpected happened anywhere (an unexpected error is logged under a reference).
      expect(bot.log.entries.filter((e) => e.level === 'error')).toEqual([]);
      // Four eyes: a decision reaches the change only from megan on its plan, a withdrawal only from alex.
      for (const raised of bot.jobs.raised) {
        const decision = raised.data as ChangeDecision;
        expect(raised).toMatchObject({ jobId: LISBON_JOB_ID, event: DECISION_EVENT });
        expect(decision.fingerprint).toBe(FINGERPRINT);
        expect(decision.by.aadObjectId).toBe(decision.decision === 'withdrawn' ? PEOPLE.alex.aadObjectId : PEOPLE.megan.aadObjectId);
      }
      expect(bot.jobs.raised.length).toBeLessThanOrEqual(1);
      for (const started of bot.jobs.started) expect(hasRole(started.envelope.requestedBy.aadObjectId)).toBe(true);
      if (p.channelId !== 'msteams' || (p.channelTenant && p.who.tenantId && p.channelTenant !== p.who.tenantId)) {
        expect(bot.jobs.raised).toEqual([]);
        expect(bot.jobs.started).toEqual([]);
      }
    });
  });
});

/** Answers on a file consent card (Teams' `fileConsent/invoke`): the context comes back from the client, anything at all. */
const ROME_JOB = 'change-cn-site-rome';
const consentContext = fc.oneof(
  { weight: 6, arbitrary: fc.record({ jobId: fc.oneof({ weight: 3, arbitrary: fc.constant(ROME_JOB) }, { weight: 2, arbitrary: jobId }), file: fc.oneof(fc.constantFrom('site-rome.swanctl.conf', 'site-rome-handover.txt', '../x', '.hidden', 'a'.repeat(101)), messyText(30)), for: fc.oneof(fc.constantFrom(PEOPLE.alex.aadObjectId, PEOPLE.megan.aadObjectId), messyText(40)) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }) },
);
const uploadInfo = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: messyText(40), uploadUrl: fc.oneof(fc.constantFrom('https://contoso-my.sharepoint.com/upload/1', 'http://169.254.169.254/latest', 'http://127.0.0.1:1/x', 'file:///etc/passwd', 'not a url'), messyText(60)), contentUrl: messyText(60), uniqueId: messyText(20), fileType: messyText(5) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);
const consent = fc.record({
  who: fc.constantFrom(...people),
  conversationType: fc.constantFrom('personal', 'channel', 'groupChat'),
  value: fc.oneof(
    { weight: 8, arbitrary: fc.record({ type: fc.oneof({ weight: 9, arbitrary: fc.constant('fileUpload') }, { weight: 1, arbitrary: messyText(10) }), action: fc.constantFrom('accept', 'decline', 'Accept', ''), context: consentContext, uploadInfo }, { requiredKeys: ['type', 'action'] }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  ),
});

describe('fuzz: file consent answers', () => {
  it('every answer ends in one 200, connects nowhere, and shows no exception text', async () => {
    await fuzzAsync(consent, async (c) => {
      const bot = setUp();
      // A provisioning waiting for approval, whose plan hands over two files.
      const plan = { kind: 'provision-site', title: 'Provision site-rome on vpngw-hub', site: 'site-rome', target: { connectionId: 'cn', connectionName: 'cn-site-rome' }, changes: [], risk: 'r', verify: 'v', details: {}, notes: [{ label: 'Device hand-over:', text: 'table', file: 'site-rome-handover.txt' }, { label: 'strongSwan swanctl.conf', text: 'connections {\n}\n', file: 'site-rome.swanctl.conf' }] };
      bot.jobs.add({ jobId: ROME_JOB, orchestration: 'changeJob', status: 'Running', envelope: envelope({ jobId: ROME_JOB, payload: { requestId: 'req-rome', plan, fingerprint: FINGERPRINT, approval: { required: true, approverIds: [] } } }), customStatus: { change: { kind: 'provision-site', title: plan.title, site: 'site-rome', phase: 'awaiting-approval', fingerprint: FINGERPRINT, requestId: 'req-rome' } } });
      const logic = createTurnLogic(
        { onMessage: async () => undefined, onAction: async () => ({ kind: 'message', text: 'ok' }), onInstalled: async () => undefined, onFileConsent: (answer) => handleFileConsent(answer, bot.deps) },
        new RecordingStore(),
        // No host is where files go: whatever gets past the checks must still not connect anywhere.
        { downloads: { allowedHosts: [], allowLoopback: false } },
      );
      const activity = {
        type: 'invoke',
        name: 'fileConsent/invoke',
        id: 'f:invoke-2',
        replyToId: 'consent-1',
        channelId: 'msteams',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        from: { id: '29:x', name: c.who.displayName, ...(c.who.aadObjectId ? { aadObjectId: c.who.aadObjectId } : {}) },
        recipient: { id: '28:bot', name: 'VPN Bot' },
        conversation: { id: 'a:1conversation', conversationType: c.conversationType, isGroup: c.conversationType !== 'personal', name: '', ...(c.who.tenantId ? { tenantId: c.who.tenantId } : {}) },
        value: c.value,
      };
      const adapter = await runRecordedTurn(logic, activity);
      expect(adapter.sent.filter((a) => a.type === 'invokeResponse').map((a) => a.value)).toEqual([{ status: 200 }]);
      // No file card: nothing was uploaded anywhere.
      expect(adapter.sent.filter((a) => a.type === 'message')).toEqual([]);
      for (const card of [...cardsIn(adapter.sent), ...cardsIn(adapter.updated)]) {
        expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
        expect(visibleText(card)).not.toMatch(RAW_EXCEPTION);
      }
      expect(bot.log.entries.filter((e) => e.level === 'error')).toEqual([]);
      expect(bot.audit.records.filter((r) => r.action === 'handover-file')).toEqual([]);
    });
  });
});
