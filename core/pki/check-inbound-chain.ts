import type { CertificateInfo } from './certificate-info';
import { isIssuedBy, label, orderInboundChain, uniqueByThumbprint } from './chain-links';
import { CertificateCodes, EXPIRY_WARNING_DAYS, MAX_INBOUND_CHAIN_LENGTH, MIN_RSA_BITS, sortViolations, type CertificateViolation } from './certificate-violation';
import { daysUntilExpiry, formatDay, isExpired, isNotYetValid } from './days-until-expiry';

export interface InboundCheckOptions {
  /** Warn this many days before a certificate of the chain expires (default 30). */
  readonly expiryWarningDays?: number;
}

/**
 * Azure's rules for `inboundAuthCertificateChain` (the public root and intermediates that validate the device's
 * certificate): not empty, at most 5, one single chain with its root, no duplicates, every issuing certificate a CA,
 * nothing expired. Order (root first, then each one issued by the previous) is a warning: the portal asks for it,
 * and `orderInboundChain` gives the fixed order. Errors first.
 *
 * A last certificate that is not a CA but is issued by the one before is accepted: the portal's instructions have
 * people paste the device's own certificate after its CA.
 */
export function checkInboundChain(chain: readonly CertificateInfo[], now: Date, opts: InboundCheckOptions = {}): CertificateViolation[] {
  if (chain.length === 0) {
    return [
      {
        code: CertificateCodes.InboundChainEmpty,
        severity: 'error',
        message: "The inbound certificate chain is empty. Add the root certificate (and any intermediates) that issued the device's certificate.",
      },
    ];
  }
  const v: CertificateViolation[] = [];
  if (chain.length > MAX_INBOUND_CHAIN_LENGTH) {
    v.push({
      code: CertificateCodes.InboundChainTooLong,
      severity: 'error',
      message: `The inbound chain has ${chain.length} certificates; Azure accepts at most ${MAX_INBOUND_CHAIN_LENGTH} (root and intermediates). Remove the certificates the device's certificate does not chain through.`,
    });
  }
  chain.forEach((cert, index) => {
    const first = chain.findIndex((c) => c.thumbprint === cert.thumbprint);
    if (first !== index) {
      v.push({ index, subject: cert.subject, code: CertificateCodes.InboundDuplicate, severity: 'error', message: `Certificate ${index + 1} (${label(cert)}) is a duplicate of certificate ${first + 1}. Remove one of them.` });
    }
  });

  const unique = uniqueByThumbprint(chain);
  const indexOf = (cert: CertificateInfo): number => chain.indexOf(cert);
  const roots = unique.filter((c) => c.selfIssued);
  const issuerOf = (cert: CertificateInfo): CertificateInfo | undefined => unique.find((o) => o !== cert && isIssuedBy(cert, o));
  const children = (cert: CertificateInfo): CertificateInfo[] => unique.filter((o) => o !== cert && !o.selfIssued && isIssuedBy(o, cert));

  if (roots.length === 0) {
    v.push({
      code: CertificateCodes.InboundNoRoot,
      severity: 'error',
      message: `The inbound chain has no root certificate (one whose issuer is itself). Add the root CA that issued ${label(chain[0] as CertificateInfo)}${unique.length > 1 ? ' and the others' : ''}, as the first certificate.`,
    });
  } else {
    const orphans = unique.filter((c) => !c.selfIssued && issuerOf(c) === undefined);
    const branching = unique.filter((c) => children(c).length > 1);
    if (roots.length > 1 || orphans.length > 0 || branching.length > 0) {
      const why =
        roots.length > 1
          ? `it has ${roots.length} roots (${roots.map(label).join(', ')})`
          : orphans.length > 0
            ? `nothing in it issued ${orphans.map(label).join(', ')}`
            : `${label(branching[0] as CertificateInfo)} issued more than one of the others`;
      v.push({
        code: CertificateCodes.InboundNotSingleChain,
        severity: 'error',
        message: `The inbound certificates do not form one single chain: ${why}. Keep only the root and the intermediates that issued the device's certificate.`,
      });
    }
  }

  for (const cert of unique) {
    const issued = children(cert);
    if (!cert.isCa && issued.length > 0) {
      v.push({
        index: indexOf(cert),
        subject: cert.subject,
        code: CertificateCodes.InboundNotCa,
        severity: 'error',
        message: `${label(cert)} issues ${label(issued[0] as CertificateInfo)} but is not a CA certificate (Basic Constraints CA=true is missing), so it cannot validate it.`,
      });
    } else if (!cert.isCa && cert.selfIssued) {
      v.push({
        index: indexOf(cert),
        subject: cert.subject,
        code: CertificateCodes.InboundNotCa,
        severity: 'error',
        message: `The root ${label(cert)} is not a CA certificate (Basic Constraints CA=true is missing), so it cannot validate the device's certificate.`,
      });
    }
  }

  const ordered = orderInboundChain(chain);
  if (ordered && ordered.some((c, i) => unique[i] !== c)) {
    v.push({
      code: CertificateCodes.InboundOrder,
      severity: 'warning',
      message: `The inbound chain is out of order. Put the root first, then each certificate after the one that issued it: ${ordered.map(label).join(' -> ')}.`,
    });
  }

  const warnDays = opts.expiryWarningDays ?? EXPIRY_WARNING_DAYS;
  for (const cert of unique) {
    const index = indexOf(cert);
    const about = { index, subject: cert.subject };
    const role = cert.selfIssued ? 'root' : cert.isCa ? 'intermediate' : 'certificate';
    if (isExpired(cert, now)) {
      v.push({
        ...about,
        code: cert.selfIssued ? CertificateCodes.InboundRootExpired : CertificateCodes.InboundCertificateExpired,
        severity: 'error',
        message: `The inbound ${role} ${label(cert)} expired on ${formatDay(cert.notAfter)}. Replace it with the CA's current certificate.`,
      });
    } else if (isNotYetValid(cert, now)) {
      v.push({ ...about, code: CertificateCodes.InboundNotYetValid, severity: 'error', message: `The inbound ${role} ${label(cert)} is not valid until ${formatDay(cert.notBefore)}.` });
    } else if (daysUntilExpiry(cert, now) < warnDays) {
      const days = daysUntilExpiry(cert, now);
      v.push({ ...about, code: CertificateCodes.InboundExpiresSoon, severity: 'warning', message: `The inbound ${role} ${label(cert)} expires on ${formatDay(cert.notAfter)} (in ${days} ${days === 1 ? 'day' : 'days'}).` });
    }
    if ((cert.publicKey.algorithm === 'RSA' || cert.publicKey.algorithm === 'RSA-PSS') && cert.publicKey.bits !== undefined && cert.publicKey.bits < MIN_RSA_BITS) {
      v.push({ ...about, code: CertificateCodes.InboundWeakKey, severity: 'warning', message: `The inbound ${role} ${label(cert)} has a ${cert.publicKey.bits}-bit RSA key; use ${MIN_RSA_BITS} bits or more.` });
    }
  }

  if (chain.length === 1 && v.every((x) => x.severity !== 'error')) {
    v.push({
      code: CertificateCodes.InboundSingleCertificate,
      severity: 'warning',
      message: 'The inbound chain has one certificate. The Azure portal guidance is to always give at least two (the root, then the intermediate or the inbound certificate).',
    });
  }
  return sortViolations(v);
}
