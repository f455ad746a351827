import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
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
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { EKU as CORE_EKU, toPem, type CertificateInfo } from '../../core/pki/certificate-info';
import { parseDistinguishedName } from '../../core/pki/distinguished-name';
import { parseDer } from '../../core/pki/parse-certificate';
import { buildPkcs12 } from './pkcs12';

/**
 * Real X.509 certificates with real keys, for tests, the sandbox estate, the simulators and benchmarks. Never
 * deployed. Keys come from OpenSSL (node:crypto); certificates are DER built with @peculiar/asn1-x509 and signed
 * with SHA-256 (RSA PKCS#1 v1.5, or ECDSA for EC issuers).
 */

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly info: CertificateInfo;
  /** The same key pair as WebCrypto keys (RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256), for code that signs with WebCrypto. */
  readonly keyPair?: webcrypto.CryptoKeyPair;
}

/** Extended Key Usage OIDs. Azure's outbound certificate needs serverAuth and clientAuth. */
export const EKU = CORE_EKU;

export type KeyUsageName = keyof typeof KeyUsageFlags;

export interface CertificateOptions {
  /** `CN=vpn.contoso.example, O=Contoso, C=US` (most specific first); '' for an empty subject. */
  readonly subject: string;
  /** Default: five minutes ago (tolerates clock skew between the parties). */
  readonly notBefore?: Date;
  /** Default: one year after notBefore (ten for a root CA). */
  readonly notAfter?: Date;
  /** RSA modulus length, default 2048. 1024 is allowed, so rule tests can make weak keys. */
  readonly keyBits?: number;
  /** Default RSA. EC makes a P-256 key (for "not RSA" rule tests). */
  readonly keyType?: 'RSA' | 'EC';
  /** Default for a leaf: serverAuth + clientAuth; for a CA: none. [] leaves the extension out. */
  readonly extendedKeyUsages?: string[];
  readonly isCa?: boolean;
  readonly pathLength?: number;
  /** Hex; default 16 random bytes. */
  readonly serialNumber?: string;
  readonly subjectAltNames?: { readonly dns?: string[]; readonly ip?: string[] };
  /** Default for a CA: keyCertSign, cRLSign, digitalSignature; for a leaf: digitalSignature (+ keyEncipherment for RSA). */
  readonly keyUsages?: KeyUsageName[];
  /** Use this key (PKCS#8 PEM) instead of generating one: Key Vault's reuse_key and CSR flows. */
  readonly privateKeyPem?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

const ATTRIBUTE_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  G: '2.5.4.42',
  E: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
};

const generateKeyPairAsync = promisify(generateKeyPair);

/** A new key pair as PKCS#8 / SPKI PEM. */
export async function generateKey(opts: { keyBits?: number; keyType?: 'RSA' | 'EC' } = {}): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } =
    opts.keyType === 'EC'
      ? await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' })
      : await generateKeyPairAsync('rsa', { modulusLength: opts.keyBits ?? 2048, publicExponent: 0x10001 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** A self-signed root CA (Basic Constraints CA=true, critical; keyCertSign + cRLSign). */
export async function createRootCa(opts: { subject: string; notBefore?: Date; notAfter?: Date; keyBits?: number; keyType?: 'RSA' | 'EC'; pathLength?: number; serialNumber?: string }): Promise<IssuedCertificate> {
  const notBefore = opts.notBefore ?? defaultNotBefore();
  return createSelfSignedCertificate({ ...opts, isCa: true, notBefore, notAfter: opts.notAfter ?? new Date(notBefore.getTime() + 3650 * DAY_MS) });
}

/** A self-signed certificate; a leaf unless `isCa` (Key Vault's `Self` issuer makes these). */
export async function createSelfSignedCertificate(opts: CertificateOptions): Promise<IssuedCertificate> {
  const key = opts.privateKeyPem ? keyFromPem(opts.privateKeyPem) : await generateKey(opts);
  const privateKey = createPrivateKey(key.privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const der = buildCertificate({
    opts,
    publicKey,
    issuerName: buildName(opts.subject),
    issuerKeyId: keyIdentifier(publicKey),
    signingKey: privateKey,
  });
  return issued(der, key.privateKeyPem);
}

/** A certificate for a new (or given) key, signed by `issuer`. A leaf with serverAuth + clientAuth unless told otherwise. */
export async function issueCertificate(issuer: IssuedCertificate, opts: CertificateOptions): Promise<IssuedCertificate> {
  const key = opts.privateKeyPem ? keyFromPem(opts.privateKeyPem) : await generateKey(opts);
  const der = signPublicKey(issuer, createPublicKey(key.publicKeyPem), opts);
  return issued(der, key.privateKeyPem);
}

/**
 * Signs someone else's public key (from a CSR or a device) with `issuer`: the certificate only, no private key.
 * `subject` is taken as given.
 */
export function signPublicKey(issuer: Pick<IssuedCertificate, 'der' | 'privateKeyPem' | 'info'>, publicKey: KeyObject, opts: CertificateOptions): Uint8Array {
  const issuerAsn = AsnConvert.parse(issuer.der, Certificate);
  const issuerSki = issuerAsn.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  const issuerKeyId = issuerSki ? AsnConvert.parse(issuerSki.extnValue, SubjectKeyIdentifier).buffer : keyIdentifier(createPublicKey(createPrivateKey(issuer.privateKeyPem)));
  return buildCertificate({
    opts,
    publicKey,
    issuerName: issuerAsn.tbsCertificate.subject,
    issuerKeyId,
    signingKey: createPrivateKey(issuer.privateKeyPem),
  });
}

function keyFromPem(privateKeyPem: string): { privateKeyPem: string; publicKeyPem: string } {
  const privateKey = createPrivateKey(privateKeyPem);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string,
  };
}

async function issued(der: Uint8Array, privateKeyPem: string): Promise<IssuedCertificate> {
  const info = parseDer(der);
  return { der: info.der, pem: toPem(info), privateKeyPem, info, keyPair: await webCryptoKeyPair(privateKeyPem, info.publicKey.algorithm) };
}

async function webCryptoKeyPair(privateKeyPem: string, algorithm: string): Promise<webcrypto.CryptoKeyPair | undefined> {
  const params = algorithm === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : algorithm === 'EC' ? { name: 'ECDSA', namedCurve: 'P-256' } : undefined;
  if (!params) return undefined;
  const privateKey = createPrivateKey(privateKeyPem);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, params, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, params, true, ['verify']),
  };
}

function defaultNotBefore(): Date {
  return new Date(Date.now() - 5 * 60 * 1000);
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const digest = createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
}

export function buildName(subject: string): Name {
  if (subject.trim() === '') return new Name([]);
  const rdns = parseDistinguishedName(subject);
  if (!rdns) throw new Error(`Not a distinguished name: ${subject}`);
  // Text is most specific first; DER order is the reverse.
  return new Name(
    [...rdns].reverse().map(
      (rdn) =>
        new RelativeDistinguishedName(
          rdn.map((a) => {
            const oid = ATTRIBUTE_OIDS[a.type] ?? (/^\d+(\.\d+)+$/.test(a.type) ? a.type : undefined);
            if (!oid) throw new Error(`Unknown attribute type ${a.type} in ${subject}`);
            const value =
              a.type === 'C' ? new AttributeValue({ printableString: a.value }) : a.type === 'E' || a.type === 'DC' ? new AttributeValue({ ia5String: a.value }) : new AttributeValue({ utf8String: a.value });
            return new AttributeTypeAndValue({ type: oid, value });
          }),
        ),
    ),
  );
}

function serialBytes(hex?: string): ArrayBuffer {
  let bytes: Uint8Array;
  if (hex !== undefined) {
    const clean = hex.replace(/[\s:]/g, '');
    if (!/^[0-9a-fA-F]+$/.test(clean)) throw new Error(`Serial number must be hex: ${hex}`);
    bytes = new Uint8Array(Buffer.from(clean.length % 2 ? `0${clean}` : clean, 'hex'));
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] as number) < 0x80) start++;
    bytes = bytes.subarray(start);
    if ((bytes[0] as number) >= 0x80) bytes = Uint8Array.from([0, ...bytes]);
  } else {
    bytes = new Uint8Array(randomBytes(16));
    // Positive and minimally encoded.
    bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  }
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function buildCertificate(args: { opts: CertificateOptions; publicKey: KeyObject; issuerName: Name; issuerKeyId: ArrayBuffer; signingKey: KeyObject }): Uint8Array {
  const { opts, publicKey, signingKey } = args;
  const isCa = opts.isCa ?? false;
  const notBefore = opts.notBefore ?? defaultNotBefore();
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + 365 * DAY_MS);
  const isRsaSubject = publicKey.asymmetricKeyType === 'rsa';
  const keyUsages = opts.keyUsages ?? (isCa ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : isRsaSubject ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);
  const ekus = opts.extendedKeyUsages ?? (isCa ? [] : [EKU.serverAuth, EKU.clientAuth]);

  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints(isCa ? { cA: true, ...(opts.pathLength !== undefined ? { pathLenConstraint: opts.pathLength } : {}) } : {})),
    extension(id_ce_keyUsage, true, new KeyUsage(keyUsages.reduce((flags, name) => flags | KeyUsageFlags[name], 0))),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(publicKey))),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(args.issuerKeyId) })),
  ];
  if (ekus.length > 0) extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(ekus)));
  const sans = [...(opts.subjectAltNames?.dns ?? []).map((dNSName) => new GeneralName({ dNSName })), ...(opts.subjectAltNames?.ip ?? []).map((iPAddress) => new GeneralName({ iPAddress }))];
  if (sans.length > 0) extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(sans)));

  const signatureAlgorithm =
    signingKey.asymmetricKeyType === 'ec' ? new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }) : new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: DER_NULL });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialBytes(opts.serialNumber),
    signature: signatureAlgorithm,
    issuer: args.issuerName,
    validity: new Validity({ notBefore, notAfter }),
    subject: buildName(opts.subject),
    subjectPublicKeyInfo: AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
  const tbsDer = AsnConvert.serialize(tbs);
  const signature = sign('sha256', new Uint8Array(tbsDer), signingKey);
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm,
    signatureValue: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer,
  });
  return new Uint8Array(AsnConvert.serialize(certificate));
}

/**
 * The certificate, its private key and `chain` (issuers, nearest first) as a password-protected .pfx, the file
 * people import into Key Vault. RSA keys only.
 */
export function toPkcs12(cert: IssuedCertificate, chain: Pick<IssuedCertificate, 'der'>[], password: string): Uint8Array {
  return buildPkcs12({ privateKeyPem: cert.privateKeyPem, certificates: [cert.der, ...chain.map((c) => c.der)], password, friendlyName: cert.info.subjectCommonName ?? 'certificate' });
}

/** Certificate and key as one PEM text (certificate, issuers, then the PKCS#8 key): Key Vault's PEM import form. */
export function toPemBundle(cert: IssuedCertificate, chain: Pick<IssuedCertificate, 'pem'>[] = []): string {
  return [cert.pem, ...chain.map((c) => c.pem), cert.privateKeyPem].join('');
}
