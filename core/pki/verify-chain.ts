import type { CertificateInfo } from './certificate-info';
import { isIssuedBy, label, quoteName, uniqueByThumbprint } from './chain-links';
import { formatDay, isExpired, isNotYetValid } from './days-until-expiry';
import { dnKey } from './distinguished-name';
import { nodeCertificateOf } from './parse-certificate';

export type ChainVerification =
  | { readonly ok: true; readonly path: CertificateInfo[] }
  | { readonly ok: false; readonly reason: 'untrusted' | 'expired' | 'not-yet-valid' | 'bad-signature'; readonly detail: string };

/** Longer paths than this are not VPN chains (Azure keeps 5 certificates); it also bounds the search. */
const MAX_PATH_LENGTH = 8;

/**
 * Builds the path leaf -> intermediates -> a trusted certificate, checking each signature with the issuer's
 * public key (OpenSSL, through node:crypto) and every certificate's validity at `now` — what an IKE peer does with
 * the certificate it receives. `chain` holds untrusted helpers (intermediates the peer sent); `trusted` holds the
 * anchors (for Azure's inbound side: the configured `inboundAuthCertificateChain`).
 *
 * A trusted certificate ends the path even when it is an intermediate, as IKE implementations treat configured CA
 * certificates. Issuing certificates must be CAs.
 */
export async function verifyChain(leaf: CertificateInfo, chain: readonly CertificateInfo[], trusted: readonly CertificateInfo[], now: Date): Promise<ChainVerification> {
  const trustedPrints = new Set(trusted.map((c) => c.thumbprint));
  const pool = uniqueByThumbprint([...trusted, ...chain]);
  const problems: { badSignature?: string; notCa?: string; untrustedRoot?: string } = {};

  const search = (path: CertificateInfo[]): CertificateInfo[] | undefined => {
    const current = path[path.length - 1] as CertificateInfo;
    if (trustedPrints.has(current.thumbprint)) return path;
    if (path.length >= MAX_PATH_LENGTH || current.selfIssued) {
      if (current.selfIssued && path.length > 1) problems.untrustedRoot ??= `${label(current)} is a root that is not in the trusted chain.`;
      return undefined;
    }
    // By name, key-identifier matches first: a same-name certificate with another key is still tried, so its
    // signature failure can be reported as such ("the CA was re-keyed") rather than as a plain missing issuer.
    const candidates = pool
      .filter((c) => !path.some((p) => p.thumbprint === c.thumbprint) && dnKey(current.issuer) === dnKey(c.subject))
      .sort((a, b) => Number(isIssuedBy(current, b)) - Number(isIssuedBy(current, a)));
    for (const issuer of candidates) {
      if (!signatureVerifies(current, issuer)) {
        problems.badSignature ??= `The signature on ${label(current)} does not verify with the public key of ${label(issuer)}: a certificate with the issuer's name but a different key.`;
        continue;
      }
      if (!issuer.isCa) {
        problems.notCa ??= `${label(issuer)} signed ${label(current)} but is not a CA certificate.`;
        continue;
      }
      const found = search([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };

  const path = search([leaf]);
  if (!path) {
    if (problems.badSignature) return { ok: false, reason: 'bad-signature', detail: problems.badSignature };
    const stuck = lastOfIssuers(leaf, pool);
    const detail =
      problems.notCa ??
      problems.untrustedRoot ??
      `No trusted certificate issued ${label(stuck)} (its issuer is ${quoteName(stuck.issuer)}). The trusted chain holds: ${trusted.length > 0 ? trusted.map(label).join(', ') : 'nothing'}.`;
    return { ok: false, reason: 'untrusted', detail };
  }
  for (const cert of path) {
    if (isExpired(cert, now)) return { ok: false, reason: 'expired', detail: `${label(cert)} expired on ${formatDay(cert.notAfter)}.` };
    if (isNotYetValid(cert, now)) return { ok: false, reason: 'not-yet-valid', detail: `${label(cert)} is not valid until ${formatDay(cert.notBefore)}.` };
  }
  return { ok: true, path };
}

/** The certificate where the name linkage stops: the one whose issuer is missing. */
function lastOfIssuers(leaf: CertificateInfo, pool: readonly CertificateInfo[]): CertificateInfo {
  let current = leaf;
  const seen = new Set([leaf.thumbprint]);
  for (;;) {
    const next = pool.find((c) => !seen.has(c.thumbprint) && isIssuedBy(current, c));
    if (!next) return current;
    seen.add(next.thumbprint);
    current = next;
  }
}

/** Real signature check of `cert` with `issuer`'s public key; false for any key/algorithm OpenSSL cannot verify. */
export function signatureVerifies(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  try {
    return nodeCertificateOf(cert).verify(nodeCertificateOf(issuer).publicKey);
  } catch {
    return false;
  }
}
