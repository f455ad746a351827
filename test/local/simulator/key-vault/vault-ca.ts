import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import forge from 'node-forge';
import { children, readElement } from '../../../../local/simulator/x509/der';


/**
 * What a CA whose key lives in Key Vault does with a CSR, for tests: build the certificate for the request's key and
 * subject and have Key Vault sign it (the caller's `sign` hands the TBS bytes to a CryptographyClient). The CA's key
 * never leaves the vault; the test sees only signatures.
 */
export async function issueWithVaultKey(args: { csrDer: Uint8Array; caDer: Uint8Array; notBefore: Date; notAfter: Date; sign: (tbs: Uint8Array) => Promise<Uint8Array> }): Promise<Uint8Array> {
  const csr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(Buffer.from(args.csrDer).toString('binary')));
  if (!csr.verify()) throw new Error('The CSR signature does not verify.');
  // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject Name, ... }, ... }
  const outer = readElement(args.csrDer);
  const info = outer ? children(args.csrDer, outer)[0] : undefined;
  const subjectElement = info ? children(args.csrDer, info)[1] : undefined;
  if (!subjectElement) throw new Error('The CSR has no subject.');
  const subject = AsnConvert.parse(args.csrDer.slice(subjectElement.offset, subjectElement.end), Name);
  const publicKey = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey));
  const ca = AsnConvert.parse(args.caDer, Certificate);
  const caKeyId = keyIdentifier(createPublicKey({ key: Buffer.from(AsnConvert.serialize(ca.tbsCertificate.subjectPublicKeyInfo)), format: 'der', type: 'spki' }));
  const requested = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { id: string; name?: string; serverAuth?: boolean; clientAuth?: boolean }[] } | null)?.extensions ?? [];
  const ekus = requested.find((e) => e.name === 'extKeyUsage');
  const algorithm = new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: new Uint8Array([0x05, 0x00]).buffer });
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const extension = (id: string, critical: boolean, value: unknown) => new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer.slice(serial.byteOffset, serial.byteOffset + serial.byteLength) as ArrayBuffer,
    signature: algorithm,
    issuer: ca.tbsCertificate.subject,
    validity: new Validity({ notBefore: args.notBefore, notAfter: args.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions([
      extension(id_ce_basicConstraints, true, new BasicConstraints({})),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...(ekus?.serverAuth ? ['1.3.6.1.5.5.7.3.1'] : []), ...(ekus?.clientAuth ? ['1.3.6.1.5.5.7.3.2'] : [])])),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(publicKey))),
      extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(caKeyId) })),
    ]),
  });
  const signature = await args.sign(new Uint8Array(AsnConvert.serialize(tbs)));
  return new Uint8Array(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer })));
}

function keyIdentifier(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const digest = createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
}
