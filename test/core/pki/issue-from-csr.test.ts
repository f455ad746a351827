import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { EKU, checkOutboundCertificate, parseDer, signatureVerifies, verifyChain } from '../../../core/pki';
import { assembleCertificate, buildTbsCertificate, certificateMatchesRequest, issueProblems, parseCertificateRequest, type IssueRequest } from '../../../core/pki/issue-from-csr';
import { createRootCa, generateKey, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { createCsr } from '../../../local/pki/csr';
import { NOW, daysFromNow } from './pki-fixtures';

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
/** What Key Vault's sign (RS256) does with the CA's key: the test plays the vault. */
const kvSign = (ca: IssuedCertificate, digest: Uint8Array) => new Uint8Array(privateEncrypt({ key: createPrivateKey(ca.privateKeyPem), padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])));

describe('issuing an outbound certificate from a CSR with a CA key that only signs digests', () => {
  let ca: IssuedCertificate;
  let otherCa: IssuedCertificate;
  let key: { privateKeyPem: string };
  let csrDer: Uint8Array;
  const subject = 'CN=azure-paris.vpn.contoso.example, O=Contoso';
  const dns = ['azure-paris.vpn.contoso.example'];
  beforeAll(async () => {
    [ca, otherCa, key] = await Promise.all([
      createRootCa({ subject: 'CN=Contoso Azure VPN Root CA, O=Contoso, C=GB', notBefore: daysFromNow(-400), notAfter: daysFromNow(3000) }),
      createRootCa({ subject: 'CN=Other Root', notBefore: daysFromNow(-400), notAfter: daysFromNow(3000) }),
      generateKey({ keyBits: 2048 }),
    ]);
    csrDer = createCsr({ subject, privateKeyPem: key.privateKeyPem, extendedKeyUsages: [EKU.serverAuth], subjectAltNames: { dns } });
  });
  const request = async (overrides: Partial<IssueRequest> = {}): Promise<IssueRequest> => ({
    csr: parseCertificateRequest(csrDer),
    subject,
    dnsNames: dns,
    notBefore: daysFromNow(0),
    notAfter: daysFromNow(365),
    serialNumber: Uint8Array.from([0x91, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
    ...overrides,
  });

  it('reads the request: subject, RSA 2048, DNS names, a valid self-signature', async () => {
    const csr = parseCertificateRequest(csrDer);
    expect(csr).toMatchObject({ subject, keyAlgorithm: 'RSA', keyBits: 2048, dnsNames: dns, selfSignatureValid: true });
  });

  it('the certificate chains to the CA, carries serverAuth + clientAuth whatever the CSR asked, and passes Azure\'s outbound rules', async () => {
    const req = await request();
    const { tbsDer, digest } = buildTbsCertificate(req, ca.info);
    expect(digest.length).toBe(32);
    const cert = parseDer(assembleCertificate(tbsDer, kvSign(ca, digest)));
    expect(cert.subject).toBe(subject);
    expect(cert.issuer).toBe(ca.info.subject);
    expect(cert.isCa).toBe(false);
    expect(cert.extendedKeyUsages).toEqual([EKU.serverAuth, EKU.clientAuth]);
    expect(cert.subjectAltNames).toEqual(['DNS:azure-paris.vpn.contoso.example']);
    expect(cert.publicKey).toEqual({ algorithm: 'RSA', bits: 2048 });
    expect(cert.serialNumber.startsWith('11')).toBe(true); // top bit cleared: a positive serial
    expect(cert.authorityKeyIdentifier).toBe(ca.info.subjectKeyIdentifier);
    expect(signatureVerifies(cert, ca.info)).toBe(true);
    expect(signatureVerifies(cert, otherCa.info)).toBe(false);
    expect((await verifyChain(cert, [], [ca.info], NOW)).ok).toBe(true);
    expect(checkOutboundCertificate(cert, NOW, { hasPrivateKey: true })).toEqual([]);
    expect(certificateMatchesRequest(cert, req.csr)).toBe(true);
  });

  it('a signature by another key does not verify (what a wrong CA key would give)', async () => {
    const { tbsDer, digest } = buildTbsCertificate(await request(), ca.info);
    const cert = parseDer(assembleCertificate(tbsDer, kvSign(otherCa, digest)));
    expect(signatureVerifies(cert, ca.info)).toBe(false);
  });

  it('refuses a request whose subject, names, key or validity is not the planned one', async () => {
    expect(issueProblems(await request({ subject: 'CN=someone-else' }), ca.info).join()).toMatch(/its subject is CN=azure-paris/);
    expect(issueProblems(await request({ dnsNames: ['other.example'] }), ca.info).join()).toMatch(/DNS names/);
    expect(issueProblems(await request({ notAfter: daysFromNow(4000) }), ca.info).join()).toMatch(/after the CA's/);
    const weak = await generateKey({ keyBits: 1024 });
    const weakCsr = parseCertificateRequest(createCsr({ subject, privateKeyPem: weak.privateKeyPem, subjectAltNames: { dns } }));
    expect(issueProblems(await request({ csr: weakCsr }), ca.info).join()).toMatch(/1024 bits, Azure needs at least 2048/);
    const leaf = await issueCertificate(ca, { subject: 'CN=not a ca', notBefore: daysFromNow(-1), notAfter: daysFromNow(100) });
    expect(issueProblems(await request(), leaf.info).join()).toMatch(/not a CA certificate/);
    await expect(async () => buildTbsCertificate(await request({ subject: 'CN=x' }), ca.info)).rejects.toMatchObject({ code: 'CertificateRequestRefused' });
  });

  it('refuses a request whose self-signature is broken', async () => {
    const broken = Uint8Array.from(csrDer);
    broken[broken.length - 5] = (broken[broken.length - 5] ?? 0) ^ 0xff;
    const csr = parseCertificateRequest(broken);
    expect(csr.selfSignatureValid).toBe(false);
    expect(issueProblems(await request({ csr }), ca.info).join()).toMatch(/does not verify with its own key/);
  });

  it('garbage is a typed error, not an exception', async () => {
    expect(() => parseCertificateRequest(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'InvalidCertificateRequest' }));
    expect(() => parseCertificateRequest('')).toThrow(expect.objectContaining({ code: 'InvalidCertificateRequest' }));
  });

  it('a certificate for another key does not match the request', async () => {
    const other = await issueCertificate(ca, { subject, notBefore: daysFromNow(-1), notAfter: daysFromNow(100) });
    expect(certificateMatchesRequest(other.info, (await request()).csr)).toBe(false);
  });
});
