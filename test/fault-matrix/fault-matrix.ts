import type { ActivityName } from '../../activities/activity-names';
import type { ChangeRequest } from '../../core/change/change-kind';
import { toPem } from '../../core/pki/certificate-info';
import { parseDer } from '../../core/pki/parse-certificate';
import { signCsr } from '../../local/pki/csr';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import type { SimFaultMatch, SimFaultResponse } from '../../local/simulator/sim-faults';

/**
 * THE fault matrix: every change kind, each Azure step its change makes, and each fault (the columns, FAULTS). The
 * test (fault-matrix.test.ts) runs every applicable cell through the real change pipeline on the local host, real
 * adapters against the simulator, and checks the end state: unchanged, applied and verified, or rolled back and
 * verified; the card and the audit say which; nothing is left pending in Key Vault.
 *
 * A new change kind adds an entry to FAULT_MATRIX; a new Azure step of a kind adds a row to its `steps` (the Azure
 * call, matched as the simulator counts it, and the pipeline activity that makes it). See docs/adding-a-command.md.
 */
export interface MatrixStep {
  /** The step in words, as the test names its cells. */
  readonly step: string;
  /** The pipeline activity during which the call is made: the fault is active only while it runs. */
  readonly activity: ActivityName;
  /** The Azure call, as the simulator matches it (the bot's calls only). */
  readonly call: SimFaultMatch;
  /** The call starts a long-running operation: the "LRO failure" column applies. */
  readonly lro?: boolean;
  /** The call is Key Vault's sign or merge: the "Key Vault sign/merge failure" column applies. */
  readonly keyVault?: 'sign' | 'merge';
  /**
   * Reached only when verification fails (rollback and its check): the cell breaks verification first with the
   * kind's `breakVerification`, without a fault.
   */
  readonly afterVerificationFails?: true;
}

export interface MatrixChangeKind {
  readonly kind: ChangeRequest['kind'];
  /** How the test names the entry when one kind has several (rotate-certificate outbound and inbound). */
  readonly name?: string;
  /** The request the cells make (through the change request job, as a command or button would). */
  readonly request: ChangeRequest;
  /** What in Azure the change touches, as plain JSON: equal to the start = unchanged; equal to a clean run = applied. */
  observe(sim: AzureSimulator): unknown;
  /** Puts what the change touches back to the start, between cells. */
  reset(sim: AzureSimulator): void;
  /** Makes the applied change fail verification without a fault (someone else changed it meanwhile). */
  breakVerification(sim: AzureSimulator): void;
  readonly steps: readonly MatrixStep[];
  /**
   * The kind's plan says `whenNotVerified: 'keep-or-remove'` (provisioning): a change that does not verify ends
   * "applied, not verified" (kept for Keep / Remove) instead of rolled back, and an apply that fails part-way ends
   * "needs attention" with what exists named on the card (asking again continues from it).
   */
  readonly keepOrRemove?: true;
  /**
   * `vault/certificate` of a Key Vault request the kind leaves pending by design once applied (part 1 of a
   * provisioning with `--outbound external` waits there for the signed certificate): not counted as left behind.
   */
  readonly pendingWhenApplied?: string;
  /** A keep-or-remove kind whose site has no connection yet when it does not verify: there is nothing to diagnose. */
  readonly nothingToDiagnose?: true;
  /**
   * A kind that continues another one (`provision <site> --merge` continues part 1 of `--outbound external`): each
   * cell first runs this kind without a fault through the pipeline (its change record is what the cell continues),
   * then resets the cell's kind (`reset` then works on what that run left).
   */
  readonly continues?: MatrixChangeKind;
  /**
   * A write Azure takes only once (Key Vault merges into a pending request once): whether it has landed. Sent again
   * after a cell, the kind must not make it again once it landed.
   */
  readonly landsOnce?: { readonly call: SimFaultMatch; landed(sim: AzureSimulator): boolean };
  /** What of the change exists in Azure, as the card of a change that stopped part-way must name it ("What exists now"). */
  existing?(sim: AzureSimulator): string[];
}

export type MatrixFault =
  /**
   * An Azure answer, on every call of the step while it runs (`times` absent), or on its first `times` calls.
   * `waitedOut`: at this step the product waits the fault out, so the cell must end as a fault-free run does.
   */
  | { readonly name: string; readonly kind: 'azure'; readonly respond: SimFaultResponse; readonly times?: number; readonly appliesTo?: (step: MatrixStep) => boolean; readonly waitedOut?: (step: MatrixStep) => boolean }
  /** Table Storage (audit, approvals, job and site index) refuses every call for a while from the step on (waited out). */
  | { readonly name: string; readonly kind: 'tables'; readonly forMs: number }
  /** Teams refuses card posts and updates with this status for a while from the step on (waited out). */
  | { readonly name: string; readonly kind: 'teams'; readonly statusCode: number; readonly forMs: number };

/** A call that changes Azure (Azure's busy answers are waited out only there: a read is never busy). */
export const isWrite = (step: MatrixStep): boolean => /\/(write|delete|action)$/i.test(step.call.operation ?? '') || ['PUT', 'PATCH', 'POST', 'DELETE'].includes((step.call.method ?? '').toUpperCase());

/** How long the SDK waits for one call in the matrix; the timeout fault holds a request longer. */
export const MATRIX_CALL_TIMEOUT_MS = 250;

export const FAULTS: readonly MatrixFault[] = [
  { name: '403', kind: 'azure', respond: { status: 403 } },
  { name: '404', kind: 'azure', respond: { status: 404, code: 'ResourceNotFound' } },
  // ARM's busy answer; Key Vault has none (its 409 Conflict means a pending operation or a deleted name).
  { name: '409 busy', kind: 'azure', respond: { status: 409, code: 'AnotherOperationInProgress' }, times: 2, waitedOut: isWrite, appliesTo: (step) => step.call.service !== 'keyvault' },
  { name: '429 with Retry-After', kind: 'azure', respond: { status: 429, retryAfterSeconds: 1 }, times: 1, waitedOut: () => true },
  { name: '500', kind: 'azure', respond: { status: 500 } },
  { name: 'LRO failure', kind: 'azure', respond: { lroFails: 'InternalServerError' }, times: 1, appliesTo: (step) => step.lro === true },
  // Held past the client's deadline, then answered normally: a write lands although the call failed.
  { name: 'timeout', kind: 'azure', respond: { delayMs: MATRIX_CALL_TIMEOUT_MS + 200 } },
  { name: 'Key Vault sign/merge failure', kind: 'azure', respond: { status: 500 }, appliesTo: (step) => step.keyVault !== undefined },
  { name: 'Table Storage down', kind: 'tables', forMs: 10 * 60_000 },
  { name: 'Teams 429', kind: 'teams', statusCode: 429, forMs: 2 * 60_000 },
  { name: 'Teams 5xx', kind: 'teams', statusCode: 503, forMs: 2 * 60_000 },
];

const diagnosticSettings = { operation: 'Microsoft.Insights/diagnosticSettings/read' } as const;
const branchGatewayId = (sim: AzureSimulator) => sim.estateInfo.gateways.find((g) => g.name === sandboxNames.branchGateway)!.id;

/** Enable diagnostics on site-lisbon, whose gateway (vpngw-branch) sends no logs. */
const enableDiagnostics: MatrixChangeKind = {
  kind: 'enable-diagnostics',
  request: { kind: 'enable-diagnostics', site: 'site-lisbon' },
  observe: (sim) =>
    sim.resources
      .diagnosticSettingsOf(branchGatewayId(sim))
      .map((s) => ({ name: s.name, workspace: s.workspaceId?.toLowerCase(), logs: s.logs.filter((l) => l.enabled).map((l) => l.category ?? l.categoryGroup).sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  reset: (sim) => {
    for (const setting of sim.resources.diagnosticSettingsOf(branchGatewayId(sim))) sim.resources.diagnosticSettings.delete(setting.id);
  },
  breakVerification: (sim) => {
    for (const setting of sim.resources.diagnosticSettingsOf(branchGatewayId(sim))) setting.logs = setting.logs.filter((l) => l.category !== 'TunnelDiagnosticLog');
  },
  steps: [
    { step: 'plan: list the connections', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/connections' } },
    { step: 'plan: read the connection', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-lisbon' } },
    { step: "plan: read the gateway's diagnostic settings", activity: 'planChange', call: diagnosticSettings },
    { step: 'plan: read the workspace', activity: 'planChange', call: { operation: 'Microsoft.OperationalInsights/workspaces/read' } },
    { step: "apply: read the gateway's diagnostic settings", activity: 'applyChange', call: diagnosticSettings },
    { step: 'apply: write the diagnostic setting', activity: 'applyChange', call: { operation: 'Microsoft.Insights/diagnosticSettings/write' } },
    { step: 'verify: read the diagnostic settings back', activity: 'verifyChange', call: diagnosticSettings },
    { step: 'site index: read the connection after the change', activity: 'refreshSiteIndex', call: { method: 'GET', pathEndsWith: '/connections/cn-site-lisbon' } },
    { step: 'roll back: read the diagnostic settings', activity: 'rollbackChange', call: diagnosticSettings, afterVerificationFails: true },
    { step: 'roll back: delete the diagnostic setting', activity: 'rollbackChange', call: { operation: 'Microsoft.Insights/diagnosticSettings/delete' }, afterVerificationFails: true },
    { step: 'check unchanged: read the diagnostic settings', activity: 'verifyUnchanged', call: diagnosticSettings, afterVerificationFails: true },
  ],
};

// --- rotate <site> outbound (issue 9) -------------------------------------------------------------------------
const parisConnectionId = (sim: AzureSimulator) => sim.estateInfo.sites.find((s) => s.name === 'site-paris')!.connectionId!;
const parisRecord = (sim: AzureSimulator) => sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-paris');
/** The version site-paris's connection used at the start (set on the first observation). */
let parisStartUrl: string | undefined;

/** Rotate site-paris's outbound certificate from the CA in Key Vault (its device trusts that CA's root). */
const rotateOutbound: MatrixChangeKind = {
  kind: 'rotate-certificate',
  request: { kind: 'rotate-certificate', site: 'site-paris', side: 'outbound', source: 'ca' },
  observe: (sim) => {
    const connection = sim.resources.connections.get(parisConnectionId(sim))!;
    const url = connection.config.certificateAuthentication?.outboundAuthCertificate ?? '';
    parisStartUrl ??= url;
    const record = parisRecord(sim);
    const startVersion = parisStartUrl.split('/').pop();
    const old = record.versions.find((v) => v.version === startVersion);
    const current = record.versions.find((v) => v.version === url.split('/').pop());
    return {
      connection: url === parisStartUrl ? 'the start version' : current?.tags.rotation ? 'a version a rotation issued' : url,
      provisioning: connection.provisioningState,
      startVersionEnabled: old?.enabled,
      startVersionRetiring: old?.tags['retire-after'] !== undefined,
      enabledIssuedByRotations: record.versions.filter((v) => v.enabled && v.tags.rotation && v.version !== url.split('/').pop()).length,
      pending: record.pending?.status === 'inProgress',
    };
  },
  reset: (sim) => {
    const connection = sim.resources.connections.get(parisConnectionId(sim))!;
    if (parisStartUrl) connection.config = { ...connection.config, certificateAuthentication: { ...connection.config.certificateAuthentication, outboundAuthCertificate: parisStartUrl } };
    connection.provisioningState = 'Succeeded';
    const record = parisRecord(sim);
    for (const v of record.versions) {
      if (v.tags.rotation) v.enabled = false;
      const { 'retire-after': _a, 'retire-for': _f, ...rest } = v.tags;
      v.tags = rest;
      if (parisStartUrl?.endsWith(`/${v.version}`)) v.enabled = true;
    }
    if (record.pending?.status === 'inProgress') sim.vaults.deleteOperation(sandboxNames.keyVault, 'outbound-site-paris');
  },
  // Someone else points the connection at the certificate without a version meanwhile (not the rotated version).
  breakVerification: (sim) => {
    const connection = sim.resources.connections.get(parisConnectionId(sim))!;
    const versionless = parisStartUrl!.split('/').slice(0, -1).join('/');
    connection.config = { ...connection.config, certificateAuthentication: { ...connection.config.certificateAuthentication, outboundAuthCertificate: versionless } };
  },
  steps: [
    { step: 'plan: read the current certificate', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathContains: '/certificates/outbound-site-paris/' } },
    { step: 'plan: read the CA certificate', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathContains: `/certificates/${sandboxNames.caCertificate}` } },
    { step: 'apply: create the pending version (CSR)', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/certificates/outbound-site-paris/create' } },
    { step: 'apply: Key Vault signs with the CA key', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/sign' }, keyVault: 'sign' },
    { step: 'apply: merge the signed certificate and chain', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/pending/merge' }, keyVault: 'merge' },
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-paris' }, lro: true },
    { step: 'verify: read the connection', activity: 'verifyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-paris' } },
    { step: 'roll back: PUT the connection', activity: 'rollbackChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-paris' }, lro: true, afterVerificationFails: true },
    { step: 'roll back: disable the issued version', activity: 'rollbackChange', call: { service: 'keyvault', method: 'PATCH', pathContains: '/certificates/outbound-site-paris/' }, afterVerificationFails: true },
    { step: 'check unchanged: read the connection', activity: 'verifyUnchanged', call: { method: 'GET', pathEndsWith: '/connections/cn-site-paris' }, afterVerificationFails: true },
  ],
};

// --- rotate <site> inbound and set-ipsec-policy (issue 9, inbound side) ---------------------------------------
const connectionOfSite = (sim: AzureSimulator, site: string) => sim.resources.connections.get(sim.estateInfo.sites.find((s) => s.name === site)!.connectionId!)!;

/** Set site-madrid's inbound subject to its device's (a one-click fix of its subject mismatch). */
export const rotateInbound: MatrixChangeKind = {
  kind: 'rotate-certificate',
  name: 'rotate-certificate inbound',
  request: { kind: 'rotate-certificate', site: 'site-madrid', side: 'inbound', subject: 'CN=madrid-vpn.contoso.example' },
  observe: (sim) => {
    const auth = connectionOfSite(sim, 'site-madrid').config.certificateAuthentication;
    return { subject: auth?.inboundAuthCertificateSubjectName, chain: auth?.inboundAuthCertificateChain?.length };
  },
  reset: (sim) => {
    const connection = connectionOfSite(sim, 'site-madrid');
    connection.config = { ...connection.config, certificateAuthentication: { ...connection.config.certificateAuthentication, inboundAuthCertificateSubjectName: 'CN=madrid-gw.contoso.example' } };
    connection.provisioningState = 'Succeeded';
    // The tunnels renegotiate with the configuration as it is again (down: the subject does not match).
    sim.setDeviceReachable('site-madrid', true);
  },
  // Someone else sets another subject meanwhile.
  breakVerification: (sim) => {
    const connection = connectionOfSite(sim, 'site-madrid');
    connection.config = { ...connection.config, certificateAuthentication: { ...connection.config.certificateAuthentication, inboundAuthCertificateSubjectName: 'CN=someone-else.contoso.example' } };
  },
  steps: [
    { step: 'plan: list the connections', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/connections' } },
    { step: 'plan: read the connection', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-madrid' } },
    { step: 'plan: read the local network gateway', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/localNetworkGateways/lng-site-madrid' } },
    { step: "plan: read the gateway's diagnostic settings", activity: 'planChange', call: diagnosticSettings },
    { step: 'apply: read the connection', activity: 'applyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-madrid' } },
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-madrid' }, lro: true },
    { step: 'verify: read the connection', activity: 'verifyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-madrid' } },
    { step: "verify: query the gateway's logs", activity: 'verifyChange', call: { service: 'logs' } },
    { step: 'roll back: read the connection', activity: 'rollbackChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-madrid' }, afterVerificationFails: true },
    { step: 'roll back: PUT the connection', activity: 'rollbackChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-madrid' }, lro: true, afterVerificationFails: true },
    { step: 'check unchanged: read the connection', activity: 'verifyUnchanged', call: { method: 'GET', pathEndsWith: '/connections/cn-site-madrid' }, afterVerificationFails: true },
  ],
};

/**
 * Pin oslo's device's strongest proposal as the connection's custom IPsec/IKE policy. Its plan reads are the same
 * calls as the inbound rotation's (rows above); its own rows are the policy's writes and read-backs.
 */
export const setIpsecPolicy: MatrixChangeKind = {
  kind: 'set-ipsec-policy',
  request: { kind: 'set-ipsec-policy', site: 'site-oslo', proposal: { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' } },
  observe: (sim) => connectionOfSite(sim, 'site-oslo').config.ipsecPolicies.map((p) => `${p.ikeEncryption}/${p.ikeIntegrity}/${p.dhGroup} ${p.ipsecEncryption}/${p.ipsecIntegrity}/${p.pfsGroup}`),
  reset: (sim) => {
    const connection = connectionOfSite(sim, 'site-oslo');
    connection.config = { ...connection.config, ipsecPolicies: [] };
    connection.provisioningState = 'Succeeded';
    sim.setDeviceReachable('site-oslo', true);
  },
  // Someone else sets another policy meanwhile.
  breakVerification: (sim) => {
    const connection = connectionOfSite(sim, 'site-oslo');
    connection.config = { ...connection.config, ipsecPolicies: [{ saLifeTimeSeconds: 27000, saDataSizeKilobytes: 102400000, ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup14', ipsecEncryption: 'AES256', ipsecIntegrity: 'SHA256', pfsGroup: 'PFS2048' }] };
  },
  steps: [
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-oslo' }, lro: true },
    { step: 'verify: read the connection', activity: 'verifyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-oslo' } },
    { step: 'roll back: PUT the connection', activity: 'rollbackChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-oslo' }, lro: true, afterVerificationFails: true },
    { step: 'check unchanged: read the connection', activity: 'verifyUnchanged', call: { method: 'GET', pathEndsWith: '/connections/cn-site-oslo' }, afterVerificationFails: true },
  ],
};


// --- provision (issue 10) ---------------------------------------------------------------------------------------
const romeIds = (sim: AzureSimulator) => {
  const rg = `/subscriptions/${sim.estateInfo.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}/providers/Microsoft.Network`;
  return { connection: `${rg}/connections/cn-site-rome`, lng: `${rg}/localNetworkGateways/lng-site-rome` };
};

/** The CA certificates site-rome's device sends (its owner pastes them), read from the simulator at each reset. */
let romeChain: string[] = [];

/** Provision site-rome (its device waits at 203.0.113.50) on vpngw-hub with a certificate from the vault CA. */
export const provisionSite: MatrixChangeKind = {
  kind: 'provision-site',
  keepOrRemove: true,
  get request() {
    return { kind: 'provision-site', site: 'site-rome', ip: '203.0.113.50', prefixes: ['10.50.0.0/16'], subject: 'CN=rome-vpn.contoso.example', chain: romeChain, policy: 'default', outbound: { kind: 'ca' } } as const;
  },
  observe: (sim) => {
    const ids = romeIds(sim);
    const record = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome');
    return {
      localNetworkGateway: sim.resources.localNetworkGateways.get(ids.lng)?.provisioningState ?? 'none',
      connection: sim.resources.connections.get(ids.connection)?.provisioningState ?? 'none',
      issuedVersions: record.versions.filter((v) => v.enabled && v.tags['provisioned-by']).length,
      pending: record.pending?.status === 'inProgress',
    };
  },
  reset: (sim) => {
    romeChain = (sim.devices.atIp('203.0.113.50')?.chain ?? []).map((c) => Buffer.from(c.der).toString('base64'));
    const ids = romeIds(sim);
    sim.resources.connections.delete(ids.connection);
    sim.resources.localNetworkGateways.delete(ids.lng);
    const record = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome');
    for (const v of record.versions) if (v.tags['provisioned-by']) v.enabled = false;
    if (record.pending?.status === 'inProgress') sim.vaults.deleteOperation(sandboxNames.keyVault, 'outbound-site-rome');
    sim.setDeviceReachable('site-rome', true);
  },
  // The device never answers: the tunnels stay down past the wait for the device.
  breakVerification: (sim) => sim.setDeviceReachable('site-rome', false),
  steps: [
    { step: 'plan: list the connections', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/connections' } },
    { step: 'plan: list the local network gateways', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/localNetworkGateways' } },
    { step: 'plan: read the gateway', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/virtualNetworkGateways/vpngw-hub' } },
    { step: 'plan: read the virtual network', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/virtualNetworks/vnet-hub' } },
    { step: 'plan: find the Key Vault (list the vaults)', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.KeyVault/vaults' } },
    { step: "plan: read the bot's own permissions on the vault", activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Authorization/permissions' } },
    { step: 'plan: read the outbound certificate', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathContains: '/certificates/outbound-site-rome' } },
    { step: 'plan: read the CA certificate', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathContains: `/certificates/${sandboxNames.caCertificate}` } },
    { step: "plan: read the gateway's diagnostic settings", activity: 'planChange', call: diagnosticSettings },
    { step: 'apply: read the local network gateway', activity: 'applyChange', call: { method: 'GET', pathEndsWith: '/localNetworkGateways/lng-site-rome' } },
    { step: 'apply: PUT the local network gateway', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/localNetworkGateways/lng-site-rome' }, lro: true },
    { step: 'apply: create the pending version (CSR)', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/certificates/outbound-site-rome/create' } },
    { step: 'apply: Key Vault signs with the CA key', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/sign' }, keyVault: 'sign' },
    { step: 'apply: merge the signed certificate and chain', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/pending/merge' }, keyVault: 'merge' },
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-rome' }, lro: true },
    { step: 'verify: read the connection', activity: 'verifyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: "verify: query the gateway's logs", activity: 'verifyChange', call: { service: 'logs' } },
    { step: 'site index: read the connection after the change', activity: 'refreshSiteIndex', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: 'diagnose when it does not connect: read the connection', activity: 'diagnoseSite', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' }, afterVerificationFails: true },
  ],
};

/**
 * Provision site-rome with `--outbound external`, part 1: the local network gateway and a Key Vault CSR for the
 * customer's CA; it ends waiting for the signed certificate (the request pending, no connection).
 */
export const provisionSiteExternal: MatrixChangeKind = {
  ...provisionSite,
  name: 'provision-site --outbound external (part 1: up to the CSR)',
  pendingWhenApplied: `${sandboxNames.keyVault}/outbound-site-rome`,
  nothingToDiagnose: true,
  get request() {
    return { ...provisionSite.request, outbound: { kind: 'external' } } as const;
  },
  // Key Vault answers that no request is pending (someone cancelled it) when the bot reads it back.
  breakVerification: (sim) => {
    sim.faults.add({ match: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/pending' }, respond: { status: 404, code: 'NotFound' } });
  },
  steps: [
    { step: 'plan: list the connections', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/connections' } },
    { step: 'plan: list the local network gateways', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/localNetworkGateways' } },
    { step: 'plan: read the gateway', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/virtualNetworkGateways/vpngw-hub' } },
    { step: 'plan: read the outbound certificate and any pending request', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathContains: '/certificates/outbound-site-rome' } },
    { step: 'apply: PUT the local network gateway', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/localNetworkGateways/lng-site-rome' }, lro: true },
    { step: 'apply: create the pending version (CSR)', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/certificates/outbound-site-rome/create' } },
    { step: 'verify: read the pending request', activity: 'verifyChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/pending' } },
    { step: 'when it does not verify: look for the site to diagnose', activity: 'diagnoseSite', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/connections' }, afterVerificationFails: true },
  ],
};

/** The signed certificate and chain site-rome's owner pastes under --merge (signed at each reset). */
let romeMergeText = '';
/** The signed certificate in it (DER). */
let romeSignedDer: Uint8Array | undefined;

/**
 * `provision site-rome --merge`, part 2 of the provisioning above: the customer's CA (here the sandbox root, which
 * site-rome's device trusts) signs the CSR part 1 left in Key Vault; the plan reads the approved part 1 from its
 * change record, then the merge, the connection and the device connecting.
 */
export const provisionSiteMerge: MatrixChangeKind = {
  kind: 'provision-site',
  name: 'provision-site --merge (part 2: merge, connection, verify)',
  keepOrRemove: true,
  continues: provisionSiteExternal,
  get request() {
    return { kind: 'provision-site', site: 'site-rome', merge: romeMergeText } as const;
  },
  observe: provisionSite.observe,
  // Part 1 ran just before: sign its pending CSR with the customer's CA.
  reset: (sim) => {
    sim.setDeviceReachable('site-rome', true);
    const csr = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome').pending?.csr;
    if (!csr) throw new Error('part 1 left no pending request for outbound-site-rome');
    const ca = sim.vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
    const caInfo = parseDer(ca.der!);
    const now = sim.clock.now();
    // Dated a day back: the bot's clock may be behind Azure's here, and a CA signs for "now" by its own clock.
    const signed = signCsr({ der: caInfo.der, pem: toPem(caInfo), privateKeyPem: ca.privateKeyPem!, info: caInfo }, csr, { notBefore: new Date(now.getTime() - 86_400_000), notAfter: new Date(now.getTime() + 200 * 86_400_000) });
    romeMergeText = `${signed.pem}${toPem(caInfo)}`;
    romeSignedDer = signed.der;
  },
  existing: (sim) => {
    const ids = romeIds(sim);
    const merged = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome').versions.find((v) => v.der !== undefined && romeSignedDer !== undefined && Buffer.from(v.der).equals(Buffer.from(romeSignedDer)));
    return [...(sim.resources.connections.get(ids.connection) ? ['connection cn-site-rome'] : []), 'local network gateway lng-site-rome', ...(merged ? [`outbound-site-rome version ${merged.version}`] : [])];
  },
  landsOnce: {
    call: { service: 'keyvault', method: 'POST', pathEndsWith: '/certificates/outbound-site-rome/pending/merge' },
    landed: (sim) => sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-rome').versions.some((v) => v.der !== undefined && romeSignedDer !== undefined && Buffer.from(v.der).equals(Buffer.from(romeSignedDer))),
  },
  // The device never answers: the tunnels stay down past the wait for the device.
  breakVerification: (sim) => sim.setDeviceReachable('site-rome', false),
  steps: [
    { step: 'plan: find part 1 (list the local network gateways)', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Network/localNetworkGateways' } },
    { step: 'plan: read the connection (none yet)', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: 'plan: read the outbound certificate', activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome' } },
    { step: "plan: read Key Vault's pending request", activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/pending' } },
    { step: "plan: list the certificate's versions (one merged earlier?)", activity: 'planChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/versions' } },
    { step: 'plan: read the gateway', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/virtualNetworkGateways/vpngw-hub' } },
    { step: 'plan: read the virtual network', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/virtualNetworks/vnet-hub' } },
    { step: "apply: read Key Vault's pending request", activity: 'applyChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/pending' } },
    { step: 'apply: merge the signed certificate and chain', activity: 'applyChange', call: { service: 'keyvault', method: 'POST', pathEndsWith: '/certificates/outbound-site-rome/pending/merge' }, keyVault: 'merge' },
    { step: 'apply: tag the merged version with the provisioning', activity: 'applyChange', call: { service: 'keyvault', method: 'PATCH', pathContains: '/certificates/outbound-site-rome/' } },
    { step: "apply: list the certificate's versions", activity: 'applyChange', call: { service: 'keyvault', method: 'GET', pathEndsWith: '/certificates/outbound-site-rome/versions' } },
    { step: 'apply: read the local network gateway', activity: 'applyChange', call: { method: 'GET', pathEndsWith: '/localNetworkGateways/lng-site-rome' } },
    { step: 'apply: read the connection', activity: 'applyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-rome' }, lro: true },
    { step: 'verify: read the connection', activity: 'verifyChange', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: "verify: query the gateway's logs", activity: 'verifyChange', call: { service: 'logs' } },
    { step: 'site index: read the connection after the change', activity: 'refreshSiteIndex', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' } },
    { step: 'diagnose when it does not connect: read the connection', activity: 'diagnoseSite', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' }, afterVerificationFails: true },
  ],
};

/**
 * Provision site-rome on vpngw-noaccess, whose identity may not read kv-vpn-certs, with the bot allowed to write that
 * vault's access policies (ALLOW_VAULT_ACCESS_GRANTS): the plan grants the access policy before the connection.
 */
export const provisionSiteWithGrant: MatrixChangeKind = {
  kind: 'provision-site',
  name: 'provision-site with a vault access grant',
  keepOrRemove: true,
  get request() {
    return { ...provisionSite.request, gateway: sandboxNames.noAccessGateway } as const;
  },
  observe: (sim) => {
    const policy = sim.vaults.listVaults().find((v) => v.name === sandboxNames.keyVault)!.accessPolicies.find((p) => p.objectId === sandboxNames.noAccessIdentityPrincipalId);
    return { ...(provisionSite.observe(sim) as object), identityAccessPolicy: policy ? { certificates: policy.certificates, secrets: policy.secrets } : 'none' };
  },
  reset: (sim) => {
    provisionSite.reset(sim);
    sim.vaults.removeAccessPolicy(sandboxNames.keyVault, sandboxNames.noAccessIdentityPrincipalId);
    const bot = sim.estateInfo.principals.bot!.objectId;
    const vaultId = sim.vaults.resourceIdOf(sandboxNames.keyVault);
    if (!sim.rbac.list(bot).some((a) => a.role === 'Key Vault Contributor')) sim.grantRole(bot, 'Key Vault Contributor', vaultId);
  },
  breakVerification: (sim) => sim.setDeviceReachable('site-rome', false),
  steps: [
    { step: 'plan: find the Key Vault (list the vaults)', activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.KeyVault/vaults' } },
    { step: "plan: read the bot's own permissions on the vault", activity: 'planChange', call: { method: 'GET', pathEndsWith: '/providers/Microsoft.Authorization/permissions' } },
    { step: "apply: add the identity's access policy", activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/accessPolicies/add' } },
    { step: 'apply: PUT the connection', activity: 'applyChange', call: { method: 'PUT', pathEndsWith: '/connections/cn-site-rome' }, lro: true },
    { step: 'diagnose when it does not connect: read the connection', activity: 'diagnoseSite', call: { method: 'GET', pathEndsWith: '/connections/cn-site-rome' }, afterVerificationFails: true },
  ],
};

/** Every change kind under the matrix. */
export const FAULT_MATRIX: readonly MatrixChangeKind[] = [enableDiagnostics, rotateOutbound, rotateInbound, setIpsecPolicy, provisionSite, provisionSiteExternal, provisionSiteMerge, provisionSiteWithGrant];

/** Whether the product waits the fault out at this step (then the cell ends as the fault-free run of its row). */
export function waitedOut(fault: MatrixFault, step: MatrixStep): boolean {
  return fault.kind !== 'azure' || (fault.waitedOut?.(step) ?? false);
}

/** Whether a fault column applies to a step row (Azure faults with a condition; Table Storage and Teams always). */
export function applies(fault: MatrixFault, step: MatrixStep): boolean {
  return fault.kind !== 'azure' || fault.appliesTo === undefined || fault.appliesTo(step);
}
