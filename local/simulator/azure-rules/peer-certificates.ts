import { parseNameText, sameValue } from '../x509/names';
import { commonNames, isValidAt, issuedBy, type SimCertificate } from '../x509/sim-certificate';

/**
 * How the simulated gateway compares the device's certificate with `inboundAuthCertificateSubjectName`. Microsoft's
 * pages disagree on the form (the REST example writes `CN=...`, the portal steps say to leave `CN=` out) and document
 * no rule; the simulator's choice (see `../README.md`, unverified): a bare name and a single `CN=<name>` both compare
 * with the certificate's common name; a longer distinguished name compares with the whole subject, most specific
 * first as Windows writes it. Values compare case-insensitively.
 */
export function inboundSubjectMatches(cert: SimCertificate, configured: string): boolean {
  const text = configured.trim();
  if (text === '') return false;
  const parsed = parseNameText(text);
  if (!parsed) return commonNames(cert).some((cn) => sameValue(cn, text));
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (only?.type === 'CN') return commonNames(cert).some((cn) => sameValue(cn, only.value));
  const subject = cert.subjectAttributes;
  return subject.length === parsed.length && subject.every((a, i) => a.type === parsed[i]?.type && sameValue(a.value, parsed[i].value));
}

export type PeerValidation = 'trusted' | 'untrusted' | 'expired' | 'not-yet-valid';

/**
 * An IKE peer validating the certificate it received: a path from the leaf through the certificates the peer sent to
 * one it trusts, every link a real signature by a CA certificate, every certificate of the path valid at `at`. A
 * trusted certificate ends the path, also when it is an intermediate (as IKE implementations use configured CAs), and
 * the leaf itself may be trusted directly.
 */
export function validatePeerCertificate(leaf: SimCertificate, sent: readonly SimCertificate[], trusted: readonly SimCertificate[], at: Date): PeerValidation {
  const anchors = new Set(trusted.map((c) => c.thumbprint));
  const pool = [...trusted, ...sent];
  const search = (path: SimCertificate[]): SimCertificate[] | undefined => {
    const current = path[path.length - 1] as SimCertificate;
    if (anchors.has(current.thumbprint)) return path;
    if (current.selfSigned || path.length > 8) return undefined;
    for (const issuer of pool) {
      if (path.some((p) => p.thumbprint === issuer.thumbprint) || !issuer.isCa || !issuedBy(current, issuer)) continue;
      const found = search([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };
  const path = search([leaf]);
  if (!path) return 'untrusted';
  if (path.some((c) => c.notAfter < at)) return 'expired';
  if (path.some((c) => !isValidAt(c, at))) return 'not-yet-valid';
  return 'trusted';
}
