import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { Extension, GeneralName } from '@peculiar/asn1-x509';
import type { CertificateInfo, PublicKeyInfo } from './certificate-info';
import { decodeCertificates, invalidCertificate, MAX_CERTIFICATE_BYTES } from './certificate-input';
import { formatName, nameAttributes, nameKey } from './distinguished-name';

/** asn1js limits for untrusted input: a certificate nests about 10 deep and has a few hundred nodes. */
const BER_LIMITS = { berOptions: { maxDepth: 40, maxNodes: 20_000, maxContentLength: MAX_CERTIFICATE_BYTES } };

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const CURVES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
  secp256k1: { name: 'secp256k1', bits: 256 },
};

const KEY_ALGORITHMS_BY_OID: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.2.840.10040.4.1': 'DSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** The OpenSSL view of each parsed certificate, kept for signature checks (`verify-chain`). */
const nodeCertificates = new WeakMap<CertificateInfo, NodeX509Certificate>();

export function nodeCertificateOf(cert: CertificateInfo): NodeX509Certificate {
  let node = nodeCertificates.get(cert);
  if (!node) {
    node = new NodeX509Certificate(cert.der);
    nodeCertificates.set(cert, node);
  }
  return node;
}

/**
 * Parses one certificate: DER bytes, PEM text (one CERTIFICATE block; other blocks such as a private key are
 * ignored), or base64 DER as in `inboundAuthCertificateChain`. Throws a `UserError` `InvalidCertificate` that says
 * what was wrong for anything else (garbage, truncated data, several certificates, oversized input).
 */
export function parseCertificate(input: Uint8Array | string): CertificateInfo {
  const { ders } = decodeCertificates(input, 4 * MAX_CERTIFICATE_BYTES);
  if (ders.length === 0) throw invalidCertificate('No certificate found: the text holds only other PEM blocks (such as a key).');
  if (ders.length > 1) throw invalidCertificate(`The input holds ${ders.length} certificates where one was expected. Paste only the certificate itself.`);
  return parseDer(ders[0] as Uint8Array);
}

/** Parses DER already split out of its container (PFX, PEM bundle, chain text). */
export function parseDer(derInput: Uint8Array): CertificateInfo {
  // Own copy: callers' buffers may be views into something larger or be reused.
  const der = Uint8Array.from(derInput);
  let node: NodeX509Certificate;
  let asn: Certificate;
  try {
    node = new NodeX509Certificate(der);
    asn = AsnConvert.parse(der, Certificate, BER_LIMITS);
  } catch (error) {
    throw invalidCertificate('The data is DER but not a valid X.509 certificate: its structure could not be read.', undefined, error);
  }
  const tbs = asn.tbsCertificate;
  const subjectRdns = nameAttributes(tbs.subject);
  const issuerRdns = nameAttributes(tbs.issuer);
  const subject = formatName(subjectRdns);
  const issuer = formatName(issuerRdns);
  const extensions = tbs.extensions ?? [];

  const info: CertificateInfo = {
    der,
    subject,
    issuer,
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex').toUpperCase(),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    publicKey: publicKeyOf(node, tbs.subjectPublicKeyInfo.algorithm.algorithm),
    extendedKeyUsages: readExtension(extensions, id_ce_extKeyUsage, ExtendedKeyUsage, (eku) => [...eku]) ?? [],
    isCa: readExtension(extensions, id_ce_basicConstraints, BasicConstraints, (bc) => bc.cA) ?? false,
    selfIssued: nameKey(subjectRdns) === nameKey(issuerRdns),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[asn.signatureAlgorithm.algorithm] ?? asn.signatureAlgorithm.algorithm,
    subjectAltNames: readExtension(extensions, id_ce_subjectAltName, SubjectAlternativeName, (san) => [...san].map(formatGeneralName).filter((s): s is string => s !== undefined)) ?? [],
  };
  const keyUsages = readExtension(extensions, id_ce_keyUsage, KeyUsage, (ku) => ku.toJSON().map((u) => (u === 'crlSign' ? 'cRLSign' : u)));
  const subjectCommonName = subjectRdns.flat().find((a) => a.type === 'CN')?.value;
  const subjectKeyIdentifier = readExtension(extensions, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier, (ski) => hex(ski.buffer));
  const authorityKeyIdentifier = readExtension(extensions, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier, (aki) => (aki.keyIdentifier ? hex(aki.keyIdentifier.buffer) : undefined));
  const result: CertificateInfo = {
    ...info,
    ...(keyUsages ? { keyUsages } : {}),
    ...(subjectCommonName !== undefined ? { subjectCommonName } : {}),
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier } : {}),
    ...(authorityKeyIdentifier ? { authorityKeyIdentifier } : {}),
  };
  nodeCertificates.set(result, node);
  return result;
}

function hex(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString('hex').toUpperCase();
}

function readExtension<T, R>(extensions: Extension[], oid: string, type: new () => T, read: (value: T) => R): R | undefined {
  const ext = extensions.find((e) => e.extnID === oid);
  if (!ext) return undefined;
  try {
    return read(AsnConvert.parse(ext.extnValue, type, BER_LIMITS));
  } catch (error) {
    throw invalidCertificate(`The certificate has a malformed extension (${oid}).`, undefined, error);
  }
}

function formatGeneralName(name: GeneralName): string | undefined {
  if (name.dNSName !== undefined) return `DNS:${name.dNSName}`;
  if (name.iPAddress !== undefined) return `IP:${name.iPAddress}`;
  if (name.rfc822Name !== undefined) return `email:${name.rfc822Name}`;
  if (name.uniformResourceIdentifier !== undefined) return `URI:${name.uniformResourceIdentifier}`;
  if (name.directoryName !== undefined) return `DirName:${formatName(nameAttributes(name.directoryName))}`;
  return undefined;
}

function publicKeyOf(node: NodeX509Certificate, algorithmOid: string): PublicKeyInfo {
  try {
    const key = node.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
      case 'rsa':
        return { algorithm: 'RSA', ...(details.modulusLength ? { bits: details.modulusLength } : {}) };
      case 'rsa-pss':
        return { algorithm: 'RSA-PSS', ...(details.modulusLength ? { bits: details.modulusLength } : {}) };
      case 'ec': {
        const curve = details.namedCurve ? CURVES[details.namedCurve] : undefined;
        return curve ? { algorithm: 'EC', bits: curve.bits, curve: curve.name } : { algorithm: 'EC', ...(details.namedCurve ? { curve: details.namedCurve } : {}) };
      }
      case 'ed25519':
        return { algorithm: 'Ed25519', bits: 256 };
      case 'ed448':
        return { algorithm: 'Ed448', bits: 456 };
      default:
        return { algorithm: KEY_ALGORITHMS_BY_OID[algorithmOid] ?? key.asymmetricKeyType ?? algorithmOid };
    }
  } catch {
    // OpenSSL parses the certificate but cannot load this key type (e.g. GOST): report the algorithm only.
    return { algorithm: KEY_ALGORITHMS_BY_OID[algorithmOid] ?? algorithmOid };
  }
}
