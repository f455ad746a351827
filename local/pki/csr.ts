import { createPrivateKey, createPublicKey, privateEncrypt, constants, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ExtendedKeyUsage, SubjectAlternativeName, id_ce_extKeyUsage, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import { formatName } from '../../core/pki/distinguished-name';
import { parseDer } from '../../core/pki/parse-certificate';
import { toPem, type CertificateInfo } from '../../core/pki/certificate-info';
import { buildName, signPublicKey, type CertificateOptions, type IssuedCertificate } from './cert-factory';

/**
 * PKCS#10 certificate signing requests: Key Vault's `Unknown` issuer flow makes one for the pending key, an outside
 * CA signs it, and `mergeCertificate` brings the result back. RSA only (node-forge's CSR support), like Azure.
 */

const SHORT_NAMES: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'E' };
/** DigestInfo prefix of SHA-256 (RFC 8017 section 9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** node-forge signs through this, so the RSA operation is OpenSSL's rather than forge's JavaScript. */
function opensslSigner(privateKey: KeyObject): { sign(md: forge.md.MessageDigest): string } {
  return {
    sign(md) {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString('binary');
    },
  };
}

function binary(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('binary');
}

export interface CsrRequest {
  /** `CN=vpn, O=Contoso` (most specific first). */
  readonly subject: string;
  readonly privateKeyPem: string;
  readonly extendedKeyUsages?: string[];
  readonly subjectAltNames?: { readonly dns?: string[] };
}

/** A signed PKCS#10 request (DER) for the key, with the EKUs and SANs as an extension request. */
export function createCsr(request: CsrRequest): Uint8Array {
  const privateKey = createPrivateKey(request.privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`CSRs are made for RSA keys only, not ${privateKey.asymmetricKeyType}.`);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string);
  csr.setSubject(forgeAttributes(request.subject));
  const extensions: object[] = [];
  if (request.extendedKeyUsages && request.extendedKeyUsages.length > 0) {
    extensions.push({ id: id_ce_extKeyUsage, value: forge.asn1.fromDer(binary(AsnConvert.serialize(new ExtendedKeyUsage(request.extendedKeyUsages)))) });
  }
  if (request.subjectAltNames?.dns && request.subjectAltNames.dns.length > 0) {
    extensions.push({ name: 'subjectAltName', altNames: request.subjectAltNames.dns.map((value) => ({ type: 2, value })) });
  }
  if (extensions.length > 0) csr.setAttributes([{ name: 'extensionRequest', extensions }]);
  csr.sign(opensslSigner(privateKey) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return new Uint8Array(Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary'));
}

export interface ParsedCsr {
  readonly subject: string;
  readonly publicKey: KeyObject;
  readonly extendedKeyUsages: string[];
  readonly dnsNames: string[];
}

/** Reads and verifies a PKCS#10 request (DER or PEM). Throws when it is malformed or its signature is wrong. */
export function readCsr(input: Uint8Array | string): ParsedCsr {
  const csr = typeof input === 'string' ? forge.pki.certificationRequestFromPem(input) : forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(binary(input)));
  if (!csr.verify()) throw new Error('The CSR signature does not verify.');
  const subject = formatName(
    [...csr.subject.attributes].reverse().map((a) => [{ type: SHORT_NAMES[a.type as string] ?? (a.type as string), value: String(a.value) }]),
  );
  const requested = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { id: string; value: string }[] } | null)?.extensions ?? [];
  const raw = (oid: string): Uint8Array | undefined => {
    const ext = requested.find((e) => e.id === oid);
    return ext ? new Uint8Array(Buffer.from(ext.value, 'binary')) : undefined;
  };
  const ekuDer = raw(id_ce_extKeyUsage);
  const sanDer = raw(id_ce_subjectAltName);
  return {
    subject,
    publicKey: createPublicKey(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey)),
    extendedKeyUsages: ekuDer ? [...AsnConvert.parse(ekuDer, ExtendedKeyUsage)] : [],
    dnsNames: sanDer ? [...AsnConvert.parse(sanDer, SubjectAlternativeName)].flatMap((n) => (n.dNSName ? [n.dNSName] : [])) : [],
  };
}

/**
 * What an outside CA does with a CSR: a certificate for the request's key and subject, with the requested EKUs
 * and DNS names unless `overrides` says otherwise. Returns the certificate only (the key stays with the requester).
 */
export function signCsr(issuer: IssuedCertificate, csr: Uint8Array | string, overrides: Partial<CertificateOptions> = {}): { der: Uint8Array; pem: string; info: CertificateInfo } {
  const request = readCsr(csr);
  const der = signPublicKey(issuer, request.publicKey, {
    subject: request.subject,
    extendedKeyUsages: request.extendedKeyUsages,
    ...(request.dnsNames.length > 0 ? { subjectAltNames: { dns: request.dnsNames } } : {}),
    ...overrides,
  });
  const info = parseDer(der);
  return { der: info.der, pem: toPem(info), info };
}

/** The certificate builder's name encoding (string types per attribute), handed to forge in DER order. */
function forgeAttributes(subject: string): forge.pki.CertificateField[] {
  return [...buildName(subject)].flatMap((rdn) =>
    [...rdn].map((atv) => ({
      type: atv.type,
      value: atv.value.toString(),
      valueTagClass: (atv.value.printableString !== undefined ? forge.asn1.Type.PRINTABLESTRING : atv.value.ia5String !== undefined ? forge.asn1.Type.IA5STRING : forge.asn1.Type.UTF8) as unknown as forge.asn1.Class,
    })),
  );
}
