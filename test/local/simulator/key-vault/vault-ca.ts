import { createPublicKey } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, Name } from '@peculiar/asn1-x509';
import forge from 'node-forge';
import { children, readElement } from '../../../../local/simulator/x509/der';
import { authorityKeyIdExtension, profileExtensions, signedCertificate, tbsCertificate } from '../../../../local/simulator/x509/sim-cert-builder';

/**
 * What a CA whose key lives in Key Vault does with a CSR, for tests: a leaf certificate for the request's key and
 * subject with the EKUs it asks for, its TBS bytes signed by Key Vault through the caller's `sign` (a
 * CryptographyClient). The CA's key never leaves the vault; the test sees only signatures.
 */
export async function issueWithVaultKey(args: { csrDer: Uint8Array; caDer: Uint8Array; notBefore: Date; notAfter: Date; sign: (tbs: Uint8Array) => Promise<Uint8Array> }): Promise<Uint8Array> {
  const csr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(Buffer.from(args.csrDer).toString('binary')));
  if (!csr.verify()) throw new Error('The CSR signature does not verify.');
  // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject Name, ... }, ... }
  const outer = readElement(args.csrDer);
  const info = outer ? children(args.csrDer, outer)[0] : undefined;
  const subjectElement = info ? children(args.csrDer, info)[1] : undefined;
  if (!subjectElement) throw new Error('The CSR has no subject.');
  const publicKey = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey));
  const ca = AsnConvert.parse(args.caDer, Certificate);
  const caPublicKey = createPublicKey({ key: Buffer.from(AsnConvert.serialize(ca.tbsCertificate.subjectPublicKeyInfo)), format: 'der', type: 'spki' });
  const requested = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name?: string; serverAuth?: boolean; clientAuth?: boolean }[] } | null)?.extensions ?? [];
  const ekus = requested.find((e) => e.name === 'extKeyUsage');
  const leaf = { subject: [], keyUsages: ['digitalSignature', 'keyEncipherment'], extendedKeyUsages: [...(ekus?.serverAuth ? ['1.3.6.1.5.5.7.3.1'] : []), ...(ekus?.clientAuth ? ['1.3.6.1.5.5.7.3.2'] : [])], dnsNames: [], emails: [], basicConstraints: { ca: false } };
  const tbs = tbsCertificate({
    subject: AsnConvert.parse(args.csrDer.slice(subjectElement.offset, subjectElement.end), Name),
    issuer: ca.tbsCertificate.subject,
    publicKey,
    validity: { notBefore: args.notBefore, notAfter: args.notAfter },
    extensions: [...profileExtensions(leaf, publicKey), authorityKeyIdExtension(caPublicKey)],
  });
  return signedCertificate(tbs, await args.sign(new Uint8Array(AsnConvert.serialize(tbs))));
}
