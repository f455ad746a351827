import { describe, expect, it } from 'vitest';
import { handleCardAction } from '../../bot/handle-card-action';
import { handleMessage } from '../../bot/handle-message';
import { VERBS } from '../../cards/verbs';
import { DECISION_EVENT } from '../../core/change/change-state';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { ActionOutcome } from '../../core/ports/chat';
import { executeActions, visibleText } from '../cards/card-inspect';
import { FINGERPRINT, LISBON_JOB_ID, pendingChange, REQUEST_ID } from '../core/change/change-fixtures';
import { cardAction, chatMessage, NOW, OTHER_TENANT, PEOPLE, testBot } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

async function press(bot: TestBot, verb: string, data: unknown, from: Person): Promise<{ outcome: ActionOutcome; replies: string[] }> {
  const action = cardAction(bot, verb, data, from);
  const outcome = await handleCardAction(action, bot.deps);
  return { outcome, replies: action.surface.replies.map((c) => visibleText(c)) };
}

const approve = (bot: TestBot, from: Person, data: unknown = { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: FINGERPRINT }) => press(bot, VERBS.approveChange, data, from);
const text = (o: ActionOutcome) => (o.kind === 'card' ? visibleText(o.card) : o.text);

describe('approving and rejecting a change', () => {
  it("megan approves: the decision is recorded once and raised on the change job; her card shows who approved", async () => {
    const bot = testBot();
    pendingChange(bot);
    const { outcome } = await approve(bot, PEOPLE.megan);
    expect(text(outcome)).toMatch(/^Enable diagnostics on site-lisbon\nApproved by Megan Bowen at 2026-06-01 12:00 UTC\./);
    expect(bot.jobs.raised).toEqual([{ jobId: LISBON_JOB_ID, event: DECISION_EVENT, data: { decision: 'approved', by: { aadObjectId: PEOPLE.megan.aadObjectId, name: 'Megan Bowen' }, at: NOW.toISOString(), fingerprint: FINGERPRINT } }]);
  });

  it('pressing twice (or a second approver racing) records one decision and raises one event', async () => {
    const bot = testBot();
    pendingChange(bot);
    await approve(bot, PEOPLE.megan);
    const second = await approve(bot, PEOPLE.megan);
    expect(bot.jobs.raised).toHaveLength(1);
    expect(text(second.outcome)).toMatch(/Approved by Megan Bowen/);
    // Rejecting after the approval was recorded changes nothing either.
    await press(bot, VERBS.rejectChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: FINGERPRINT, reason: 'too late' }, PEOPLE.megan);
    expect(bot.jobs.raised).toHaveLength(1);
    expect([...bot.approvals.decisions.values()].map((d) => d.decision)).toEqual(['approved']);
  });

  it('a rejection carries the reason typed into the card', async () => {
    const bot = testBot();
    pendingChange(bot);
    const { outcome } = await press(bot, VERBS.rejectChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: FINGERPRINT, reason: '  change freeze until Monday ' }, PEOPLE.megan);
    expect(text(outcome)).toMatch(/Rejected by Megan Bowen at .*: "change freeze until Monday"\. Nothing was changed\./);
    expect(bot.jobs.raised[0]!.data).toMatchObject({ decision: 'rejected', reason: 'change freeze until Monday' });
  });

  it('patti (operator and approver) cannot approve her own change (four eyes); the refusal is audited; megan can', async () => {
    const bot = testBot();
    pendingChange(bot, { requester: PEOPLE.patti });
    const { replies } = await approve(bot, PEOPLE.patti);
    expect(replies.join('\n')).toMatch(/You requested this change, so someone else must approve it[\s\S]*Code: OwnChange/);
    expect(bot.jobs.raised).toEqual([]);
    expect(bot.approvals.decisions.size).toBe(0);
    expect(bot.audit.records).toEqual([expect.objectContaining({ action: 'approve', outcome: 'denied', target: 'site-lisbon', detail: expect.stringContaining('OwnChange') })]);
    await approve(bot, PEOPLE.megan);
    expect(bot.jobs.raised.map((r) => (r.data as { decision: string; by: { name: string } }).by.name)).toEqual(['Megan Bowen']);
  });

  it('someone without a role, a reader and another tenant are refused, audited against the change\'s site', async () => {
    for (const person of [PEOPLE.adele, PEOPLE.isaiah, { ...PEOPLE.megan, tenantId: OTHER_TENANT }]) {
      const bot = testBot();
      pendingChange(bot);
      const { outcome } = await approve(bot, person);
      expect(text(outcome)).toBe('You need the approver role for that. Type whoami to see your roles.');
      expect(bot.jobs.raised).toEqual([]);
      expect(bot.approvals.decisions.size).toBe(0);
      // `audit site-lisbon` lists it with the rest of the change's story.
      expect(bot.audit.records).toEqual([{ action: 'approve', actor: { aadObjectId: person.aadObjectId, name: person.displayName }, target: 'site-lisbon', outcome: 'denied', jobId: LISBON_JOB_ID, detail: expect.stringMatching(/^needs the approver role \((missing-role|tenant-not-allowed)\)$/) }]);
    }
  });

  it('a refused Reject or Withdraw is audited against the site too; a press naming no change falls back to the verb', async () => {
    const bot = testBot();
    pendingChange(bot);
    await press(bot, VERBS.rejectChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: FINGERPRINT }, PEOPLE.isaiah);
    await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID }, PEOPLE.adele);
    await approve(bot, PEOPLE.adele, { jobId: 'change~no-such-connection', requestId: REQUEST_ID, fingerprint: FINGERPRINT });
    expect(bot.audit.records.map((r) => `${r.action} ${r.target} ${r.outcome}`)).toEqual(['reject site-lisbon denied', 'withdraw site-lisbon denied', 'button:approveChange approveChange denied']);
  });

  it('a forged press is refused: another plan fingerprint, or a job id that is no pending change', async () => {
    const bot = testBot();
    pendingChange(bot);
    const stale = await approve(bot, PEOPLE.megan, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID, fingerprint: 'ffffffffffffffff' });
    expect(stale.replies.join('\n')).toMatch(/another plan than the change now has[\s\S]*Code: StalePlan/);
    const other = await approve(bot, PEOPLE.megan, { jobId: 'status-site-paris-00000001', requestId: REQUEST_ID, fingerprint: FINGERPRINT });
    expect(other.replies.join('\n')).toMatch(/does not belong to a change I know[\s\S]*Code: ChangeNotFound/);
    expect(bot.jobs.raised).toEqual([]);
    expect(bot.approvals.decisions.size).toBe(0);
  });

  it('a change that is no longer pending cannot be decided: the press shows where it is', async () => {
    const bot = testBot();
    pendingChange(bot, { phase: 'expired', status: 'Completed' });
    const { outcome } = await approve(bot, PEOPLE.megan);
    expect(text(outcome)).toMatch(/^Enable diagnostics on site-lisbon\nExpired: nobody decided/);
    expect(bot.jobs.raised).toEqual([]);
    expect(bot.audit.records[0]).toMatchObject({ outcome: 'denied', detail: expect.stringContaining('ChangeNotPending') });
  });
});

describe('withdraw and views', () => {
  it('the requester withdraws while pending; nobody else may', async () => {
    const bot = testBot();
    pendingChange(bot);
    const patti = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID }, PEOPLE.patti);
    expect(patti.replies.join('\n')).toMatch(/Only Alex Wilber, who requested it, can withdraw this change/);
    const alex = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID }, PEOPLE.alex);
    expect(text(alex.outcome)).toMatch(/Withdrawn by Alex Wilber/);
    expect(bot.jobs.raised.map((r) => (r.data as { decision: string }).decision)).toEqual(['withdrawn']);
  });

  it('`cancel` of a pending change withdraws it instead of terminating the job', async () => {
    const bot = testBot();
    pendingChange(bot);
    const message = chatMessage(bot, `cancel ${LISBON_JOB_ID}`, PEOPLE.alex);
    await handleMessage(message, bot.deps);
    expect(bot.jobs.cancelled).toEqual([]);
    expect(bot.jobs.raised.map((r) => (r.data as { decision: string }).decision)).toEqual(['withdrawn']);
  });

  it('each person gets their own view: Approve/Reject for an approver, Withdraw for the requester, the state for others', async () => {
    const bot = testBot();
    pendingChange(bot);
    const view = async (who: Person) => {
      const { outcome } = await press(bot, VERBS.approvalView, { jobId: LISBON_JOB_ID, requestId: REQUEST_ID }, who);
      return outcome.kind === 'card' ? executeActions(outcome.card).map((a) => a.title) : outcome.text;
    };
    expect(await view(PEOPLE.megan)).toEqual(['Approve', 'Reject']);
    expect(await view(PEOPLE.alex)).toEqual(['Withdraw']);
    expect(await view(PEOPLE.isaiah)).toEqual([]);
    // Without a role (or from another tenant) nothing is read: the card as posted is all they see.
    expect(await view(PEOPLE.adele)).toBe('You need the reader role for that. Type whoami to see your roles.');
    expect(await view({ ...PEOPLE.megan, tenantId: OTHER_TENANT })).toBe('You need the reader role for that. Type whoami to see your roles.');
  });
});

describe("a newer change to the same connection (its job id is the connection's, so the earlier change's job is gone)", () => {
  it("a press on the earlier change's card never decides the newer one, even with the same plan", async () => {
    const bot = testBot();
    // patti's change is pending now; megan still has the card of alex's earlier request for the same connection,
    // with the same plan (same fingerprint): pressing it must not approve patti's.
    pendingChange(bot, { requester: PEOPLE.patti });
    const replayed = await approve(bot, PEOPLE.megan, { jobId: LISBON_JOB_ID, requestId: 'enable-diagnostics-site-lisbon-0earlier', fingerprint: FINGERPRINT });
    expect(replayed.replies.join('\n')).toMatch(/This card belongs to an earlier request for this connection, which has ended; a newer change to it is awaiting approval\. Nothing was decided\.[\s\S]*Code: EndedRequest/);
    expect(bot.jobs.raised).toEqual([]);
    expect(bot.approvals.decisions.size).toBe(0);
    expect(bot.audit.records).toEqual([expect.objectContaining({ action: 'approve', outcome: 'denied', target: 'site-lisbon', detail: expect.stringContaining('EndedRequest') })]);
  });

  it("Withdraw on the earlier card withdraws nothing; its refresh says it ended and where its story is", async () => {
    const bot = testBot();
    pendingChange(bot);
    const withdrawn = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID, requestId: 'enable-diagnostics-site-lisbon-0earlier' }, PEOPLE.alex);
    expect(withdrawn.replies.join('\n')).toMatch(/earlier request for this connection[\s\S]*Nothing was withdrawn\.[\s\S]*Code: EndedRequest/);
    expect(bot.jobs.raised).toEqual([]);
    const { outcome } = await press(bot, VERBS.approvalView, { jobId: LISBON_JOB_ID, requestId: 'enable-diagnostics-site-lisbon-0earlier' }, PEOPLE.megan);
    expect(text(outcome)).toBe('Enable diagnostics on site-lisbon\nThis request has ended; a newer change to the same connection is awaiting approval. Nothing on this card can be decided any more. Type audit site-lisbon to see what happened to it.');
    expect(outcome.kind === 'card' ? executeActions(outcome.card) : []).toEqual([]);
  });

  it('`jobs` lists the connection\'s change job once, though the person asked for two changes to it', async () => {
    const bot = testBot();
    pendingChange(bot);
    await bot.jobIndex.add({ jobId: LISBON_JOB_ID, requesterId: PEOPLE.alex.aadObjectId, createdAt: new Date(NOW.getTime() - 3_600_000) });
    await bot.jobIndex.add({ jobId: LISBON_JOB_ID, requesterId: PEOPLE.alex.aadObjectId, createdAt: NOW });
    const alex = chatMessage(bot, 'jobs', PEOPLE.alex);
    await handleMessage(alex, bot.deps);
    expect(visibleText(alex.surface.replies[0]!).match(/enable-diagnostics site-lisbon/g)).toHaveLength(1);
  });
});

describe('approvals, audit and jobs', () => {
  it('`approvals` lists what megan may decide, with a Review button; the requester sees their own as waiting', async () => {
    const bot = testBot();
    pendingChange(bot);
    const megan = chatMessage(bot, 'approvals', PEOPLE.megan);
    await handleMessage(megan, bot.deps);
    const card = megan.surface.replies[0]!;
    expect(visibleText(card)).toMatch(/Changes waiting for approval\nEnable diagnostics on site-lisbon\nRequested by Alex Wilber · expires 2026-06-02 12:00 UTC · plan 0123456789abcdef/);
    expect(executeActions(card)[0]).toEqual({ title: 'Review', verb: VERBS.approvalView, data: { jobId: LISBON_JOB_ID, requestId: REQUEST_ID } });
    const alex = chatMessage(bot, 'approvals', PEOPLE.alex);
    await handleMessage(alex, bot.deps);
    expect(visibleText(alex.surface.replies[0]!)).toMatch(/Not allowed[\s\S]*approvals needs the approver role/);
  });

  it('`jobs` tells an approver how many changes wait for them', async () => {
    const bot = testBot();
    pendingChange(bot);
    const megan = chatMessage(bot, 'jobs', PEOPLE.megan);
    await handleMessage(megan, bot.deps);
    expect(visibleText(megan.surface.replies[0]!)).toContain('1 change waits for your approval: type approvals.');
  });

  it('`audit <site>` lists that site\'s records newest first', async () => {
    const bot = testBot();
    await bot.deps.audit.record({ action: 'enable-diagnostics', actor: { name: 'Alex Wilber' }, target: 'site-lisbon', outcome: 'requested', detail: 'plan 0123' });
    await bot.deps.audit.record({ action: 'status', actor: { name: 'Alex Wilber' }, target: 'site-paris', outcome: 'started' });
    await bot.deps.audit.record({ action: 'enable-diagnostics', actor: { name: 'Megan Bowen' }, target: 'site-lisbon', outcome: 'approved', detail: 'plan 0123' });
    const isaiah = chatMessage(bot, 'audit site-lisbon', PEOPLE.isaiah);
    await handleMessage(isaiah, bot.deps);
    const shown = visibleText(isaiah.surface.replies[0]!);
    expect(shown).toMatch(/^Audit: site-lisbon, last 7 days\n[\s\S]*Megan Bowen {2}enable-diagnostics approved {2}site-lisbon[\s\S]*Alex Wilber {2}enable-diagnostics requested/);
    expect(shown).not.toContain('site-paris');
  });
});

describe('one job per Teams activity', () => {
  it('the same message delivered twice starts one job and answers once', async () => {
    const bot = testBot();
    for (let i = 0; i < 2; i++) {
      const message = { ...chatMessage(bot, 'status site-paris', PEOPLE.alex), activityId: 'f:1234567890' };
      await handleMessage(message, bot.deps);
    }
    expect(bot.jobs.started).toHaveLength(1);
    expect(bot.jobs.started[0]!.envelope.jobId).toMatch(/^status-site-paris-[0-9a-f]{8}$/);
    expect(bot.timeline.filter((t) => t === 'reply')).toHaveLength(1);
  });

  it('a change request typed twice in one message delivery plans once', async () => {
    const bot = testBot();
    for (let i = 0; i < 2; i++) await handleMessage({ ...chatMessage(bot, 'enable-diagnostics site-lisbon', PEOPLE.alex), activityId: 'f:777' }, bot.deps);
    expect(bot.jobs.started.map((s) => s.orchestration)).toEqual([ORCHESTRATIONS.changeRequest]);
    expect(bot.jobs.started[0]!.envelope.payload).toEqual({ kind: 'enable-diagnostics', site: 'site-lisbon' });
  });
});
