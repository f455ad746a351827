import { createPrivateKey } from 'node:crypto';
import { children, readElement } from '../x509/der';
import { issuedBy, tryParseSimCertificate, type SimCertificate } from '../x509/sim-certificate';

export type AzureRuleResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly message: string };

/** At most this many root + intermediate certificates (`MaxRootCertificatePublicKeySupported`). */
export const maxInboundChainLength = 5;

/**
 * What the Network RP checks on `inboundAuthCertificateChain` when a connection is PUT, with the codes of Microsoft's
 * troubleshooting page (see `../README.md` for the order and for the choices the page leaves open):
 * present and not empty, at most five, each entry one continuous base64 DER certificate without a private key, no
 * duplicates, none expired, a self-signed root among them, and all of them one single chain.
 */
export function checkInboundChain(raw: unknown, now: Date): AzureRuleResult<SimCertificate[]> {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    return fail('InboundAuthCertificateChainIsEmpty', 'The inbound authentication certificate chain must contain at least one certificate.');
  }
  if (!Array.isArray(raw)) return fail('VpnConnectionAuthenticationRootCertificateDataInvalid', 'inboundAuthCertificateChain must be an array of base64-encoded certificates.');
  if (raw.length > maxInboundChainLength) {
    return fail('MaxRootCertificatePublicKeySupported', `The inbound authentication certificate chain has ${raw.length} certificates; at most ${maxInboundChainLength} root and intermediate certificates are supported.`);
  }
  if (raw.every((entry) => typeof entry === 'string' && entry.trim() === '')) {
    return fail('VpnConnectionInBoundAuthenticationCertificateChainFault', 'The inbound authentication certificate chain holds no certificate data.');
  }
  const chain: SimCertificate[] = [];
  for (const [index, entry] of raw.entries()) {
    const der = typeof entry === 'string' ? strictBase64(entry) : undefined;
    if (!der) {
      return fail('VpnConnectionAuthenticationRootCertificateDataInvalid', `Entry ${index + 1} of the inbound authentication certificate chain is not one continuous base64 string (no PEM header, line breaks or spaces).`);
    }
    if (holdsPrivateKey(der)) {
      return fail('VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey', `Entry ${index + 1} of the inbound authentication certificate chain contains a private key; give only the public certificate.`);
    }
    const cert = tryParseSimCertificate(der);
    if (!cert) return fail('VpnConnectionAuthenticationRootCertificateDataInvalid', `Entry ${index + 1} of the inbound authentication certificate chain is not a valid X.509 certificate.`);
    if (chain.some((c) => c.thumbprint === cert.thumbprint)) {
      return fail('VpnConnectionAuthenticationDuplicateRootCertificate', `The certificate with thumbprint ${cert.thumbprint} appears more than once in the inbound authentication certificate chain.`);
    }
    chain.push(cert);
  }
  const expired = chain.find((c) => c.notAfter < now);
  if (expired) {
    return fail('VpnConnectionAuthenticationRootCertificateIsExpired', `The certificate with thumbprint ${expired.thumbprint} in the inbound authentication certificate chain expired on ${expired.notAfter.toISOString()}.`);
  }
  const roots = chain.filter((c) => c.selfSigned);
  if (roots.length === 0) {
    return fail('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert', 'The inbound authentication certificate chain has no root (self-signed) certificate.');
  }
  return oneChain(chain, roots);
}

/**
 * All given certificates must hang off one root in a single line: each non-root issued (name and signature) by
 * exactly one other, and nothing issuing two. A certificate whose issuer is named but whose signature does not verify
 * is a chain that could not be built (`VpnConnectionAuthenticationCertChainCreationIssue`).
 */
function oneChain(chain: SimCertificate[], roots: SimCertificate[]): AzureRuleResult<SimCertificate[]> {
  const notOneChain = fail('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts', 'The certificates of the inbound authentication certificate chain do not form one single chain from one root.');
  if (roots.length > 1) return notOneChain;
  for (const cert of chain) {
    if (cert.selfSigned) continue;
    const namedIssuers = chain.filter((c) => c !== cert && c.subjectNameDer === cert.issuerNameDer);
    if (namedIssuers.length > 0 && !namedIssuers.some((issuer) => issuedBy(cert, issuer))) {
      return fail('VpnConnectionAuthenticationCertChainCreationIssue', `Building the chain for the certificate with thumbprint ${cert.thumbprint} failed: its issuer's key does not verify its signature.`);
    }
    if (namedIssuers.length === 0) return notOneChain;
  }
  const issuing = (c: SimCertificate) => chain.filter((o) => o !== c && !o.selfSigned && issuedBy(o, c)).length;
  if (chain.some((c) => issuing(c) > 1)) return notOneChain;
  return { ok: true, value: chain };
}

/**
 * One continuous base64 string, the form the portal asks for: the alphabet and padding only, no PEM armour, no line
 * breaks or spaces. Undefined otherwise.
 */
export function strictBase64(entry: string): Uint8Array | undefined {
  if (entry.length === 0 || entry.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) return undefined;
  return new Uint8Array(Buffer.from(entry, 'base64'));
}

/** A PKCS#12 (PFX) or a bare private key where a certificate belongs. */
function holdsPrivateKey(der: Uint8Array): boolean {
  const outer = readElement(der);
  if (!outer || outer.tag !== 0x30) return false;
  const [version, second] = children(der, outer);
  // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... }
  if (version?.tag === 0x02 && version.end - version.start === 1 && der[version.start] === 3 && second?.tag === 0x30) return true;
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      createPrivateKey({ key: Buffer.from(der), format: 'der', type });
      return true;
    } catch {
      // not a key of this form
    }
  }
  return false;
}

function fail(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}
