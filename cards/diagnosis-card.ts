import type { DiagnosisNote } from '../core/ike/diagnosis';
import { DIAGNOSIS_TITLES } from '../core/ike/diagnosis';
import type { DiagnoseOutcome } from '../core/status/diagnose-outcome';
import type { SiteNote } from '../core/status/site-notes';
import type { AdaptiveCard, CardElement, Tone } from './adaptive-card';
import { actionSet, card, codeLines, container, literal, literalHeading, paragraph } from './adaptive-card';
import { formatUtc } from './format';
import { remedyButton } from './remedy-buttons';
import { rotateOutboundButton } from './rotate-button';
import { executeAction, VERBS } from './verbs';


function evidenceLine(e: { source: string; time?: string; line?: number; instance?: string; text: string }): string {
  const where = e.source === 'azure' ? `Azure${e.instance ? ` ${e.instance.replace('GatewayTenantWorker_', '')}` : ''}` : 'device';
  const when = e.time ? (/^\d{4}-\d\d-\d\dT/.test(e.time) ? e.time.slice(11, 19) : e.time) : e.line !== undefined ? `line ${e.line}` : '';
  return `[${where}${when ? ` ${when}` : ''}] ${e.text}`;
}

/** A warning of the site the diagnosis does not explain: what it is, how to fix it, and the buttons that help. */
function siteNote(note: SiteNote, site: string): CardElement {
  const items: CardElement[] = [literal([{ text: note.severity === 'error' ? '✖ ' : '⚠ ', tone: note.severity === 'error' ? 'attention' : 'warning', bold: true }, { text: note.text }], { max: 420 })];
  if (note.fix) items.push(literal(note.fix, { max: 420 }));
  if (note.actions.length > 0) items.push(actionSet(note.actions.map((a) => (a.rotateOutbound ? rotateOutboundButton(site, { drift: a.rotateOutbound.drift }) : executeAction(a.title, VERBS.runCommand, { command: a.command })))));
  return container(items, 'warning');
}

/** The notes section: what the headline does not say (the diagnosis's own notes), then the site's other warnings. */
function notesSection(siteName: string, own: readonly DiagnosisNote[], site: readonly SiteNote[]): CardElement[] {
  const count = own.length + site.length;
  if (count === 0) return [];
  return [
    paragraph(count === 1 ? 'Note' : 'Notes', { subtle: true }),
    ...own.map((n) => container([literal(n.text, { max: 420 }), ...(n.evidence.length > 0 ? [codeLines(n.evidence.map(evidenceLine))] : [])], 'warning')),
    ...site.map((note) => siteNote(note, siteName)),
  ];
}

/** `diagnose <site>`: one headline cause, the lines that show it, what to do. */
export function diagnosisCard(outcome: DiagnoseOutcome): AdaptiveCard {
  if (outcome.kind === 'diagnostics-off') {
    return card(
      [
        literalHeading(`diagnose ${outcome.site}: no IKE logs to read`, 'warning'),
        literal(`Gateway ${outcome.gatewayName} does not send ${outcome.missing.join(' and ')} to a Log Analytics workspace, so there is nothing to diagnose from.`),
        paragraph('Enable diagnostics to send IKE and tunnel logs to the workspace. Logs appear a few minutes later; run diagnose again then.'),
        ...notesSection(outcome.site, [], outcome.siteNotes ?? []),
      ],
      [executeAction('Enable diagnostics', VERBS.enableDiagnostics, { site: outcome.site }, { style: 'positive' })],
    );
  }
  if (outcome.kind === 'no-logs') {
    return card(
      [
        literalHeading(`diagnose ${outcome.site}: no log entries`, 'warning'),
        literal(`Log Analytics workspace ${outcome.workspaceName} has no IKE or tunnel log entries for ${outcome.connectionName} in the last ${outcome.hours} h. The connection is ${outcome.status}.`),
        paragraph('If diagnostics were enabled recently, wait a few minutes. Otherwise widen the window, e.g. --hours 72, or paste the device\'s charon log under the command.'),
        ...notesSection(outcome.site, [], outcome.siteNotes ?? []),
      ],
      [executeAction('Last 72 h', VERBS.runCommand, { command: `diagnose ${outcome.site} --hours 72` })],
    );
  }
  const d = outcome.diagnosis;
  const tone: Tone = d.cause === 'healthy' ? 'good' : d.cause === 'unknown' ? 'warning' : 'attention';
  const body: CardElement[] = [
    literalHeading(`diagnose ${outcome.site}: ${DIAGNOSIS_TITLES[d.cause]}`, tone),
    literal([{ text: d.headline, bold: true }], { max: 400 }),
    literal([{ text: `Connection ${outcome.connectionName} is ${outcome.status}. Confidence: ${d.confidence}${d.rejectedBy ? `; rejected by ${d.rejectedBy === 'azure' ? 'Azure' : 'the device'}` : ''}.`, subtle: true }]),
  ];
  // Notes come before the evidence: they say what the headline does not (a device log that disagrees, or that talks
  // to another peer, or the site's other warnings such as an expiring certificate), and a person must not miss them.
  body.push(...notesSection(outcome.site, d.notes ?? [], outcome.siteNotes ?? []));
  if (d.evidence.length > 0) {
    body.push(paragraph('Evidence', { subtle: true }));
    body.push(codeLines(d.evidence.map(evidenceLine)));
  }
  if (d.actions.length > 0) {
    body.push(paragraph('What to do', { subtle: true }));
    body.push(container(d.actions.map((a, i) => literal(`${i + 1}. ${a}`, { max: 420 }))));
  }
  if (d.cause === 'unknown' && d.latestEvents && d.latestEvents.length > 0) {
    body.push(paragraph('Latest events', { subtle: true }));
    body.push(codeLines(d.latestEvents.map(evidenceLine)));
  }
  const num = (count: number) => count.toLocaleString('en-US');
  const entries = (count: number) => (count === 1 ? 'log entry' : 'log entries');
  // "412 IKE and 6 tunnel log entries" shares the noun; when the count next to it is 1 each count gets its own.
  const logCounts =
    outcome.counts.tunnel === 1
      ? `${num(outcome.counts.ike)} IKE ${entries(outcome.counts.ike)} and 1 tunnel log entry`
      : `${num(outcome.counts.ike)} IKE and ${num(outcome.counts.tunnel)} tunnel log entries`;
  const device = outcome.counts.device;
  const counts = `${logCounts}${device !== undefined ? ` plus ${num(device)} device log ${device === 1 ? 'event' : 'events'}` : ''}`;
  const actions = [
    ...(d.remedy ? [remedyButton(outcome.site, d.remedy)] : []),
    executeAction('Status', VERBS.runCommand, { command: `status ${outcome.site}` }),
    executeAction('Run again', VERBS.runCommand, { command: `diagnose ${outcome.site} --hours ${outcome.hours}` }),
  ];
  const cap = outcome.truncated;
  if (!cap) {
    body.push(literal([{ text: `Read ${counts} from ${formatUtc(new Date(outcome.from))} to ${formatUtc(new Date(outcome.to))}.`, subtle: true }]));
    return card(body, actions);
  }
  // The queries return the newest rows: a capped log covers only the end of the window, and the person must know
  // where the evidence stops. (A shorter window would read the same newest rows, so there is nothing to offer.)
  const which = cap.logs.map((l) => (l === 'ike' ? 'IKE' : 'tunnel')).join(' and ');
  body.push(literal([{ text: `Read ${counts}, up to ${formatUtc(new Date(outcome.to))}.`, subtle: true }]));
  body.push(
    literal([
      {
        text: `Only the newest ${cap.limit.toLocaleString('en-US')} ${which} log entries were read, from ${formatUtc(new Date(cap.oldestRead))} on; the ${outcome.hours} h window starts ${formatUtc(new Date(outcome.from))}, so older events are not part of this diagnosis.`,
        tone: 'warning',
      },
    ]),
  );
  return card(body, actions);
}
