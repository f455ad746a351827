import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, ExtendedKeyUsage, KeyUsage, id_ce_basicConstraints, id_ce_extKeyUsage, id_ce_keyUsage } from '@peculiar/asn1-x509';
import { formatName, nameAttributes, type SimNameAttribute } from './names';

/**
 * A certificate as the simulated Azure sees it: what its checks and log lines need, read with a plain X.509 library
 * (@peculiar/asn1-x509 for the structure, OpenSSL through node:crypto for keys and signatures). Independent of the
 * product's own certificate code on purpose: the simulator is the oracle the product is tested against.
 */
export interface SimCertificate {
  readonly der: Uint8Array;
  /** SHA-1 of the DER, hex upper case (Azure's thumbprint). */
  readonly thumbprint: string;
  /** Display form, most specific first: `CN=vpn, O=Contoso`. */
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAttributes: readonly SimNameAttribute[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** `rsa`, `ec`, `ed25519`, ... as OpenSSL names the key type. */
  readonly keyType: string;
  /** RSA modulus length or EC curve size. */
  readonly keyBits?: number;
  readonly isCa: boolean;
  /** Key usage names (`digitalSignature`, `keyCertSign`, ...); undefined when the extension is absent. */
  readonly keyUsages?: readonly string[];
  readonly extendedKeyUsages: readonly string[];
  /** Subject and issuer are the same name and the certificate's own key verifies its signature. */
  readonly selfSigned: boolean;
  /** DER of the subject and issuer names, compared byte for byte when building chains. */
  readonly subjectNameDer: string;
  readonly issuerNameDer: string;
  readonly x509: X509Certificate;
}

/** Anything the simulator accepts as a certificate from its callers: DER bytes, or an object carrying them. */
export type SimCertificateInput = Uint8Array | { readonly der: Uint8Array };

const cache = new Map<string, SimCertificate>();
const KEY_USAGE_NAMES: readonly [number, string][] = [
  [0x0001, 'digitalSignature'],
  [0x0002, 'nonRepudiation'],
  [0x0004, 'keyEncipherment'],
  [0x0008, 'dataEncipherment'],
  [0x0010, 'keyAgreement'],
  [0x0020, 'keyCertSign'],
  [0x0040, 'cRLSign'],
  [0x0080, 'encipherOnly'],
  [0x0100, 'decipherOnly'],
];

/** Parses DER; throws for anything that is not one well-formed X.509 certificate. Cached by content. */
export function parseSimCertificate(input: SimCertificateInput): SimCertificate {
  const der = input instanceof Uint8Array ? input : input.der;
  const key = Buffer.from(der).toString('base64');
  const cached = cache.get(key);
  if (cached) return cached;
  const bytes = Uint8Array.from(der);
  const x509 = new X509Certificate(bytes);
  const asn = AsnConvert.parse(bytes, Certificate);
  const tbs = asn.tbsCertificate;
  const extensions = tbs.extensions ?? [];
  const read = <T>(oid: string, type: new () => T): T | undefined => {
    const ext = extensions.find((e) => e.extnID === oid);
    return ext ? AsnConvert.parse(ext.extnValue, type) : undefined;
  };
  const subjectAttributes = nameAttributes(tbs.subject);
  const subjectNameDer = Buffer.from(AsnConvert.serialize(tbs.subject)).toString('hex');
  const issuerNameDer = Buffer.from(AsnConvert.serialize(tbs.issuer)).toString('hex');
  const keyUsage = read(id_ce_keyUsage, KeyUsage);
  const details = x509.publicKey.asymmetricKeyDetails ?? {};
  const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
  const keyBits = details.modulusLength ?? (details.namedCurve ? curveBits[details.namedCurve] : undefined);
  const cert: SimCertificate = {
    der: bytes,
    thumbprint: createHash('sha1').update(bytes).digest('hex').toUpperCase(),
    subject: formatName(subjectAttributes),
    issuer: formatName(nameAttributes(tbs.issuer)),
    subjectAttributes,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    keyType: x509.publicKey.asymmetricKeyType ?? 'unknown',
    ...(keyBits !== undefined ? { keyBits } : {}),
    isCa: read(id_ce_basicConstraints, BasicConstraints)?.cA ?? false,
    ...(keyUsage ? { keyUsages: KEY_USAGE_NAMES.filter(([bit]) => (keyUsage.toNumber() & bit) !== 0).map(([, name]) => name) } : {}),
    extendedKeyUsages: [...(read(id_ce_extKeyUsage, ExtendedKeyUsage) ?? [])],
    selfSigned: subjectNameDer === issuerNameDer && signedWith(x509, x509),
    subjectNameDer,
    issuerNameDer,
    x509,
  };
  if (cache.size > 10_000) cache.clear();
  cache.set(key, cert);
  return cert;
}

/** Parses, or undefined when the bytes are not a certificate. */
export function tryParseSimCertificate(der: Uint8Array): SimCertificate | undefined {
  try {
    return parseSimCertificate(der);
  } catch {
    return undefined;
  }
}

/** `cert` names `issuer` as its issuer and `issuer`'s key verifies its signature. */
export function issuedBy(cert: SimCertificate, issuer: SimCertificate): boolean {
  return cert.issuerNameDer === issuer.subjectNameDer && signedWith(cert.x509, issuer.x509);
}

export function isValidAt(cert: SimCertificate, at: Date): boolean {
  return cert.notBefore <= at && at <= cert.notAfter;
}

export function commonNames(cert: SimCertificate): string[] {
  return cert.subjectAttributes.filter((a) => a.type === 'CN').map((a) => a.value);
}

export function toPemText(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Every CERTIFICATE block of a PEM text, as DER. */
export function pemCertificates(text: string): Uint8Array[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')));
}

function signedWith(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
