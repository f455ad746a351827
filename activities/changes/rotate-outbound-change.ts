import { randomUUID } from 'node:crypto';
import { keyVaultCertificateId, parseKeyVaultCertificateId, type KeyVaultCertificate, type KeyVaultCertificateRef, type KeyVaultCertificateVersion } from '../../adapters/azure/key-vault';
import type { RotateOutboundRequest } from '../../core/change/change-kind';
import type { ChangePlan, PlannedChange } from '../../core/change/change-plan';
import { UserError } from '../../core/errors/user-error';
import { diagnose } from '../../core/ike/diagnose';
import { parseAzureIkeMessage } from '../../core/ike/parse-azure-ike-message';
import type { ConnectionDetails } from '../../adapters/azure/network';
import { toBase64Der, toPem, type CertificateInfo } from '../../core/pki/certificate-info';
import { formatDay } from '../../core/pki/days-until-expiry';
import { describeOutbound, OutboundChainCodes, requireOutboundRules, sameIssuer, sameIssuerOfLeaves, type OutboundDescription } from '../../core/pki/outbound-rotation';
import { parseDer } from '../../core/pki/parse-certificate';
import type { ActivityPorts } from '../activity-ports';
import { checkSignedForPending, mergeSignedCertificate, requestExternalCertificate } from '../external-certificate';
import { findSite } from '../site-directory';
import { issueFromVaultCa, readVaultCa } from '../vault-ca-issuance';
import type { ChangeKindHandler } from './change-kind-handler';

/**
 * `rotate <site> outbound`: the certificate Azure presents to the device (the connection's `outboundAuthCertificate`,
 * a versioned Key Vault identifier) moves to a new version:
 * - `ca`: issued at apply time by the CA in Key Vault (activities/vault-ca-issuance.ts);
 * - `vault`: the newest enabled version Key Vault already has (a renewal it made itself), when the connection is
 *   behind it (drift);
 * - `external`: a CSR for an outside CA (a pending version; the connection is not touched), then `--merge` with the
 *   signed certificate and its chain: merged into the pending version and the connection moved to it.
 *
 * Apply moves the connection (GET, modify, PUT; busy answers waited out) and records the previous version's
 * retirement on that version (tags `retire-after`, `retire-for`): it stays enabled through the grace period and a
 * timer sweep disables it afterwards, so the change job does not stay open for the grace period. Verify wants both
 * tunnels Connected and a successful negotiation with the device in the gateway's logs after the switch. Rollback
 * moves the connection back to the previous version id, withdraws the retirement and disables what this change
 * issued.
 */

/** Tags a rotation leaves in Key Vault. */
export const ROTATION_TAGS = {
  /** On the new version: the rotation that issued it or moved the connection to it. */
  rotation: 'rotation',
  /** On the new version: when the connection was switched to it (verification reads the logs from then on). */
  rotatedAt: 'rotated-at',
  /** On the previous version: when the grace period ends and the sweep disables it. */
  retireAfter: 'retire-after',
  /** On the previous version: which rotation retires it (a rollback withdraws only its own). */
  retireFor: 'retire-for',
} as const;

type Source = 'ca' | 'vault' | 'external' | 'merge';

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;
const sameUrl = (a: string | undefined, b: string | undefined) => (a ?? '').replace(/\/+$/, '').toLowerCase() === (b ?? '').replace(/\/+$/, '').toLowerCase();

function describeRows(resource: string, before: OutboundDescription, after: Partial<OutboundDescription>, afterDefault: string): PlannedChange[] {
  const fields: [keyof OutboundDescription, string][] = [
    ['subject', 'subject'],
    ['issuer', 'issuer'],
    ['validity', 'validity'],
    ['thumbprint', 'thumbprint'],
    ['key', 'key'],
    ['ekus', 'EKUs'],
  ];
  return fields.map(([key, field]) => ({ resource, field, before: before[key], after: after[key] ?? afterDefault }));
}

function deviceTrustRow(site: string, same: boolean, issuer: string): PlannedChange {
  return { resource: `device of ${site}`, field: 'trust', before: 'accepts the current certificate', after: same ? 'no change needed: same issuer as today' : `must trust ${issuer} before this is approved` };
}

function trustNote(same: boolean, issuer: CertificateInfo | undefined): ChangePlan['notes'] {
  if (same || !issuer) return undefined;
  return [{ label: `Install on the device as a trusted CA first (${issuer.subject}):`, text: toPem(issuer), mono: true }];
}

/** The tunnels of a connection as one line, and whether both (all) are Connected. */
function tunnelsLine(tunnels: readonly { readonly name: string; readonly status: string }[], status: string): { readonly up: boolean; readonly text: string } {
  if (tunnels.length === 0) return { up: status === 'Connected', text: `the connection is ${status}` };
  const up = tunnels.every((t) => t.status === 'Connected');
  return { up, text: up ? `both tunnels are Connected` : tunnels.map((t) => `tunnel ${t.name} is ${t.status}`).join(', ') };
}

async function versionsOf(ports: ActivityPorts, vaultUrl: string, name: string): Promise<KeyVaultCertificateVersion[]> {
  return ports.keyVault.listCertificateVersions(vaultUrl, name);
}

/** The version this rotation issued or moved to (tagged with its id), if any. */
async function rotatedVersion(ports: ActivityPorts, plan: ChangePlan): Promise<KeyVaultCertificateVersion | undefined> {
  const d = detailsOf(plan);
  const versions = await versionsOf(ports, d.vaultUrl!, d.certName!);
  return versions.find((v) => v.tags[ROTATION_TAGS.rotation] === d.rotationId);
}

export const rotateOutboundChange: ChangeKindHandler<RotateOutboundRequest> = {
  async plan(request, ports) {
    const c = await findSite(ports, request.site);
    if ('kind' in c) return c;
    const auth = c.details.certificate;
    if (c.details.authenticationType !== 'Certificate' || !auth) {
      throw new UserError('NotCertificateConnection', `${c.site} authenticates with a pre-shared key, not certificates: there is no outbound certificate to rotate.`);
    }
    const ref = parseKeyVaultCertificateId(auth.outboundCertificateUrl);
    const now = ports.now();
    const [current, pending, gateway, lng, diagnostics] = await Promise.all([
      ports.keyVault.getCertificate(ref),
      ports.keyVault.getPendingRequest(ref.vaultUrl, ref.name),
      ports.network.getGateway(c.gatewayId),
      c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
      ports.monitor.getGatewayDiagnostics(c.gatewayId),
    ]);
    if (!gateway.identity || gateway.identity.userAssignedIdentities.length === 0) {
      throw new UserError('ManagedIdentityMissingAtGatewayLevel', `Gateway ${gateway.name} has no user-assigned identity, so it cannot read an outbound certificate from Key Vault (ManagedIdentityMissingAtGatewayLevel).`, 'Attach the user-assigned identity that has get on certificates and secrets in the vault to the gateway.');
    }
    const vaultName = ports.keyVault.vaultName(ref.vaultUrl);
    const source: Source = request.merge !== undefined ? 'merge' : (request.source ?? (ports.outboundRotation.caCertificateId ? 'ca' : 'vault'));
    const before = describeOutbound(current.certificate);
    const certResource = ref.name;
    const tunnels = tunnelsLine(c.details.tunnels, c.details.status);
    const graceHours = ports.outboundRotation.graceHours;
    const graceEnds = new Date(now.getTime() + graceHours * 3_600_000);
    const common = {
      side: 'outbound',
      source,
      gatewayId: c.gatewayId,
      deviceIp: lng?.gatewayIpAddress ?? '',
      beforeUrl: auth.outboundCertificateUrl,
      // The version read (a versionless reference resolves to the current one).
      ...(ref.version ? {} : { beforeVersion: current.version }),
      rotationId: randomUUID().replace(/-/g, '').slice(0, 16),
      ikeWorkspace: diagnostics.workspaceFor.IKEDiagnosticLog ?? '',
      // Usually the same workspace: kept once.
      tunnelWorkspace: diagnostics.workspaceFor.TunnelDiagnosticLog === diagnostics.workspaceFor.IKEDiagnosticLog ? '=' : (diagnostics.workspaceFor.TunnelDiagnosticLog ?? ''),
      graceHours: String(graceHours),
      // Whether the tunnels were up: a rollback is verified by them coming back.
      tunnelsBefore: tunnels.up ? 'up' : 'down',
    };
    const verifyWithinMs = ports.outboundRotation.verifyMinutes * 60_000;
    const connectionRow = (after: string): PlannedChange => ({ resource: c.name, field: 'outboundAuthCertificate', before: `${ref.name} version ${current.version}`, after });
    const retireRow: PlannedChange = {
      resource: certResource,
      field: `version ${current.version}`,
      before: 'enabled',
      after: graceHours === 0 ? 'disabled once verified' : `enabled until ${graceEnds.toISOString().slice(0, 16).replace('T', ' ')} UTC (grace period), then disabled`,
    };
    const logs = common.ikeWorkspace || common.tunnelWorkspace ? "and the gateway's logs show a negotiation with the device after the switch" : '(the gateway sends no IKE logs: tunnel status only)';
    const verify = `Both tunnels Connected again ${logs}, within ${ports.outboundRotation.verifyMinutes} min.`;
    const rollback = `Back to version ${current.version} (kept enabled); the new version disabled.`;
    const risk = (same: boolean, issuer: string) =>
      `Both tunnels renegotiate once (a few seconds without traffic; ${tunnels.text} now).` +
      (same ? '' : ` The new certificate is issued by ${issuer}, which the device does not trust yet: install that CA on the device before approving, or the tunnels stay down and the change is rolled back.`);
    const title = `Rotate the outbound certificate of ${c.site}`;

    if (source === 'external') {
      if (pending) throw pendingError(ref.name, vaultName);
      const dnsNames = current.certificate.subjectAltNames.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
      return {
        kind: 'rotate-certificate',
        title: `Request a certificate for the outbound side of ${c.site}`,
        site: c.site,
        target: { connectionId: c.id, connectionName: c.name },
        changes: [
          { resource: certResource, field: 'pending request', before: 'none', after: `a CSR for ${current.certificate.subject} (RSA 2048 made in Key Vault, exportable; serverAuth + clientAuth${dnsNames.length ? `; DNS ${dnsNames.join(', ')}` : ''})` },
          { resource: c.name, field: 'outboundAuthCertificate', before: `${ref.name} version ${current.version}`, after: `unchanged until rotate ${c.site} outbound --merge` },
        ],
        risk: 'No tunnel is touched: Key Vault makes a new key and a certificate request (CSR) for your CA; the connection keeps its certificate until the signed certificate is merged.',
        verify: 'Key Vault holds the pending request and its CSR.',
        rollback: 'Cancel the pending request (Key Vault drops the pending version).',
        details: { ...common, subject: current.certificate.subject, dnsNames: dnsNames.join(',') },
      };
    }

    if (source === 'ca') {
      const ca = await readVaultCa(ports);
      const days = request.days ?? ports.outboundRotation.defaultDays;
      const notAfter = new Date(now.getTime() + days * 86_400_000);
      if (notAfter.getTime() > ca.certificate.notAfter.getTime()) {
        throw new UserError('OutboundValidityBeyondCa', `A certificate valid ${days} days would outlive the CA ${ca.certificate.subject} (valid until ${formatDay(ca.certificate.notAfter)}).`, 'Ask for fewer days (--days N).');
      }
      if (pending) throw pendingError(ref.name, vaultName);
      const subject = current.certificate.subject;
      if (!subject) throw new UserError('OutboundCertificateSubjectIsEmpty', `The current certificate of ${c.site} has an empty subject, so the new one would have none either.`, 'Rotate with --source external and a CSR for a proper subject.');
      const dnsNames = current.certificate.subjectAltNames.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
      const keyBits = Math.max(2048, [2048, 3072, 4096].find((b) => b >= (current.certificate.publicKey.bits ?? 0)) ?? 4096);
      const same = sameIssuer(current.certificate, ca.certificate);
      return {
        kind: 'rotate-certificate',
        title,
        site: c.site,
        target: { connectionId: c.id, connectionName: c.name },
        changes: [
          connectionRow(`a new version, issued at apply by the CA in Key Vault`),
          ...describeRows(certResource, before, {
            subject,
            issuer: ca.certificate.subject,
            validity: `${formatDay(now)} to ${formatDay(notAfter)} (${days} days)`,
            thumbprint: 'known once issued',
            key: `RSA ${keyBits}-bit, made in Key Vault`,
            ekus: 'serverAuth, clientAuth',
          }, ''),
          deviceTrustRow(c.site, same, ca.certificate.subject),
          retireRow,
        ],
        risk: risk(same, ca.certificate.subject),
        verify,
        verifyWithinMs,
        rollback,
        ...(trustNote(same, ca.certificate) ? { notes: trustNote(same, ca.certificate)! } : {}),
        details: { ...common, subject, dnsNames: dnsNames.join(','), days: String(days), keyBits: String(keyBits), caId: ca.id, sameIssuer: String(same) },
      };
    }

    if (source === 'vault') {
      const versions = await versionsOf(ports, ref.vaultUrl, ref.name);
      const newest = versions.find((v) => v.enabled && v.thumbprint !== undefined);
      if (!newest || newest.version === current.version) {
        return { kind: 'nothing-to-change', title, site: c.site, why: `${c.name} already uses the newest enabled version of ${ref.name} (${current.version}) in Key Vault ${vaultName}: there is nothing newer to move to. Rotate with --source ca${ports.outboundRotation.caCertificateId ? '' : ' (once a CA is configured)'} or --source external for a new certificate.` };
      }
      const next = await ports.keyVault.getCertificate({ vaultUrl: ref.vaultUrl, name: ref.name, version: newest.version });
      if (next.certificate.selfIssued) {
        throw new UserError(OutboundChainCodes.ChainFault, `The newest version of ${ref.name} (${newest.version}) is self-signed: the gateway needs the certificate with its chain up to a root, and a self-signed certificate alone has none (${OutboundChainCodes.ChainFault}).`, 'Rotate with --source ca, or have an integrated CA renew it.');
      }
      const warnings = requireOutboundRules(next.certificate, now, `Version ${newest.version} of ${ref.name}`);
      const same = sameIssuerOfLeaves(current.certificate, next.certificate);
      return {
        kind: 'rotate-certificate',
        title,
        site: c.site,
        target: { connectionId: c.id, connectionName: c.name },
        changes: [connectionRow(`${ref.name} version ${newest.version} (the newest enabled one)`), ...describeRows(certResource, before, describeOutbound(next.certificate), ''), deviceTrustRow(c.site, same, next.certificate.issuer), retireRow],
        risk: risk(same, next.certificate.issuer) + (warnings.length > 0 ? ` Note: ${warnings.map((w) => w.message).join(' ')}` : ''),
        verify,
        verifyWithinMs,
        rollback,
        details: { ...common, newVersion: newest.version, newThumbprint: next.certificate.thumbprint, sameIssuer: String(same) },
      };
    }

    // merge: the signed certificate and chain for the pending external request.
    if (!pending) {
      throw new UserError('NoPendingCertificateRequest', `There is no pending certificate request for ${ref.name} in Key Vault ${vaultName} to merge into.`, `Start one with rotate ${c.site} outbound --source external, have your CA sign its CSR, then paste the certificate and chain under rotate ${c.site} outbound --merge.`);
    }
    const chain = await checkSignedForPending(pending, request.merge, now, `rotate ${c.site} outbound --merge`);
    const same = sameIssuerOfLeaves(current.certificate, chain.leaf);
    return {
      kind: 'rotate-certificate',
      title,
      site: c.site,
      target: { connectionId: c.id, connectionName: c.name },
      changes: [
        connectionRow(`${ref.name}, the pending version completed with the signed certificate`),
        ...describeRows(certResource, before, describeOutbound(chain.leaf), ''),
        { resource: certResource, field: 'chain merged', before: 'pending request', after: chain.path.map((p) => p.subject).join(' → ') },
        deviceTrustRow(c.site, same, chain.leaf.issuer),
        retireRow,
      ],
      risk: risk(same, chain.root.subject),
      verify,
      verifyWithinMs,
      rollback,
      ...(trustNote(same, chain.root) ? { notes: trustNote(same, chain.root)! } : {}),
      details: { ...common, newThumbprint: chain.leaf.thumbprint, mergeChain: chain.path.map((p) => toBase64Der(p)).join(','), sameIssuer: String(same) },
    };
  },

  async apply(plan, ports) {
    const d = detailsOf(plan);
    const source = d.source as Source;
    const vaultName = ports.keyVault.vaultName(d.vaultUrl!);
    if (source === 'external') {
      const pending = await requestExternalCertificate(ports, { vaultUrl: d.vaultUrl!, name: d.certName!, subject: d.subject!, dnsNames: d.dnsNames ? d.dnsNames.split(',') : [], tags: { [ROTATION_TAGS.rotation]: d.rotationId! } });
      return `Key Vault ${vaultName} made a new key and a certificate request for ${d.certName}. Have your CA sign this CSR (serverAuth + clientAuth), then send rotate ${plan.site} outbound --merge with the signed certificate and its chain up to the root pasted below it:\n${pending.csrPem}`;
    }

    const now = ports.now();
    const stamp = { [ROTATION_TAGS.rotation]: d.rotationId!, [ROTATION_TAGS.rotatedAt]: now.toISOString() };
    let target: KeyVaultCertificateVersion | KeyVaultCertificate | undefined = await rotatedVersion(ports, plan);
    if (!target) {
      if (source === 'ca') {
        // A pending request here can only be this change's own, left by an attempt that stopped half-way (the plan
        // refused to start while one was pending).
        if (await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!)) await ports.keyVault.cancelPendingRequest(d.vaultUrl!, d.certName!);
        target = await issueFromVaultCa(ports, {
          vaultUrl: d.vaultUrl!,
          name: d.certName!,
          subject: d.subject!,
          dnsNames: d.dnsNames ? d.dnsNames.split(',') : [],
          days: Number(d.days),
          caCertificateId: d.caId!,
          keySize: Number(d.keyBits) as 2048 | 3072 | 4096,
          tags: stamp,
        });
      } else if (source === 'merge') {
        target = await mergeSignedCertificate(ports, d.vaultUrl!, d.certName!, d.mergeChain!.split(','), d.newThumbprint!, `Start again with rotate ${plan.site} outbound --source external.`);
        await ports.keyVault.setTags({ vaultUrl: d.vaultUrl!, name: d.certName!, version: target.version }, { ...target.tags, ...stamp });
      } else {
        target = (await versionsOf(ports, d.vaultUrl!, d.certName!)).find((v) => v.version === d.newVersion);
        if (!target || !target.enabled) throw new UserError('OutboundVersionGone', `Version ${d.newVersion} of ${d.certName} is no longer enabled in Key Vault ${vaultName}; nothing was switched.`, `Plan again: rotate ${plan.site} outbound --source vault.`);
        await ports.keyVault.setTags({ vaultUrl: d.vaultUrl!, name: d.certName!, version: target.version }, { ...target.tags, ...stamp });
      }
    }
    // A rollback that ran before this (second) apply disabled it: the gateway reads only enabled versions.
    if (!target.enabled) await ports.keyVault.setEnabled({ vaultUrl: d.vaultUrl!, name: d.certName!, version: target.version }, true);
    const newId = keyVaultCertificateId({ vaultUrl: d.vaultUrl!, name: d.certName!, version: target.version });
    const connection = await ports.network.getConnection(d.connectionId!);
    if (!sameUrl(connection.certificate?.outboundCertificateUrl, newId)) {
      await ports.network.updateCertificateAuthentication(d.connectionId!, { outboundCertificateUrl: newId });
    }
    // The previous version retires after the grace period: recorded on it, carried out by the retirement sweep.
    const beforeRef: KeyVaultCertificateRef = { vaultUrl: d.vaultUrl!, name: d.certName!, version: d.beforeVersion! };
    const old = (await versionsOf(ports, d.vaultUrl!, d.certName!)).find((v) => v.version === d.beforeVersion);
    const retireAfter = new Date(now.getTime() + Number(d.graceHours) * 3_600_000);
    if (old && old.tags[ROTATION_TAGS.retireFor] !== d.rotationId) {
      await ports.keyVault.setTags(beforeRef, { ...old.tags, [ROTATION_TAGS.retireAfter]: retireAfter.toISOString(), [ROTATION_TAGS.retireFor]: d.rotationId! });
    }
    const issued = 'certificate' in target ? ` (${target.certificate.subject}, issued by ${target.certificate.issuer}, thumbprint ${target.certificate.thumbprint}, valid until ${formatDay(target.certificate.notAfter)})` : '';
    return `connection ${plan.target.connectionName} now uses ${d.certName} version ${target.version}${issued}; version ${d.beforeVersion} stays enabled until ${retireAfter.toISOString().slice(0, 16).replace('T', ' ')} UTC, then the retirement sweep disables it`;
  },

  async verify(plan, ports, since) {
    const d = detailsOf(plan);
    if (d.source === 'external') {
      const pending = await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!);
      return pending ? { ok: true, detail: `Key Vault holds the pending request for ${d.certName} and its CSR` } : { ok: false, detail: `there is no pending request for ${d.certName}` };
    }
    const [connection, version] = await Promise.all([ports.network.getConnection(d.connectionId!), rotatedVersion(ports, plan)]);
    const url = connection.certificate?.outboundCertificateUrl;
    if (!version || !sameUrl(url, keyVaultCertificateId({ vaultUrl: d.vaultUrl!, name: d.certName!, version: version.version }))) {
      return { ok: false, detail: `${plan.target.connectionName} does not use the new version (it points at ${url ? lastSegment(url) : 'nothing'})` };
    }
    if (connection.provisioningState === 'Updating') return { ok: false, notYet: true, detail: `${plan.target.connectionName} is still being updated` };
    if (connection.provisioningState !== 'Succeeded') return { ok: false, detail: `${plan.target.connectionName} is ${connection.provisioningState}` };
    const tunnels = tunnelsLine(connection.tunnels, connection.status);
    const from = negotiationsFrom(since, version);
    if (!tunnels.up) {
      // A refusal the gateway's logs already show (the device rejecting the new certificate) is final, with its
      // evidence; otherwise the tunnels may still be renegotiating (the pipeline asks again until the deadline).
      const refused = await refusalSince(ports, plan, from, connection);
      if (refused) return { ok: false, detail: `${tunnels.text} with the new certificate: ${refused}` };
      return { ok: false, notYet: true, detail: `waiting for the tunnels: ${tunnels.text} with the new certificate` };
    }
    const negotiated = await negotiationsSince(ports, plan, from);
    if (negotiated === undefined) return { ok: true, detail: `${tunnels.text} with version ${version.version} (the gateway sends no IKE logs to Log Analytics, so only the tunnel status was checked)` };
    if (negotiated === 0) return { ok: false, notYet: true, detail: `${tunnels.text}; waiting for the gateway's logs to show a negotiation with ${d.deviceIp || 'the device'} since ${from.toISOString().slice(11, 19)} UTC (Log Analytics receives them a few minutes late)` };
    return { ok: true, detail: `${tunnels.text} with version ${version.version}; the gateway logged ${negotiated} successful negotiation${negotiated === 1 ? '' : 's'} with ${d.deviceIp || 'the device'} since the switch` };
  },

  async verifyUnchanged(plan, ports) {
    const d = detailsOf(plan);
    const pending = await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!);
    if (d.source === 'external') return pending ? { ok: false, detail: `a pending request for ${d.certName} is still in Key Vault` } : { ok: true, detail: `no request is pending for ${d.certName}` };
    const [connection, versions] = await Promise.all([ports.network.getConnection(d.connectionId!), versionsOf(ports, d.vaultUrl!, d.certName!)]);
    const problems: string[] = [];
    if (!sameUrl(connection.certificate?.outboundCertificateUrl, d.beforeUrl)) problems.push(`${plan.target.connectionName} points at ${lastSegment(connection.certificate?.outboundCertificateUrl ?? 'nothing')}, not version ${d.beforeVersion}`);
    if (d.source === 'ca' && pending) problems.push(`a pending request for ${d.certName} is still in Key Vault`);
    const issued = versions.filter((v) => v.tags[ROTATION_TAGS.rotation] === d.rotationId && v.enabled && d.source !== 'vault');
    if (issued.length > 0) problems.push(`version ${issued.map((v) => v.version).join(', ')} this change issued is still enabled`);
    const old = versions.find((v) => v.version === d.beforeVersion);
    if (old && !old.enabled) problems.push(`version ${d.beforeVersion} is disabled`);
    if (old?.tags[ROTATION_TAGS.retireFor] === d.rotationId) problems.push(`version ${d.beforeVersion} is still marked for retirement`);
    if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
    const tunnels = tunnelsLine(connection.tunnels, connection.status);
    // Tunnels that were up before the change must be up again (renegotiating for now may still come).
    if (d.tunnelsBefore === 'up' && (!tunnels.up || connection.provisioningState === 'Updating')) {
      return { ok: false, notYet: true, detail: `${plan.target.connectionName} uses version ${d.beforeVersion} again; waiting for the tunnels: ${tunnels.text}` };
    }
    return { ok: true, detail: `${plan.target.connectionName} uses version ${d.beforeVersion} again, which stays enabled; ${tunnels.text}` };
  },

  async rollback(plan, ports) {
    const d = detailsOf(plan);
    if (d.source === 'external') {
      if (await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!)) await ports.keyVault.cancelPendingRequest(d.vaultUrl!, d.certName!);
      return `cancelled the pending request for ${d.certName}`;
    }
    const done: string[] = [];
    const connection = await ports.network.getConnection(d.connectionId!);
    if (!sameUrl(connection.certificate?.outboundCertificateUrl, d.beforeUrl)) {
      await ports.network.updateCertificateAuthentication(d.connectionId!, { outboundCertificateUrl: d.beforeUrl! });
      done.push(`pointed ${plan.target.connectionName} back at version ${d.beforeVersion}`);
    }
    const versions = await versionsOf(ports, d.vaultUrl!, d.certName!);
    const old = versions.find((v) => v.version === d.beforeVersion);
    if (old && old.tags[ROTATION_TAGS.retireFor] === d.rotationId) {
      const { [ROTATION_TAGS.retireAfter]: _after, [ROTATION_TAGS.retireFor]: _for, ...rest } = old.tags;
      await ports.keyVault.setTags({ vaultUrl: d.vaultUrl!, name: d.certName!, version: old.version }, rest);
      done.push(`version ${d.beforeVersion} is no longer marked for retirement`);
    }
    if (old && !old.enabled) {
      await ports.keyVault.setEnabled({ vaultUrl: d.vaultUrl!, name: d.certName!, version: old.version }, true);
      done.push(`enabled version ${d.beforeVersion} again`);
    }
    if (d.source !== 'vault') {
      for (const v of versions.filter((x) => x.tags[ROTATION_TAGS.rotation] === d.rotationId && x.enabled)) {
        await ports.keyVault.setEnabled({ vaultUrl: d.vaultUrl!, name: d.certName!, version: v.version }, false);
        done.push(`disabled the new version ${v.version}`);
      }
      if (d.source === 'ca' && (await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!))) {
        await ports.keyVault.cancelPendingRequest(d.vaultUrl!, d.certName!);
        done.push('cancelled the pending request');
      }
    }
    return done.length > 0 ? done.join('; ') : `${plan.target.connectionName} already used version ${d.beforeVersion}`;
  },
};

/** The plan's details with what is derived from them (the vault, certificate and version of the reference before). */
function detailsOf(plan: ChangePlan): Readonly<Record<string, string | undefined>> & { readonly vaultUrl: string; readonly certName: string; readonly beforeVersion: string; readonly connectionId: string; readonly tunnelWorkspace: string } {
  const d = plan.details;
  const before = parseKeyVaultCertificateId(d.beforeUrl!);
  return {
    ...d,
    vaultUrl: before.vaultUrl,
    certName: before.name,
    beforeVersion: d.beforeVersion ?? before.version ?? '',
    connectionId: plan.target.connectionId,
    tunnelWorkspace: d.tunnelWorkspace === '=' ? (d.ikeWorkspace ?? '') : (d.tunnelWorkspace ?? ''),
  };
}

function pendingError(name: string, vaultName: string): UserError {
  return new UserError('CertificateRequestPending', `Certificate ${name} already has a pending request in Key Vault ${vaultName} (an external rotation waiting for its signed certificate?).`, 'Complete it with rotate <site> outbound --merge and the signed certificate, or cancel it in Key Vault, then try again.');
}

/**
 * From when the gateway's logs are read for the new certificate's negotiations: the apply's start (the bot's clock)
 * or, when earlier, when Key Vault last wrote the new version (merged or stamped just before the switch, by Azure's
 * clock), so a bot clock ahead of Azure's never hides the negotiation.
 */
function negotiationsFrom(since: Date, version: KeyVaultCertificateVersion): Date {
  const written = version.updatedOn;
  return written && written.getTime() < since.getTime() ? written : since;
}

/**
 * Successful negotiations with the device the gateway logged since `since` (tunnel rows Connected, IKE rows of an SA
 * established), or undefined when the gateway sends no logs to Log Analytics. Rows still on their way count as none.
 */
async function negotiationsSince(ports: ActivityPorts, plan: ChangePlan, since: Date): Promise<number | undefined> {
  const d = detailsOf(plan);
  if (!d.ikeWorkspace && !d.tunnelWorkspace) return undefined;
  // Up to a quarter of an hour past either clock: Azure stamps its rows with its own.
  const query = { gatewayResourceId: d.gatewayId!, from: since, to: new Date(Math.max(ports.now().getTime(), since.getTime()) + 15 * 60_000), limit: 200, ...(d.deviceIp ? { remoteIp: d.deviceIp } : {}) };
  const [ike, tunnel] = await Promise.all([
    d.ikeWorkspace ? ports.logs.queryIkeDiagnostics(d.ikeWorkspace, query) : Promise.resolve([]),
    d.tunnelWorkspace ? ports.logs.queryTunnelDiagnostics(d.tunnelWorkspace, query) : Promise.resolve([]),
  ]);
  const established = ike
    .filter((row) => row.at.getTime() >= since.getTime())
    .map((row) => parseAzureIkeMessage({ timeGenerated: row.at, message: row.message, instance: row.instance, level: row.level }))
    .filter((e) => e.kind === 'sa-established').length;
  const connected = tunnel.filter((row) => row.at.getTime() >= since.getTime() && /^(tunnel)?connected$/i.test(row.status || row.operationName || '')).length;
  return established + connected;
}

/**
 * What the gateway's logs since `from` say refused the negotiation, as diagnose would put it (headline and the deciding
 * evidence), when the diagnosis is certain; undefined when the logs show no refusal (yet) or the gateway sends none.
 */
async function refusalSince(ports: ActivityPorts, plan: ChangePlan, from: Date, connection: ConnectionDetails): Promise<string | undefined> {
  const d = detailsOf(plan);
  if (!d.ikeWorkspace) return undefined;
  const query = { gatewayResourceId: d.gatewayId!, from, to: new Date(Math.max(ports.now().getTime(), from.getTime()) + 15 * 60_000), limit: 500, ...(d.deviceIp ? { remoteIp: d.deviceIp } : {}) };
  const rows = (await ports.logs.queryIkeDiagnostics(d.ikeWorkspace, query)).filter((row) => row.at.getTime() >= from.getTime());
  if (rows.length === 0) return undefined;
  const diagnosis = diagnose({
    azure: rows.map((row) => parseAzureIkeMessage({ timeGenerated: row.at, message: row.message, instance: row.instance, level: row.level })),
    tunnels: [],
    connection: {
      status: connection.status,
      tunnels: connection.tunnels.map((t) => ({ name: t.name, status: t.status, ingressBytes: t.ingressBytes, egressBytes: t.egressBytes })),
      authenticationType: connection.authenticationType,
      ...(d.deviceIp ? { deviceIp: d.deviceIp } : {}),
    },
    now: ports.now(),
  });
  // The device refusing the gateway right after the certificate changed is its answer to that certificate (Azure's log
  // cannot say why, so diagnose is only medium sure in general; here the switch is the why).
  const rejectedNow = diagnosis.cause === 'outbound-rejected-by-device';
  if ((diagnosis.confidence !== 'high' && !rejectedNow) || diagnosis.cause === 'unknown' || diagnosis.cause === 'healthy') return undefined;
  const why = rejectedNow ? (d.sameIssuer === 'false' ? ' The new certificate comes from an issuer the device does not trust yet (the plan asked for it to be installed first).' : ' The device refuses the new certificate.') : '';
  const evidence = diagnosis.evidence.slice(0, 1).map((e) => `[Azure${e.instance ? ` ${e.instance.replace('GatewayTenantWorker_', '')}` : ''}${e.time ? ` ${e.time.slice(11, 19)}` : ''}] ${e.text.slice(0, 120)}`);
  return `${diagnosis.headline}${why}${evidence.length > 0 ? ` Evidence: ${evidence.join(' ')}` : ''}`.slice(0, 420);
}

/** For tests and the retirement sweep: a version's certificate as DER (the merged chain is kept as base64 DERs). */
export function mergeChainOf(plan: ChangePlan): CertificateInfo[] {
  return (plan.details.mergeChain ?? '').split(',').filter(Boolean).map((b64) => parseDer(new Uint8Array(Buffer.from(b64, 'base64'))));
}
