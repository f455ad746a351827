import type { PendingApproval } from '../core/ports/approvals';
import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, container, heading, literal, paragraph } from './adaptive-card';
import { formatUtc } from './format';
import { executeAction, VERBS } from './verbs';

/** `approvals`: the changes waiting for a decision; Review opens one in the caller's own view (Approve / Reject). */
export function approvalsCard(model: { readonly pending: readonly PendingApproval[]; readonly ownWaiting: number }): AdaptiveCard {
  const body: CardElement[] = [heading('Changes waiting for approval')];
  if (model.pending.length === 0) body.push(paragraph('Nothing waits for your decision.'));
  for (const p of model.pending) {
    body.push(
      container(
        [
          literal([{ text: p.title, bold: true }]),
          literal([{ text: `Requested by ${p.requesterName} · expires ${p.expiresAt ? formatUtc(new Date(p.expiresAt)) : 'unknown'} · plan ${p.fingerprint}`, subtle: true }]),
          { type: 'ActionSet', actions: [executeAction('Review', VERBS.approvalView, { jobId: p.jobId, requestId: p.requestId }, { style: 'positive' })] },
        ],
        'emphasis',
      ),
    );
  }
  if (model.ownWaiting > 0) body.push(paragraph(`${model.ownWaiting} of your own change${model.ownWaiting === 1 ? '' : 's'} also wait${model.ownWaiting === 1 ? 's' : ''} for another approver.`, { subtle: true }));
  return card(body, [executeAction('Refresh', VERBS.runCommand, { command: 'approvals', replace: true })]);
}
