import type { FleetRow, FleetSummary } from '../core/status/fleet-status';
import { headlineOf, severityOf } from '../core/status/fleet-status';
import type { AdaptiveCard, CardAction, CardElement, Tone } from './adaptive-card';
import { card, container, heading, literal, paragraph } from './adaptive-card';
import { formatUtc, plural } from './format';
import { EXPIRY_WARNING_DAYS } from '../core/pki/certificate-violation';
import { rotateOutboundButton } from './rotate-button';
import { executeAction, VERBS } from './verbs';

export interface FleetCardModel {
  readonly jobId: string;
  /** The page's rows, already ranked worst first. */
  readonly rows: readonly FleetRow[];
  readonly page: number;
  readonly pageCount: number;
  readonly summary: FleetSummary;
  /** While collecting: how many of how many connections are in. */
  readonly progress?: { readonly inspected: number; readonly total: number };
  readonly checkedAt: string;
  /** Scopes or reads that failed: listed, never hidden. */
  readonly gaps?: readonly string[];
}

const TONE: Record<ReturnType<typeof severityOf>, Tone> = { critical: 'attention', warning: 'warning', ok: 'good' };
const ICON: Record<ReturnType<typeof severityOf>, string> = { critical: '✖', warning: '⚠', ok: '✔' };

/** `status` / `status all`: every certificate connection in scope, worst first, paged. */
export function fleetStatusCard(model: FleetCardModel): AdaptiveCard {
  const s = model.summary;
  const collecting = model.progress !== undefined && model.progress.inspected < model.progress.total;
  const body: CardElement[] = [
    heading(collecting ? 'Fleet status (collecting…)' : 'Fleet status'),
    literal([
      { text: `${s.connected} connected`, tone: 'good', bold: true },
      { text: ' · ' },
      { text: `${s.down} down`, tone: s.down > 0 ? 'attention' : 'default', bold: true },
      { text: ' · ' },
      { text: `${s.expiring} expiring`, tone: s.expiring > 0 ? 'warning' : 'default', bold: true },
      ...(s.degraded > 0 ? [{ text: ' · ' }, { text: `${s.degraded} on one tunnel`, tone: 'warning' as const }] : []),
      { text: `  of ${plural(s.total, 'site')}`, subtle: true },
    ]),
  ];
  if (model.progress && collecting) body.push(paragraph(`Checked ${model.progress.inspected} of ${model.progress.total}; this card fills in as results arrive.`, { subtle: true }));
  if (model.gaps && model.gaps.length > 0) body.push(container(model.gaps.slice(0, 3).map((g) => literal([{ text: '⚠ ', tone: 'warning' }, { text: g }])), 'warning'));
  if (model.rows.length === 0 && !collecting) body.push(paragraph('No certificate-authenticated connections in the configured scope.'));
  for (const row of model.rows) {
    const severity = severityOf(row);
    body.push({
      type: 'ColumnSet',
      separator: true,
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            literal([{ text: `${ICON[severity]} `, tone: TONE[severity], bold: true }, { text: row.site, bold: true }, { text: `  ${row.status} ${row.tunnelsUp}/${row.tunnelsTotal}`, subtle: true }]),
            literal([{ text: headlineOf(row), subtle: severity === 'ok', ...(severity !== 'ok' ? { tone: TONE[severity] } : {}) }], { max: 160 }),
          ],
        },
        {
          type: 'Column',
          width: 'auto',
          verticalContentAlignment: 'Center',
          items: [
            {
              type: 'ActionSet',
              actions: [
                // An outbound certificate expiring or expired: Rotate first.
                ...(row.outboundDays !== undefined && row.outboundDays < EXPIRY_WARNING_DAYS ? [rotateOutboundButton(row.site)] : []),
                executeAction('Status', VERBS.runCommand, { command: `status ${row.site}` }),
                executeAction('Diagnose', VERBS.runCommand, { command: `diagnose ${row.site}` }),
              ],
            },
          ],
        },
      ],
    });
  }
  const actions: CardAction[] = [];
  if (!collecting && model.pageCount > 1) {
    if (model.page > 0) actions.push(executeAction('Previous', VERBS.fleetPage, { jobId: model.jobId, page: model.page - 1 }));
    if (model.page < model.pageCount - 1) actions.push(executeAction('Next', VERBS.fleetPage, { jobId: model.jobId, page: model.page + 1 }));
  }
  if (!collecting) actions.push(executeAction('Refresh', VERBS.runCommand, { command: 'status all' }));
  body.push(literal([{ text: `${model.pageCount > 1 ? `Page ${model.page + 1} of ${model.pageCount} · ` : ''}Checked ${formatUtc(new Date(model.checkedAt))}`, subtle: true }]));
  return card(body, actions);
}
