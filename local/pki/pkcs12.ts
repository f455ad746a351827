import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/**
 * PKCS#12 (.pfx) files as Windows exports them and Key Vault imports them: an encrypted private key plus the
 * certificate chain. RSA keys only (node-forge's PKCS#12 support is RSA-only), which is all Azure accepts outbound.
 */

export interface Pkcs12Contents {
  /** DER of every certificate in the file, in file order. */
  readonly certificates: Uint8Array[];
  /** PKCS#8 PEM, when the file has a key. */
  readonly privateKeyPem?: string;
}

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
  constructor(
    readonly reason: 'wrong-password' | 'malformed' | 'unsupported-key',
    message: string,
  ) {
    super(message);
  }
}

function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}

/**
 * Builds a .pfx holding `privateKeyPem` (PKCS#8 or PKCS#1) and `certificates` (leaf first), encrypted with AES-256
 * under `password` and MAC-protected. `password: null` writes an unencrypted file without MAC (the form Key Vault
 * serves a certificate's secret in).
 */
export function buildPkcs12(input: { privateKeyPem?: string; certificates: Uint8Array[]; password: string | null; friendlyName?: string }): Uint8Array {
  let key: forge.pki.rsa.PrivateKey | null = null;
  if (input.privateKeyPem !== undefined) {
    const keyObject = createPrivateKey(input.privateKeyPem);
    if (keyObject.asymmetricKeyType !== 'rsa') throw new Pkcs12Error('unsupported-key', `PKCS#12 export supports RSA keys only, not ${keyObject.asymmetricKeyType}.`);
    key = forge.pki.privateKeyFromPem(keyObject.export({ type: 'pkcs1', format: 'pem' }) as string);
  }
  const certs = input.certificates.map((der) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(binary(der))));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, input.password, {
    algorithm: 'aes256',
    ...(input.password === null ? { useMac: false } : {}),
    ...(input.friendlyName ? { friendlyName: input.friendlyName } : {}),
  });
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

/** Reads a .pfx. Throws `Pkcs12Error` ('wrong-password' when the MAC or key decryption fails). */
export function readPkcs12(pfx: Uint8Array, password: string | null): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(binary(pfx), true), true, password ?? undefined);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/password|MAC could not be verified|decrypt/i.test(message)) throw new Pkcs12Error('wrong-password', 'The PKCS#12 password is wrong.');
    throw new Pkcs12Error('malformed', 'The data is not a readable PKCS#12 (.pfx) file.');
  }
  const certificates: Uint8Array[] = [];
  let privateKeyPem: string | undefined;
  for (const safeContents of p12.safeContents) {
    for (const bag of safeContents.safeBags) {
      const raw = (bag as { asn1?: forge.asn1.Asn1 }).asn1;
      if (bag.type === forge.pki.oids.certBag) {
        const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : raw;
        if (asn1) certificates.push(new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')));
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        const keyObject = bag.key
          ? createPrivateKey(forge.pki.privateKeyToPem(bag.key))
          : raw
            ? createPrivateKey({ key: Buffer.from(forge.asn1.toDer(raw).getBytes(), 'binary'), format: 'der', type: 'pkcs8' })
            : undefined;
        if (keyObject) privateKeyPem = keyObject.export({ type: 'pkcs8', format: 'pem' }) as string;
      }
    }
  }
  return { certificates, ...(privateKeyPem !== undefined ? { privateKeyPem } : {}) };
}

/** Whether `privateKeyPem` is the key of the certificate `der` (same public key). */
export function keyMatchesCertificate(privateKeyPem: string, der: Uint8Array): boolean {
  const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromKey, fromCert) === 0;
}
