import type { StoredAuditRecord } from '../core/ports/audit';
import type { AdaptiveCard, CardAction, CardElement, Tone } from './adaptive-card';
import { card, container, literal, literalHeading, paragraph } from './adaptive-card';
import { formatUtc } from './format';
import { executeAction, VERBS } from './verbs';

/** Records per page of the audit card. */
export const AUDIT_PAGE_SIZE = 15;

const TONE: Partial<Record<StoredAuditRecord['outcome'], Tone>> = {
  denied: 'attention',
  failed: 'attention',
  refused: 'warning',
  rejected: 'warning',
  'timed-out': 'warning',
  withdrawn: 'warning',
  'rolled-back': 'warning',
  approved: 'good',
  verified: 'good',
  applied: 'good',
};

/** `audit [site] [--days N]`: who did what to what, newest first, one page. */
export function auditCard(model: { readonly records: readonly StoredAuditRecord[]; readonly site?: string; readonly days: number; readonly page: number; readonly more: boolean }): AdaptiveCard {
  const scope = `${model.site ? model.site : 'all sites'}, last ${model.days} day${model.days === 1 ? '' : 's'}`;
  const body: CardElement[] = [literalHeading(`Audit: ${scope}`)];
  if (model.records.length === 0) body.push(paragraph(model.page === 0 ? 'Nothing was recorded in that window.' : 'No more records.'));
  for (const r of model.records) {
    body.push(
      container([
        literal([{ text: formatUtc(new Date(r.at)), subtle: true }, { text: `  ${r.actor.name}`, bold: true }, { text: `  ${r.action}` }, { text: ` ${r.outcome}`, bold: true, tone: TONE[r.outcome] ?? 'default' }, { text: `  ${r.target}` }]),
        ...(r.detail ? [literal([{ text: r.detail, subtle: true }], { max: 400 })] : []),
        ...(r.jobId ? [literal([{ text: r.jobId, subtle: true, mono: true }], { max: 300 })] : []),
      ]),
    );
  }
  const actions: CardAction[] = [];
  const data = { ...(model.site ? { site: model.site } : {}), days: model.days };
  if (model.page > 0) actions.push(executeAction('Newer', VERBS.auditPage, { ...data, page: model.page - 1 }));
  if (model.more) actions.push(executeAction('Older', VERBS.auditPage, { ...data, page: model.page + 1 }));
  return card(body, actions);
}
