import type { CertificateSummary } from '../pki/describe-certificate';

/** Warn this many days before any certificate of a connection expires (Key Vault's near-expiry event uses 30 too). */
export const EXPIRY_WARNING_DAYS = 30;

export type ConnectionState = 'Unknown' | 'Connecting' | 'Connected' | 'NotConnected';

export interface TunnelView {
  /** Gateway instance / tunnel name as Azure reports it. */
  readonly name: string;
  readonly gatewayIp?: string;
  readonly status: ConnectionState;
  readonly lastConnectedAt?: string;
  readonly ingressBytes: number;
  readonly egressBytes: number;
}

export interface StatusWarning {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** Safe, bot-authored (names inside come from Azure resources or certificates). */
  readonly text: string;
}

export interface OutboundCertificateView {
  readonly vaultName: string;
  readonly certificateName: string;
  readonly version: string;
  /** Whether the connection references the newest enabled version in Key Vault. */
  readonly usesLatestEnabledVersion?: boolean;
  readonly latestEnabledVersion?: string;
  readonly certificate?: CertificateSummary;
  /** Why the certificate could not be read or used, when it could not. */
  readonly problem?: string;
}

/** Everything `status <site>` shows; JSON-safe (it crosses durable boundaries). */
export interface SiteStatus {
  readonly site: string;
  readonly connectionName: string;
  readonly connectionId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly gatewayName: string;
  readonly activeActive: boolean;
  readonly status: ConnectionState;
  readonly authenticationType: string;
  readonly tunnels: readonly TunnelView[];
  readonly ingressBytes: number;
  readonly egressBytes: number;
  readonly device: { readonly ip?: string; readonly fqdn?: string; readonly prefixes: readonly string[] };
  readonly outbound?: OutboundCertificateView;
  readonly inbound: { readonly subjectName?: string; readonly chain: readonly CertificateSummary[] };
  readonly warnings: readonly StatusWarning[];
  readonly checkedAt: string;
}

/** Orders warnings: errors first, each group in the order found (stable, so cards don't reshuffle). */
export function sortWarnings(warnings: StatusWarning[]): StatusWarning[] {
  return warnings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
