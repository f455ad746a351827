import { UserError } from '../errors/user-error';
import { EKU, type CertificateInfo } from './certificate-info';
import { decodeCertificates } from './certificate-input';
import { parseDer } from './parse-certificate';
import { hasErrors, type CertificateViolation } from './certificate-violation';
import { checkOutboundCertificate, describeKey } from './check-outbound-certificate';
import { formatDay } from './days-until-expiry';
import { dnKey } from './distinguished-name';
import { certificateMatchesRequest, type CertificateRequestInfo } from './issue-from-csr';
import { signatureVerifies, verifyChain } from './verify-chain';

/** Azure's codes for an outbound chain it cannot build (read by the gateway from the Key Vault secret). */
export const OutboundChainCodes = {
  ChainFault: 'VpnConnectionOutBoundAuthenticationCertificateChainFault',
  NoRoot: 'VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert',
  ChainCreation: 'VpnConnectionOutBoundAuthenticationCertificateChainCreationIssue',
} as const;

const EKU_NAMES: Readonly<Record<string, string>> = { [EKU.serverAuth]: 'serverAuth', [EKU.clientAuth]: 'clientAuth', [EKU.ipsecIke]: 'ipsecIKE', [EKU.any]: 'any' };

/** What the plan shows of an outbound certificate, old or new: one line per property. */
export interface OutboundDescription {
  readonly subject: string;
  readonly issuer: string;
  readonly validity: string;
  readonly thumbprint: string;
  readonly key: string;
  readonly ekus: string;
}

export function describeOutbound(cert: CertificateInfo): OutboundDescription {
  return {
    subject: cert.subject || '(empty)',
    issuer: cert.issuer,
    validity: `${formatDay(cert.notBefore)} to ${formatDay(cert.notAfter)}`,
    thumbprint: cert.thumbprint,
    key: describeKey(cert.publicKey),
    ekus: cert.extendedKeyUsages.length === 0 ? '(none)' : cert.extendedKeyUsages.map((oid) => EKU_NAMES[oid] ?? oid).join(', '),
  };
}

/**
 * Whether a device that accepts `current` (it is connected with it) also accepts a certificate from `issuer`: the
 * same issuing CA, by name and key. Anything else is a new issuer the device must trust before the switch.
 */
export function sameIssuer(current: CertificateInfo, issuer: CertificateInfo): boolean {
  return dnKey(current.issuer) === dnKey(issuer.subject) && signatureVerifies(current, issuer);
}

/** Same issuer for two leaves (a version Key Vault made, or a merged one): issuer name and authority key match. */
export function sameIssuerOfLeaves(current: CertificateInfo, next: CertificateInfo): boolean {
  if (dnKey(current.issuer) !== dnKey(next.issuer)) return false;
  return current.authorityKeyIdentifier === undefined || next.authorityKeyIdentifier === undefined || current.authorityKeyIdentifier === next.authorityKeyIdentifier;
}

/** Throws one UserError with every error Azure's outbound rules raise (codes first), or returns the warnings. */
export function requireOutboundRules(cert: CertificateInfo, now: Date, what: string): CertificateViolation[] {
  const violations = checkOutboundCertificate(cert, now, { hasPrivateKey: true });
  if (hasErrors(violations)) {
    const errors = violations.filter((v) => v.severity === 'error');
    throw new UserError(errors[0]!.code, `${what} breaks Azure's outbound certificate rules: ${errors.map((v) => `${v.message} (${v.code})`).join(' ')}`);
  }
  return violations;
}

/** The signed certificate and its chain for a pending external request, ordered leaf first, up to its root. */
export interface MergeChain {
  readonly leaf: CertificateInfo;
  /** Leaf, intermediates, root: what Key Vault merges (Azure needs the chain up to the root in the secret). */
  readonly path: readonly CertificateInfo[];
  readonly root: CertificateInfo;
}

/**
 * Checks what a person pasted to complete an external request before anything is submitted: one certificate carries
 * the pending CSR's key, it passes Azure's outbound rules, and the others build a chain from it to a root (Azure's
 * chain codes when not). Certificates may come in any order.
 */
export async function checkMergeChain(certificates: readonly CertificateInfo[], csr: CertificateRequestInfo, now: Date): Promise<MergeChain> {
  const leaf = certificates.find((c) => certificateMatchesRequest(c, csr));
  if (!leaf) {
    throw new UserError(
      'CertificateDoesNotMatchRequest',
      `None of the ${certificates.length} certificate${certificates.length === 1 ? '' : 's'} pasted carries the key of the pending request (CSR for ${csr.subject || 'an empty subject'}).`,
      'Paste the certificate your CA issued for that CSR, followed by its issuers up to the root.',
    );
  }
  requireOutboundRules(leaf, now, `The signed certificate ${leaf.subject}`);
  const others = certificates.filter((c) => c !== leaf && c.thumbprint !== leaf.thumbprint);
  if (others.length === 0) {
    throw new UserError(OutboundChainCodes.ChainFault, `Only the signed certificate was pasted: Azure needs its issuers up to the root in Key Vault too (${OutboundChainCodes.ChainFault}).`, 'Paste the signed certificate followed by the intermediate CAs and the root CA.');
  }
  const roots = others.filter((c) => c.selfIssued);
  if (roots.length === 0) {
    throw new UserError(OutboundChainCodes.NoRoot, `The pasted chain has no root (self-signed) certificate (${OutboundChainCodes.NoRoot}).`, 'Add the root CA certificate at the end of what you paste.');
  }
  const built = await verifyChain(leaf, others, roots, now);
  if (!built.ok) throw new UserError(OutboundChainCodes.ChainCreation, `The pasted certificates do not build a chain to a root: ${built.detail} (${OutboundChainCodes.ChainCreation}).`, 'Paste the signed certificate with exactly the CAs that issued it, up to the root.');
  return { leaf, path: built.path, root: built.path[built.path.length - 1]! };
}

/** Most certificates `--merge` takes (the signed one and its issuers; Azure keeps chains far shorter). */
export const MAX_MERGE_CERTIFICATES = 10;
/** Largest `--merge` input read (pasted text or an attached .pem/.cer/.p7b). */
export const MAX_MERGE_INPUT_CHARS = 64 * 1024;

/**
 * Reads what a person gives `rotate <site> outbound --merge`: the signed certificate and its issuers, pasted (PEM,
 * base64 DER, a PKCS#7 bundle) or attached (the same, or DER). A private key is refused: the key of an outbound
 * certificate never leaves Key Vault, and one pasted into chat is exposed. Returns the certificates as given.
 * Throws a UserError (`InvalidCertificate`, `PrivateKeyNotAccepted`, `TooManyCertificates`) for anything else.
 */
export function parseMergeInput(input: Uint8Array | string): CertificateInfo[] {
  if (typeof input === 'string' ? input.length > MAX_MERGE_INPUT_CHARS : input.byteLength > MAX_MERGE_INPUT_CHARS) {
    throw new UserError('InvalidCertificate', `What was given is larger than ${MAX_MERGE_INPUT_CHARS / 1024} KB; a certificate and its chain fit in a few KB.`, 'Paste only the signed certificate and its issuers.');
  }
  const { ders, otherBlocks } = decodeCertificates(input, MAX_MERGE_INPUT_CHARS);
  if (otherBlocks.some((label) => label.includes('PRIVATE KEY'))) {
    throw new UserError('PrivateKeyNotAccepted', 'The text contains a private key. The key of the outbound certificate stays in Key Vault (it made it): paste only the signed certificate and its issuers.', 'Remove the key block. Treat that private key as exposed and replace it.');
  }
  if (ders.length === 0) throw new UserError('InvalidCertificate', 'No certificate found in what was given.', 'Paste the signed certificate and its chain as PEM (-----BEGIN CERTIFICATE-----).');
  if (ders.length > MAX_MERGE_CERTIFICATES) throw new UserError('TooManyCertificates', `${ders.length} certificates were given; the signed certificate and its issuers are at most ${MAX_MERGE_CERTIFICATES}.`, 'Paste only the signed certificate and the CAs above it.');
  return ders.map((der) => parseDer(der));
}
