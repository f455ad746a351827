import { describe, expect, it } from 'vitest';
import type { FleetResult } from '../../activities/activity-names';
import { handleCardAction, VERB_HANDLERS } from '../../bot/handle-card-action';
import type { ActionOutcome } from '../../core/ports/chat';
import { FLEET_PAGE_SIZE } from '../../core/status/fleet-status';
import { VERBS } from '../../cards/verbs';
import { UserError } from '../../core/errors/user-error';
import { summarizeFleet } from '../../core/status/fleet-status';
import { fleetRow, realistic } from '../cards/card-fixtures';
import { executeActions, visibleText } from '../cards/card-inspect';
import { cardAction, CONVERSATION_KEY, envelope, NOW, PEOPLE, testBot } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

async function press(bot: TestBot, verb: string, data: unknown, from: Person = PEOPLE.alex) {
  const action = cardAction(bot, verb, data, from);
  const outcome = await handleCardAction(action, bot.deps);
  return { outcome, surface: action.surface };
}

function cardOf(outcome: ActionOutcome): string {
  if (outcome.kind !== 'card') throw new Error(`expected a card, got message "${outcome.text}"`);
  return visibleText(outcome.card);
}

describe('handleCardAction: verbs and data', () => {
  it('has a handler for every verb the cards can send', () => {
    expect(Object.keys(VERB_HANDLERS).sort()).toEqual(Object.values(VERBS).sort());
  });

  it('answers a verb it does not know with a message, and runs nothing', async () => {
    const bot = testBot();
    const { outcome, surface } = await press(bot, 'approveEverything', { jobId: 'x' });
    expect(outcome).toEqual({ kind: 'message', text: 'That button is no longer supported. Type help to see the commands.' });
    expect(surface.replies).toEqual([]);
    expect(bot.timeline).toEqual([]);
  });

  it("looks verbs up among its own handlers only: names of the object's prototype are unknown verbs", async () => {
    for (const verb of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const bot = testBot();
      const { outcome, surface } = await press(bot, verb, { command: 'whoami' }, PEOPLE.adele);
      expect({ verb, outcome }).toEqual({ verb, outcome: { kind: 'message', text: 'That button is no longer supported. Type help to see the commands.' } });
      expect(surface.replies).toEqual([]);
      expect(bot.timeline).toEqual([]);
    }
  });

  const badData: [string, unknown][] = [
    ['no data', undefined],
    ['a string instead of an object', 'status site-paris'],
    ['a number command', { command: 42 }],
    ['an empty command', { command: '' }],
    ['an oversized command', { command: `status ${'a'.repeat(300)}` }],
    ['an array', ['status']],
  ];
  for (const [what, data] of badData) {
    it(`refuses runCommand with ${what}, with a safe error card`, async () => {
      const bot = testBot();
      const { outcome, surface } = await press(bot, VERBS.runCommand, data);
      expect(outcome).toEqual({ kind: 'message', text: 'That did not work; see the card below.' });
      expect(surface.replies).toHaveLength(1);
      expect(visibleText(surface.replies[0]!)).toMatch(/That button sent data I cannot use\.[\s\S]*Code: InvalidCardData/);
      expect(bot.jobs.started).toEqual([]);
    });
  }

  it('refuses cancelJob with a job id of the wrong type or size', async () => {
    for (const data of [{ jobId: 7 }, { jobId: 'x'.repeat(161) }, { job: 'status-fleet-1' }]) {
      const bot = testBot();
      const { surface } = await press(bot, VERBS.cancelJob, data);
      expect(visibleText(surface.replies[0]!)).toContain('Code: InvalidCardData');
      expect(bot.jobs.cancelled).toEqual([]);
    }
  });

  it('an unexpected failure in a handler shows a reference, not the exception', async () => {
    const bot = testBot();
    bot.jobIndex.listError = new Error('socket hang up password=swordfish');
    const { outcome, surface } = await press(bot, VERBS.runCommand, { command: 'jobs', replace: true });
    expect(outcome.kind).toBe('message');
    const text = visibleText(surface.replies[0]!);
    expect(text).toContain('Reference: a0000001');
    expect(text).not.toContain('swordfish');
  });
});

describe('runCommand', () => {
  it('runs an instant command and answers in a new card', async () => {
    const bot = testBot();
    const { outcome, surface } = await press(bot, VERBS.runCommand, { command: 'whoami' });
    expect(outcome).toEqual({ kind: 'message', text: 'Done.' });
    expect(visibleText(surface.replies[0]!)).toContain('Alex Wilber');
  });

  it('a refresh button (replace) answers by replacing the pressed card', async () => {
    const bot = testBot();
    const { outcome, surface } = await press(bot, VERBS.runCommand, { command: 'jobs', replace: true });
    expect(cardOf(outcome)).toContain('Your operations');
    expect(surface.replies).toEqual([]);
  });

  it('a command that does not parse replaces the pressed card with the parse error', async () => {
    const bot = testBot();
    expect(cardOf((await press(bot, VERBS.runCommand, { command: 'frobnicate' })).outcome)).toContain('There is no command frobnicate.');
  });

  it('starts a job like a typed command: acknowledgement card, job, audit', async () => {
    const bot = testBot();
    const { outcome, surface } = await press(bot, VERBS.runCommand, { command: 'status site-paris' }, PEOPLE.lynne);
    expect(outcome).toEqual({ kind: 'message', text: 'Started status site-paris (status-site-paris-a0000002).' });
    expect(visibleText(surface.replies[0]!)).toContain('Working on it: status');
    expect(bot.jobs.started[0]!.envelope.requestedBy).toEqual({ aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' });
    expect(bot.audit.records.map((r) => r.outcome)).toEqual(['started']);
  });

  it('authorizes the command itself: a button does not let someone without the role run it', async () => {
    const bot = testBot();
    const { surface } = await press(bot, VERBS.runCommand, { command: 'status site-paris' }, PEOPLE.adele);
    expect(visibleText(surface.replies[0]!)).toContain('status needs the reader role, and you have no role.');
    expect(bot.jobs.started).toEqual([]);
    expect(bot.audit.records).toEqual([{ action: 'status', actor: { aadObjectId: PEOPLE.adele.aadObjectId, name: 'Adele Vance' }, target: 'site-paris', outcome: 'denied', detail: 'missing-role' }]);
  });

  it('acts as the person who pressed, whatever identity the data claims', async () => {
    const bot = testBot();
    const forged = { command: 'whoami', aadObjectId: PEOPLE.alex.aadObjectId, from: { aadObjectId: PEOPLE.alex.aadObjectId, name: 'Alex Wilber' }, roles: ['operator'] };
    const { surface } = await press(bot, VERBS.runCommand, forged, PEOPLE.adele);
    const text = visibleText(surface.replies[0]!);
    expect(text).toContain('Adele Vance');
    expect(text).toContain(PEOPLE.adele.aadObjectId);
    expect(text).not.toContain('Alex');
    expect(text).toMatch(/Roles\nnone/);
  });
});

describe('cancelJob button', () => {
  function running(bot: TestBot, jobId: string, owner: Person) {
    bot.jobs.add({ jobId, status: 'Running', envelope: envelope({ jobId, requestedBy: { aadObjectId: owner.aadObjectId!, name: owner.displayName } }) });
  }

  it('needs the operator role, checked on the verified presser, and audits a refusal', async () => {
    const bot = testBot();
    running(bot, 'status-site-paris-d1', PEOPLE.lynne);
    const { outcome } = await press(bot, VERBS.cancelJob, { jobId: 'status-site-paris-d1' }, PEOPLE.lynne);
    expect(outcome).toEqual({ kind: 'message', text: 'You need the operator role for that. Type whoami to see your roles.' });
    expect(bot.jobs.cancelled).toEqual([]);
    expect(bot.audit.records).toEqual([{ action: 'button:cancelJob', actor: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' }, target: 'cancelJob', outcome: 'denied', detail: 'needs the operator role (missing-role)' }]);
  });

  it('still refuses (no HTTP 500) when the refusal cannot be audited, and logs the lost record', async () => {
    const bot = testBot();
    running(bot, 'status-site-paris-d1', PEOPLE.lynne);
    bot.audit.failures.push(new Error('Table Storage unavailable'));
    const { outcome } = await press(bot, VERBS.approveChange, { jobId: 'status-site-paris-d1', fingerprint: 'f' }, PEOPLE.lynne);
    expect(outcome).toEqual({ kind: 'message', text: 'You need the approver role for that. Type whoami to see your roles.' });
    expect(bot.log.entries).toMatchObject([{ level: 'error', message: 'could not audit a refusal', properties: { action: 'button:approveChange', outcome: 'denied' } }]);
  });

  it('cancels the presser\'s own running job and replaces the pressed card', async () => {
    const bot = testBot();
    running(bot, 'status-site-paris-d2', PEOPLE.alex);
    const { outcome } = await press(bot, VERBS.cancelJob, { jobId: 'status-site-paris-d2' });
    expect(cardOf(outcome)).toMatch(/^Cancelled\nstatus site-paris {2}\(status-site-paris-d2\)/);
    expect(bot.jobs.cancelled.map((c) => c.jobId)).toEqual(['status-site-paris-d2']);
    expect(bot.audit.records.map((r) => [r.action, r.outcome])).toEqual([['cancel', 'cancelled']]);
    expect(bot.messenger.updates.map((u) => [u.conversationKey, u.activityId])).toEqual([[CONVERSATION_KEY, 'ack-activity-1']]);
  });

  it('another operator cannot cancel it, even when the data names the owner', async () => {
    const bot = testBot();
    running(bot, 'status-site-paris-d3', PEOPLE.patti);
    const { surface } = await press(bot, VERBS.cancelJob, { jobId: 'status-site-paris-d3', requestedBy: { aadObjectId: PEOPLE.patti.aadObjectId }, aadObjectId: PEOPLE.patti.aadObjectId });
    expect(visibleText(surface.replies[0]!)).toContain('Code: NotYourJob');
    expect(bot.jobs.cancelled).toEqual([]);
    expect(bot.audit.records).toContainEqual(expect.objectContaining({ action: 'cancel', outcome: 'denied', actor: { aadObjectId: PEOPLE.alex.aadObjectId, name: 'Alex Wilber' } }));
  });

  it('does not cancel a finished job', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'status-site-paris-d4', status: 'Failed', envelope: envelope({ jobId: 'status-site-paris-d4' }) });
    const { surface } = await press(bot, VERBS.cancelJob, { jobId: 'status-site-paris-d4' });
    expect(visibleText(surface.replies[0]!)).toContain('(it is failed)');
    expect(bot.jobs.cancelled).toEqual([]);
  });
});

describe('fleetPage button', () => {
  const rows = Array.from({ length: 30 }, (_, i) => fleetRow(realistic, i));
  const result: FleetResult = { rows, summary: summarizeFleet(rows), gaps: [], checkedAt: NOW.toISOString() };

  function finishedFleet(bot: TestBot, status: 'Completed' | 'Running' = 'Completed', output: unknown = result) {
    bot.jobs.add({ jobId: 'status-fleet-e1', orchestration: 'fleetStatusJob', status, envelope: envelope({ jobId: 'status-fleet-e1', commandLine: 'status all', payload: { page: 0 } }), output });
  }

  it('re-renders the requested page of the finished job\'s output in place', async () => {
    const bot = testBot();
    finishedFleet(bot);
    const { outcome } = await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page: 1 });
    if (outcome.kind !== 'card') throw new Error('expected a card');
    const text = visibleText(outcome.card);
    expect(text).toContain('Page 2 of 3');
    expect(text).toContain(rows[FLEET_PAGE_SIZE]!.site);
    expect(text).not.toContain(rows[0]!.site);
    expect(executeActions(outcome.card).filter((a) => a.verb === VERBS.fleetPage).map((a) => a.data)).toEqual([
      { jobId: 'status-fleet-e1', page: 0 },
      { jobId: 'status-fleet-e1', page: 2 },
    ]);
  });

  it("only the person who ran the report pages through it (by id, like cancel): anyone else is refused and audited", async () => {
    for (const who of [PEOPLE.lynne, PEOPLE.patti, PEOPLE.megan]) {
      const bot = testBot();
      finishedFleet(bot);
      const { outcome, surface } = await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page: 1 }, who);
      expect(outcome.kind).toBe('message');
      const text = visibleText(surface.replies[0]!);
      expect(text).toMatch(/That fleet report was run by Alex Wilber; only they can page through it\.[\s\S]*Code: NotYourJob/);
      expect(text).not.toContain(rows[FLEET_PAGE_SIZE]!.site);
      expect(bot.audit.records).toMatchObject([{ action: 'fleetPage', actor: { name: who.displayName }, target: 'status-fleet-e1', outcome: 'denied', detail: 'not the requester' }]);
    }
  });

  it('a page past the end shows the last page', async () => {
    const bot = testBot();
    finishedFleet(bot);
    expect(cardOf((await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page: 99 })).outcome)).toContain('Page 3 of 3');
  });

  it('refuses pages that are not whole numbers in range', async () => {
    for (const page of [-1, 1.5, '1', 10_001, Number.NaN]) {
      const bot = testBot();
      finishedFleet(bot);
      const { surface } = await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page });
      expect(visibleText(surface.replies[0]!)).toContain('Code: InvalidCardData');
    }
  });

  it('says the report is gone when the job is unknown, still running, or has no rows', async () => {
    for (const setup of [(b: TestBot) => void b, (b: TestBot) => finishedFleet(b, 'Running'), (b: TestBot) => finishedFleet(b, 'Completed', { rows: 'nope' })]) {
      const bot = testBot();
      setup(bot);
      const { surface } = await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page: 0 });
      expect(visibleText(surface.replies[0]!)).toMatch(/That fleet report is no longer available\.[\s\S]*Code: FleetResultGone/);
    }
  });

  it('needs the reader role', async () => {
    const bot = testBot();
    finishedFleet(bot);
    expect((await press(bot, VERBS.fleetPage, { jobId: 'status-fleet-e1', page: 0 }, PEOPLE.adele)).outcome).toEqual({ kind: 'message', text: 'You need the reader role for that. Type whoami to see your roles.' });
  });
});

describe('enableDiagnostics button', () => {
  it('starts its own audited job with its own acknowledgement card', async () => {
    const bot = testBot();
    const { outcome, surface } = await press(bot, VERBS.enableDiagnostics, { site: 'site-oslo' }, PEOPLE.patti);
    expect(outcome).toEqual({ kind: 'message', text: 'Planning: enable diagnostics for site-oslo.' });
    expect(bot.timeline).toEqual(['remember', 'reply', 'start changeRequestJob', 'index enable-diagnostics-site-oslo-a0000002', 'audit enable-diagnostics started']);
    expect(visibleText(surface.replies[0]!)).toMatch(/Working on it: enable-diagnostics[\s\S]*enable-diagnostics site-oslo[\s\S]*Patti Fernandez/);
    expect(bot.jobs.started[0]!.envelope).toEqual({
      jobId: 'enable-diagnostics-site-oslo-a0000002',
      commandLine: 'enable-diagnostics site-oslo',
      requestedBy: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti Fernandez' },
      conversationKey: CONVERSATION_KEY,
      cardActivityId: 'activity-1',
      requestedAt: NOW.toISOString(),
      payload: { kind: 'enable-diagnostics', site: 'site-oslo' },
    });
    expect(bot.audit.records).toEqual([{ action: 'enable-diagnostics', actor: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti Fernandez' }, target: 'site-oslo', outcome: 'started', jobId: 'enable-diagnostics-site-oslo-a0000002' }]);
  });

  it('needs the operator role: a reader is refused and audited', async () => {
    const bot = testBot();
    const { outcome } = await press(bot, VERBS.enableDiagnostics, { site: 'site-oslo' }, PEOPLE.lynne);
    expect(outcome).toEqual({ kind: 'message', text: 'You need the operator role for that. Type whoami to see your roles.' });
    expect(bot.jobs.started).toEqual([]);
    // Audited against the site the button names, so `audit site-oslo` shows the refusal.
    expect(bot.audit.records).toEqual([{ action: 'enable-diagnostics', actor: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' }, target: 'site-oslo', outcome: 'denied', detail: 'needs the operator role (missing-role)' }]);
  });

  it('refuses a site name that is not a resource name', async () => {
    for (const site of ['site oslo', '**x**', '../etc', '-site', 'a'.repeat(81), '']) {
      const bot = testBot();
      const { surface } = await press(bot, VERBS.enableDiagnostics, { site });
      expect(visibleText(surface.replies[0]!)).toContain('Code: InvalidCardData');
      expect(bot.jobs.started).toEqual([]);
    }
  });

  it('starting fails: the acknowledgement card is replaced with a reference, not the exception', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = new Error('getaddrinfo ENOTFOUND durable.internal');
    const { surface } = await press(bot, VERBS.enableDiagnostics, { site: 'site-oslo' });
    expect(surface.updates).toHaveLength(1);
    const text = visibleText(surface.updates[0]!.card);
    expect(text).toContain('Reference: enable-diagnostics-site-oslo-a0000002');
    expect(text).not.toContain('ENOTFOUND');
    expect(bot.audit.records).toEqual([]);
  });

  it('already running: the acknowledgement card says so instead of promising an update that never comes', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = 'conflict';
    const { outcome, surface } = await press(bot, VERBS.enableDiagnostics, { site: 'site-oslo' });
    expect(outcome).toEqual({ kind: 'message', text: 'That change is already being planned.' });
    expect(surface.updates).toHaveLength(1);
    expect(surface.updates[0]!.activityId).toBe('activity-1');
    expect(visibleText(surface.updates[0]!.card)).not.toContain('This card updates itself');
    expect(bot.audit.records).toEqual([]);
  });

  it('a known failure while starting shows its safe text', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = new UserError('DurableUnavailable', 'The job service is not answering.');
    const { surface } = await press(bot, VERBS.enableDiagnostics, { site: 'site-oslo' });
    expect(visibleText(surface.updates[0]!.card)).toMatch(/Could not start[\s\S]*The job service is not answering\./);
  });
});
