import type { CertificateInfo } from './certificate-info';
import { foldValue, nameKey, parseDistinguishedName } from './distinguished-name';

/**
 * Whether the device's certificate matches the connection's `inboundAuthCertificateSubjectName`.
 *
 * Microsoft's pages disagree on the form (the REST example has `CN=...`, the portal steps say to leave `CN=` out),
 * so both are accepted: a bare value or a single `CN=` is compared with the certificate's common name(s); a full
 * distinguished name (`CN=vpn, O=Contoso`) with the whole subject, in either RDN order. Comparison ignores case and
 * folds whitespace (RFC 5280 caseIgnoreMatch, as Windows compares names). Azure does not document its own rule.
 */
export function subjectMatches(cert: CertificateInfo, configuredSubject: string): boolean {
  const configured = configuredSubject.trim();
  if (configured === '') return false;
  const certRdns = parseDistinguishedName(cert.subject) ?? [];
  const commonNames = certRdns
    .flat()
    .filter((a) => a.type === 'CN')
    .map((a) => foldValue(a.value));
  const parsed = parseDistinguishedName(configured);
  if (parsed) {
    const attrs = parsed.flat();
    if (attrs.length === 1 && attrs[0]?.type === 'CN') return commonNames.includes(foldValue(attrs[0].value));
    const key = nameKey(parsed);
    if (key === nameKey(certRdns) || key === nameKey([...certRdns].reverse())) return true;
  }
  // A bare common name that happens to contain '=' or ',' (e.g. `vpn=1`) is still a bare common name.
  return commonNames.includes(foldValue(configured));
}
