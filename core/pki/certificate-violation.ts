/**
 * One way a certificate (or the inbound chain) breaks a rule.
 *
 * `code` is Azure's own error code where Azure documents one (troubleshoot-digital-certificate-authentication,
 * see `CertificateCodes`), so what the bot says matches what Azure would answer; our own codes cover checks that
 * Azure only fails at tunnel time (not yet valid, expiring soon, chain order).
 */
export interface CertificateViolation {
  readonly code: string;
  /** Safe to show a person: says what is wrong and what to fix. Never contains input text other than names parsed from certificates. */
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** Position in the chain the rule was checked on (0 = first as given), when the violation is about one certificate of it. */
  readonly index?: number;
  /** Subject of the certificate the violation is about. */
  readonly subject?: string;
}

export const CertificateCodes = {
  // Azure's codes (Network resource provider, site-to-site certificate authentication).
  OutboundExpired: 'VpnConnectionOutBoundAuthenticationCertificateIsExpired',
  OutboundNoRsaPrivateKey: 'VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey',
  OutboundRsaKeyLength: 'VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength',
  OutboundClientAndServerAuth: 'VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth',
  InboundChainEmpty: 'InboundAuthCertificateChainIsEmpty',
  /** Azure's code for more than 5 root + intermediate certificates in the inbound chain. */
  InboundChainTooLong: 'MaxRootCertificatePublicKeySupported',
  InboundRootExpired: 'VpnConnectionAuthenticationRootCertificateIsExpired',
  InboundNoRoot: 'VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert',
  InboundNotSingleChain: 'VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts',
  InboundDuplicate: 'VpnConnectionAuthenticationDuplicateRootCertificate',
  InboundPrivateKey: 'VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey',
  InboundSubjectNameEmpty: 'CertificateSubjectNameIsEmpty',
  // Ours: Azure documents no code for these.
  InvalidCertificate: 'InvalidCertificate',
  OutboundNotYetValid: 'OutboundCertificateNotYetValid',
  OutboundSubjectEmpty: 'OutboundCertificateSubjectIsEmpty',
  OutboundExpiresSoon: 'OutboundCertificateExpiresSoon',
  InboundCertificateExpired: 'InboundChainCertificateIsExpired',
  InboundNotYetValid: 'InboundChainCertificateNotYetValid',
  InboundExpiresSoon: 'InboundChainCertificateExpiresSoon',
  InboundOrder: 'InboundChainOrder',
  InboundNotCa: 'InboundChainCertificateIsNotCa',
  InboundSingleCertificate: 'InboundChainHasOneCertificate',
  InboundWeakKey: 'InboundChainWeakKey',
} as const;

/** Azure accepts at most this many root + intermediate certificates in `inboundAuthCertificateChain`. */
export const MAX_INBOUND_CHAIN_LENGTH = 5;
/** Azure's minimum RSA key length for the outbound certificate. */
export const MIN_RSA_BITS = 2048;
/** Key Vault raises CertificateNearExpiry this many days before expiry; the bot warns from the same point. */
export const EXPIRY_WARNING_DAYS = 30;

/** Errors first, then warnings, each group in the order found. */
export function sortViolations(violations: CertificateViolation[]): CertificateViolation[] {
  return [...violations.filter((v) => v.severity === 'error'), ...violations.filter((v) => v.severity === 'warning')];
}

export function hasErrors(violations: readonly CertificateViolation[]): boolean {
  return violations.some((v) => v.severity === 'error');
}
