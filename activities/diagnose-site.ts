import type { TunnelMetricSeries } from '../adapters/azure/monitor';
import { diagnose } from '../core/ike/diagnose';
import type { ConnectionFacts, DiagnosisCause, TunnelMetricsSummary } from '../core/ike/diagnosis';
import type { IkeEvent, TunnelEvent } from '../core/ike/ike-event';
import { parseAzureIkeMessage } from '../core/ike/parse-azure-ike-message';
import { parseTunnelDiagnosticRow } from '../core/ike/parse-tunnel-diagnostic-row';
import { assessSite } from '../core/status/assess-site';
import { siteNotesFor } from '../core/status/site-notes';
import type { DiagnoseSiteInput, DiagnoseSiteOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { siteFacts } from './inspect-site';
import { lookupOutboundCertificate } from './outbound-certificate';
import { findSite } from './site-directory';

/**
 * Newest rows read per log: a failing tunnel writes some ten IKE lines a minute, so this is the last several hours
 * of retries (a few MB, parsed in tens of milliseconds), bounded so a noisy gateway can't flood the activity. When a
 * log reaches it, the outcome says so (`truncated`): the card must not present the newest rows as the whole window.
 */
export const MAX_DIAGNOSE_ROWS = 10_000;

/**
 * Log Analytics holds a log entry only minutes after the gateway wrote it: a tunnel that just went down shows as down
 * in the connection's status before its failed negotiations reach the workspace.
 */
export const LOG_LAG_NOTE = "Log Analytics receives the gateway's logs a few minutes after they are written: if the tunnel went down in the last few minutes, its failed negotiations may not be in the workspace yet. Run diagnose again in five minutes.";

/**
 * `diagnose <site>`: reads the gateway's IKE and tunnel logs in Log Analytics, the tunnel metrics and the
 * connection's configuration, adds the device's side when given, and concludes. Returns only the diagnosis and a
 * few evidence lines: the rows stay in Log Analytics, never in durable history.
 */
export async function diagnoseSite(input: DiagnoseSiteInput, ports: ActivityPorts): Promise<DiagnoseSiteOutput> {
  const c = await findSite(ports, input.site);
  if ('kind' in c) return c;
  const to = ports.now();
  const from = new Date(to.getTime() - input.hours * 3_600_000);
  const { details } = c;
  const [gateway, lng, diagnostics, outbound] = await Promise.all([
    ports.network.getGateway(c.gatewayId),
    c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
    ports.monitor.getGatewayDiagnostics(c.gatewayId),
    c.certificate?.outboundCertificateUrl ? lookupOutboundCertificate(ports, c.certificate.outboundCertificateUrl, { checkLatest: true }) : Promise.resolve(undefined),
  ]);
  // The site as `status` judges it: what the diagnosis does not explain is shown with it as notes.
  const facts = siteFacts({ connection: c, details, gateway, lng, outbound });
  const site = assessSite(facts, to);
  const notesFor = (cause?: DiagnosisCause) => {
    const notes = siteNotesFor(site, cause);
    return notes.length > 0 ? { siteNotes: notes } : {};
  };
  const ikeWorkspace = diagnostics.workspaceFor.IKEDiagnosticLog;
  const tunnelWorkspace = diagnostics.workspaceFor.TunnelDiagnosticLog;
  const missing = [...(ikeWorkspace ? [] : ['IKEDiagnosticLog']), ...(tunnelWorkspace ? [] : ['TunnelDiagnosticLog'])];
  if (missing.length > 0 && input.deviceEvents === undefined) {
    return { kind: 'diagnostics-off', site: c.site, gatewayName: gateway.name, missing, status: details.status, ...notesFor() };
  }
  const deviceIp = lng?.gatewayIpAddress;
  const query = { gatewayResourceId: c.gatewayId, from, to, limit: MAX_DIAGNOSE_ROWS, ...(deviceIp ? { remoteIp: deviceIp } : {}) };
  const [ikeRows, tunnelRows, metrics, vnet] = await Promise.all([
    ikeWorkspace ? ports.logs.queryIkeDiagnostics(ikeWorkspace, query) : Promise.resolve([]),
    tunnelWorkspace ? ports.logs.queryTunnelDiagnostics(tunnelWorkspace, query) : Promise.resolve([]),
    ports.monitor.getTunnelMetrics(c.gatewayId, { from, to, interval: input.hours > 48 ? 'PT1H' : 'PT5M', connectionName: c.name }),
    gateway.virtualNetworkId ? ports.network.getVirtualNetwork(gateway.virtualNetworkId).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  if (ikeRows.length === 0 && tunnelRows.length === 0 && input.deviceEvents === undefined) {
    return { kind: 'no-logs', site: c.site, connectionName: c.name, status: details.status, hours: input.hours, workspaceName: lastSegment(ikeWorkspace ?? tunnelWorkspace ?? 'the workspace'), ...notesFor() };
  }
  const azure: IkeEvent[] = ikeRows.map((row) => parseAzureIkeMessage({ timeGenerated: row.at, message: row.message, instance: row.instance, level: row.level }));
  const tunnels: TunnelEvent[] = tunnelRows
    .map((row) => parseTunnelDiagnosticRow({ timeGenerated: row.at, status_s: row.status, ...(row.reason ? { stateChangeReason_s: row.reason } : {}), remoteIP_s: row.remoteIp, instance_s: row.instance, ...(row.operationName ? { operationName: row.operationName } : {}) }))
    .filter((e): e is TunnelEvent => e !== undefined);
  const connection: ConnectionFacts = {
    status: details.status,
    tunnels: details.tunnels.map((t) => ({ name: t.name, status: t.status, ingressBytes: t.ingressBytes, egressBytes: t.egressBytes })),
    authenticationType: details.authenticationType,
    ...(details.certificate?.inboundSubjectName ? { inboundSubject: details.certificate.inboundSubjectName } : {}),
    // An unreadable chain entry is reported among the site's warnings; the diagnosis works from the readable ones.
    inboundChainSubjects: facts.inbound.chain.map((cert) => cert.subject),
    ...(outbound?.certificate ? { outboundCertificateSubject: outbound.certificate.subject, outboundCertificateIssuer: outbound.certificate.issuer } : {}),
    ...(deviceIp ? { deviceIp } : {}),
    // Already read with the gateway and the connection: what a device log of this connection must name as its peer.
    gatewayIps: [...new Set([...gateway.publicIpAddresses, ...details.tunnels.map((t) => t.gatewayPublicIp).filter((ip): ip is string => !!ip)])],
    localNetworkPrefixes: [...(lng?.addressPrefixes ?? [])],
    ...(vnet ? { vnetPrefixes: [...vnet.addressPrefixes] } : {}),
    ...(details.ipsecPolicy ? { ikePolicies: [{ encryption: details.ipsecPolicy.ikeEncryption, integrity: details.ipsecPolicy.ikeIntegrity, dhGroup: details.ipsecPolicy.dhGroup }] } : {}),
  };
  const diagnosis = diagnose({
    azure,
    tunnels,
    ...(input.deviceEvents ? { device: [...input.deviceEvents] } : {}),
    metrics: summarizeMetrics(metrics),
    connection,
    now: to,
  });
  if (diagnosis.cause === 'unknown' && details.status !== 'Connected') diagnosis.notes = [...(diagnosis.notes ?? []), { text: LOG_LAG_NOTE, evidence: [] }];
  const truncated = rowCap([
    ['ike', ikeRows],
    ['tunnel', tunnelRows],
  ]);
  return {
    kind: 'diagnosed',
    site: c.site,
    connectionName: c.name,
    status: details.status,
    hours: input.hours,
    from: from.toISOString(),
    to: to.toISOString(),
    diagnosis,
    counts: { ike: ikeRows.length, tunnel: tunnelRows.length, ...(input.deviceEvents ? { device: input.deviceEvents.length } : {}) },
    ...(truncated ? { truncated } : {}),
    ...notesFor(diagnosis.cause),
  };
}

/**
 * Which logs came back full (the query returns the newest rows, so older ones in the window were left out) and from
 * when on every capped log is complete: the later of their oldest rows.
 */
function rowCap(logs: readonly (readonly ['ike' | 'tunnel', readonly { readonly at: Date }[]])[]): { limit: number; logs: ('ike' | 'tunnel')[]; oldestRead: string } | undefined {
  const capped = logs.filter(([, rows]) => rows.length >= MAX_DIAGNOSE_ROWS);
  if (capped.length === 0) return undefined;
  const oldest = capped.reduce((latest, [, rows]) => Math.max(latest, rows.reduce((min, r) => Math.min(min, r.at.getTime()), Infinity)), -Infinity);
  return { limit: MAX_DIAGNOSE_ROWS, logs: capped.map(([name]) => name), oldestRead: new Date(oldest).toISOString() };
}

function summarizeMetrics(series: readonly TunnelMetricSeries[]): TunnelMetricsSummary {
  const sum = (name: TunnelMetricSeries['metric']): number | undefined => {
    const points = series.filter((s) => s.metric === name).flatMap((s) => s.points.map((p) => p.value).filter((v): v is number => v !== undefined));
    return points.length > 0 ? points.reduce((a, b) => a + b, 0) : undefined;
  };
  const summary: Record<string, number> = {};
  const put = (key: keyof TunnelMetricsSummary, name: TunnelMetricSeries['metric']) => {
    const value = sum(name);
    if (value !== undefined) summary[key] = value;
  };
  put('ingressBytes', 'TunnelIngressBytes');
  put('egressBytes', 'TunnelEgressBytes');
  put('ingressPacketDropCount', 'TunnelIngressPacketDropCount');
  put('egressPacketDropCount', 'TunnelEgressPacketDropCount');
  put('ingressPacketDropTSMismatch', 'TunnelIngressPacketDropTSMismatch');
  put('egressPacketDropTSMismatch', 'TunnelEgressPacketDropTSMismatch');
  return summary as TunnelMetricsSummary;
}

function lastSegment(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}
