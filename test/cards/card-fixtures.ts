import type { AdaptiveCard } from '../../cards/adaptive-card';
import { diagnosisCard } from '../../cards/diagnosis-card';
import { errorCard, unexpectedErrorCard } from '../../cards/error-card';
import { fleetStatusCard } from '../../cards/fleet-status-card';
import { FLEET_PAGE_SIZE } from '../../core/status/fleet-status';
import { commandHelpCard, helpCard } from '../../cards/help-card';
import { jobCard } from '../../cards/job-card';
import type { JobSummary } from '../../cards/jobs-card';
import { jobsCard } from '../../cards/jobs-card';
import { siteStatusCard } from '../../cards/site-status-card';
import { unknownCommandCard } from '../../cards/unknown-command-card';
import { whoAmICard } from '../../cards/whoami-card';
import type { Role } from '../../core/commands/command-spec';
import { findCommandSpec } from '../../core/commands/command-specs';
import { helpForCommand, helpOverview } from '../../core/commands/help';
import type { Diagnosis, DiagnosisEvidence } from '../../core/ike/diagnosis';
import type { CertificateSummary } from '../../core/pki/describe-certificate';
import type { FleetRow } from '../../core/status/fleet-status';
import { rankFleet, summarizeFleet } from '../../core/status/fleet-status';
import type { SiteStatus } from '../../core/status/site-status';

export const CARD_NOW = new Date('2026-06-01T12:00:00.000Z');
const at = (minutesAgo: number): Date => new Date(CARD_NOW.getTime() - minutesAgo * 60_000);

/**
 * Text for one untrusted field: the realistic value, or (for the hostile-input tests) the same hostile string in
 * every field that comes from a person, Azure, a certificate or a log.
 */
export type Untrusted = (realistic: string) => string;
export const realistic: Untrusted = (value) => value;
export const hostile =
  (value: string): Untrusted =>
  () =>
    value;

const roleCheck =
  (roles: readonly Role[]) =>
  (role: Role | 'anyone'): boolean =>
    role === 'anyone' || roles.includes(role);

export function certificateSummary(u: Untrusted, over: Partial<CertificateSummary> = {}): CertificateSummary {
  return {
    subject: u('CN=vpn-azure.contoso.example, O=Contoso'),
    commonName: u('vpn-azure.contoso.example'),
    issuer: u('CN=Contoso Issuing CA, O=Contoso'),
    thumbprint: u('3F2A9C1B7D4E5F60718293A4B5C6D7E8F9012345'),
    serialNumber: u('0A1B2C3D'),
    notBefore: '2025-09-01T00:00:00.000Z',
    notAfter: '2026-06-11T00:00:00.000Z',
    daysUntilExpiry: 9,
    state: 'expiring-soon',
    key: 'RSA 2048-bit',
    extendedKeyUsages: ['serverAuth', 'clientAuth'],
    isCa: false,
    selfIssued: false,
    ...over,
  };
}

export function siteStatusFixture(u: Untrusted): SiteStatus {
  return {
    site: u('site-paris'),
    connectionName: u('cn-site-paris'),
    connectionId: u('/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg-hub-network/providers/Microsoft.Network/connections/cn-site-paris'),
    subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
    resourceGroup: u('rg-hub-network'),
    gatewayName: u('vpngw-hub'),
    activeActive: true,
    status: 'Connected',
    authenticationType: u('Certificate'),
    tunnels: [
      { name: u('GatewayTenantWorker_IN_0'), gatewayIp: u('20.50.1.10'), status: 'Connected', lastConnectedAt: at(180).toISOString(), ingressBytes: 1_572_864, egressBytes: 524_288 },
      { name: u('GatewayTenantWorker_IN_1'), gatewayIp: u('20.50.1.11'), status: 'NotConnected', lastConnectedAt: at(360).toISOString(), ingressBytes: 0, egressBytes: 0 },
    ],
    ingressBytes: 1_572_864,
    egressBytes: 524_288,
    device: { ip: u('198.51.100.20'), prefixes: [u('10.20.0.0/16'), u('10.21.0.0/16')] },
    outbound: {
      vaultName: u('kv-vpn-certs'),
      certificateName: u('vpn-out-paris'),
      version: u('4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b'),
      usesLatestEnabledVersion: false,
      latestEnabledVersion: u('9d8c7b6a5f4e3d2c1b0a998877665544'),
      certificate: certificateSummary(u),
      problem: u('Key Vault: the gateway identity lacks Get on secrets'),
    },
    inbound: {
      subjectName: u('paris-vpn.contoso.example'),
      chain: [
        certificateSummary(u, { subject: u('CN=Paris Device Root CA, O=Contoso Paris'), daysUntilExpiry: 2800, state: 'valid', isCa: true, selfIssued: true }),
        certificateSummary(u, { subject: u('CN=Paris Issuing CA'), daysUntilExpiry: -3, state: 'expired', isCa: true }),
      ],
    },
    warnings: [
      { code: 'OutboundCertificateUnreadable', severity: 'error', text: u('Key Vault: the gateway identity lacks Get on secrets') },
      { code: 'OneTunnelUp', severity: 'warning', text: u('Only 1 of 2 tunnels is up: the active-active gateway has no redundancy for this site.') },
    ],
    checkedAt: CARD_NOW.toISOString(),
  };
}

export function fleetRow(u: Untrusted, index: number, over: Partial<FleetRow> = {}): FleetRow {
  const name = `site-${String(index).padStart(3, '0')}`;
  return {
    site: u(name),
    connectionName: u(`cn-${name}`),
    subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
    resourceGroup: u('rg-hub-network'),
    status: 'Connected',
    tunnelsUp: 2,
    tunnelsTotal: 2,
    outboundDays: 200 + index,
    inboundDays: 900,
    authenticationType: 'Certificate',
    ...over,
  };
}

/** The first page of a fleet with every kind of row on it. */
export function fleetRows(u: Untrusted, count = FLEET_PAGE_SIZE): FleetRow[] {
  const kinds: Partial<FleetRow>[] = [
    { status: 'NotConnected', tunnelsUp: 0 },
    { outboundDays: 9 },
    { outboundDays: -4 },
    { tunnelsUp: 1 },
    { problem: u('could not read the connection: Azure throttled the request') },
    { authenticationType: 'PSK', outboundDays: undefined },
    { status: 'Unknown', tunnelsUp: 0 },
    { inboundDays: 12 },
  ];
  return rankFleet(Array.from({ length: count }, (_, i) => fleetRow(u, i, kinds[i % (kinds.length + 2)] ?? {})));
}

const evidence = (u: Untrusted, text: string, over: Partial<DiagnosisEvidence> = {}): DiagnosisEvidence => ({
  source: 'azure',
  time: '2026-06-01T11:32:03.000Z',
  instance: u('GatewayTenantWorker_IN_0'),
  text: u(text),
  ...over,
});

/** The Azure evidence line is MODELLED (see test/fixtures/ike/README.md): Microsoft shows no verbatim certificate-validation line. */
export function diagnosisFixture(u: Untrusted, over: Partial<Diagnosis> = {}): Diagnosis {
  return {
    cause: 'inbound-untrusted',
    headline: u("Azure does not trust the device's certificate CN=berlin-vpn.contoso.example: its issuer does not chain to a root in the inbound chain."),
    confidence: 'high',
    rejectedBy: 'azure',
    evidence: [
      evidence(u, 'Peer certificate chain validation failed for subject "CN=berlin-vpn.contoso.example"'),
      evidence(u, 'charon: received AUTHENTICATION_FAILED notify error', { source: 'device', time: u('Nov 23 17:58:11'), line: 42 }),
      evidence(u, 'sending AUTHENTICATION_FAILED', { source: 'device', line: 57, time: undefined }),
    ],
    actions: [u('Add the root CA that issued CN=berlin-vpn.contoso.example to the inbound certificate chain.'), u('Run diagnose again after the gateway applied the change.')],
    ...over,
  };
}

/** One card of every builder and every variant the bot sends, named for snapshots. */
export function allCards(u: Untrusted): Record<string, AdaptiveCard> {
  return Object.fromEntries(Object.entries(cardBuilders(u)).map(([name, build]) => [name, build()]));
}

/** allCards, each card built only when asked for (the fuzz tests build a few per case). */
export function cardBuilders(u: Untrusted): Record<string, () => AdaptiveCard> {
  const jobs: JobSummary[] = [
    { jobId: u('status-site-paris-3f9c2a1b'), commandLine: u('status site-paris'), state: 'running', createdAt: at(2), lastUpdatedAt: at(1), detail: u('reading Azure: site-paris'), cancellable: true },
    { jobId: u('diagnose-site-oslo-0a1b2c3d'), commandLine: u('diagnose site-oslo --hours 24'), state: 'completed', createdAt: at(200), lastUpdatedAt: at(199), detail: u('done: IKE proposal mismatch'), cancellable: false },
    { jobId: u('status-fleet-77aa88bb'), commandLine: u('status all'), state: 'failed', createdAt: at(60 * 50), lastUpdatedAt: at(60 * 50), cancellable: false },
  ];
  const rows = fleetRows(u);
  const allRows = fleetRows(u, 30);
  const diagnosed = {
    kind: 'diagnosed' as const,
    site: u('site-berlin'),
    connectionName: u('cn-site-berlin'),
    status: 'NotConnected' as const,
    hours: 24,
    from: '2026-05-31T12:00:00.000Z',
    to: CARD_NOW.toISOString(),
    counts: { ike: 412, tunnel: 6, device: 37 },
  };
  return {
    'help (reader)': () => helpCard(helpOverview(roleCheck(['reader'])), { environmentName: u('sandbox') }),
    'help (no role, production)': () => helpCard(helpOverview(roleCheck([])), { environmentName: 'production' }),
    'command help (diagnose, allowed)': () => commandHelpCard(helpForCommand(findCommandSpec('diagnose')!, roleCheck(['reader']))),
    'command help (cancel, not allowed)': () => commandHelpCard(helpForCommand(findCommandSpec('cancel')!, roleCheck(['reader']))),
    'whoami (operator)': () => whoAmICard({ displayName: u('Alex Wilber'), aadObjectId: u('5a7c0de0-0000-4000-8000-00000000a001'), tenantId: u('72f988bf-86f1-41af-91ab-2d7cd011db47'), tenantAllowed: true, roles: ['reader', 'operator'], environmentName: u('sandbox') }),
    'whoami (no role)': () => whoAmICard({ displayName: u('Adele Vance'), aadObjectId: u('5a7c0de0-0000-4000-8000-00000000a003'), tenantId: u('72f988bf-86f1-41af-91ab-2d7cd011db47'), tenantAllowed: true, roles: [], environmentName: 'production' }),
    'whoami (tenant not allowed, anonymous)': () => whoAmICard({ tenantAllowed: false, roles: [], environmentName: 'production' }),
    'error (all fields)': () => errorCard({ title: 'Check the diagnose command', problem: u('`--hours` must be between 1 and 168; 500 is outside that.'), fix: u('Give a smaller window.'), usage: u('diagnose <site> [--hours N]'), example: u('diagnose site-oslo --hours 6'), code: u('InvalidArguments'), reference: u('3f9c2a1b') }),
    'error (problem only)': () => errorCard({ title: 'Not allowed', problem: u('status needs the reader role, and you have no role.') }),
    'unexpected error': () => unexpectedErrorCard(u('3f9c2a1b')),
    'unknown command (suggestion)': () => unknownCommandCard(u('stauts'), [u('status'), u('st')]),
    'unknown command (no suggestion)': () => unknownCommandCard(u('xyzzy'), []),
    'jobs (three)': () => jobsCard({ jobs, now: CARD_NOW, windowDays: 7 }),
    'jobs (none, with notice)': () => jobsCard({ jobs: [], now: CARD_NOW, windowDays: 7, notice: u('Cancelled status site-paris.') }),
    'jobs (more than fit)': () => jobsCard({ jobs: Array.from({ length: 17 }, (_, i) => ({ ...jobs[1]!, jobId: u(`status-site-${i}-0000000${i % 10}`) })), now: CARD_NOW, windowDays: 7 }),
    'job (started)': () => jobCard({ jobId: u('status-site-paris-3f9c2a1b'), commandLine: `status ${u('site-paris')}`, requestedBy: u('Alex Wilber'), startedAt: at(0), state: 'started' }),
    'job (running, progress)': () => jobCard({ jobId: u('status-fleet-3f9c2a1b'), commandLine: 'status all', requestedBy: u('Alex Wilber'), startedAt: at(1), state: 'running', progress: Array.from({ length: 8 }, (_, i) => u(`step ${i + 1}`)) }),
    'job (cancelled)': () => jobCard({ jobId: u('status-fleet-3f9c2a1b'), commandLine: 'status all', requestedBy: u('Alex Wilber'), startedAt: at(3), state: 'cancelled', note: u('Cancelled by Patti Fernandez.') }),
    'job (failed)': () => jobCard({ jobId: u('diagnose-site-oslo-3f9c2a1b'), commandLine: `diagnose ${u('site-oslo')}`, requestedBy: u('Alex Wilber'), startedAt: at(3), state: 'failed', note: u('Azure throttled the request.') }),
    'site status': () => siteStatusCard(siteStatusFixture(u), { now: CARD_NOW }),
    'site status (no outbound, no tunnels)': () => siteStatusCard(
      { ...siteStatusFixture(u), status: 'NotConnected', tunnels: [], outbound: undefined, device: { fqdn: u('paris.vpn.contoso.example'), prefixes: [] }, inbound: { chain: [] }, warnings: [] },
      { now: CARD_NOW },
    ),
    'fleet (collecting)': () => fleetStatusCard({ jobId: u('status-fleet-3f9c2a1b'), rows: rows.slice(0, 5), page: 0, pageCount: 1, summary: summarizeFleet(rows.slice(0, 5)), progress: { inspected: 25, total: 60 }, checkedAt: CARD_NOW.toISOString(), gaps: [u('Could not list connections in rg-spoke (5d6f3a2e…): Azure denied access.')] }),
    'fleet (page 2 of 3)': () => fleetStatusCard({ jobId: u('status-fleet-3f9c2a1b'), rows: allRows.slice(FLEET_PAGE_SIZE, 2 * FLEET_PAGE_SIZE), page: 1, pageCount: 3, summary: summarizeFleet(allRows), checkedAt: CARD_NOW.toISOString(), gaps: [] }),
    'fleet (empty)': () => fleetStatusCard({ jobId: u('status-fleet-3f9c2a1b'), rows: [], page: 0, pageCount: 1, summary: summarizeFleet([]), checkedAt: CARD_NOW.toISOString() }),
    'diagnosis (diagnostics off)': () => diagnosisCard({ kind: 'diagnostics-off', site: u('site-oslo'), gatewayName: u('vpngw-hub'), missing: [u('IKEDiagnosticLog'), u('TunnelDiagnosticLog')], status: 'NotConnected' }),
    'diagnosis (no logs)': () => diagnosisCard({ kind: 'no-logs', site: u('site-oslo'), connectionName: u('cn-site-oslo'), status: 'NotConnected', hours: 24, workspaceName: u('log-vpn') }),
    'diagnosis (cause found)': () => diagnosisCard({ ...diagnosed, diagnosis: diagnosisFixture(u) }),
    'diagnosis (healthy)': () => diagnosisCard({ ...diagnosed, status: 'Connected', counts: { ike: 12, tunnel: 2 }, diagnosis: { cause: 'healthy', headline: u('Both tunnels are up and traffic is flowing.'), confidence: 'high', evidence: [], actions: [] } }),
    'diagnosis (healthy, site notes)': () => diagnosisCard({
      ...diagnosed,
      site: u('site-paris'),
      connectionName: u('cn-site-paris'),
      status: 'Connected',
      counts: { ike: 12, tunnel: 2 },
      diagnosis: { cause: 'healthy', headline: u('Both tunnels are up and traffic is flowing.'), confidence: 'high', evidence: [], actions: [] },
      siteNotes: [
        {
          code: 'OutboundCertificateExpiresSoon',
          severity: 'warning',
          text: u('Outbound certificate: The outbound certificate expires on 2026-06-11 (in 10 days). Rotate it before then.'),
          fix: u('To rotate: add a new version of outbound-site-paris in Key Vault kv-vpn-certs, check that the device trusts its issuer, then point cn-site-paris at the new version. Both tunnels renegotiate when it changes.'),
          actions: [
            { title: 'Rotate', command: `rotate ${u('site-paris')} outbound`, rotateOutbound: { drift: false } },
            { title: 'Status', command: `status ${u('site-paris')}` },
          ],
        },
      ],
    }),
    'diagnosis (healthy, device log notes)': () => diagnosisCard({
      ...diagnosed,
      site: u('site-london'),
      connectionName: u('cn-site-london'),
      status: 'Connected',
      diagnosis: {
        cause: 'healthy',
        headline: u('The tunnel is up: IKE and IPsec security associations are established and traffic is flowing.'),
        confidence: 'high',
        evidence: [],
        actions: [],
        notes: [
          {
            text: u("The attached device log talks to 10.99.0.2, not this gateway (20.50.1.10, 20.50.1.11): check it is the right device's log. It was left out of this diagnosis."),
            evidence: [evidence(u, 'initiating IKE_SA s2s[1] to 10.99.0.2', { source: 'device', time: u('Nov 23 17:58:10'), line: 14 })],
          },
          {
            text: u("That log shows a failure: the device does not trust the gateway's certificate CN=vpngw-hub.contoso.example: its issuer CN=Fabrikam Root CA is not among the device's trusted CAs."),
            evidence: [evidence(u, "no trusted RSA public key found for 'CN=vpngw-hub.contoso.example'", { source: 'device', time: u('Nov 23 17:58:10'), line: 43 })],
          },
        ],
      },
    }),
    'diagnosis (row cap reached)': () => diagnosisCard({
      ...diagnosed,
      site: u('site-oslo'),
      connectionName: u('cn-site-oslo'),
      hours: 168,
      from: '2026-05-25T12:00:00.000Z',
      counts: { ike: 1000, tunnel: 14 },
      truncated: { limit: 1000, logs: ['ike'], oldestRead: '2026-06-01T06:27:40.000Z' },
      diagnosis: diagnosisFixture(u, {
        cause: 'proposal-mismatch',
        headline: u('The device and Azure share no IKE (phase 1) proposal.'),
        rejectedBy: undefined,
        evidence: [evidence(u, 'Received Notify Message - No Proposal Chosen')],
        actions: [u('Pin the device\'s proposal GCMAES256/SHA384/ECP384 on the connection with a custom IPsec/IKE policy.')],
      }),
    }),
    'diagnosis (unknown, latest events)': () => diagnosisCard({
      ...diagnosed,
      diagnosis: diagnosisFixture(u, {
        cause: 'unknown',
        headline: u('The logs do not show why the tunnel is down.'),
        confidence: 'low',
        rejectedBy: undefined,
        evidence: [],
        actions: [u('Paste the device log under the command.')],
        latestEvents: [evidence(u, 'Sending IKE SA_INIT message'), evidence(u, 'retransmit 3 of request with message ID 0', { source: 'device', line: 12, time: undefined })],
      }),
    })};
}
