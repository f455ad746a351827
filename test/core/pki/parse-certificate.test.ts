import { X509Certificate, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, parseDer, toBase64Der, toPem, EKU } from '../../../core/pki';
import { isUserError, type UserError } from '../../../core/errors/user-error';
import { createSelfSignedCertificate, issueCertificate } from '../../../local/pki/cert-factory';
import { buildPki, daysFromNow, type Pki } from './pki-fixtures';

function parseError(input: Uint8Array | string): UserError {
  try {
    parseCertificate(input);
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('expected parseCertificate to fail');
}

describe('parseCertificate', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPki();
  });

  it('reads what Azure and Windows show: subject, issuer, thumbprint, serial, dates, key, EKUs', () => {
    const info = parseCertificate(pki.leaf.pem);
    const openssl = new X509Certificate(pki.leaf.der);
    expect(info.subject).toBe('CN=vpn.contoso.example, O=Contoso');
    expect(info.issuer).toBe('CN=Contoso Issuing CA, O=Contoso');
    expect(info.subjectCommonName).toBe('vpn.contoso.example');
    expect(info.thumbprint).toBe(openssl.fingerprint.replace(/:/g, ''));
    expect(info.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(info.serialNumber).toBe(openssl.serialNumber.toUpperCase());
    expect(info.notBefore.toISOString()).toBe(openssl.validFromDate.toISOString());
    expect(info.notAfter.toISOString()).toBe(openssl.validToDate.toISOString());
    expect(info.publicKey).toEqual({ algorithm: 'RSA', bits: 2048 });
    expect(info.extendedKeyUsages).toEqual([EKU.serverAuth, EKU.clientAuth]);
    expect(info.isCa).toBe(false);
    expect(info.selfIssued).toBe(false);
    expect(info.keyUsages).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(info.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(info.authorityKeyIdentifier).toBe(pki.intermediate.info.subjectKeyIdentifier);
  });

  it('marks a root CA as CA and self-issued, with certificate-signing key usage', () => {
    const root = parseCertificate(pki.root.der);
    expect(root.subject).toBe('CN=Contoso Root CA, O=Contoso, C=US');
    expect(root.isCa).toBe(true);
    expect(root.selfIssued).toBe(true);
    expect(root.keyUsages).toContain('keyCertSign');
    expect(root.extendedKeyUsages).toEqual([]);
  });

  it('accepts DER, PEM, base64 DER (inboundAuthCertificateChain form) and .cer file bytes alike', () => {
    const forms: (Uint8Array | string)[] = [
      pki.leaf.der,
      pki.leaf.pem,
      toBase64Der(pki.leaf.info),
      `  ${toBase64Der(pki.leaf.info).match(/.{1,64}/g)?.join('\r\n')}\n`,
      new Uint8Array(Buffer.from(pki.leaf.pem)),
      `${pki.leaf.privateKeyPem}${pki.leaf.pem}`,
    ];
    for (const form of forms) expect(parseCertificate(form).thumbprint).toBe(pki.leaf.info.thumbprint);
  });

  it('escapes hostile names so they cannot fake attributes or lines, and round-trips them', async () => {
    const hostile = await createSelfSignedCertificate({ subject: 'CN=evil\\, O=Microsoft\\0AOU=x, O=Contoso' });
    expect(hostile.info.subjectCommonName).toBe('evil, O=Microsoft\nOU=x');
    expect(hostile.info.subject).toBe('CN=evil\\, O\\=Microsoft\\0AOU\\=x, O=Contoso');
    expect(hostile.info.subject).not.toContain('\n');
  });

  it('reports EC keys with their curve', async () => {
    const ec = await createSelfSignedCertificate({ subject: 'CN=ec', keyType: 'EC' });
    expect(ec.info.publicKey).toEqual({ algorithm: 'EC', bits: 256, curve: 'P-256' });
    expect(ec.info.signatureAlgorithm).toBe('ecdsa-with-SHA256');
  });

  describe('hostile input gives InvalidCertificate with a reason, never a crash or an echo', () => {
    it('garbage text', () => {
      const error = parseError('<script>alert(1)</script> this is not a cert');
      expect(error.code).toBe('InvalidCertificate');
      expect(error.safeMessage).toMatch(/not a certificate/);
      expect(error.safeMessage).not.toContain('script');
    });

    it('empty input', () => {
      expect(parseError('   \n').safeMessage).toMatch(/empty/);
      expect(parseError(new Uint8Array()).safeMessage).toMatch(/empty/);
    });

    it('truncated DER says how much is missing', () => {
      const error = parseError(pki.leaf.der.subarray(0, 300));
      expect(error.safeMessage).toMatch(/truncated: it declares \d+ bytes but only 300 are present/);
    });

    it('truncated PEM (END line cut off)', () => {
      expect(parseError(pki.leaf.pem.slice(0, 200)).safeMessage).toMatch(/no matching -----END/);
    });

    it('truncated base64', () => {
      expect(parseError(toBase64Der(pki.leaf.info).slice(0, 400)).safeMessage).toMatch(/truncated/);
    });

    it('extra bytes after the certificate', () => {
      expect(parseError(Uint8Array.from([...pki.leaf.der, 1, 2, 3])).safeMessage).toMatch(/3 extra bytes/);
    });

    it('huge input is refused by size before any parsing', () => {
      const error = parseError('A'.repeat(5 * 1024 * 1024));
      expect(error.safeMessage).toMatch(/5\.0 MB/);
      expect(parseError(new Uint8Array(200 * 1024).fill(0x30)).safeMessage).toMatch(/at most 64 KB/);
    });

    it('a DER SEQUENCE that is not a certificate', () => {
      expect(parseError(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x05])).safeMessage).toMatch(/not a valid X\.509 certificate/);
    });

    it('several certificates where one is expected', () => {
      expect(parseError(pki.leaf.pem + pki.root.pem).safeMessage).toMatch(/holds 2 certificates/);
    });

    it('survives 300 random corruptions of a real certificate', () => {
      const outcomes = { parsed: 0, rejected: 0 };
      for (let i = 0; i < 300; i++) {
        const bytes = Uint8Array.from(pki.leaf.der);
        const noise = randomBytes(8);
        const mode = i % 3;
        let mutated: Uint8Array = bytes;
        if (mode === 0) for (let k = 0; k < 4; k++) bytes[(noise[k] as number) * 3 % bytes.length] = noise[k + 4] as number;
        else if (mode === 1) mutated = bytes.subarray(0, 1 + ((noise.readUInt16BE(0) % (bytes.length - 1))));
        else mutated = Uint8Array.from([...bytes.subarray(0, 40), ...randomBytes(100), ...bytes.subarray(140)]);
        try {
          parseDer(mutated);
          parseCertificate(mutated);
          outcomes.parsed++;
        } catch (error) {
          expect(isUserError(error) ? (error as UserError).code : error).toBe('InvalidCertificate');
          outcomes.rejected++;
        }
      }
      expect(outcomes.rejected).toBeGreaterThan(100);
    });
  });

  it('keeps its own copy of the DER and renders PEM that parses back', async () => {
    const cert = await issueCertificate(pki.root, { subject: 'CN=copy', notBefore: daysFromNow(-1), notAfter: daysFromNow(10) });
    const buffer = Uint8Array.from(cert.der);
    const info = parseCertificate(buffer);
    buffer.fill(0);
    expect(parseCertificate(toPem(info)).thumbprint).toBe(cert.info.thumbprint);
  });
});
