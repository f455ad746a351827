import { EKU, type CertificateInfo } from './certificate-info';
import { EXPIRY_WARNING_DAYS } from './certificate-violation';
import { describeKey } from './check-outbound-certificate';
import { daysUntilExpiry, isExpired, isNotYetValid } from './days-until-expiry';

export type ExpiryState = 'valid' | 'expiring-soon' | 'expired' | 'not-yet-valid';

/** What status cards and reports show about a certificate. JSON-safe: can cross durable boundaries as is. */
export interface CertificateSummary {
  readonly subject: string;
  readonly commonName?: string;
  readonly issuer: string;
  readonly thumbprint: string;
  readonly serialNumber: string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly daysUntilExpiry: number;
  readonly state: ExpiryState;
  /** e.g. `RSA 2048-bit`. */
  readonly key: string;
  /** Names where known (`serverAuth`), dotted OIDs otherwise. */
  readonly extendedKeyUsages: string[];
  readonly isCa: boolean;
  readonly selfIssued: boolean;
}

const EKU_NAMES: Record<string, string> = Object.fromEntries(Object.entries(EKU).map(([name, oid]) => [oid, name]));

export function expiryState(cert: Pick<CertificateInfo, 'notBefore' | 'notAfter'>, now: Date, expiryWarningDays = EXPIRY_WARNING_DAYS): ExpiryState {
  if (isExpired(cert, now)) return 'expired';
  if (isNotYetValid(cert, now)) return 'not-yet-valid';
  return daysUntilExpiry(cert, now) < expiryWarningDays ? 'expiring-soon' : 'valid';
}

export function describeCertificate(cert: CertificateInfo, now: Date, opts: { expiryWarningDays?: number } = {}): CertificateSummary {
  return {
    subject: cert.subject,
    ...(cert.subjectCommonName !== undefined ? { commonName: cert.subjectCommonName } : {}),
    issuer: cert.issuer,
    thumbprint: cert.thumbprint,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysUntilExpiry: daysUntilExpiry(cert, now),
    state: expiryState(cert, now, opts.expiryWarningDays),
    key: describeKey(cert.publicKey),
    extendedKeyUsages: cert.extendedKeyUsages.map((oid) => EKU_NAMES[oid] ?? oid),
    isCa: cert.isCa,
    selfIssued: cert.selfIssued,
  };
}
