import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
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
  type Name,
} from '@peculiar/asn1-x509';
import { bitString, contextTag, integer, objectIdentifier, sequence, set } from './der';
import { buildName, type SimNameAttribute } from './names';

/** What Key Vault puts into a certificate or request it makes from a certificate policy. */
export interface SimCertificateProfile {
  readonly subject: readonly SimNameAttribute[];
  readonly keyUsages: readonly string[];
  readonly extendedKeyUsages: readonly string[];
  readonly dnsNames: readonly string[];
  readonly emails: readonly string[];
  /** `basic_constraints` of the policy (in Key Vault's REST examples, not in its SDKs). */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number };
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  digitalSignature: 0x0001,
  nonRepudiation: 0x0002,
  keyEncipherment: 0x0004,
  dataEncipherment: 0x0008,
  keyAgreement: 0x0010,
  keyCertSign: 0x0020,
  cRLSign: 0x0040,
  encipherOnly: 0x0080,
  decipherOnly: 0x0100,
};

/** Key Vault's extensions for a profile: basic constraints, key usage (critical), EKUs, SANs, subject key id. */
export function profileExtensions(profile: SimCertificateProfile, publicKey: KeyObject): Extension[] {
  const bc = profile.basicConstraints;
  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints(bc.ca ? { cA: true, ...(bc.pathLength !== undefined ? { pathLenConstraint: bc.pathLength } : {}) } : {})),
  ];
  const bits = profile.keyUsages.reduce((flags, name) => flags | (KEY_USAGE_BITS[name] ?? 0), 0);
  if (bits !== 0) extensions.push(extension(id_ce_keyUsage, true, new KeyUsage(bits)));
  if (profile.extendedKeyUsages.length > 0) extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...profile.extendedKeyUsages])));
  const names = [
    ...profile.dnsNames.map((dNSName) => new GeneralName({ dNSName })),
    ...profile.emails.map((rfc822Name) => new GeneralName({ rfc822Name })),
  ];
  if (names.length > 0) extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  extensions.push(extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(publicKey))));
  return extensions;
}

/** A self-signed certificate for the key (Key Vault's `Self` issuer), SHA-256 with RSA. */
export function buildSelfSignedCertificate(profile: SimCertificateProfile, privateKeyPem: string, validity: { notBefore: Date; notAfter: Date }): Uint8Array {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const name = buildName(profile.subject);
  const tbs = tbsCertificate({ subject: name, issuer: name, publicKey, validity, extensions: [...profileExtensions(profile, publicKey), authorityKeyIdExtension(publicKey)] });
  return signedCertificate(tbs, sign('sha256', new Uint8Array(AsnConvert.serialize(tbs)), privateKey));
}

/** A PKCS#10 request for the key with the profile's extensions requested (Key Vault's `Unknown` issuer). */
export function buildCertificateRequest(profile: SimCertificateProfile, privateKeyPem: string): Uint8Array {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const extensions = new Uint8Array(AsnConvert.serialize(new Extensions(profileExtensions(profile, publicKey))));
  const info = sequence(
    integer(0),
    new Uint8Array(AsnConvert.serialize(buildName(profile.subject))),
    new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    // attributes [0] IMPLICIT SET OF Attribute, holding the one extensionRequest attribute
    contextTag(0, sequence(objectIdentifier(EXTENSION_REQUEST), set(extensions))),
  );
  const signature = new Uint8Array(sign('sha256', info, privateKey));
  return sequence(info, sequence(objectIdentifier(SHA256_WITH_RSA), Uint8Array.of(0x05, 0x00)), bitString(signature));
}

const sha256WithRsa = (): AlgorithmIdentifier => new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: new Uint8Array([0x05, 0x00]).buffer });

/** The to-be-signed part of a certificate for `publicKey` (SHA-256 with RSA, random positive serial). */
export function tbsCertificate(args: { subject: Name; issuer: Name; publicKey: KeyObject; validity: { notBefore: Date; notAfter: Date }; extensions: Extension[] }): TBSCertificate {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer.slice(serial.byteOffset, serial.byteOffset + serial.byteLength) as ArrayBuffer,
    signature: sha256WithRsa(),
    issuer: args.issuer,
    validity: new Validity(args.validity),
    subject: args.subject,
    subjectPublicKeyInfo: AsnConvert.parse(args.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions(args.extensions),
  });
}

/** The certificate DER from its TBS part and the issuer's signature over it (from a local key or Key Vault). */
export function signedCertificate(tbs: TBSCertificate, signature: Uint8Array): Uint8Array {
  const value = signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer;
  return new Uint8Array(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: sha256WithRsa(), signatureValue: value })));
}

/** Authority key identifier naming the issuer's key. */
export function authorityKeyIdExtension(issuerPublicKey: KeyObject): Extension {
  return extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(issuerPublicKey)) }));
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const digest = createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
}
