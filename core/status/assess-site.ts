import type { CertificateInfo } from '../pki/certificate-info';
import type { CertificateViolation } from '../pki/certificate-violation';
import { checkInboundChain } from '../pki/check-inbound-chain';
import { checkOutboundCertificate } from '../pki/check-outbound-certificate';
import { describeCertificate } from '../pki/describe-certificate';
import type { SiteStatus, StatusWarning } from './site-status';
import { EXPIRY_WARNING_DAYS, sortWarnings } from './site-status';

/** What the activity gathered from Azure for one site, with certificates already parsed. */
export interface SiteFacts
  extends Pick<
    SiteStatus,
    'site' | 'connectionName' | 'connectionId' | 'subscriptionId' | 'resourceGroup' | 'gatewayName' | 'activeActive' | 'status' | 'authenticationType' | 'tunnels' | 'ingressBytes' | 'egressBytes' | 'device'
  > {
  readonly outbound?: {
    readonly vaultName: string;
    readonly certificateName: string;
    readonly version: string;
    readonly latestEnabledVersion?: string;
    readonly certificate?: CertificateInfo;
    readonly hasPrivateKey?: boolean;
    readonly problem?: string;
  };
  readonly inbound: { readonly subjectName?: string; readonly chain: readonly CertificateInfo[]; readonly unparseable?: number };
}

/**
 * Judges one site: tunnel state, Azure's certificate rules on both directions, expiry within 30 days, whether the
 * connection still points at an older Key Vault version. Pure: the same facts give the same card.
 */
export function assessSite(facts: SiteFacts, now: Date): SiteStatus {
  const warnings: StatusWarning[] = [];
  const up = facts.tunnels.filter((t) => t.status === 'Connected').length;

  if (facts.status !== 'Connected') {
    warnings.push({
      code: 'TunnelDown',
      severity: 'error',
      text: `The connection is ${facts.status}: no tunnel is up. Run "diagnose ${facts.site}" to see why.`,
    });
  } else if (facts.activeActive && facts.tunnels.length >= 2 && up < facts.tunnels.length) {
    warnings.push({
      code: 'OneTunnelUp',
      severity: 'warning',
      text: `Only ${up} of ${facts.tunnels.length} tunnels is up: the active-active gateway has no redundancy for this site. Check the device's tunnel to the other gateway instance.`,
    });
  }
  if (facts.authenticationType !== 'Certificate') {
    warnings.push({ code: 'CertificateAuthNotUsed', severity: 'warning', text: `This connection authenticates with ${facts.authenticationType || 'a pre-shared key'}, not certificates.` });
  }

  let outbound: SiteStatus['outbound'];
  if (facts.outbound) {
    const o = facts.outbound;
    const usesLatest = o.latestEnabledVersion === undefined ? undefined : o.latestEnabledVersion === o.version;
    outbound = {
      vaultName: o.vaultName,
      certificateName: o.certificateName,
      version: o.version,
      ...(usesLatest !== undefined ? { usesLatestEnabledVersion: usesLatest } : {}),
      ...(o.latestEnabledVersion ? { latestEnabledVersion: o.latestEnabledVersion } : {}),
      ...(o.certificate ? { certificate: describeCertificate(o.certificate, now, { expiryWarningDays: EXPIRY_WARNING_DAYS }) } : {}),
      ...(o.problem ? { problem: o.problem } : {}),
    };
    if (o.problem) warnings.push({ code: 'OutboundCertificateUnreadable', severity: 'error', text: o.problem });
    if (o.certificate) {
      const opts = o.hasPrivateKey === undefined ? { expiryWarningDays: EXPIRY_WARNING_DAYS } : { hasPrivateKey: o.hasPrivateKey, expiryWarningDays: EXPIRY_WARNING_DAYS };
      warnings.push(...checkOutboundCertificate(o.certificate, now, opts).map((v) => fromViolation(v, 'Outbound certificate')));
    }
    if (usesLatest === false) {
      warnings.push({
        code: 'OutboundNotLatestVersion',
        severity: 'warning',
        text: `Key Vault has a newer enabled version of ${o.certificateName} (${short(o.latestEnabledVersion!)}); the connection still uses ${short(o.version)}.`,
      });
    }
  } else if (facts.authenticationType === 'Certificate') {
    warnings.push({ code: 'OutboundAuthCertificateIsEmpty', severity: 'error', text: 'The connection names no outbound certificate.' });
  }

  if (facts.authenticationType === 'Certificate') {
    if (!facts.inbound.subjectName) {
      warnings.push({ code: 'CertificateSubjectNameIsEmpty', severity: 'error', text: "The connection has no inbound certificate subject name, so Azure can't match the device's certificate." });
    }
    if (facts.inbound.unparseable) {
      warnings.push({ code: 'InvalidCertificate', severity: 'error', text: `${facts.inbound.unparseable} certificate(s) of the inbound chain could not be read.` });
    }
    warnings.push(...checkInboundChain(facts.inbound.chain, now, { expiryWarningDays: EXPIRY_WARNING_DAYS }).map((v) => fromViolation(v, 'Inbound chain')));
  }

  return {
    site: facts.site,
    connectionName: facts.connectionName,
    connectionId: facts.connectionId,
    subscriptionId: facts.subscriptionId,
    resourceGroup: facts.resourceGroup,
    gatewayName: facts.gatewayName,
    activeActive: facts.activeActive,
    status: facts.status,
    authenticationType: facts.authenticationType,
    tunnels: facts.tunnels,
    ingressBytes: facts.ingressBytes,
    egressBytes: facts.egressBytes,
    device: facts.device,
    ...(outbound ? { outbound } : {}),
    inbound: {
      ...(facts.inbound.subjectName ? { subjectName: facts.inbound.subjectName } : {}),
      chain: facts.inbound.chain.map((c) => describeCertificate(c, now, { expiryWarningDays: EXPIRY_WARNING_DAYS })),
    },
    warnings: sortWarnings(dedupe(warnings)),
    checkedAt: now.toISOString(),
  };
}

function fromViolation(v: CertificateViolation, prefix: string): StatusWarning {
  return { code: v.code, severity: v.severity, text: `${prefix}: ${v.message}` };
}

function dedupe(warnings: StatusWarning[]): StatusWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.code}|${w.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function short(version: string): string {
  return version.length > 12 ? `${version.slice(0, 8)}…` : version;
}
