import type { ActivityPorts } from '../../activities/activity-ports';
import type { KeyVaultAdapter, KeyVaultCertificate, KeyVaultCertificateListing, KeyVaultCertificateRef, KeyVaultCertificateVersion } from '../../adapters/azure/key-vault';
import { keyVaultNameOf } from '../../adapters/azure/key-vault';
import type { DiagnosticsQuery, IkeDiagnosticRow, LogsAdapter, TunnelDiagnosticRow } from '../../adapters/azure/logs';
import type { GatewayDiagnosticsInfo, GatewayLogCategory, MonitorAdapter, TunnelMetricSeries, TunnelMetricsQuery, WorkspaceInfo } from '../../adapters/azure/monitor';
import type { ConnectionDetails, ConnectionSummary, GatewayInfo, LocalNetworkGatewayInfo, NetworkAdapter, VirtualNetworkInfo } from '../../adapters/azure/network';
import { AzureError } from '../../adapters/azure/azure-error';
import type { VpnScope } from '../../core/config/app-config';
import type { SiteIndex, SiteIndexEntry, SiteIndexSnapshot } from '../../core/ports/site-index';
import { toBase64Der } from '../../core/pki/certificate-info';
import type { CertificateInfo } from '../../core/pki/certificate-info';
import { FakeApprovals, FakeAudit, FakeJobIndex, FakeJobService, FakeLogger, FakeMessenger, PEOPLE } from '../bot/bot-fakes';
import { STATUS_NOW } from '../core/status/status-certificates';

export const SUBSCRIPTION = '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d';
export const RG = 'rg-hub-network';
export const VAULT_URL = 'https://kv-vpn-certs.vault.azure.net';
export const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.OperationalInsights/workspaces/log-vpn`;
const network = (rg: string, type: string, name: string): string => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`;
export const GATEWAY_ID = network(RG, 'virtualNetworkGateways', 'vpngw-hub');
export const VNET_ID = network(RG, 'virtualNetworks', 'vnet-hub');

/** A call an adapter received, for asserting what the activity read (and that it wrote nothing it should not). */
export type Calls = string[];

function notUsed(what: string): never {
  throw new Error(`${what} is not something this activity should call`);
}

/** What a test changes about one connection; everything else is a healthy certificate connection. */
export interface ConnectionSpec {
  readonly name: string;
  readonly resourceGroup?: string;
  readonly tags?: Record<string, string>;
  readonly status?: ConnectionDetails['status'];
  readonly tunnelsUp?: number;
  readonly authenticationType?: string;
  /** Outbound certificate id; `null` for none. */
  readonly outboundCertificateUrl?: string | null;
  readonly inboundChain?: readonly (CertificateInfo | string)[];
  readonly inboundSubjectName?: string;
  readonly localNetworkGateway?: { readonly ip?: string; readonly fqdn?: string; readonly prefixes: readonly string[] } | null;
}

export function connectionOf(spec: ConnectionSpec): ConnectionDetails {
  const rg = spec.resourceGroup ?? RG;
  const up = spec.tunnelsUp ?? (spec.status === undefined || spec.status === 'Connected' ? 2 : 0);
  const certificate =
    spec.authenticationType === 'PSK'
      ? undefined
      : {
          outboundCertificateUrl: spec.outboundCertificateUrl === null ? '' : (spec.outboundCertificateUrl ?? `${VAULT_URL}/certificates/vpn-out/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b`),
          inboundSubjectName: spec.inboundSubjectName ?? 'paris-vpn.contoso.example',
          inboundChain: (spec.inboundChain ?? []).map((c) => (typeof c === 'string' ? c : toBase64Der(c))),
        };
  return {
    id: network(rg, 'connections', spec.name),
    name: spec.name,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: rg,
    location: 'westeurope',
    gatewayId: GATEWAY_ID,
    ...(spec.localNetworkGateway === null ? {} : { localNetworkGatewayId: network(rg, 'localNetworkGateways', `lng-${spec.name}`) }),
    connectionType: 'IPsec',
    connectionProtocol: 'IKEv2',
    authenticationType: spec.authenticationType ?? 'Certificate',
    ...(certificate ? { certificate } : {}),
    provisioningState: 'Succeeded',
    ingressBytes: 1000 * up,
    egressBytes: 500 * up,
    tags: spec.tags ?? {},
    status: spec.status ?? 'Connected',
    tunnels: [0, 1].map((i) => ({
      name: `GatewayTenantWorker_IN_${i}`,
      gatewayPublicIp: `20.50.1.${10 + i}`,
      status: i < up ? ('Connected' as const) : ('NotConnected' as const),
      ingressBytes: i < up ? 1000 : 0,
      egressBytes: i < up ? 500 : 0,
      ...(i < up ? { lastConnectedAt: new Date(STATUS_NOW.getTime() - 3_600_000) } : {}),
    })),
    usePolicyBasedTrafficSelectors: false,
  };
}

export class FakeNetwork implements NetworkAdapter {
  readonly connections: ConnectionDetails[] = [];
  readonly localNetworkGateways = new Map<string, LocalNetworkGatewayInfo>();
  /** Failures by scope (`<subscription>` or `<subscription>/<rg>`) or by connection id. */
  readonly listErrors = new Map<string, unknown>();
  readonly getErrors = new Map<string, unknown>();
  activeActive = true;

  constructor(private readonly calls: Calls) {}

  add(spec: ConnectionSpec): ConnectionDetails {
    const connection = connectionOf(spec);
    this.connections.push(connection);
    if (connection.localNetworkGatewayId) {
      const lng = spec.localNetworkGateway ?? { ip: '198.51.100.20', prefixes: ['10.20.0.0/16'] };
      this.localNetworkGateways.set(connection.localNetworkGatewayId.toLowerCase(), {
        id: connection.localNetworkGatewayId,
        name: `lng-${spec.name}`,
        resourceGroup: connection.resourceGroup,
        location: 'westeurope',
        ...(lng.ip ? { gatewayIpAddress: lng.ip } : {}),
        ...(lng.fqdn ? { fqdn: lng.fqdn } : {}),
        addressPrefixes: lng.prefixes,
        provisioningState: 'Succeeded',
        tags: {},
      });
    }
    return connection;
  }

  async listCertificateConnections(scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<ConnectionSummary[]> {
    return this.list('list', scope, (c) => c.authenticationType === 'Certificate');
  }

  async listSiteToSiteConnections(scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<ConnectionSummary[]> {
    return this.list('listSiteToSite', scope, () => true);
  }

  private list(call: string, scope: { subscriptionId: string; resourceGroups?: readonly string[] }, include: (c: ConnectionSummary) => boolean): ConnectionSummary[] {
    const key = scope.resourceGroups ? `${scope.subscriptionId}/${scope.resourceGroups.join(',')}` : scope.subscriptionId;
    this.calls.push(`${call} ${key}`);
    if (this.listErrors.has(key)) throw this.listErrors.get(key);
    return this.connections
      .filter((c) => c.subscriptionId === scope.subscriptionId && (!scope.resourceGroups || scope.resourceGroups.some((rg) => rg.toLowerCase() === c.resourceGroup.toLowerCase())))
      .map(({ status: _status, tunnels: _tunnels, usePolicyBasedTrafficSelectors: _ts, ...summary }) => summary)
      .filter(include);
  }

  async getConnection(id: string): Promise<ConnectionDetails> {
    this.calls.push(`getConnection ${id.split('/').pop()}`);
    if (this.getErrors.has(id)) throw this.getErrors.get(id);
    const found = this.connections.find((c) => c.id.toLowerCase() === id.toLowerCase());
    if (!found) throw new AzureError('NotFound', `Azure could not find the resource while trying to get connection ${id.split('/').pop()}.`, { operation: 'get connection', status: 404 });
    return found;
  }

  async getLocalNetworkGateway(id: string): Promise<LocalNetworkGatewayInfo> {
    this.calls.push(`getLocalNetworkGateway ${id.split('/').pop()}`);
    const found = this.localNetworkGateways.get(id.toLowerCase());
    if (!found) throw new Error(`fake: no local network gateway ${id}`);
    return found;
  }

  async getGateway(id: string): Promise<GatewayInfo> {
    this.calls.push(`getGateway ${id.split('/').pop()}`);
    return {
      id,
      name: id.split('/').pop()!,
      resourceGroup: RG,
      location: 'westeurope',
      sku: 'VpnGw2AZ',
      gatewayType: 'Vpn',
      vpnType: 'RouteBased',
      activeActive: this.activeActive,
      provisioningState: 'Succeeded',
      publicIpAddresses: ['20.50.1.10', '20.50.1.11'],
      virtualNetworkId: VNET_ID,
      bgp: { enabled: false },
    };
  }

  async getVirtualNetwork(id: string): Promise<VirtualNetworkInfo> {
    this.calls.push(`getVirtualNetwork ${id.split('/').pop()}`);
    return { id, name: 'vnet-hub', resourceGroup: RG, location: 'westeurope', addressPrefixes: ['10.0.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.0.255.0/27' }] };
  }

  listLocalNetworkGateways(): Promise<LocalNetworkGatewayInfo[]> {
    return notUsed('listLocalNetworkGateways');
  }
  getUserAssignedIdentity(): never {
    return notUsed('getUserAssignedIdentity');
  }
  upsertLocalNetworkGateway(): never {
    return notUsed('upsertLocalNetworkGateway');
  }
  upsertCertificateConnection(): never {
    return notUsed('upsertCertificateConnection');
  }
  setGatewayIdentity(): never {
    return notUsed('setGatewayIdentity');
  }
  deleteConnection(): never {
    return notUsed('deleteConnection');
  }
  deleteLocalNetworkGateway(): never {
    return notUsed('deleteLocalNetworkGateway');
  }
  updateCertificateAuthentication(): never {
    return notUsed('updateCertificateAuthentication');
  }
  setIpsecPolicy(): never {
    return notUsed('setIpsecPolicy');
  }
  resetConnection(): never {
    return notUsed('resetConnection');
  }
}

export class FakeKeyVault implements KeyVaultAdapter {
  /** Versions per certificate name, newest first. */
  readonly versions = new Map<string, { version: string; enabled: boolean; certificate: CertificateInfo }[]>();
  readonly getErrors = new Map<string, unknown>();
  listError?: unknown;

  constructor(private readonly calls: Calls) {}

  vaultName(vaultUrl: string): string {
    return keyVaultNameOf(vaultUrl);
  }

  async listCertificates(vaultUrl: string): Promise<KeyVaultCertificateListing[]> {
    this.calls.push(`listCertificates ${keyVaultNameOf(vaultUrl)}`);
    if (this.listError !== undefined) throw this.listError;
    return [...this.versions].map(([name, versions]) => ({ name, enabled: versions.some((v) => v.enabled) }));
  }

  put(name: string, version: string, certificate: CertificateInfo, enabled = true): void {
    const list = this.versions.get(name) ?? [];
    list.unshift({ version, enabled, certificate });
    this.versions.set(name, list);
  }

  async getCertificate(ref: string | KeyVaultCertificateRef): Promise<KeyVaultCertificate> {
    if (typeof ref === 'string') throw new Error('fake: the activities pass parsed refs');
    this.calls.push(`getCertificate ${ref.name}/${ref.version ?? 'current'}`);
    const error = this.getErrors.get(ref.name);
    if (error !== undefined) throw error;
    const found = (this.versions.get(ref.name) ?? []).find((v) => (ref.version ? v.version === ref.version : v.enabled));
    if (!found) throw new Error(`fake: no certificate ${ref.name}/${ref.version}`);
    return { ...this.versionOf(ref.vaultUrl, ref.name, found), certificate: found.certificate };
  }

  async listCertificateVersions(vaultUrl: string, name: string): Promise<KeyVaultCertificateVersion[]> {
    this.calls.push(`listCertificateVersions ${name}`);
    if (this.listError !== undefined) throw this.listError;
    const all = this.versions.get(name) ?? [];
    return [...all.filter((v) => v.enabled), ...all.filter((v) => !v.enabled)].map((v) => this.versionOf(vaultUrl, name, v));
  }

  private versionOf(vaultUrl: string, name: string, v: { version: string; enabled: boolean; certificate: CertificateInfo }): KeyVaultCertificateVersion {
    return { id: `${vaultUrl}/certificates/${name}/${v.version}`, vaultUrl, name, version: v.version, enabled: v.enabled, expiresOn: v.certificate.notAfter, notBefore: v.certificate.notBefore, tags: {}, thumbprint: v.certificate.thumbprint };
  }

  getLatestEnabledVersion(): never {
    return notUsed('getLatestEnabledVersion');
  }
  importCertificate(): never {
    return notUsed('importCertificate');
  }
  createCertificateVersion(): never {
    return notUsed('createCertificateVersion');
  }
  beginCsrCertificate(): never {
    return notUsed('beginCsrCertificate');
  }
  getPendingRequest(): never {
    return notUsed('getPendingRequest');
  }
  mergeCertificate(): never {
    return notUsed('mergeCertificate');
  }
  cancelPendingRequest(): never {
    return notUsed('cancelPendingRequest');
  }
  getPolicy(): never {
    return notUsed('getPolicy');
  }
  updatePolicy(): never {
    return notUsed('updatePolicy');
  }
  setTags(): never {
    return notUsed('setTags');
  }
  setEnabled(): never {
    return notUsed('setEnabled');
  }
}

export class FakeMonitor implements MonitorAdapter {
  /** Where each gateway log category goes now. */
  workspaceFor: Record<GatewayLogCategory, string | undefined> = { IKEDiagnosticLog: WORKSPACE_ID, TunnelDiagnosticLog: WORKSPACE_ID };
  metrics: TunnelMetricSeries[] = [];
  readonly metricQueries: TunnelMetricsQuery[] = [];

  constructor(private readonly calls: Calls) {}

  async getGatewayDiagnostics(gatewayId: string): Promise<GatewayDiagnosticsInfo> {
    this.calls.push(`getGatewayDiagnostics ${gatewayId.split('/').pop()}`);
    return { gatewayId, settings: [], workspaceFor: { ...this.workspaceFor } };
  }

  async enableGatewayDiagnostics(gatewayId: string, workspaceResourceId: string): Promise<GatewayDiagnosticsInfo> {
    this.calls.push(`enableGatewayDiagnostics ${gatewayId.split('/').pop()} ${workspaceResourceId.split('/').pop()}`);
    this.workspaceFor = { IKEDiagnosticLog: this.workspaceFor.IKEDiagnosticLog ?? workspaceResourceId, TunnelDiagnosticLog: this.workspaceFor.TunnelDiagnosticLog ?? workspaceResourceId };
    return this.getGatewayDiagnostics(gatewayId);
  }

  async removeProductDiagnosticSetting(gatewayId: string): Promise<GatewayDiagnosticsInfo> {
    this.calls.push(`removeProductDiagnosticSetting ${gatewayId.split('/').pop()}`);
    this.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: undefined };
    return this.getGatewayDiagnostics(gatewayId);
  }

  async getTunnelMetrics(gatewayId: string, query: TunnelMetricsQuery): Promise<TunnelMetricSeries[]> {
    this.calls.push(`getTunnelMetrics ${gatewayId.split('/').pop()}`);
    this.metricQueries.push(query);
    return this.metrics;
  }

  async getWorkspace(workspaceResourceId: string): Promise<WorkspaceInfo> {
    this.calls.push(`getWorkspace ${workspaceResourceId.split('/').pop()}`);
    return { id: workspaceResourceId, name: workspaceResourceId.split('/').pop()!, customerId: '11111111-2222-4333-8444-555555555555' };
  }
}

export class FakeLogs implements LogsAdapter {
  ike: IkeDiagnosticRow[] = [];
  tunnel: TunnelDiagnosticRow[] = [];
  readonly queries: { table: string; workspace: string; query: DiagnosticsQuery }[] = [];

  async queryIkeDiagnostics(workspace: string, query: DiagnosticsQuery): Promise<IkeDiagnosticRow[]> {
    this.queries.push({ table: 'ike', workspace, query });
    return this.ike;
  }

  async queryTunnelDiagnostics(workspace: string, query: DiagnosticsQuery): Promise<TunnelDiagnosticRow[]> {
    this.queries.push({ table: 'tunnel', workspace, query });
    return this.tunnel;
  }
}

/** The site index in memory; `failure` makes every call fail (Table Storage down). */
export class FakeSiteIndex implements SiteIndex {
  snapshot: SiteIndexSnapshot | undefined;
  failure?: Error;
  constructor(private readonly calls: Calls) {}
  private check(call: string): void {
    this.calls.push(`siteIndex.${call}`);
    if (this.failure) throw this.failure;
  }
  async read(): Promise<SiteIndexSnapshot | undefined> {
    this.check('read');
    return this.snapshot;
  }
  async replace(entries: readonly SiteIndexEntry[], listed: { scopeKey: string; refreshedAt: Date }): Promise<void> {
    this.check('replace');
    this.snapshot = { entries: [...entries], ...listed };
  }
  async put(entry: SiteIndexEntry): Promise<void> {
    this.check('put');
    if (!this.snapshot) return;
    const others = this.snapshot.entries.filter((e) => e.connectionId.toLowerCase() !== entry.connectionId.toLowerCase());
    this.snapshot = { ...this.snapshot, entries: [...others, entry] };
  }
  async remove(connectionId: string): Promise<void> {
    this.check('remove');
    if (this.snapshot) this.snapshot = { ...this.snapshot, entries: this.snapshot.entries.filter((e) => e.connectionId.toLowerCase() !== connectionId.toLowerCase()) };
  }
}

export interface TestPorts {
  readonly ports: ActivityPorts;
  readonly calls: Calls;
  readonly network: FakeNetwork;
  readonly keyVault: FakeKeyVault;
  readonly monitor: FakeMonitor;
  readonly logs: FakeLogs;
  readonly messenger: FakeMessenger;
  readonly audit: FakeAudit;
  readonly approvals: FakeApprovals;
  readonly jobs: FakeJobService;
  readonly jobIndex: FakeJobIndex;
  readonly siteIndex: FakeSiteIndex;
}

export function testPorts(options: { scopes?: VpnScope[]; diagnosticsWorkspaceId?: string | null; channelId?: string | null } = {}): TestPorts {
  const calls: Calls = [];
  const network = new FakeNetwork(calls);
  const keyVault = new FakeKeyVault(calls);
  const monitor = new FakeMonitor(calls);
  const logs = new FakeLogs();
  const messenger = new FakeMessenger(calls);
  const audit = new FakeAudit(calls);
  const approvals = new FakeApprovals();
  const jobIndex = new FakeJobIndex(calls);
  const jobs = new FakeJobService(calls, jobIndex);
  const siteIndex = new FakeSiteIndex(calls);
  const ports: ActivityPorts = {
    network,
    keyVault,
    monitor,
    logs,
    messenger,
    audit,
    approvals,
    jobs,
    jobIndex,
    siteIndex,
    approvalPolicy: { required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 24, ...(options.channelId === null ? {} : { channelId: options.channelId ?? 'channel-vpn-alerts' }) },
    approverIds: [PEOPLE.megan.aadObjectId],
    scopes: options.scopes ?? [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG] }],
    ...(options.diagnosticsWorkspaceId === null ? {} : { diagnosticsWorkspaceId: options.diagnosticsWorkspaceId ?? WORKSPACE_ID }),
    log: new FakeLogger(),
    now: () => STATUS_NOW,
    vaultCa: {
      getCaCertificate: async () => {
        throw new Error('no CA in the fake ports: tests of CA issuance run against the simulator');
      },
      signDigest: async () => {
        throw new Error('no CA in the fake ports: tests of CA issuance run against the simulator');
      },
    },
    outboundRotation: { defaultDays: 365, graceHours: 168, verifyMinutes: 15 },
    vaultAccess: new Proxy({} as ActivityPorts['vaultAccess'], {
      get: () => async () => {
        throw new Error('no vault access in the fake ports: tests of the vault-access check run against the simulator');
      },
    }),
  };
  return { ports, calls, network, keyVault, monitor, logs, messenger, audit, approvals, jobs, jobIndex, siteIndex };
}
