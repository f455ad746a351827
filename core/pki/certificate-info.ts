/**
 * What the product knows about one X.509 certificate, parsed from its DER bytes by `parseCertificate`.
 *
 * Not JSON-safe (`der` is bytes, dates are `Date`): across a durable boundary pass the base64 DER
 * (`toBase64Der`) and parse it again on the other side, or pass `describeCertificate`'s summary.
 */
export interface CertificateInfo {
  readonly der: Uint8Array;
  /** RFC 4514 order, most specific first, as Windows and the Azure portal show it: `CN=vpn, O=Contoso, C=US`. */
  readonly subject: string;
  readonly issuer: string;
  /** Hex, upper case, as Azure and Windows show it. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-1 of the DER, hex upper case without separators, as Azure shows it. */
  readonly thumbprint: string;
  readonly publicKey: PublicKeyInfo;
  /** OIDs of the Extended Key Usage extension; empty when the certificate has none. */
  readonly extendedKeyUsages: string[];
  /** Basic Constraints `cA` is true. */
  readonly isCa: boolean;
  /** Key Usage bits by RFC 5280 name (`digitalSignature`, `keyCertSign`, ...); absent when the extension is absent. */
  readonly keyUsages?: string[];
  /** The most specific CN of the subject, unescaped. */
  readonly subjectCommonName?: string;
  /** Subject Key Identifier, hex upper case. */
  readonly subjectKeyIdentifier?: string;
  /** Key identifier of the Authority Key Identifier extension, hex upper case. */
  readonly authorityKeyIdentifier?: string;
  /** Subject and issuer are the same name: a root (or a self-issued re-key). */
  readonly selfIssued: boolean;
  /** e.g. `sha256WithRSAEncryption`, or the dotted OID when unknown. */
  readonly signatureAlgorithm: string;
  /** Subject Alternative Names as `DNS:...`, `IP:...`, `email:...`, `URI:...`. */
  readonly subjectAltNames: string[];
}

export interface PublicKeyInfo {
  /** `RSA`, `RSA-PSS`, `EC`, `Ed25519`, ... */
  readonly algorithm: 'RSA' | 'EC' | string;
  /** RSA modulus length, or the EC curve size. */
  readonly bits?: number;
  /** EC only, e.g. `P-256`. */
  readonly curve?: string;
}

/** Object identifiers of the Extended Key Usages Azure requires on the outbound certificate. */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecIke: '1.3.6.1.5.5.7.3.17',
  any: '2.5.29.37.0',
} as const;

/** The certificate's DER as one base64 line: the form `inboundAuthCertificateChain` entries take. */
export function toBase64Der(cert: Pick<CertificateInfo, 'der'>): string {
  return Buffer.from(cert.der.buffer, cert.der.byteOffset, cert.der.byteLength).toString('base64');
}

/** PEM text of the certificate (64-character lines), as a `.cer` exported as Base-64. */
export function toPem(cert: Pick<CertificateInfo, 'der'>): string {
  const lines = toBase64Der(cert).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
