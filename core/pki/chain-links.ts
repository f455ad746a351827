import type { CertificateInfo } from './certificate-info';
import { dnKey } from './distinguished-name';

/**
 * Name (and key identifier, when both certificates carry one) linkage: `issuer` could have issued `child`.
 * Signatures are checked separately (`verifyChain`); Azure's configuration checks are by name like this.
 */
export function isIssuedBy(child: CertificateInfo, issuer: CertificateInfo): boolean {
  if (dnKey(child.issuer) !== dnKey(issuer.subject)) return false;
  if (child.authorityKeyIdentifier && issuer.subjectKeyIdentifier) return child.authorityKeyIdentifier === issuer.subjectKeyIdentifier;
  return true;
}

/** A certificate's name for messages: its subject, shortened so a hostile subject cannot flood a card. */
export function label(cert: CertificateInfo): string {
  return cert.subject === '' ? `(empty subject, thumbprint ${cert.thumbprint})` : quoteName(cert.subject);
}

export function quoteName(name: string): string {
  return name.length > 120 ? `'${name.slice(0, 117)}...'` : `'${name}'`;
}

export function uniqueByThumbprint(certs: readonly CertificateInfo[]): CertificateInfo[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.thumbprint) ? false : (seen.add(c.thumbprint), true)));
}

/**
 * The chain in the order Azure wants (root first, then each certificate issued by the one before), or undefined
 * when the certificates do not form one single chain (no root, several roots, a gap, or a branch).
 */
export function orderInboundChain(chain: readonly CertificateInfo[]): CertificateInfo[] | undefined {
  const unique = uniqueByThumbprint(chain);
  const roots = unique.filter((c) => c.selfIssued);
  if (roots.length !== 1) return undefined;
  const ordered = [roots[0] as CertificateInfo];
  let remaining = unique.filter((c) => c !== roots[0]);
  while (remaining.length > 0) {
    const last = ordered[ordered.length - 1] as CertificateInfo;
    const next = remaining.filter((c) => isIssuedBy(c, last));
    if (next.length !== 1) return undefined;
    ordered.push(next[0] as CertificateInfo);
    remaining = remaining.filter((c) => c !== next[0]);
  }
  return ordered;
}
