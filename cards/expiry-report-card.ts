import type { ExpiryReport, ExpiryRow } from '../core/expiry/expiry-report';
import { describeWhen, EXPIRY_PAGE_SIZE, expiryPageOf, tierLabel } from '../core/expiry/expiry-report';
import type { AdaptiveCard, CardAction, CardElement, Run, Tone } from './adaptive-card';
import { card, container, heading, literal, paragraph } from './adaptive-card';
import { formatUtc, plural } from './format';
import { rotateOutboundButton } from './rotate-button';
import { executeAction, VERBS } from './verbs';

export { EXPIRY_PAGE_SIZE, expiryPageOf };

export interface ExpiryPaging {
  readonly jobId: string;
  /** A scheduled report: the conversation's threshold (the run read the fleet for the largest one). */
  readonly days?: number;
  /** A scheduled report: which of the run's reads it shows. */
  readonly group?: number;
}

export interface ExpiryCardModel {
  readonly report: ExpiryReport;
  readonly page: number;
  /** Set when `report.rows` already holds only the page's rows (what travels in durable history): how many pages. */
  readonly pageCount?: number;
  /** Absent: no paging buttons (e.g. an alert). */
  readonly paging?: ExpiryPaging;
  /** `Expiry report`, `Daily expiry report`, `Key Vault alert: …`. */
  readonly title?: string;
  /** Said under the title (an alert's event, a scheduled report's subscription). */
  readonly note?: string;
  /** Rows whose rotation completed since the report was made, by `site`: shown as done, without Rotate. */
  readonly rotated?: readonly { readonly site: string; readonly at: string }[];
}

const TONE: Record<ExpiryRow['tier'], Tone> = { broken: 'attention', expired: 'attention', 'tier-1': 'attention', 'tier-2': 'warning', 'tier-3': 'warning', drift: 'accent' };
const ICON: Record<ExpiryRow['tier'], string> = { broken: '✖', expired: '✖', 'tier-1': '⚠', 'tier-2': '⚠', 'tier-3': '⚠', drift: '↻' };

/** The counts line: `1 unusable · 1 ≤ 14 days · 1 ≤ 30 days · 1 drift · 12 fine`. */
export function expiryCountsRuns(report: ExpiryReport): Run[] {
  const c = report.counts;
  const parts: Run[] = [];
  const add = (text: string, tone: Tone, n: number) => {
    if (parts.length > 0) parts.push({ text: ' · ' });
    parts.push({ text, bold: n > 0, tone: n > 0 ? tone : 'default' });
  };
  if (c.broken > 0) add(`${c.broken} unusable`, 'attention', c.broken);
  add(`${c.expired} expired`, 'attention', c.expired);
  for (const t of c.tiers) add(`${t.count} ≤ ${t.days} days`, t.days <= 7 ? 'attention' : 'warning', t.count);
  add(`${c.drift} drift`, 'accent', c.drift);
  add(`${c.fine} fine`, 'good', 0);
  return parts;
}

/** The report: counts, then a page of rows worst first, each with Rotate (outbound) and Status. */
export function expiryReportCard(model: ExpiryCardModel): AdaptiveCard {
  const { report } = model;
  const { rows, page, pageCount } = model.pageCount !== undefined ? { rows: report.rows, page: model.page, pageCount: model.pageCount } : expiryPageOf(report.rows, model.page);
  const rotated = new Map((model.rotated ?? []).map((r) => [r.site.toLowerCase(), r.at]));
  const title = model.title ?? (report.site ? `Expiry: ${report.site}` : 'Certificate expiry');
  const body: CardElement[] = [heading(title, report.counts.broken + report.counts.expired > 0 ? 'attention' : report.rows.length > 0 ? 'warning' : 'good')];
  if (model.note) body.push(paragraph(model.note, { subtle: true }));
  body.push(literal([...expiryCountsRuns(report), { text: `  (next ${report.thresholdDays} days)`, subtle: true }]));
  if (report.gaps.length > 0) body.push(container(report.gaps.slice(0, 3).map((g) => literal([{ text: '⚠ ', tone: 'warning' }, { text: g }])), 'warning'));
  if (report.rows.length === 0 && page === 0) body.push(paragraph(`All certificates are fine for the next ${plural(report.thresholdDays, 'day')}.`, { tone: 'good' }));
  for (const row of rows) {
    const doneAt = row.kind === 'outbound' ? rotated.get(row.site.toLowerCase()) : undefined;
    const actions: CardAction[] = [];
    if (row.rotate && row.kind === 'outbound' && !doneAt) actions.push(rotateOutboundButton(row.site, { drift: row.rotate.drift }));
    if (row.kind !== 'vault-ca') actions.push(executeAction('Status', VERBS.runCommand, { command: `status ${row.site}` }));
    const tone = doneAt ? 'good' : TONE[row.tier];
    body.push({
      type: 'ColumnSet',
      separator: true,
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            literal([
              { text: `${doneAt ? '✔' : ICON[row.tier]} `, tone, bold: true },
              { text: row.site, bold: true },
              { text: `  ${doneAt ? 'rotated' : tierLabel(row, report.tierBounds)}`, tone },
            ]),
            literal([{ text: row.what }, ...(describeWhen(row) ? [{ text: ` ${describeWhen(row)}`, subtle: true }] : [])], { max: 200 }),
            literal([{ text: doneAt ? `Rotated ${formatUtc(new Date(doneAt))}; this row is done.` : row.action, subtle: true }], { max: 240 }),
          ],
        },
        ...(actions.length > 0 ? [{ type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', actions }] }] : []),
      ],
    });
  }
  const actions: CardAction[] = [];
  if (model.paging && pageCount > 1) {
    const data = (p: number) => ({ jobId: model.paging!.jobId, page: p, ...(model.paging!.days !== undefined ? { days: model.paging!.days } : {}), ...(model.paging!.group !== undefined ? { group: model.paging!.group } : {}) });
    if (page > 0) actions.push(executeAction('Previous', VERBS.expiryPage, data(page - 1)));
    if (page < pageCount - 1) actions.push(executeAction('Next', VERBS.expiryPage, data(page + 1)));
  }
  actions.push(executeAction('Refresh', VERBS.runCommand, { command: `expiry --days ${report.thresholdDays}${report.site ? ` ${report.site}` : ''}` }));
  body.push(literal([{ text: `${pageCount > 1 ? `Page ${page + 1} of ${pageCount} · ` : ''}Checked ${formatUtc(new Date(report.checkedAt))}`, subtle: true }]));
  return card(body, actions);
}
