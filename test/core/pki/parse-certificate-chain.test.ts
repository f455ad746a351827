import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificateChain, toBase64Der } from '../../../core/pki';
import { isUserError, type UserError } from '../../../core/errors/user-error';
import { createRootCa } from '../../../local/pki/cert-factory';
import { buildPki, type Pki } from './pki-fixtures';

function chainError(text: string): UserError {
  try {
    parseCertificateChain(text);
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('expected parseCertificateChain to fail');
}

describe('parseCertificateChain', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPki();
  });
  const prints = (text: string): string[] => parseCertificateChain(text).map((c) => c.thumbprint);

  it('reads several PEM blocks in the order given, ignoring text around them', () => {
    const text = `Root:\n${pki.root.pem}\nIntermediate (from the CA portal):\n${pki.intermediate.pem}`;
    expect(prints(text)).toEqual([pki.root.info.thumbprint, pki.intermediate.info.thumbprint]);
  });

  it('reads base64 DER one certificate per line, as the portal asks', () => {
    expect(prints(`${toBase64Der(pki.root.info)}\n${toBase64Der(pki.intermediate.info)}\n`)).toEqual([pki.root.info.thumbprint, pki.intermediate.info.thumbprint]);
  });

  it('reads certificates wrapped over several lines without PEM armour', () => {
    const wrap = (b64: string): string => b64.match(/.{1,64}/g)?.join('\n') ?? '';
    expect(prints(`${wrap(toBase64Der(pki.root.info))}\n\n${wrap(toBase64Der(pki.intermediate.info))}`)).toEqual([pki.root.info.thumbprint, pki.intermediate.info.thumbprint]);
  });

  it('reads a JSON array of base64 strings (inboundAuthCertificateChain as ARM shows it)', () => {
    expect(prints(JSON.stringify([toBase64Der(pki.root.info), toBase64Der(pki.leaf.info)]))).toEqual([pki.root.info.thumbprint, pki.leaf.info.thumbprint]);
  });

  it('refuses a private key with Azure\'s code and tells the user to treat it as exposed', () => {
    const error = chainError(pki.root.pem + pki.leaf.privateKeyPem);
    expect(error.code).toBe('VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey');
    expect(error.hint).toMatch(/exposed/);
  });

  it('names which certificate of several is broken', () => {
    const broken = pki.intermediate.pem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n!!!!\n');
    expect(chainError(pki.root.pem + broken).safeMessage).toMatch(/Certificate 2 has characters that are not base64/);
  });

  it('refuses absurd numbers of certificates', async () => {
    const extra = await createRootCa({ subject: 'CN=Many' });
    expect(chainError(Array.from({ length: 17 }, () => extra.pem).join('')).safeMessage).toMatch(/more than 16 certificates/);
  });

  it('stays linear on pathological text: thousands of BEGIN lines, or a certificate split into tiny tokens', () => {
    expect(chainError('-----BEGIN CERTIFICATE-----\n'.repeat(40_000)).safeMessage).toMatch(/no matching -----END CERTIFICATE----- line/);
    const b64 = toBase64Der(pki.root.info);
    const tiny = Array.from({ length: 60 }, () => b64.match(/.{1,4}/g)?.join(' ')).join(' ');
    expect(chainError(tiny).code).toBe('InvalidCertificate');
    expect(chainError(`${b64.slice(0, 8)} ${'AAAA '.repeat(200_000)}`).safeMessage).toMatch(/extra characters|truncated|not a certificate|at most/);
  });

  it('refuses text that is not certificates', () => {
    expect(chainError('hello world').code).toBe('InvalidCertificate');
    expect(chainError('').safeMessage).toMatch(/empty/);
  });
});
