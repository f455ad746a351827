import { X509Certificate, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { EKU, createRootCa, issueCertificate, toPemBundle, toPkcs12, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { Pkcs12Error, keyMatchesCertificate, readPkcs12 } from '../../../local/pki/pkcs12';
import { createCsr, readCsr, signCsr } from '../../../local/pki/csr';
import { parseCertificate, parseCertificateChain, verifyChain } from '../../../core/pki';

describe('cert-factory', () => {
  let root: IssuedCertificate;
  let leaf: IssuedCertificate;
  beforeAll(async () => {
    root = await createRootCa({ subject: 'CN=Factory Root, O=Tests' });
    leaf = await issueCertificate(root, { subject: 'CN=device.tests.example', subjectAltNames: { dns: ['device.tests.example'], ip: ['127.0.0.1'] }, serialNumber: '0A1B2C' });
  });

  it('makes a self-signed root CA that OpenSSL accepts as an issuer', () => {
    const openssl = new X509Certificate(root.der);
    expect(openssl.ca).toBe(true);
    expect(openssl.verify(openssl.publicKey)).toBe(true);
    expect(root.info.keyUsages).toEqual(expect.arrayContaining(['keyCertSign', 'cRLSign']));
    expect(root.info.notAfter.getTime() - root.info.notBefore.getTime()).toBe(3650 * 24 * 3600 * 1000);
  });

  it('issues a leaf with both Azure EKUs by default, its SANs and serial, signed by the root', () => {
    const openssl = new X509Certificate(leaf.der);
    expect(openssl.checkIssued(new X509Certificate(root.der))).toBe(true);
    expect(openssl.verify(new X509Certificate(root.der).publicKey)).toBe(true);
    expect(openssl.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.info.extendedKeyUsages).toEqual([EKU.serverAuth, EKU.clientAuth]);
    expect(leaf.info.serialNumber).toBe('0A1B2C');
    expect(keyMatchesCertificate(leaf.privateKeyPem, leaf.der)).toBe(true);
    expect(leaf.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('hands out WebCrypto keys that sign what the certificate verifies', async () => {
    const data = new TextEncoder().encode('ike auth payload');
    const signature = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', leaf.keyPair!.privateKey, data);
    const publicKey = await webcrypto.subtle.importKey('spki', new X509Certificate(leaf.der).publicKey.export({ type: 'spki', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    expect(await webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, signature, data)).toBe(true);
  });

  it('can make weak, EC and key-reusing certificates for rule tests', async () => {
    const weak = await issueCertificate(root, { subject: 'CN=weak', keyBits: 1024 });
    expect(weak.info.publicKey.bits).toBe(1024);
    const ec = await issueCertificate(root, { subject: 'CN=ec', keyType: 'EC' });
    expect(ec.info.publicKey.algorithm).toBe('EC');
    const renewed = await issueCertificate(root, { subject: 'CN=device.tests.example', privateKeyPem: leaf.privateKeyPem });
    expect(keyMatchesCertificate(leaf.privateKeyPem, renewed.der)).toBe(true);
    expect(renewed.info.thumbprint).not.toBe(leaf.info.thumbprint);
  });

  it('writes a password-protected .pfx with key and chain that reads back, and refuses a wrong password', () => {
    const pfx = toPkcs12(leaf, [root], 'Str0ng!');
    const contents = readPkcs12(pfx, 'Str0ng!');
    expect(contents.certificates.map((der) => parseCertificate(der).thumbprint)).toEqual([leaf.info.thumbprint, root.info.thumbprint]);
    expect(createPublicKey(createPrivateKey(contents.privateKeyPem!)).export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(leaf.privateKeyPem).export({ type: 'spki', format: 'pem' }));
    expect(() => readPkcs12(pfx, 'wrong')).toThrow(Pkcs12Error);
    expect(() => readPkcs12(new Uint8Array([1, 2, 3]), 'x')).toThrow(/not a readable PKCS#12/);
  });

  it('writes a PEM bundle: certificate, chain, then key', () => {
    const bundle = toPemBundle(leaf, [root]);
    expect(parseCertificateChain(bundle.replace(leaf.privateKeyPem, '')).map((c) => c.thumbprint)).toEqual([leaf.info.thumbprint, root.info.thumbprint]);
    expect(bundle.endsWith(leaf.privateKeyPem)).toBe(true);
  });

  it('makes a CSR that an outside CA signs into a certificate for the same key, with the requested usages', async () => {
    const csr = createCsr({ subject: 'CN=kv-out.tests.example, O=Tests', privateKeyPem: leaf.privateKeyPem, extendedKeyUsages: [EKU.serverAuth, EKU.clientAuth], subjectAltNames: { dns: ['kv-out.tests.example'] } });
    expect(readCsr(csr)).toMatchObject({ subject: 'CN=kv-out.tests.example, O=Tests', extendedKeyUsages: [EKU.serverAuth, EKU.clientAuth], dnsNames: ['kv-out.tests.example'] });
    const signed = signCsr(root, csr, { notAfter: new Date(Date.now() + 30 * 24 * 3600 * 1000) });
    expect(keyMatchesCertificate(leaf.privateKeyPem, signed.der)).toBe(true);
    expect(signed.info.subjectAltNames).toEqual(['DNS:kv-out.tests.example']);
    expect(await verifyChain(signed.info, [], [root.info], new Date())).toMatchObject({ ok: true });
    const tampered = Uint8Array.from(csr);
    tampered[40] = (tampered[40] as number) ^ 0xff;
    expect(() => readCsr(tampered)).toThrow();
  });
});
