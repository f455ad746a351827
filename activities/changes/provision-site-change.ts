import { randomUUID } from 'node:crypto';
import { isAzureError } from '../../adapters/azure/azure-error';
import { parseKeyVaultCertificateId, type KeyVaultCertificate } from '../../adapters/azure/key-vault';
import type { ConnectionDetails, GatewayInfo, LocalNetworkGatewayInfo, VirtualNetworkInfo } from '../../adapters/azure/network';
import type { ProvisionMergeRequest, ProvisionPolicy, ProvisionSiteRequest } from '../../core/change/change-kind';
import { changeJobId } from '../../core/change/change-job-id';
import type { ChangePayload } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import type { ChangePlan, NothingToChange, PlannedChange } from '../../core/change/change-plan';
import { DEFAULT_PROVISION_WAIT_MINUTES } from '../../core/config/outbound-rotation-config';
import { UserError } from '../../core/errors/user-error';
import { parseAzureResourceId } from '../../adapters/azure/azure-resource-id';
import { toBase64Der, toPem, type CertificateInfo } from '../../core/pki/certificate-info';
import { formatDay } from '../../core/pki/days-until-expiry';
import { chainSubjects, checkNewInboundChain } from '../../core/pki/inbound-rotation';
import { describeOutbound, OutboundChainCodes, requireOutboundRules } from '../../core/pki/outbound-rotation';
import { parseCertificateChain } from '../../core/pki/parse-certificate-chain';
import { parseDer } from '../../core/pki/parse-certificate';
import { parameterTable, strongPolicy, swanctlConf, type HandoverInput } from '../../core/provision/device-handover';
import { preflight, preflightLines, type PreflightCheck } from '../../core/provision/preflight';
import { encodeGrant, grantTag, grantTitle, type VaultGrant } from '../../core/provision/vault-access';
import { PROVISION_TAGS } from '../../core/provision/provision-tags';
import { siteNameOf } from '../../core/status/site-name';
import type { ActivityPorts } from '../activity-ports';
import { listScopeConnections } from '../site-directory';
import { checkSignedForPending, mergeSignedCertificate, requestExternalCertificate } from '../external-certificate';
import { issueFromVaultCa, readVaultCa } from '../vault-ca-issuance';
import type { ChangeKindHandler } from './change-kind-handler';
import { comeBackTargetOf, deviceCameBack } from './device-came-back';
import { applyVaultGrant, GRANT_TAG, grantLeft, planVaultAccess, waitingForGrant } from './provision-vault-access';

/**
 * `provision <site> ...`: a new certificate-authenticated site on a VPN gateway. Plan runs the preflight (everything
 * Azure would reject, core/provision/preflight.ts) and lists each resource in order with Azure's expected time: the
 * local network gateway, the gateway's identity when it has none, the outbound certificate (issued by the vault CA,
 * or one Key Vault holds), the connection with certificate authentication. Apply creates them in order and is
 * idempotent: what exists (tagged with this provisioning's id) is kept and the rest created, so a re-run after a
 * failure continues. The device hand-over (gateway addresses, parameters, selectors, root, subject, swanctl.conf) is
 * on the plan. Verify waits for the device (both tunnels Connected and a negotiation logged). A provisioning that does
 * not connect is not rolled back: the card offers Keep or Remove (`remove-site`), which deletes only what carries this
 * provisioning's tag.
 */

export { PROVISION_TAGS };

/** Azure's expected times (Microsoft's published figures, also the simulator's model). */
export const EXPECTED_MS = { localNetworkGateway: 60_000, gatewayIdentity: 360_000, vaultGrant: 5_000, certificate: 10_000, connection: 90_000 } as const;

const minutes = (ms: number) => (ms >= 60_000 ? `about ${Math.round(ms / 60_000)} min` : `about ${Math.round(ms / 1000)} s`);
const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isAzureError(error) && error.kind === 'NotFound') return undefined;
    throw error;
  }
}

/** A resource id in the gateway's resource group. */
function siblingId(gatewayId: string, type: 'localNetworkGateways' | 'connections', name: string): string {
  const ref = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

/** The gateway the site goes on: the one named, else the only one in the scope. */
async function chooseGateway(ports: ActivityPorts, request: ProvisionSiteRequest, knownGatewayIds: readonly string[], resourceGroups: readonly { subscriptionId: string; resourceGroup: string }[]): Promise<GatewayInfo> {
  const unique = [...new Map(knownGatewayIds.map((id) => [id.toLowerCase(), id])).values()];
  if (request.gateway) {
    const wanted = request.gateway.toLowerCase();
    const candidates = [
      ...unique.filter((id) => lastSegment(id).toLowerCase() === wanted),
      ...resourceGroups.map((g) => `/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}/providers/Microsoft.Network/virtualNetworkGateways/${request.gateway}`),
    ];
    for (const id of [...new Map(candidates.map((id) => [id.toLowerCase(), id])).values()]) {
      const gateway = await readOrUndefined(() => ports.network.getGateway(id));
      if (gateway) return gateway;
    }
    throw new UserError('GatewayNotFound', `There is no VPN gateway ${request.gateway} in the scope.`, `Name one of: ${unique.map(lastSegment).join(', ') || '(none found)'}.`);
  }
  if (unique.length === 1) return ports.network.getGateway(unique[0]!);
  if (unique.length === 0) throw new UserError('GatewayNotFound', 'I found no VPN gateway in the scope (no connection names one).', 'Name the gateway with --gateway.');
  // Several: the hub, the gateway most sites are on (the preflight says so; --gateway picks another).
  const count = (id: string) => knownGatewayIds.filter((g) => g.toLowerCase() === id.toLowerCase()).length;
  const ranked = [...unique].sort((a, b) => count(b) - count(a));
  if (count(ranked[0]!) === count(ranked[1]!)) {
    throw new UserError('GatewayAmbiguous', `The scope has ${unique.length} VPN gateways with as many sites each: ${unique.map(lastSegment).join(', ')}.`, `Say which with --gateway, e.g. --gateway ${lastSegment(unique[0]!)}.`);
  }
  return ports.network.getGateway(ranked[0]!);
}

function gatewayChoiceText(gateway: GatewayInfo, knownGatewayIds: readonly string[]): string {
  const others = [...new Set(knownGatewayIds.map((id) => lastSegment(id)).filter((n) => n.toLowerCase() !== gateway.name.toLowerCase()))];
  return others.length === 0 ? `${gateway.name}, the scope's only VPN gateway` : `${gateway.name}, the gateway most sites are on (also in the scope: ${others.join(', ')}; --gateway picks another)`;
}

/** The plan's details, typed. */
interface Details {
  readonly provisionId: string;
  readonly gatewayId: string;
  readonly gatewayName: string;
  readonly location: string;
  readonly lngId: string;
  readonly deviceIp: string;
  readonly fqdn: string;
  readonly prefixes: string;
  readonly subject: string;
  readonly chain: string;
  readonly policy: string;
  readonly identityToAttach: string;
  readonly vaultUrl: string;
  readonly certName: string;
  /** `ca`: issued at apply; `existing`: this version id; `external`: a CSR at apply, merged by `provision <site> --merge`. */
  readonly outbound: string;
  readonly outboundVersionId: string;
  readonly certSubject: string;
  readonly dnsNames: string;
  readonly days: string;
  readonly ikeWorkspace: string;
  readonly tunnelWorkspace: string;
}

function detailsOf(plan: ChangePlan): Details {
  return plan.details as unknown as Details;
}

export const provisionSiteChange: ChangeKindHandler<ProvisionSiteRequest | ProvisionMergeRequest> = {
  async plan(request, ports) {
    if ('merge' in request) return planMerge(request, ports);
    const now = ports.now();
    const { connections, gaps } = await listScopeConnections(ports, { certificateOnly: false });
    if (gaps.length > 0) throw new UserError('ScopeUnreadable', `Part of the scope could not be read, so the preflight cannot be complete: ${gaps[0]}`, 'Try again in a minute.');
    const lngLists = await Promise.all(ports.scopes.map((scope) => ports.network.listLocalNetworkGateways(scope)));
    const lngs = lngLists.flat();
    const resourceGroups = [
      ...new Map(
        [...ports.scopes.flatMap((s) => (s.resourceGroups ?? []).map((rg) => ({ subscriptionId: s.subscriptionId, resourceGroup: rg }))), ...connections.map((c) => ({ subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup }))].map((g) => [`${g.subscriptionId}/${g.resourceGroup}`.toLowerCase(), g]),
      ).values(),
    ];
    const gateway = await chooseGateway(ports, request, connections.map((c) => c.gatewayId), resourceGroups);
    const connectionName = `cn-${request.site}`;
    const lngName = `lng-${request.site}`;
    const connectionId = siblingId(gateway.id, 'connections', connectionName);
    const lngId = siblingId(gateway.id, 'localNetworkGateways', lngName);

    // Is the name free? A connection or local network gateway with the site's name is taken, unless an earlier run of
    // a provisioning of this site made it (tagged): then this run continues that one, under its id.
    const ownLng = lngs.find((l) => l.id.toLowerCase() === lngId.toLowerCase());
    const ours = (tags: Readonly<Record<string, string>> | undefined) => tags?.[PROVISION_TAGS.site]?.toLowerCase() === request.site.toLowerCase() && tags[PROVISION_TAGS.provisionedBy] !== undefined;
    const ownConnection = connections.find((c) => c.id.toLowerCase() === connectionId.toLowerCase());
    // A connection that Azure finished creating is a site: provisioning it again is refused (rotate changes it). One
    // whose creation failed, or none yet, is an earlier run to continue.
    const connectionDone = ownConnection !== undefined && ownConnection.provisioningState === 'Succeeded';
    const priorId = connectionDone ? undefined : ((ownConnection && ours(ownConnection.tags) ? ownConnection.tags[PROVISION_TAGS.provisionedBy] : undefined) ?? (ownLng && ours(ownLng.tags) ? ownLng.tags[PROVISION_TAGS.provisionedBy] : undefined));
    const takenBy = connections.find((c) => (siteNameOf(c).toLowerCase() === request.site.toLowerCase() || c.id.toLowerCase() === connectionId.toLowerCase()) && !(priorId && c.tags[PROVISION_TAGS.provisionedBy] === priorId));
    const lngTaken = ownLng && !(priorId && ownLng.tags[PROVISION_TAGS.provisionedBy] === priorId);
    const nameTakenBy = takenBy
      ? `connection ${takenBy.name} on ${lastSegment(takenBy.gatewayId)} already is ${siteNameOf(takenBy)}${ours(takenBy.tags) ? ' (provisioned earlier; change it with rotate, or Remove it first)' : ''}`
      : lngTaken
        ? `local network gateway ${lngName} exists and was not made by a provisioning of ${request.site}`
        : undefined;

    // The other sites: every local network gateway but this provisioning's own.
    const sites = lngs
      .filter((l) => l.id.toLowerCase() !== lngId.toLowerCase())
      .map((l) => ({ name: l.name.replace(/^lng-/i, ''), prefixes: l.addressPrefixes, ...(l.gatewayIpAddress ? { ip: l.gatewayIpAddress } : {}) }));
    const vnet = gateway.virtualNetworkId ? await readOrUndefined(() => ports.network.getVirtualNetwork(gateway.virtualNetworkId!)) : undefined;

    // The vault the scope's connections read their outbound certificates from, and whether this gateway's identity
    // is known to read it (a connected site on this gateway reads its certificate from that vault).
    const details = await Promise.all(connections.filter((c) => c.authenticationType === 'Certificate').map((c) => ({ c, url: c.certificate?.outboundCertificateUrl })));
    const vaults = details.flatMap(({ c, url }) => {
      try {
        return url ? [{ c, ref: parseKeyVaultCertificateId(url) }] : [];
      } catch {
        return [];
      }
    });
    const onThisGateway = vaults.filter((v) => v.c.gatewayId.toLowerCase() === gateway.id.toLowerCase());
    const vaultUrl = (onThisGateway[0] ?? vaults[0])?.ref.vaultUrl;
    if (!vaultUrl) throw new UserError('NoOutboundVault', 'I found no Key Vault the scope keeps outbound certificates in (no certificate connection names one).', 'Provision the first site in the portal, or import its outbound certificate into Key Vault and use --outbound existing:<name>.');
    const vaultName = ports.keyVault.vaultName(vaultUrl);

    // The gateway's identity; when it has none, the one the scope's other gateways use (if they agree on one).
    let identityToAttach: { id: string; name: string; principalId?: string } | undefined;
    if (!gateway.identity || gateway.identity.userAssignedIdentities.length === 0) {
      const others = [...new Set(connections.map((c) => c.gatewayId.toLowerCase()).filter((id) => id !== gateway.id.toLowerCase()))];
      const otherGateways = await Promise.all(others.map((id) => readOrUndefined(() => ports.network.getGateway(connections.find((c) => c.gatewayId.toLowerCase() === id)!.gatewayId))));
      const ids = [...new Set(otherGateways.flatMap((g) => (g?.identity?.userAssignedIdentities.length === 1 ? [g.identity.userAssignedIdentities[0]!.id] : [])))];
      const principalId = otherGateways.flatMap((g) => g?.identity?.userAssignedIdentities ?? []).find((i) => i.id.toLowerCase() === ids[0]?.toLowerCase())?.principalId;
      if (ids.length === 1) identityToAttach = { id: ids[0]!, name: lastSegment(ids[0]!), ...(principalId ? { principalId } : {}) };
    }
    const attached = gateway.identity?.userAssignedIdentities.length === 1 ? gateway.identity.userAssignedIdentities[0]! : undefined;
    const identity = attached ?? identityToAttach;
    // Whether that identity reads the vault, as Azure's role assignments or access policies say (and if not, whether
    // the bot may grant it): provision-vault-access.ts.
    const { check: vaultAccessCheck, grant: vaultGrant } = await planVaultAccess(ports, { gateway, identity, vaultUrl, vaultName });
    const vaultAccess: PreflightCheck = { check: 'vault access', ...vaultAccessCheck };

    // The outbound certificate.
    const outboundChecks: PreflightCheck[] = [];
    let certName: string;
    let outboundVersionId = '';
    let certSubject = '';
    let dnsNames: string[] = [];
    let issuer = '';
    let rootPem = '';
    let rootSubject = '';
    let caId = '';
    const days = ports.outboundRotation.defaultDays;
    if (request.outbound.kind === 'existing') {
      certName = request.outbound.name;
      const cert = await readOrUndefined(() => ports.keyVault.getLatestEnabledVersion(vaultUrl, certName));
      if (!cert) {
        outboundChecks.push({ check: 'outbound certificate', status: 'blocking', detail: `Key Vault ${vaultName} has no enabled certificate ${certName}.`, code: 'VpnGatewayKeyVaultSecretNotFound', fix: `Import it into ${vaultName} (with its private key and chain), or provision with --outbound ca.` });
      } else {
        const problems = requireOutboundRules(cert.certificate, now, `${certName} version ${cert.version}`).filter((v) => v.severity === 'error');
        for (const p of problems) outboundChecks.push({ check: 'outbound certificate', status: 'blocking', detail: p.message, code: p.code, fix: `Import a certificate that meets Azure's outbound rules into ${vaultName}, or provision with --outbound ca.` });
        if (cert.certificate.selfIssued) outboundChecks.push({ check: 'outbound certificate', status: 'blocking', detail: `${certName} is self-signed: Azure needs the certificate with its chain up to a root.`, code: 'VpnConnectionOutBoundAuthenticationCertificateChainFault', fix: 'Use a certificate issued by a CA, with its chain, or --outbound ca.' });
        if (problems.length === 0 && !cert.certificate.selfIssued) outboundChecks.push({ check: 'outbound certificate', status: 'passed', detail: `${certName} version ${cert.version}: ${cert.certificate.subject}, issued by ${cert.certificate.issuer}, valid until ${formatDay(cert.certificate.notAfter)}` });
        outboundVersionId = cert.id;
        certSubject = cert.certificate.subject;
        issuer = cert.certificate.issuer;
        rootSubject = cert.certificate.issuer;
      }
    } else {
      certName = `outbound-${request.site}`;
      const existing = await readOrUndefined(() => ports.keyVault.getLatestEnabledVersion(vaultUrl, certName));
      certSubject = existing?.certificate.subject || `CN=azure-${request.site.replace(/^site-/, '')}.vpn, O=${gateway.name}`;
      dnsNames = existing ? existing.certificate.subjectAltNames.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)) : [];
      const pending = await ports.keyVault.getPendingRequest(vaultUrl, certName);
      if (request.outbound.kind === 'external') {
        issuer = 'your CA';
        rootSubject = 'the root of your CA (the one that signs the CSR)';
        if (pending && !priorId) {
          outboundChecks.push({ check: 'outbound certificate', status: 'blocking', detail: `Key Vault ${vaultName} already holds a pending request for ${certName} (a key and CSR waiting for a signed certificate) that no earlier run of this provisioning made.`, code: 'CertificateRequestPending', fix: `Complete it (rotate, if a site uses it) or cancel it in Key Vault ${vaultName}, then send provision again.` });
        } else {
          const kept = pending ? `; Key Vault already holds the CSR an earlier run of this provisioning made: it is kept (the same CSR)` : '';
          outboundChecks.push({ check: 'outbound certificate', status: 'fixed', detail: `the plan has Key Vault make the key and a CSR for ${certName} (${certSubject}; RSA 2048, exportable, serverAuth + clientAuth) for your CA to sign; the connection is created once provision ${request.site} --merge brings the signed certificate${kept}` });
        }
      } else {
        const ca = await readVaultCa(ports);
        caId = ca.id;
        issuer = ca.certificate.subject;
        rootPem = toPem(ca.certificate);
        rootSubject = ca.certificate.subject;
        if (now.getTime() + days * 86_400_000 > ca.certificate.notAfter.getTime()) {
          outboundChecks.push({ check: 'outbound certificate', status: 'blocking', detail: `A certificate valid ${days} days would outlive the CA ${ca.certificate.subject} (until ${formatDay(ca.certificate.notAfter)}).`, code: 'OutboundValidityBeyondCa', fix: 'Renew the CA, or lower OUTBOUND_CERTIFICATE_DAYS.' });
        } else {
          // A pending request (a key without a certificate) is left by a run that stopped after Key Vault took the
          // request; issuing cancels it first, and the approver sees that here.
          const cancelled = pending ? `; Key Vault holds a pending request for ${certName} (a key without a certificate, left by an earlier run that stopped): it is cancelled first` : '';
          outboundChecks.push({ check: 'outbound certificate', status: 'fixed', detail: `the plan issues ${certName} from the CA ${ca.certificate.subject}: RSA 2048 made in Key Vault, serverAuth + clientAuth, ${days} days, merged with its chain${cancelled}` });
        }
      }
    }

    const checks = await preflight({
      request,
      gateway,
      ...(vnet ? { virtualNetwork: { name: vnet.name, prefixes: vnet.addressPrefixes } } : {}),
      peeredNetworks: (vnet?.peerings ?? []).map((p) => ({ name: p.remoteNetworkName || p.name, prefixes: p.addressPrefixes })),
      sites,
      ...(nameTakenBy ? { nameTakenBy } : {}),
      ...(identityToAttach ? { identityToAttach } : {}),
      vaultAccess,
      outbound: outboundChecks,
      ...(request.gateway ? {} : { gatewayChoice: gatewayChoiceText(gateway, connections.map((c) => c.gatewayId)) }),
      now,
    });
    const blocking = checks.filter((c) => c.status === 'blocking');
    if (blocking.length > 0) {
      throw new UserError(
        blocking[0]!.code ?? 'PreflightBlocked',
        `Preflight for ${request.site}: ${blocking.length} check${blocking.length === 1 ? '' : 's'} blocking; nothing was changed and no approval was asked.`,
        blocking.length === 1 ? blocking[0]!.fix : 'Fix each blocking check (see Fix: above), then send provision again.',
        { findings: preflightLines(checks, { compactPassed: true }) },
      );
    }

    // The inbound chain in Azure's order (root first).
    const chainCerts = request.chain.map((b64) => parseDer(new Uint8Array(Buffer.from(b64, 'base64'))));
    const ordered = checkNewInboundChain(chainCerts, now);
    const chain = ordered.ok ? ordered.chain : chainCerts;
    const diagnostics = await ports.monitor.getGatewayDiagnostics(gateway.id);
    const existingLng = ownLng && priorId ? ownLng : undefined;
    const external = request.outbound.kind === 'external';
    const rows: PlannedChange[] = [
      {
        resource: lngName,
        field: `local network gateway (1, ${minutes(EXPECTED_MS.localNetworkGateway)})`,
        before: existingLng ? `exists (an earlier run): ${existingLng.gatewayIpAddress ?? existingLng.fqdn ?? ''} ${existingLng.addressPrefixes.join(', ')}` : 'none',
        after: `device ${request.ip ?? request.fqdn}, prefixes ${request.prefixes.join(', ')}`,
      },
      ...(identityToAttach ? [{ resource: gateway.name, field: `user-assigned identity (2, ${minutes(EXPECTED_MS.gatewayIdentity)}: a gateway update)`, before: 'none', after: identityToAttach.name }] : []),
      ...(vaultGrant ? [vaultGrantRow(vaultGrant, identityToAttach ? 3 : 2)] : []),
      {
        resource: certName,
        field: `outbound certificate (${(identityToAttach ? 3 : 2) + (vaultGrant ? 1 : 0)}, ${minutes(EXPECTED_MS.certificate)})`,
        before: request.outbound.kind === 'existing' ? 'in Key Vault' : 'none for this site',
        after:
          request.outbound.kind === 'existing'
            ? `version ${lastSegment(outboundVersionId)} (${certSubject})`
            : request.outbound.kind === 'external'
              ? `a pending request: Key Vault makes the key and a CSR for ${certSubject} (RSA 2048, serverAuth + clientAuth${dnsNames.length ? `; DNS ${dnsNames.join(', ')}` : ''}); your CA signs it; provision ${request.site} --merge completes it`
              : `a new version ${certSubject}, issued by ${issuer}, ${days} days (at apply)`,
      },
      {
        resource: connectionName,
        field: `connection (${(identityToAttach ? 4 : 3) + (vaultGrant ? 1 : 0)}, ${minutes(EXPECTED_MS.connection)})`,
        before: ownConnection && priorId ? 'exists (an earlier run): checked and completed' : 'none',
        after: `${external ? `after provision ${request.site} --merge (it needs the signed certificate): ` : ''}IKEv2 on ${gateway.name} to ${lngName}, certificate authentication: inbound subject ${request.subject}, inbound chain ${chainSubjects(chain)}, outbound ${certName}; ${request.policy === 'strong' ? 'custom IPsec/IKE policy GCMAES256/SHA384/ECP384, IPsec GCMAES256, PFS ECP384' : "Azure's default IPsec/IKE proposals"}`,
      },
    ];
    const waitMinutes = ports.outboundRotation.provisionWaitMinutes ?? DEFAULT_PROVISION_WAIT_MINUTES;
    const totalMs = EXPECTED_MS.localNetworkGateway + (identityToAttach ? EXPECTED_MS.gatewayIdentity : 0) + EXPECTED_MS.certificate + (external ? 0 : EXPECTED_MS.connection);
    const d: Details = {
      provisionId: priorId ?? randomUUID().replace(/-/g, '').slice(0, 16),
      gatewayId: gateway.id,
      gatewayName: gateway.name,
      location: gateway.location,
      lngId,
      deviceIp: request.ip ?? '',
      fqdn: request.fqdn ?? '',
      prefixes: request.prefixes.join(','),
      subject: request.subject,
      chain: chain.map((c) => Buffer.from(c.der).toString('base64')).join(','),
      policy: request.policy,
      identityToAttach: identityToAttach?.id ?? '',
      vaultUrl,
      certName,
      outbound: request.outbound.kind,
      outboundVersionId,
      certSubject,
      dnsNames: dnsNames.join(','),
      days: String(days),
      ikeWorkspace: diagnostics.workspaceFor.IKEDiagnosticLog ?? '',
      tunnelWorkspace: diagnostics.workspaceFor.TunnelDiagnosticLog ?? '',
    };
    if (external) {
      return {
        kind: 'provision-site',
        title: `Provision ${request.site} on ${gateway.name} (part 1: up to the CSR for your CA)`,
        site: request.site,
        target: { connectionId, connectionName },
        changes: rows,
        risk: `New resources only: nothing existing is changed${identityToAttach ? ` except ${gateway.name}'s identity (a gateway update of about 6 min; its tunnels stay up)` : ''}${vaultGrant ? `${identityToAttach ? ' and' : ' except'} ${vaultGrant.identityName}'s access to ${vaultGrant.vaultName} (${vaultGrant.model === 'rbac' ? 'role assignments' : 'its access policy'}: Remove takes it away again)` : ''}. Azure's side takes ${minutes(totalMs)}; then it waits for your CA: the connection is created by provision ${request.site} --merge with the signed certificate (asked for approval again, with the certificate's issuer and root shown).`,
        verify: `Key Vault holds the pending request for ${certName} and its CSR (shown on this card once done).`,
        whenNotVerified: 'keep-or-remove',
        steps: [
          { title: `create local network gateway ${lngName}`, expectedMs: EXPECTED_MS.localNetworkGateway },
          ...(identityToAttach ? [{ title: `attach identity ${identityToAttach.name} to ${gateway.name}`, expectedMs: EXPECTED_MS.gatewayIdentity }] : []),
          ...(vaultGrant ? [{ title: grantTitle(vaultGrant), expectedMs: EXPECTED_MS.vaultGrant }] : []),
          { title: `make the key and CSR for ${certName} in Key Vault`, expectedMs: EXPECTED_MS.certificate },
        ],
        notes: [
          { label: 'Preflight (nothing changed yet):', text: preflightLines(checks) },
          { label: 'Then:', text: `Once done, this card shows the CSR. Have your CA sign it (serverAuth + clientAuth), then send provision ${request.site} --merge with the signed certificate and its issuers up to the root pasted below it (PEM, base64 or PKCS#7, any order) or attached. The bot checks it against the CSR's key and Azure's rules, then plans the rest (merge, connection, device hand-over with your root) for approval.` },
          ...handoverNotes(request.site, d, gateway, vnet, { subject: rootSubject }),
        ],
        // A grant runs in part 1, so Key Vault honours it long before --merge creates the connection.
        details: { ...(d as unknown as Record<string, string>), ...(vaultGrant ? { vaultGrant: encodeGrant(vaultGrant), grantTag: grantTag(vaultGrant) } : {}), steps: ['lng', ...(identityToAttach ? ['identity'] : []), ...(vaultGrant ? ['grant'] : []), 'csr'].join(',') },
      };
    }
    return {
      kind: 'provision-site',
      title: `Provision ${request.site} on ${gateway.name}`,
      site: request.site,
      target: { connectionId, connectionName },
      changes: rows,
      risk: `New resources only: nothing existing is changed${identityToAttach ? ` except ${gateway.name}'s identity (a gateway update of about 6 min; its tunnels stay up)` : ''}${vaultGrant ? `${identityToAttach ? ' and' : ' except'} ${vaultGrant.identityName}'s access to ${vaultGrant.vaultName} (${vaultGrant.model === 'rbac' ? 'role assignments' : 'its access policy'}: Remove takes it away again)` : ''}. Azure's side takes ${minutes(totalMs)}; then the device must be configured (hand-over below).`,
      verify: `Both tunnels Connected${d.ikeWorkspace || d.tunnelWorkspace ? ' and a successful negotiation with the device in the gateway logs' : ' (the gateway sends no IKE logs: tunnel status only)'}, waiting for the device up to ${waitMinutes} min.`,
      verifyWithinMs: waitMinutes * 60_000,
      whenNotVerified: 'keep-or-remove',
      steps: [
        { title: `create local network gateway ${lngName}`, expectedMs: EXPECTED_MS.localNetworkGateway },
        ...(identityToAttach ? [{ title: `attach identity ${identityToAttach.name} to ${gateway.name}`, expectedMs: EXPECTED_MS.gatewayIdentity }] : []),
        ...(vaultGrant ? [{ title: grantTitle(vaultGrant), expectedMs: EXPECTED_MS.vaultGrant }] : []),
        { title: request.outbound.kind === 'ca' ? `issue ${certName} from the vault CA` : `use ${certName} from Key Vault`, expectedMs: EXPECTED_MS.certificate },
        { title: `create connection ${connectionName}`, expectedMs: EXPECTED_MS.connection },
      ],
      notes: [
        { label: 'Preflight (nothing changed yet):', text: preflightLines(checks) },
        ...handoverNotes(request.site, d, gateway, vnet, { subject: rootSubject, ...(rootPem ? { pem: rootPem } : {}) }),
      ],
      details: { ...(d as unknown as Record<string, string>), ...(caId ? { caId } : {}), ...(vaultGrant ? { vaultGrant: encodeGrant(vaultGrant), grantTag: grantTag(vaultGrant) } : {}), steps: ['lng', ...(identityToAttach ? ['identity'] : []), ...(vaultGrant ? ['grant'] : []), 'certificate', 'connection'].join(',') },
    };
  },

  async apply(plan, ports, step) {
    const kinds = stepKindsOf(plan);
    if (step !== undefined) {
      const kind = kinds[step];
      if (!kind) throw new Error(`provision-site has no step ${step}`);
      return STEP_APPLY[kind](plan, ports);
    }
    const done: string[] = [];
    for (const kind of kinds) done.push(await STEP_APPLY[kind](plan, ports));
    return done.join('; ');
  },

  async verify(plan, ports, since) {
    const d = detailsOf(plan);
    if (stepKindsOf(plan).includes('csr')) {
      // Part 1 of an external outbound certificate: done when Key Vault holds the CSR (the connection comes with --merge).
      const [pending, lng] = await Promise.all([ports.keyVault.getPendingRequest(d.vaultUrl, d.certName), readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId))]);
      if (!lng) return { ok: false, detail: `${lastSegment(d.lngId)} does not exist` };
      if (pending) return { ok: true, detail: `waiting for the signed certificate: Key Vault holds the pending request for ${d.certName} and its CSR; the connection is created by provision ${plan.site} --merge` };
      const merged = await issuedVersion(plan, ports);
      return merged ? { ok: true, detail: `${d.certName} version ${merged.version} already carries the signed certificate; the connection is created by provision ${plan.site} --merge` } : { ok: false, detail: `there is no pending request for ${d.certName}` };
    }
    const target = comeBackTargetOf({ connectionId: plan.target.connectionId, gatewayId: d.gatewayId, deviceIp: d.deviceIp, ikeWorkspace: d.ikeWorkspace, tunnelWorkspace: d.tunnelWorkspace }, plan.target.connectionName);
    const connection = await readOrUndefined(() => ports.network.getConnection(plan.target.connectionId));
    if (!connection) return { ok: false, detail: `${plan.target.connectionName} does not exist` };
    const answer = await deviceCameBack(ports, target, since, 'the device');
    // Tunnels not up yet: the device has not connected (yet).
    return answer.ok || !answer.notYet ? answer : { ...answer, detail: `waiting for the device: ${answer.detail}` };
  },

  async verifyUnchanged(plan, ports) {
    const d = detailsOf(plan);
    const left = await whatThisMade(plan, ports);
    if (left.length === 0) return { ok: true, detail: `nothing of this provisioning exists (${plan.target.connectionName}, ${lastSegment(d.lngId)} and a new ${d.certName} version are absent)` };
    return { ok: false, detail: `${left.join(', ')} exist${left.length === 1 ? 's' : ''}` };
  },
};

/**
 * `provision <site> --merge`: part 2 of a provisioning whose outbound certificate comes from the customer's CA. The
 * provisioning is found by what part 1 left in Azure (its local network gateway, tagged with the provisioning id) and
 * its parameters (device, prefixes, inbound chain and subject, policy, vault) are read from its change record (the
 * change job under the connection's business key, whose plan was approved), never typed again. The signed
 * certificate is checked against the pending CSR's key, Azure's outbound rules and a chain to a root before anything
 * is asked; the plan then merges it and creates the connection, and is approved like any change (the approver sees
 * the certificate's issuer and the root the device must trust, which part 1's approver could not).
 */
async function planMerge(request: ProvisionMergeRequest, ports: ActivityPorts): Promise<ChangePlan | NothingToChange> {
  const now = ports.now();
  const start = `provision ${request.site} --ip ... --prefixes ... --subject ... --outbound external (with the device's CA chain)`;
  const lngs = (await Promise.all(ports.scopes.map((scope) => ports.network.listLocalNetworkGateways(scope)))).flat();
  const lng = lngs.find((l) => l.name.toLowerCase() === `lng-${request.site}`.toLowerCase() && l.tags[PROVISION_TAGS.site]?.toLowerCase() === request.site.toLowerCase() && l.tags[PROVISION_TAGS.provisionedBy] !== undefined);
  if (!lng) {
    throw new UserError('NoPendingProvisioning', `No provisioning of ${request.site} waits for a signed certificate (there is no local network gateway lng-${request.site} made by a provisioning).`, `Start one with ${start}; once its card shows the CSR and your CA signed it, send provision ${request.site} --merge with the certificate and its chain.`);
  }
  const provisionId = lng.tags[PROVISION_TAGS.provisionedBy]!;
  const connectionId = lng.id.replace(/\/localNetworkGateways\/[^/]+$/i, `/connections/cn-${request.site}`);
  const stored = await provisioningRecord(ports, connectionId, provisionId);
  if (!stored) {
    throw new UserError('ProvisioningRecordMissing', `The record of ${request.site}'s provisioning ${provisionId} (its device, prefixes, inbound chain and subject) is no longer kept, so I cannot continue it from the signed certificate alone; nothing was changed.`, `Send ${start} again with the same values: it continues from what exists and keeps the pending CSR; then send --merge again.`);
  }
  if (stored.details.outbound !== 'external') {
    throw new UserError('NotExternalProvisioning', `${request.site}'s provisioning ${provisionId} takes its outbound certificate ${stored.details.outbound === 'ca' ? 'from the vault CA' : 'from Key Vault'}, not from your CA: there is nothing to merge.`, stored.details.outbound === 'ca' ? `Send the provision command again to continue it, or Remove it and provision with --outbound external.` : `See status ${request.site}.`);
  }
  const d = detailsOf(stored);
  const existing = await readOrUndefined(() => ports.network.getConnection(connectionId));
  if (existing && existing.tags?.[PROVISION_TAGS.provisionedBy] === provisionId && existing.provisioningState === 'Succeeded') {
    return { kind: 'nothing-to-change', title: `Provision ${request.site}`, site: request.site, why: `${request.site} is provisioned: connection ${existing.name} exists with its outbound certificate ${d.certName} (status ${existing.status}). See status ${request.site}; rotate ${request.site} outbound changes the certificate.` };
  }
  if (existing && existing.tags?.[PROVISION_TAGS.provisionedBy] !== provisionId) {
    throw new UserError('SiteNameTaken', `Connection ${existing.name} exists and was not made by ${request.site}'s provisioning ${provisionId}; nothing was changed.`, `See status ${request.site}.`);
  }
  const vaultName = ports.keyVault.vaultName(d.vaultUrl);
  const [pending, tagged] = await Promise.all([ports.keyVault.getPendingRequest(d.vaultUrl, d.certName), issuedVersion(stored, ports)]);
  // A merge that landed but was not tagged yet (its step stopped in between) is found by the pasted certificate.
  const pastedThumbprints = pending || tagged ? [] : parseCertificateChain((request.merge ?? '').trim() || ' ').map((c) => c.thumbprint);
  const merged = tagged ?? (pastedThumbprints.length > 0 ? (await ports.keyVault.listCertificateVersions(d.vaultUrl, d.certName)).find((v) => v.enabled && v.thumbprint !== undefined && pastedThumbprints.includes(v.thumbprint)) : undefined);
  let leaf: CertificateInfo;
  let root: CertificateInfo;
  let path: readonly CertificateInfo[] = [];
  if (merged) {
    // Merged by an earlier --merge that stopped before the connection: the pasted certificate must be that one.
    const given = parseCertificateChain((request.merge ?? '').trim() || ' ');
    const found = given.find((c) => c.thumbprint === merged.thumbprint);
    const givenRoot = given.find((c) => c.selfIssued);
    if (!found) throw new UserError('CertificateDoesNotMatchRequest', `${d.certName} version ${merged.version} already carries a signed certificate (thumbprint ${merged.thumbprint}) from an earlier --merge, and none of what was pasted is that certificate.`, `Paste that certificate and its chain under provision ${request.site} --merge to continue.`);
    if (!givenRoot) throw new UserError(OutboundChainCodes.NoRoot, `The pasted chain has no root (self-signed) certificate (${OutboundChainCodes.NoRoot}).`, 'Add the root CA certificate at the end of what you paste.');
    leaf = found;
    root = givenRoot;
  } else {
    if (!pending) {
      throw new UserError('NoPendingCertificateRequest', `There is no pending certificate request for ${d.certName} in Key Vault ${vaultName} to merge into (the first part of ${request.site}'s provisioning did not finish, or someone cancelled it).`, `Send ${start} again: it continues from what exists and makes the CSR.`);
    }
    const chain = await checkSignedForPending(pending, request.merge, now, `provision ${request.site} --merge`);
    leaf = chain.leaf;
    root = chain.root;
    path = chain.path;
  }
  const gateway = await ports.network.getGateway(d.gatewayId);
  const vnet = gateway.virtualNetworkId ? await readOrUndefined(() => ports.network.getVirtualNetwork(gateway.virtualNetworkId!)) : undefined;
  const waitMinutes = ports.outboundRotation.provisionWaitMinutes ?? DEFAULT_PROVISION_WAIT_MINUTES;
  const lngName = lastSegment(d.lngId);
  const connectionName = `cn-${request.site}`;
  const chainIn = d.chain.split(',').filter(Boolean).map((b64) => parseDer(new Uint8Array(Buffer.from(b64, 'base64'))));
  const out = describeOutbound(leaf);
  return {
    kind: 'provision-site',
    title: `Provision ${request.site} on ${d.gatewayName} (part 2: your CA's certificate and the connection)`,
    site: request.site,
    target: { connectionId, connectionName },
    changes: [
      { resource: d.certName, field: `outbound certificate (1, ${minutes(EXPECTED_MS.certificate)})`, before: merged ? `version ${merged.version} (merged earlier)` : 'a pending request (key and CSR made in Key Vault)', after: `${out.subject}, issued by ${out.issuer}, ${out.validity}, thumbprint ${out.thumbprint}, ${out.key}, EKUs ${out.ekus}` },
      ...(path.length > 0 ? [{ resource: d.certName, field: 'chain merged', before: 'none', after: path.map((p) => p.subject).join(' → ') }] : []),
      {
        resource: connectionName,
        field: `connection (2, ${minutes(EXPECTED_MS.connection)})`,
        before: existing ? 'exists (an earlier run): checked and completed' : 'none',
        after: `IKEv2 on ${d.gatewayName} to ${lngName}, certificate authentication: inbound subject ${d.subject}, inbound chain ${chainSubjects(chainIn)}, outbound ${d.certName}; ${d.policy === 'strong' ? 'custom IPsec/IKE policy GCMAES256/SHA384/ECP384, IPsec GCMAES256, PFS ECP384' : "Azure's default IPsec/IKE proposals"}`,
      },
      { resource: `device of ${request.site}`, field: 'trust', before: 'not configured yet', after: `trusts ${root.subject} (the root of Azure's certificate) and is configured as handed over below` },
    ],
    risk: `New resources only: the connection ${connectionName} (${minutes(EXPECTED_MS.connection)}); nothing existing is changed. Part 1 (the local network gateway${d.identityToAttach ? ', the gateway identity' : ''} and the CSR) was approved and applied. Check that ${root.subject} is your CA's root: Azure will present this certificate to the device.`,
    verify: `Both tunnels Connected${d.ikeWorkspace || d.tunnelWorkspace ? ' and a successful negotiation with the device in the gateway logs' : ' (the gateway sends no IKE logs: tunnel status only)'}, waiting for the device up to ${waitMinutes} min.`,
    verifyWithinMs: waitMinutes * 60_000,
    whenNotVerified: 'keep-or-remove',
    steps: [
      { title: `merge the signed certificate into ${d.certName}`, expectedMs: EXPECTED_MS.certificate },
      { title: `create connection ${connectionName}`, expectedMs: EXPECTED_MS.connection },
    ],
    notes: handoverNotes(request.site, d, gateway, vnet, { subject: root.subject, pem: toPem(root) }),
    details: { ...stored.details, steps: 'merge,connection', mergeChain: path.map((p) => toBase64Der(p)).join(','), newThumbprint: leaf.thumbprint },
  };
}

/**
 * The approved plan of provisioning `provisionId` (its change record: the latest change job under the connection's
 * business key, a part 1 or a part 2, which carry the same details), or undefined when that job is not this
 * provisioning's any more or its history is gone.
 */
export async function provisioningRecord(ports: ActivityPorts, connectionId: string, provisionId: string): Promise<ChangePlan | undefined> {
  const record = await ports.jobs.get(changeJobId(connectionId));
  const stored = (record?.envelope as JobEnvelope<ChangePayload> | undefined)?.payload?.plan;
  return stored && stored.kind === 'provision-site' && stored.details.provisionId === provisionId ? stored : undefined;
}

/** The device hand-over notes of a plan: the parameter table, a swanctl.conf, and the root to trust (when known). */
function handoverNotes(site: string, d: Details, gateway: GatewayInfo, vnet: VirtualNetworkInfo | undefined, root: { readonly subject: string; readonly pem?: string }): NonNullable<ChangePlan['notes']> {
  const handover: HandoverInput = {
    site,
    gatewayName: gateway.name,
    gatewayIps: gateway.publicIpAddresses,
    ...(d.deviceIp ? { deviceIp: d.deviceIp } : {}),
    devicePrefixes: d.prefixes.split(',').filter(Boolean),
    azurePrefixes: [...(vnet?.addressPrefixes ?? []), ...(vnet?.peerings ?? []).flatMap((p) => p.addressPrefixes)],
    policy: d.policy as ProvisionPolicy,
    azureSubject: d.certSubject,
    azureRootSubject: root.subject,
    inboundSubject: d.subject,
  };
  // Also handed over as files (Get files): the swanctl.conf as it is, and the table with the root in one text.
  return [
    { label: `Device hand-over (for ${site}'s owner):`, text: parameterTable(handover), file: `${site}-handover.txt` },
    { label: `strongSwan swanctl.conf for the device (Linux reference):`, text: swanctlConf(handover), mono: true, file: `${site}.swanctl.conf` },
    ...(root.pem ? [{ label: `Root to trust on the device for Azure's certificate (${root.subject}):`, text: root.pem, mono: true, file: `${site}-handover.txt` }] : []),
  ];
}

type StepKind = 'lng' | 'identity' | 'grant' | 'certificate' | 'csr' | 'merge' | 'connection';

function stepKindsOf(plan: ChangePlan): StepKind[] {
  return (plan.details.steps ?? 'lng,certificate,connection').split(',').filter(Boolean) as StepKind[];
}

/** The version this provisioning issued (tagged with its id), if any. */
async function issuedVersion(plan: ChangePlan, ports: ActivityPorts) {
  const d = detailsOf(plan);
  const versions = await ports.keyVault.listCertificateVersions(d.vaultUrl, d.certName).catch((error: unknown) => {
    if (isAzureError(error) && error.kind === 'NotFound') return [];
    throw error;
  });
  // A pending version (a key and CSR waiting for its certificate) has no thumbprint yet: it is not issued.
  return versions.find((v) => v.tags[PROVISION_TAGS.provisionedBy] === d.provisionId && v.enabled && v.thumbprint !== undefined);
}

/** Each step of a provisioning, idempotent: what exists (tagged with this provisioning's id) is kept, the rest made. */
const STEP_APPLY: Readonly<Record<StepKind, (plan: ChangePlan, ports: ActivityPorts) => Promise<string>>> = {
  async lng(plan, ports) {
    const d = detailsOf(plan);
    const prefixes = d.prefixes.split(',').filter(Boolean);
    const lng = await readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId));
    if (lng && lng.tags[PROVISION_TAGS.provisionedBy] !== d.provisionId) throw new UserError('SiteNameTaken', `Local network gateway ${lastSegment(d.lngId)} appeared meanwhile and was not made by this provisioning; nothing of it was touched.`, 'Plan again (send provision again).');
    const matches = lng && sameSet(lng.addressPrefixes, prefixes) && (d.fqdn ? lng.fqdn === d.fqdn : lng.gatewayIpAddress === d.deviceIp) && lng.provisioningState === 'Succeeded' && lng.tags[GRANT_TAG] === plan.details.grantTag;
    if (matches) return `local network gateway ${lng.name} already there`;
    const made: LocalNetworkGatewayInfo = await ports.network.upsertLocalNetworkGateway({
      id: d.lngId,
      location: d.location,
      gatewayIpAddress: d.deviceIp,
      ...(d.fqdn ? { fqdn: d.fqdn } : {}),
      addressPrefixes: prefixes,
      tags: { [PROVISION_TAGS.site]: plan.site, [PROVISION_TAGS.provisionedBy]: d.provisionId, ...(plan.details.grantTag ? { [GRANT_TAG]: plan.details.grantTag } : {}) },
    });
    return `${lng ? 'completed' : 'created'} local network gateway ${made.name} (${d.deviceIp || d.fqdn}, ${prefixes.join(', ')})`;
  },

  async identity(plan, ports) {
    const d = detailsOf(plan);
    const gateway: GatewayInfo = await ports.network.getGateway(d.gatewayId);
    if (gateway.identity?.userAssignedIdentities.some((i) => i.id.toLowerCase() === d.identityToAttach.toLowerCase())) return `${d.gatewayName} already has identity ${lastSegment(d.identityToAttach)}`;
    if ((gateway.identity?.userAssignedIdentities.length ?? 0) > 0) throw new UserError('CannotDeleteManagedIdentity', `${d.gatewayName} got another identity meanwhile; the bot does not replace it (Azure refuses replacing one in use).`, 'Plan again.');
    await ports.network.setGatewayIdentity(d.gatewayId, d.identityToAttach);
    return `attached identity ${lastSegment(d.identityToAttach)} to ${d.gatewayName}`;
  },

  grant: (plan, ports) => applyVaultGrant(ports, plan.details, plan.site),

  async certificate(plan, ports) {
    const d = detailsOf(plan);
    if (d.outbound !== 'ca') return `the connection uses ${d.certName} version ${lastSegment(d.outboundVersionId)} from Key Vault`;
    const mine = await issuedVersion(plan, ports);
    if (mine) return `${d.certName} version ${mine.version} already issued`;
    // A request Key Vault took after its caller gave up (a timeout) leaves a pending version: the plan named it.
    if (await ports.keyVault.getPendingRequest(d.vaultUrl, d.certName)) await ports.keyVault.cancelPendingRequest(d.vaultUrl, d.certName);
    const issued: KeyVaultCertificate = await issueFromVaultCa(ports, {
      vaultUrl: d.vaultUrl,
      name: d.certName,
      subject: d.certSubject,
      dnsNames: d.dnsNames.split(',').filter(Boolean),
      days: Number(d.days),
      ...(plan.details.caId ? { caCertificateId: plan.details.caId } : {}),
      tags: { [PROVISION_TAGS.provisionedBy]: d.provisionId, [PROVISION_TAGS.site]: plan.site },
    });
    return `issued ${d.certName} version ${issued.version} (${issued.certificate.subject}, thumbprint ${issued.certificate.thumbprint}, valid until ${formatDay(issued.certificate.notAfter)})`;
  },

  async csr(plan, ports) {
    const d = detailsOf(plan);
    const mine = await issuedVersion(plan, ports);
    if (mine) return `${d.certName} version ${mine.version} already carries the signed certificate: send provision ${plan.site} --merge to continue`;
    const pending = await requestExternalCertificate(ports, { vaultUrl: d.vaultUrl, name: d.certName, subject: d.certSubject, dnsNames: d.dnsNames.split(',').filter(Boolean), tags: { [PROVISION_TAGS.provisionedBy]: d.provisionId, [PROVISION_TAGS.site]: plan.site } });
    return `waiting for the signed certificate: Key Vault ${ports.keyVault.vaultName(d.vaultUrl)} made the key and this CSR for ${d.certName} (${d.certSubject}). Have your CA sign it, then send provision ${plan.site} --merge with the signed certificate and its chain up to the root pasted below it\n${pending.csrPem}`;
  },

  async merge(plan, ports) {
    const d = detailsOf(plan);
    const mine = await issuedVersion(plan, ports);
    if (mine) return `${d.certName} version ${mine.version} already carries the signed certificate`;
    const merged = await mergeSignedCertificate(ports, d.vaultUrl, d.certName, plan.details.mergeChain!.split(','), plan.details.newThumbprint!, `Start again with provision ${plan.site} ... --outbound external (it continues from what exists).`);
    await ports.keyVault.setTags({ vaultUrl: d.vaultUrl, name: d.certName, version: merged.version }, { ...merged.tags, [PROVISION_TAGS.provisionedBy]: d.provisionId, [PROVISION_TAGS.site]: plan.site });
    const issued = 'certificate' in merged ? ` (${merged.certificate.subject}, issued by ${merged.certificate.issuer}, thumbprint ${merged.certificate.thumbprint}, valid until ${formatDay(merged.certificate.notAfter)})` : '';
    return `merged the signed certificate into ${d.certName} version ${merged.version}${issued}`;
  },

  async connection(plan, ports) {
    const d = detailsOf(plan);
    let outboundId = d.outboundVersionId;
    if (d.outbound === 'ca' || d.outbound === 'external') {
      const mine = await issuedVersion(plan, ports);
      if (!mine) throw new UserError('OutboundCertificateMissing', `The certificate this provisioning ${d.outbound === 'ca' ? 'issued' : 'merged'} (${d.certName}) is not in Key Vault ${ports.keyVault.vaultName(d.vaultUrl)} any more; the connection was not created.`, d.outbound === 'ca' ? 'Send provision again: it issues it again.' : `Send provision ${plan.site} --merge with the signed certificate again.`);
      outboundId = mine.id;
    }
    const existing = await readOrUndefined(() => ports.network.getConnection(plan.target.connectionId));
    if (existing && existing.tags?.[PROVISION_TAGS.provisionedBy] !== d.provisionId) {
      throw new UserError('SiteNameTaken', `Connection ${plan.target.connectionName} appeared meanwhile and was not made by this provisioning; nothing of it was touched.`, `See status ${plan.site}.`);
    }
    const wanted = { outboundCertificateUrl: outboundId, inboundSubjectName: d.subject, inboundChain: d.chain.split(',').filter(Boolean) };
    if (existing && sameCertificate(existing, wanted) && existing.provisioningState === 'Succeeded') return `connection ${plan.target.connectionName} already there`;
    const lng = await readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId));
    // After a grant, Azure may refuse until Key Vault honours it (up to about 10 min): tried again meanwhile.
    await waitingForGrant(ports, plan.details, () => ports.network.upsertCertificateConnection({
      id: plan.target.connectionId,
      location: d.location,
      gatewayId: d.gatewayId,
      localNetworkGatewayId: d.lngId,
      certificate: wanted,
      ...(d.policy === 'strong' ? { ipsecPolicy: strongPolicy() } : {}),
      tags: { [PROVISION_TAGS.site]: plan.site, [PROVISION_TAGS.provisionedBy]: d.provisionId, [PROVISION_TAGS.createdLng]: lng?.tags[PROVISION_TAGS.provisionedBy] === d.provisionId ? 'yes' : 'no' },
    }));
    return `created connection ${plan.target.connectionName} (certificate authentication, outbound ${d.certName}); Azure's side is ready: the device can connect now`;
  },
};

/** What this provisioning made that still exists, in words. */
async function whatThisMade(plan: ChangePlan, ports: ActivityPorts): Promise<string[]> {
  const d = detailsOf(plan);
  const [connection, lng, versions, pending] = await Promise.all([
    readOrUndefined(() => ports.network.getConnection(plan.target.connectionId)),
    readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId)),
    d.outbound !== 'existing' ? ports.keyVault.listCertificateVersions(d.vaultUrl, d.certName).catch(() => []) : Promise.resolve([]),
    d.outbound !== 'existing' ? ports.keyVault.getPendingRequest(d.vaultUrl, d.certName) : Promise.resolve(undefined),
  ]);
  const left: string[] = [];
  if (connection && connection.tags?.[PROVISION_TAGS.provisionedBy] === d.provisionId) left.push(`connection ${connection.name}`);
  if (lng && lng.tags[PROVISION_TAGS.provisionedBy] === d.provisionId) left.push(`local network gateway ${lng.name}`);
  const issued = versions.filter((v) => v.tags[PROVISION_TAGS.provisionedBy] === d.provisionId && v.enabled && v.thumbprint !== undefined);
  if (issued.length > 0) left.push(`${d.certName} version ${issued.map((v) => v.version).join(', ')}`);
  // Issuing stopped after Key Vault took the request: asking again cancels it and issues anew.
  else if (pending) left.push(`a pending certificate request for ${d.certName} (a key without a certificate${d.outbound === 'external' ? ', waiting for your CA' : ''})`);
  // The Key Vault access the plan granted.
  left.push(...(await grantLeft(ports, plan.details.vaultGrant, d.provisionId)));
  return left;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((s) => s.toLowerCase()));
  return x.size === new Set(b.map((s) => s.toLowerCase())).size && b.every((s) => x.has(s.toLowerCase()));
}

function sameCertificate(connection: ConnectionDetails, wanted: { outboundCertificateUrl: string; inboundSubjectName: string; inboundChain: readonly string[] }): boolean {
  const c = connection.certificate;
  if (!c) return false;
  return c.outboundCertificateUrl.toLowerCase() === wanted.outboundCertificateUrl.toLowerCase() && c.inboundSubjectName === wanted.inboundSubjectName && c.inboundChain.join(',') === wanted.inboundChain.join(',');
}

function vaultGrantRow(grant: VaultGrant, step: number): PlannedChange {
  return {
    resource: grant.vaultName,
    field: `Key Vault access for ${grant.identityName} (${step}, ${minutes(EXPECTED_MS.vaultGrant)}; Key Vault honours it within about 10 min, the connection waits for it)`,
    before: 'none (the gateway could not read its certificate)',
    after: grant.model === 'rbac' ? `${grant.roles.map((r) => r.name).join(' + ')} on ${grant.vaultName}` : `access policy: ${[grant.certificates.length ? `certificates ${grant.certificates.join(', ')}` : '', grant.secrets.length ? `secrets ${grant.secrets.join(', ')}` : ''].filter(Boolean).join('; ')}`,
  };
}
