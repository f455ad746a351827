import { EKU, type CertificateInfo } from './certificate-info';
import { CertificateCodes, EXPIRY_WARNING_DAYS, MIN_RSA_BITS, sortViolations, type CertificateViolation } from './certificate-violation';
import { daysUntilExpiry, formatDay, isExpired, isNotYetValid } from './days-until-expiry';

export interface OutboundCheckOptions {
  /** Whether the certificate comes with its private key (Key Vault: exportable key present). Unknown: not checked. */
  readonly hasPrivateKey?: boolean;
  /** Warn this many days before expiry (default 30, when Key Vault raises CertificateNearExpiry). */
  readonly expiryWarningDays?: number;
}

/**
 * Azure's rules for the outbound certificate (the one the gateway reads from Key Vault and presents to the device):
 * RSA with at least 2048 bits and its private key, Extended Key Usage with both serverAuth and clientAuth, a
 * subject, and valid now. Errors first; an empty list means Azure would accept it.
 */
export function checkOutboundCertificate(cert: CertificateInfo, now: Date, opts: OutboundCheckOptions = {}): CertificateViolation[] {
  const v: CertificateViolation[] = [];
  const about = { subject: cert.subject };
  const key = cert.publicKey;
  if (key.algorithm !== 'RSA') {
    v.push({
      ...about,
      code: CertificateCodes.OutboundNoRsaPrivateKey,
      severity: 'error',
      message: `The outbound certificate has a ${describeKey(key)} key; Azure needs an RSA key of at least ${MIN_RSA_BITS} bits. Issue a new certificate with an RSA key.`,
    });
  } else if (key.bits === undefined || key.bits < MIN_RSA_BITS) {
    v.push({
      ...about,
      code: CertificateCodes.OutboundRsaKeyLength,
      severity: 'error',
      message: `The outbound certificate's RSA key is ${key.bits ?? 'of unknown'} bits; Azure needs at least ${MIN_RSA_BITS}. Issue a new certificate with a ${MIN_RSA_BITS}-bit (or longer) key.`,
    });
  }
  if (opts.hasPrivateKey === false && key.algorithm === 'RSA') {
    v.push({
      ...about,
      code: CertificateCodes.OutboundNoRsaPrivateKey,
      severity: 'error',
      message: 'Key Vault holds the outbound certificate without its private key. Import it as a .pfx (or PEM) that includes the key, with an exportable key policy.',
    });
  }
  const ekus = new Set(cert.extendedKeyUsages);
  const missing = [ekus.has(EKU.serverAuth) ? undefined : 'Server Authentication', ekus.has(EKU.clientAuth) ? undefined : 'Client Authentication'].filter((x) => x !== undefined);
  if (missing.length > 0) {
    v.push({
      ...about,
      code: CertificateCodes.OutboundClientAndServerAuth,
      severity: 'error',
      message: `The outbound certificate's Enhanced Key Usage lacks ${missing.join(' and ')}; Azure needs both (1.3.6.1.5.5.7.3.1 and 1.3.6.1.5.5.7.3.2). Issue it again with both usages.`,
    });
  }
  if (cert.subject.trim() === '') {
    v.push({
      ...about,
      code: CertificateCodes.OutboundSubjectEmpty,
      severity: 'error',
      message: 'The outbound certificate has an empty subject; Azure needs a subject name (for example CN=vpn-azure.contoso.com).',
    });
  }
  if (isExpired(cert, now)) {
    v.push({
      ...about,
      code: CertificateCodes.OutboundExpired,
      severity: 'error',
      message: `The outbound certificate expired on ${formatDay(cert.notAfter)}. Add a new certificate version in Key Vault and point the connection at it.`,
    });
  } else if (isNotYetValid(cert, now)) {
    v.push({
      ...about,
      code: CertificateCodes.OutboundNotYetValid,
      severity: 'error',
      message: `The outbound certificate is not valid until ${formatDay(cert.notBefore)}; the device will reject it before then.`,
    });
  } else {
    const days = daysUntilExpiry(cert, now);
    const warnDays = opts.expiryWarningDays ?? EXPIRY_WARNING_DAYS;
    if (days < warnDays) {
      v.push({
        ...about,
        code: CertificateCodes.OutboundExpiresSoon,
        severity: 'warning',
        message: `The outbound certificate expires on ${formatDay(cert.notAfter)} (in ${days} ${days === 1 ? 'day' : 'days'}). Rotate it before then.`,
      });
    }
  }
  return sortViolations(v);
}

export function describeKey(key: CertificateInfo['publicKey']): string {
  if (key.curve) return `${key.algorithm} ${key.curve}`;
  return key.bits ? `${key.algorithm} ${key.bits}-bit` : key.algorithm;
}
