import type { CertificateSummary } from '../core/pki/describe-certificate';
import type { SiteStatus, StatusWarning } from '../core/status/site-status';
import type { AdaptiveCard, CardElement, Run, Tone } from './adaptive-card';
import { card, container, facts, literal, literalHeading, paragraph } from './adaptive-card';
import { formatAge, formatBytes, formatUtc } from './format';
import { CertificateCodes } from '../core/pki/certificate-violation';
import { rotateOutboundButton } from './rotate-button';
import { executeAction, VERBS } from './verbs';

const STATE_TONE: Record<string, Tone> = { Connected: 'good', Connecting: 'warning', NotConnected: 'attention', Unknown: 'warning' };

function days(summary: CertificateSummary): Run {
  const d = summary.daysUntilExpiry;
  if (summary.state === 'expired') return { text: `expired ${Math.abs(d)} d ago`, tone: 'attention', bold: true };
  if (summary.state === 'not-yet-valid') return { text: 'not yet valid', tone: 'attention', bold: true };
  if (summary.state === 'expiring-soon') return { text: `expires in ${d} d`, tone: 'warning', bold: true };
  return { text: `${d} d left`, tone: 'good' };
}

function warningLine(w: StatusWarning): CardElement {
  return literal([{ text: w.severity === 'error' ? '✖ ' : '⚠ ', tone: w.severity === 'error' ? 'attention' : 'warning', bold: true }, { text: w.text }], { max: 400 });
}

/** `status <site>`: tunnels, traffic, both certificate directions, and what needs attention first. */
export function siteStatusCard(status: SiteStatus, options: { now: Date }): AdaptiveCard {
  const now = options.now;
  const body: CardElement[] = [
    literalHeading(`status ${status.site}`),
    literal([
      { text: status.status, tone: STATE_TONE[status.status] ?? 'default', bold: true },
      { text: `  ${status.connectionName} on ${status.gatewayName} (${status.resourceGroup})`, subtle: true },
    ]),
  ];
  if (status.warnings.length > 0) body.push(container(status.warnings.slice(0, 8).map(warningLine), 'emphasis'));

  body.push(paragraph('Tunnels', { subtle: true }));
  if (status.tunnels.length === 0) body.push(literal('Azure reports no tunnel for this connection.'));
  for (const tunnel of status.tunnels.slice(0, 4)) {
    body.push(
      literal([
        { text: tunnel.status, tone: STATE_TONE[tunnel.status] ?? 'default', bold: true },
        { text: `  ${tunnel.name}${tunnel.gatewayIp ? ` (${tunnel.gatewayIp})` : ''}` },
        { text: `  in ${formatBytes(tunnel.ingressBytes)} / out ${formatBytes(tunnel.egressBytes)}`, subtle: true },
        // A tunnel that is down still carries when it last came up: "connected 6 h ago" would read as up.
        ...(tunnel.lastConnectedAt ? [{ text: `  ${tunnel.status === 'Connected' ? 'connected' : 'last connected'} ${formatAge(new Date(tunnel.lastConnectedAt), now)}`, subtle: true }] : []),
      ]),
    );
  }

  body.push(paragraph('Site', { subtle: true }));
  body.push(
    facts([
      ['Device', status.device.ip ?? status.device.fqdn ?? 'unknown'],
      ['Prefixes', status.device.prefixes.join(', ') || 'none'],
      ['Traffic', `in ${formatBytes(status.ingressBytes)} / out ${formatBytes(status.egressBytes)}`],
      ['Authentication', status.authenticationType],
    ]),
  );

  body.push(paragraph('Outbound certificate (Azure to device)', { subtle: true }));
  const out = status.outbound;
  if (!out) body.push(literal('None configured.'));
  else {
    const rows: [string, string | Run][] = [
      ['Key Vault', `${out.vaultName} / ${out.certificateName}`],
      ['Version', `${out.version}${out.usesLatestEnabledVersion === false ? ' (not the newest enabled)' : out.usesLatestEnabledVersion ? ' (newest enabled)' : ''}`],
    ];
    if (out.certificate) {
      rows.push(['Subject', out.certificate.subject], ['Thumbprint', out.certificate.thumbprint], ['Validity', days(out.certificate)], ['Valid until', formatUtc(new Date(out.certificate.notAfter))]);
    }
    if (out.problem) rows.push(['Problem', { text: out.problem, tone: 'attention' }]);
    body.push(facts(rows));
  }

  body.push(paragraph('Inbound (device to Azure)', { subtle: true }));
  const inboundRows: [string, string | Run][] = [['Subject name', status.inbound.subjectName ?? 'not set']];
  status.inbound.chain.slice(0, 5).forEach((cert, index) => inboundRows.push([`Chain ${index + 1}`, { text: `${cert.subject}: ${days(cert).text}`, ...(days(cert).tone ? { tone: days(cert).tone! } : {}) }]));
  body.push(facts(inboundRows));
  body.push(literal([{ text: `Checked ${formatUtc(new Date(status.checkedAt))}`, subtle: true }]));

  // An outbound certificate expiring (or expired), or behind the newest enabled version: Rotate is the fix.
  const codes = new Set(status.warnings.map((w) => w.code));
  const rotate = codes.has(CertificateCodes.OutboundExpiresSoon) || codes.has(CertificateCodes.OutboundExpired) ? [rotateOutboundButton(status.site)] : codes.has('OutboundNotLatestVersion') ? [rotateOutboundButton(status.site, { drift: true })] : [];
  return card(body, [
    ...rotate,
    executeAction('Diagnose', VERBS.runCommand, { command: `diagnose ${status.site}` }),
    executeAction('Refresh', VERBS.runCommand, { command: `status ${status.site}` }),
  ]);
}
