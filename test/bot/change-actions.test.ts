import { describe, expect, it } from 'vitest';
import { handleCardAction } from '../../bot/handle-card-action';
import { handleMessage } from '../../bot/handle-message';
import { VERBS } from '../../cards/verbs';
import { DECISION_EVENT } from '../../core/change/change-state';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { ActionOutcome } from '../../core/ports/chat';
import { executeActions, visibleText } from '../cards/card-inspect';
import { FINGERPRINT, LISBON_JOB_ID, pendingChange } from '../core/change/change-fixtures';
import { cardAction, chatMessage, NOW, OTHER_TENANT, PEOPLE, testBot } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

async function press(bot: TestBot, verb: string, data: unknown, from: Person): Promise<{ outcome: ActionOutcome; replies: string[] }> {
  const action = cardAction(bot, verb, data, from);
  const outcome = await handleCardAction(action, bot.deps);
  return { outcome, replies: action.surface.replies.map((c) => visibleText(c)) };
}

const approve = (bot: TestBot, from: Person, data: unknown = { jobId: LISBON_JOB_ID, fingerprint: FINGERPRINT }) => press(bot, VERBS.approveChange, data, from);
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
    await press(bot, VERBS.rejectChange, { jobId: LISBON_JOB_ID, fingerprint: FINGERPRINT, reason: 'too late' }, PEOPLE.megan);
    expect(bot.jobs.raised).toHaveLength(1);
    expect([...bot.approvals.decisions.values()].map((d) => d.decision)).toEqual(['approved']);
  });

  it('a rejection carries the reason typed into the card', async () => {
    const bot = testBot();
    pendingChange(bot);
    const { outcome } = await press(bot, VERBS.rejectChange, { jobId: LISBON_JOB_ID, fingerprint: FINGERPRINT, reason: '  change freeze until Monday ' }, PEOPLE.megan);
    expect(text(outcome)).toMatch(/Rejected by Megan Bowen at .*: "change freeze until Monday"\. Nothing was changed\./);
    expect(bot.jobs.raised[0]!.data).toMatchObject({ decision: 'rejected', reason: 'change freeze until Monday' });
  });

  it('the requester cannot approve their own change (four eyes), and the refusal is audited', async () => {
    const bot = testBot();
    (bot.deps.access.members.approver as Set<string>).add(PEOPLE.alex.aadObjectId);
    pendingChange(bot);
    const { replies } = await approve(bot, PEOPLE.alex);
    expect(replies.join('\n')).toMatch(/You requested this change, so someone else must approve it[\s\S]*Code: OwnChange/);
    expect(bot.jobs.raised).toEqual([]);
    expect(bot.audit.records).toEqual([expect.objectContaining({ action: 'approve', outcome: 'denied', detail: expect.stringContaining('OwnChange') })]);
  });

  it('someone without a role, a reader and another tenant are refused before anything is read', async () => {
    for (const person of [PEOPLE.adele, PEOPLE.isaiah, { ...PEOPLE.megan, tenantId: OTHER_TENANT }]) {
      const bot = testBot();
      pendingChange(bot);
      const { outcome } = await approve(bot, person);
      expect(text(outcome)).toBe('You need the approver role for that. Type whoami to see your roles.');
      expect(bot.jobs.raised).toEqual([]);
      expect(bot.audit.records[0]).toMatchObject({ action: 'button:approveChange', outcome: 'denied' });
    }
  });

  it('a forged press is refused: another plan fingerprint, or a job id that is no pending change', async () => {
    const bot = testBot();
    pendingChange(bot);
    const stale = await approve(bot, PEOPLE.megan, { jobId: LISBON_JOB_ID, fingerprint: 'ffffffffffffffff' });
    expect(stale.replies.join('\n')).toMatch(/another plan than the change now has[\s\S]*Code: StalePlan/);
    const other = await approve(bot, PEOPLE.megan, { jobId: 'status-site-paris-00000001', fingerprint: FINGERPRINT });
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
    const patti = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID }, PEOPLE.patti);
    expect(patti.replies.join('\n')).toMatch(/Only Alex Wilber, who requested it, can withdraw this change/);
    const alex = await press(bot, VERBS.withdrawChange, { jobId: LISBON_JOB_ID }, PEOPLE.alex);
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
      const { outcome } = await press(bot, VERBS.approvalView, { jobId: LISBON_JOB_ID }, who);
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

describe('approvals, audit and jobs', () => {
  it('`approvals` lists what megan may decide, with a Review button; the requester sees their own as waiting', async () => {
    const bot = testBot();
    pendingChange(bot);
    const megan = chatMessage(bot, 'approvals', PEOPLE.megan);
    await handleMessage(megan, bot.deps);
    const card = megan.surface.replies[0]!;
    expect(visibleText(card)).toMatch(/Changes waiting for approval\nEnable diagnostics on site-lisbon\nRequested by Alex Wilber · expires 2026-06-02 12:00 UTC · plan 0123456789abcdef/);
    expect(executeActions(card)[0]).toEqual({ title: 'Review', verb: VERBS.approvalView, data: { jobId: LISBON_JOB_ID } });
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
