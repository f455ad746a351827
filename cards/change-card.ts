import type { ChangePlan } from '../core/change/change-plan';
import { planFiles } from '../core/change/plan-files';
import type { ChangeState } from '../core/change/change-state';
import type { ChangePayload } from '../core/jobs/job-catalog';
import type { JobEnvelope } from '../core/jobs/job-envelope';
import type { AdaptiveCard, CardAction, CardElement, Tone } from './adaptive-card';
import { card, container, facts, fitToSize, literal, literalHeading, paragraph } from './adaptive-card';
import { formatUtc } from './format';
import { executeAction, VERBS } from './verbs';

/** Everything the cards of one change show. */
export interface ChangeCardModel {
  readonly jobId: string;
  /**
   * The request this change was planned for. The job id is the connection's business key, which the next change to
   * that connection reuses: buttons name the request too, so a press on an earlier change's card never acts on a later one.
   */
  readonly requestId: string;
  readonly plan: ChangePlan;
  readonly fingerprint: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly state: ChangeState;
  readonly approval: { readonly required: boolean; readonly approverIds: readonly string[] };
}

/**
 * The model of a change's cards in a given state, from the change job's envelope (its input, stored once by Durable).
 * Card activities and button presses both build it here, so the plan never travels in card updates' inputs. The
 * plan's details (what apply and verify need) are never shown.
 */
export function changeCardModel(envelope: JobEnvelope<ChangePayload>, state: ChangeState): ChangeCardModel {
  const { plan, fingerprint, approval, requestId } = envelope.payload;
  return {
    jobId: envelope.jobId,
    requestId,
    plan: { ...plan, details: {} },
    fingerprint,
    requestedBy: envelope.requestedBy.name,
    requestedAt: envelope.requestedAt,
    state,
    approval: { required: approval.required, approverIds: approval.approverIds },
  };
}

/**
 * Who looks at the card: the requester (their own card, with Withdraw while pending), an approver (Approve / Reject
 * with an optional reason while pending), or anyone else (the state only). Teams asks the bot for each approver's view
 * through the card's refresh (Universal Actions); the card as posted is the observer's.
 */
export type ChangeCardAudience = 'requester' | 'approver' | 'observer';

const TONE: Record<ChangeState['phase'], Tone> = {
  'awaiting-approval': 'accent',
  approved: 'accent',
  scheduled: 'accent',
  applying: 'accent',
  verifying: 'accent',
  done: 'good',
  'rolled-back': 'warning',
  failed: 'attention',
  rejected: 'warning',
  expired: 'warning',
  withdrawn: 'warning',
};

/** The Teams user id (MRI) of an Entra user, as `refresh.userIds` takes it. */
export function teamsUserId(aadObjectId: string): string {
  return `8:orgid:${aadObjectId}`;
}

/** One PEM block (a CSR, a certificate): shown whole on the card rather than cut with the state line. */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]{1,40}-----[A-Za-z0-9+/=\s]{1,6000}?-----END [A-Z0-9 ]{1,40}-----/;

function stateLine(model: ChangeCardModel): string {
  const s = model.state;
  const by = s.decidedBy ? `${s.decidedBy.name}${s.decidedAt ? ` at ${formatUtc(new Date(s.decidedAt))}` : ''}` : '';
  const approved = s.decidedBy && model.approval.required ? `Approved by ${by}. ` : '';
  switch (s.phase) {
    case 'awaiting-approval':
      return `Waiting for approval${s.expiresAt ? ` until ${formatUtc(new Date(s.expiresAt))}` : ''}: one approver who is not the requester must approve it.${s.detail ? ` ${s.detail}` : ''}`;
    case 'approved':
      return `Approved by ${by}.`;
    case 'scheduled':
      return `${approved}Scheduled for ${model.plan.notBefore ? formatUtc(new Date(model.plan.notBefore)) : 'its maintenance window'}: applied then, not before. ${model.requestedBy} can withdraw it until then.`;
    case 'applying':
      return `${approved}Applying…${s.detail ? ` ${s.detail}` : ''}`;
    case 'verifying':
      return `${approved}Applied; verifying…${s.detail ? ` ${s.detail.charAt(0).toUpperCase()}${s.detail.slice(1)}.` : ''}`;
    case 'done':
      return `${approved}Done${s.detail ? `: ${s.detail}` : '.'}`;
    case 'rolled-back':
      return `${approved}Rolled back${s.detail ? `: ${s.detail}` : '.'}`;
    case 'failed':
      return `${approved}Failed${s.detail ? `: ${s.detail}` : '.'}`;
    case 'rejected':
      return `Rejected by ${by}${s.reason ? `: "${s.reason}"` : ' (no reason given)'}. Nothing was changed.`;
    case 'expired':
      return `Expired: nobody decided${s.expiresAt ? ` by ${formatUtc(new Date(s.expiresAt))}` : ''}. Nothing was changed.`;
    case 'withdrawn':
      return `Withdrawn by ${by}. Nothing was changed.`;
  }
}

const NEVER_APPLIED: ReadonlySet<ChangeState['phase']> = new Set(['rejected', 'expired', 'withdrawn']);

export function changeCard(model: ChangeCardModel, audience: ChangeCardAudience): AdaptiveCard {
  const { plan, state } = model;
  const pending = state.phase === 'awaiting-approval';
  // A PEM block in the outcome (e.g. the CSR an external rotation hands out) is shown whole, below the state line.
  const pem = PEM_BLOCK.exec(state.detail ?? '')?.[0];
  const shown = pem ? { ...model, state: { ...state, detail: (state.detail ?? '').replace(pem, '(below)').trim() } } : model;
  const body: CardElement[] = [
    literalHeading(plan.title, TONE[state.phase]),
    literal([{ text: stateLine(shown), bold: true, tone: TONE[state.phase] }], { max: 500 }),
    ...(pem ? [literal([{ text: pem, mono: true }], { max: 4000 })] : []),
    facts([
      ['Site', plan.site],
      ['Connection', plan.target.connectionName],
      ['Requested by', `${model.requestedBy}, ${formatUtc(new Date(model.requestedAt))}`],
      ...(plan.notBefore ? [['Maintenance window', `applied at ${formatUtc(new Date(plan.notBefore))} once approved, not before`] as [string, string]] : []),
    ]),
    paragraph('What changes', { subtle: true }),
    container(plan.changes.map((c) => literal([{ text: `${c.resource} ${c.field}: `, bold: true }, { text: c.before }, { text: ' → ' }, { text: c.after, bold: true }])), 'emphasis'),
    facts([
      ['Risk', plan.risk],
      ['Verified by', plan.verify],
      ['Rollback', plan.rollback ?? (plan.whenNotVerified === 'keep-or-remove' ? 'none automatic: if it does not verify, the site is diagnosed and you choose Keep or Remove' : 'none: this change defines no rollback')],
      ['Approval', model.approval.required ? `one of ${model.approval.approverIds.length} approver${model.approval.approverIds.length === 1 ? '' : 's'}, not the requester` : 'not required by the approval policy'],
    ]),
    ...(plan.notes ?? []).flatMap((note) => [paragraph(note.label, { subtle: true }), literal([{ text: note.text, ...(note.mono ? { mono: true } : {}) }], { max: 4000 })]),
    literal([{ text: `Job ${model.jobId} · plan ${model.fingerprint}`, subtle: true, mono: true }], { max: 400 }),
  ];
  const actions: CardAction[] = [];
  if ((pending || state.phase === 'scheduled') && audience === 'requester') actions.push(executeAction('Withdraw', VERBS.withdrawChange, { jobId: model.jobId, requestId: model.requestId }, { style: 'destructive' }));
  if (state.offer === 'keep-or-remove' && audience === 'requester') {
    actions.push(executeAction('Keep', VERBS.keepProvisioned, { jobId: model.jobId, requestId: model.requestId, site: plan.site }));
    actions.push(executeAction('Remove', VERBS.removeSite, { site: plan.site }, { style: 'destructive' }));
  }
  if (pending && audience === 'approver') {
    body.push({ type: 'Input.Text', id: 'reason', placeholder: 'Reason (optional; the requester sees it)', maxLength: 300, isMultiline: false });
    actions.push(executeAction('Approve', VERBS.approveChange, { jobId: model.jobId, requestId: model.requestId, fingerprint: model.fingerprint }, { style: 'positive' }));
    actions.push(executeAction('Reject', VERBS.rejectChange, { jobId: model.jobId, requestId: model.requestId, fingerprint: model.fingerprint }, { style: 'destructive' }));
  }
  // The hand-over as files, sent personally to whoever presses (Teams sends files only in personal chats); not for a
  // plan that will never be applied.
  const files = NEVER_APPLIED.has(state.phase) ? [] : planFiles(plan);
  if (files.length > 0) actions.push(executeAction('Get files', VERBS.handoverFiles, { jobId: model.jobId }));
  const built = card(body, actions);
  if (!pending || audience === 'requester') return built;
  // Approvers' clients ask the bot for their own view (Approve / Reject); everyone else keeps this one.
  return fitToSize({
    ...built,
    refresh: { action: { type: 'Action.Execute', verb: VERBS.approvalView, data: { jobId: model.jobId, requestId: model.requestId } }, userIds: model.approval.approverIds.slice(0, 60).map(teamsUserId) },
  });
}

/** A short post to approvers at half-time: the request card above still carries the buttons. */
export function approvalReminderCard(model: ChangeCardModel): AdaptiveCard {
  return card([
    literalHeading(`Reminder: ${model.plan.title} waits for approval`, 'accent'),
    literal(`Requested by ${model.requestedBy}. It expires ${model.state.expiresAt ? formatUtc(new Date(model.state.expiresAt)) : 'soon'}; nothing is changed unless an approver approves it.`),
  ], [executeAction('Open the request', VERBS.approvalView, { jobId: model.jobId, requestId: model.requestId })]);
}

/** A new message to the requester when the change ends without being applied (rejected or expired). */
export function requesterNoticeCard(model: ChangeCardModel): AdaptiveCard {
  return card([literalHeading(`${model.plan.title}: ${model.state.phase.replace('-', ' ')}`, TONE[model.state.phase]), literal(stateLine(model), { max: 500 })]);
}

/**
 * A press or refresh on the card of a change that has ended and whose connection has a newer change since: what
 * happened to it is in the audit (the connection's job now runs the newer one).
 */
export function endedRequestCard(title: string, site: string, newer: string): AdaptiveCard {
  return card([literalHeading(title, 'warning'), literal(`This request has ended; a newer change to the same connection is ${newer}. Nothing on this card can be decided any more. Type audit ${site} to see what happened to it.`, { max: 500 })]);
}
