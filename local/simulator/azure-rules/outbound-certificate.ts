import { createPrivateKey, createPublicKey } from 'node:crypto';
import { clientAuth, serverAuth } from '../x509/eku';
import { issuedBy, tryParseSimCertificate, type SimCertificate } from '../x509/sim-certificate';
import type { AzureRuleResult } from './inbound-chain';

/** What the gateway got from Key Vault for `outboundAuthCertificate` (see `KeyVaultStore.readAsGateway`). */
export type GatewayCertificateRead =
  | {
      readonly ok: true;
      /** The certificates of the secret, the one matching the key first when there is a key. */
      readonly certificates: readonly Uint8Array[];
      /** PKCS#8 PEM of the secret's key; absent when the secret carries none (key not exportable). */
      readonly privateKeyPem?: string;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface UsableOutboundCertificate {
  readonly certificate: SimCertificate;
  /** Issuers up to and including the root, nearest first. */
  readonly chain: SimCertificate[];
}

const minRsaBits = 2048;
/** `...OutBoundAuthenticationCertificateChainFault` below this many certificates in the secret (Azure's `{n}`). */
export const minOutboundChainCertificates = 2;

/**
 * Azure's checks on the certificate the gateway read from Key Vault, with the codes of Microsoft's troubleshooting
 * page: an RSA private key of at least 2048 bits, both TLS EKUs, not expired, and the chain up to the root in the
 * secret itself (at least {n} certificates, a self-signed root at the end, each certificate signed by the next).
 */
export function checkOutboundCertificate(read: GatewayCertificateRead, now: Date): AzureRuleResult<UsableOutboundCertificate> {
  if (!read.ok) return read;
  const parsed = read.certificates.map((der) => tryParseSimCertificate(der));
  const [leaf, ...issuers] = parsed;
  if (!leaf || parsed.some((c) => c === undefined)) return fail('VpnGatewayKeyVaultSecretException', 'The Key Vault secret does not hold readable X.509 certificates.');
  const chain = issuers as SimCertificate[];
  const key = read.privateKeyPem ? createPrivateKey(read.privateKeyPem) : undefined;
  if (!key || key.asymmetricKeyType !== 'rsa' || leaf.keyType !== 'rsa' || !sameKey(leaf, read.privateKeyPem ?? '')) {
    return fail('VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey', 'The outbound authentication certificate in Key Vault has no RSA private key (the key is not RSA, or not exportable so the secret carries none).');
  }
  if ((leaf.keyBits ?? 0) < minRsaBits) {
    return fail('VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength', `The outbound authentication certificate's RSA key has ${leaf.keyBits ?? 0} bits; it must have at least ${minRsaBits}.`);
  }
  if (!leaf.extendedKeyUsages.includes(serverAuth) || !leaf.extendedKeyUsages.includes(clientAuth)) {
    return fail('VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth', 'The outbound authentication certificate must have both the Server Authentication and Client Authentication extended key usages.');
  }
  if (leaf.notAfter < now) {
    return fail('VpnConnectionOutBoundAuthenticationCertificateIsExpired', `The outbound authentication certificate expired on ${leaf.notAfter.toISOString()}.`);
  }
  if (parsed.length < minOutboundChainCertificates) {
    return fail('VpnConnectionOutBoundAuthenticationCertificateChainFault', `The outbound authentication certificate's chain has ${parsed.length} certificate; it must have at least ${minOutboundChainCertificates} (the certificate and its issuers up to the root).`);
  }
  const path = [leaf];
  for (let current = leaf; !current.selfSigned; ) {
    const next = chain.find((c) => !path.includes(c) && c.subjectNameDer === current.issuerNameDer);
    if (!next) {
      return fail('VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert', 'The outbound authentication certificate\'s chain in Key Vault does not reach a root certificate: merge or import it with every issuer up to the root.');
    }
    if (!issuedBy(current, next)) {
      return fail('VpnConnectionOutBoundAuthenticationCertificateChainCreationIssue', `Building the outbound authentication certificate's chain failed: the key of ${next.subject} does not verify the signature on ${current.subject}.`);
    }
    path.push(next);
    current = next;
  }
  return { ok: true, value: { certificate: leaf, chain: path.slice(1) } };
}

function sameKey(cert: SimCertificate, privateKeyPem: string): boolean {
  try {
    return cert.x509.checkPrivateKey(createPrivateKey(privateKeyPem)) || createPublicKey(privateKeyPem).equals(cert.x509.publicKey);
  } catch {
    return false;
  }
}

function fail(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}
