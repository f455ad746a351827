import { createHash, createPublicKey, verify } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { UserError } from '../errors/user-error';
import { EKU, type CertificateInfo } from './certificate-info';
import { MIN_RSA_BITS } from './certificate-violation';
import { dnKey, formatName, nameAttributes } from './distinguished-name';

/** What the product reads from a PKCS#10 request (a Key Vault pending version's CSR). */
export interface CertificateRequestInfo {
  /** RFC 4514 order, as CertificateInfo's subject. */
  readonly subject: string;
  /** DER of the subject Name, as the request carries it (copied into the certificate unchanged). */
  readonly subjectNameDer: Uint8Array;
  /** DER of the SubjectPublicKeyInfo. */
  readonly publicKeyDer: Uint8Array;
  readonly keyAlgorithm: string;
  readonly keyBits?: number;
  /** DNS names of the request's subjectAltName extension. */
  readonly dnsNames: readonly string[];
  /** The request's own signature verifies with its public key (proof of possession of the key). */
  readonly selfSignatureValid: boolean;
}

/** An RSA signature algorithm Key Vault's sign offers, with the digest it signs. */
export type CaSignatureAlgorithm = 'RS256' | 'RS384' | 'RS512';

const SIGNATURE_OIDS: Readonly<Record<CaSignatureAlgorithm, { oid: string; hash: 'sha256' | 'sha384' | 'sha512' }>> = {
  RS256: { oid: '1.2.840.113549.1.1.11', hash: 'sha256' },
  RS384: { oid: '1.2.840.113549.1.1.12', hash: 'sha384' },
  RS512: { oid: '1.2.840.113549.1.1.13', hash: 'sha512' },
};

const MAX_CSR_BYTES = 16 * 1024;
/** asn1js limits for untrusted input. */
const BER_LIMITS = { berOptions: { maxDepth: 40, maxNodes: 20_000, maxContentLength: MAX_CSR_BYTES } };
/** PKCS#9 extensionRequest: the extensions a request asks for. */
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const RSA_SIGNATURE_HASHES: Readonly<Record<string, string>> = { '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512', '1.2.840.113549.1.1.5': 'sha1' };

function invalidRequest(why: string, cause?: unknown): UserError {
  return new UserError('InvalidCertificateRequest', `The certificate request (CSR) cannot be used: ${why}`, 'Cancel the pending request in Key Vault and start the rotation again.', cause === undefined ? undefined : { cause });
}

/** Parses a PKCS#10 request (DER, or PEM `CERTIFICATE REQUEST`) and checks its own signature. Throws `InvalidCertificateRequest`. */
export function parseCertificateRequest(input: Uint8Array | string): CertificateRequestInfo {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size === 0 || size > MAX_CSR_BYTES) throw invalidRequest(size === 0 ? 'it is empty.' : `it is larger than ${MAX_CSR_BYTES} bytes.`);
  let der: Uint8Array;
  if (typeof input === 'string') {
    const body = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(input)?.[1] ?? input;
    const compact = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalidRequest('it is neither PEM nor base64.');
    der = new Uint8Array(Buffer.from(compact, 'base64'));
  } else der = Uint8Array.from(input);
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(der, CertificationRequest, BER_LIMITS);
  } catch (error) {
    throw invalidRequest('it is not a PKCS#10 certificate request.', error);
  }
  const info = csr.certificationRequestInfo;
  let publicKeyDer: Uint8Array;
  let subjectNameDer: Uint8Array;
  let subject: string;
  try {
    publicKeyDer = new Uint8Array(AsnConvert.serialize(info.subjectPKInfo));
    subjectNameDer = new Uint8Array(AsnConvert.serialize(info.subject));
    subject = formatName(nameAttributes(info.subject));
  } catch (error) {
    throw invalidRequest('its subject or public key could not be read.', error);
  }
  let keyAlgorithm = info.subjectPKInfo.algorithm.algorithm;
  let keyBits: number | undefined;
  let selfSignatureValid = false;
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'rsa') {
      keyAlgorithm = 'RSA';
      keyBits = key.asymmetricKeyDetails?.modulusLength;
    } else if (key.asymmetricKeyType) keyAlgorithm = key.asymmetricKeyType.toUpperCase();
    const hash = RSA_SIGNATURE_HASHES[csr.signatureAlgorithm.algorithm];
    if (hash && key.asymmetricKeyType === 'rsa') {
      const signed = csr.certificationRequestInfoRaw ?? AsnConvert.serialize(info);
      selfSignatureValid = verify(hash, Buffer.from(signed), key, Buffer.from(csr.signature));
    }
  } catch {
    // A key OpenSSL cannot load stays named by its OID, its signature unverified; the rules below refuse it.
  }
  const dnsNames: string[] = [];
  try {
    for (const attribute of info.attributes) {
      if (attribute.type !== EXTENSION_REQUEST) continue;
      for (const value of attribute.values) {
        for (const ext of AsnConvert.parse(value, Extensions, BER_LIMITS)) {
          if (ext.extnID !== id_ce_subjectAltName) continue;
          for (const name of AsnConvert.parse(ext.extnValue, SubjectAlternativeName, BER_LIMITS)) if (name.dNSName !== undefined) dnsNames.push(name.dNSName);
        }
      }
    }
  } catch (error) {
    throw invalidRequest('its requested extensions could not be read.', error);
  }
  return { subject, subjectNameDer, publicKeyDer, keyAlgorithm, ...(keyBits !== undefined ? { keyBits } : {}), dnsNames, selfSignatureValid };
}

/** What the CA is asked to sign, checked against what the rotation planned. */
export interface IssueRequest {
  readonly csr: CertificateRequestInfo;
  /** The subject the plan promised (the request must carry exactly this name). */
  readonly subject: string;
  /** DNS names the plan promised (the request must carry exactly these). */
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Positive serial number, at least 8 random bytes (the caller supplies the randomness). */
  readonly serialNumber: Uint8Array;
}

/**
 * Why a request must not be signed, or an empty list: the request's key is RSA of at least 2048 bits, its own
 * signature verifies (the vault holds the key), its subject and DNS names are the planned ones, and the validity is
 * inside the CA's.
 */
export function issueProblems(request: IssueRequest, ca: CertificateInfo): string[] {
  const problems: string[] = [];
  const { csr } = request;
  if (csr.keyAlgorithm !== 'RSA') problems.push(`its key is ${csr.keyAlgorithm}, Azure needs RSA`);
  else if ((csr.keyBits ?? 0) < MIN_RSA_BITS) problems.push(`its RSA key has ${csr.keyBits ?? 'an unknown number of'} bits, Azure needs at least ${MIN_RSA_BITS}`);
  if (!csr.selfSignatureValid) problems.push('its signature does not verify with its own key');
  if (dnKey(csr.subject) !== dnKey(request.subject)) problems.push(`its subject is ${csr.subject || '(empty)'}, the plan says ${request.subject}`);
  const want = [...request.dnsNames].map((d) => d.toLowerCase()).sort();
  const got = [...csr.dnsNames].map((d) => d.toLowerCase()).sort();
  if (want.join(',') !== got.join(',')) problems.push(`its DNS names are ${got.join(', ') || '(none)'}, the plan says ${want.join(', ') || '(none)'}`);
  if (!ca.isCa) problems.push(`${ca.subject} is not a CA certificate`);
  if (ca.keyUsages && !ca.keyUsages.includes('keyCertSign')) problems.push(`${ca.subject} may not sign certificates (no keyCertSign)`);
  if (request.notBefore.getTime() >= request.notAfter.getTime()) problems.push('the validity ends before it starts');
  if (request.notAfter.getTime() > ca.notAfter.getTime()) problems.push(`the validity would end after the CA's (${ca.notAfter.toISOString().slice(0, 10)})`);
  if (request.notBefore.getTime() < ca.notBefore.getTime()) problems.push("the validity would start before the CA's");
  if (request.serialNumber.length < 8 || request.serialNumber.length > 20) problems.push('the serial number must be 8 to 20 bytes');
  return problems;
}

function time(date: Date): Time {
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? new Time({ utcTime: date }) : new Time({ generalTime: date });
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/**
 * The to-be-signed part of an outbound certificate for a CSR, issued by `ca`: the request's subject and public key,
 * the plan's validity, and the extensions Azure's outbound rules need, set here whatever the request asked for:
 * not a CA (critical), digitalSignature + keyEncipherment (critical), serverAuth + clientAuth, the planned DNS names,
 * subject and authority key identifiers. Signed with sha256WithRSAEncryption (or the given algorithm).
 * Returns the TBS DER and the digest Key Vault signs.
 */
export function buildTbsCertificate(request: IssueRequest, ca: CertificateInfo, algorithm: CaSignatureAlgorithm = 'RS256'): { readonly tbsDer: Uint8Array; readonly digest: Uint8Array } {
  const problems = issueProblems(request, ca);
  if (problems.length > 0) throw new UserError('CertificateRequestRefused', `The CA will not sign this request: ${problems.join('; ')}.`, 'Cancel the pending request in Key Vault and start the rotation again.');
  const caAsn = AsnConvert.parse(ca.der, Certificate);
  const spki = AsnConvert.parse(request.csr.publicKeyDer, SubjectPublicKeyInfo);
  const ski = createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
  const caSki = ca.subjectKeyIdentifier ? Buffer.from(ca.subjectKeyIdentifier, 'hex') : createHash('sha1').update(Buffer.from(caAsn.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)).digest();
  const serial = Uint8Array.from(request.serialNumber);
  serial[0] = (serial[0] ?? 1) & 0x7f || 0x01; // positive, no leading zero byte
  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)),
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([EKU.serverAuth, EKU.clientAuth])),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski)),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(caSki) })),
  ];
  if (request.dnsNames.length > 0) {
    extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(request.dnsNames.map((dNSName) => new GeneralName({ dNSName })))));
  }
  const signature = new AlgorithmIdentifier({ algorithm: SIGNATURE_OIDS[algorithm].oid, parameters: null });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer,
    signature,
    issuer: caAsn.tbsCertificate.subject,
    validity: new Validity(),
    subject: AsnConvert.parse(request.csr.subjectNameDer, Name),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
  tbs.validity.notBefore = time(request.notBefore);
  tbs.validity.notAfter = time(request.notAfter);
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  return { tbsDer, digest: new Uint8Array(createHash(SIGNATURE_OIDS[algorithm].hash).update(tbsDer).digest()) };
}

/** The certificate: the TBS and the CA's signature over its digest (from Key Vault's sign). */
export function assembleCertificate(tbsDer: Uint8Array, signature: Uint8Array, algorithm: CaSignatureAlgorithm = 'RS256'): Uint8Array {
  const certificate = new Certificate({
    tbsCertificate: AsnConvert.parse(tbsDer, TBSCertificate),
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: SIGNATURE_OIDS[algorithm].oid, parameters: null }),
    signatureValue: Uint8Array.from(signature).buffer,
  });
  return new Uint8Array(AsnConvert.serialize(certificate));
}

/** Whether a certificate carries the request's public key (an externally signed certificate for the pending CSR). */
export function certificateMatchesRequest(cert: CertificateInfo, csr: CertificateRequestInfo): boolean {
  try {
    const spki = AsnConvert.serialize(AsnConvert.parse(cert.der, Certificate).tbsCertificate.subjectPublicKeyInfo);
    return Buffer.from(spki).equals(Buffer.from(csr.publicKeyDer));
  } catch {
    return false;
  }
}
