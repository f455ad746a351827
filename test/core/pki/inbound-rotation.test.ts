import forge from 'node-forge';
import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, issueCertificate, toPkcs12, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { isUserError } from '../../../core/errors/user-error';
import { classifyDer } from '../../../core/pki/der-containers';
import { chainSubjects, checkDeviceAgainstChain, checkNewInboundChain, readInboundInput } from '../../../core/pki/inbound-rotation';
import { buildPki, daysFromNow, NOW, type Pki } from './pki-fixtures';

/** What `rotate <site> inbound` takes and how it judges it, before anything is requested. */
let pki: Pki;
let other: Pki;

function pkcs7(certs: readonly IssuedCertificate[]): Uint8Array {
  const p7 = forge.pkcs7.createSignedData();
  for (const c of certs) p7.addCertificate(forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(c.der).toString('binary'))));
  return new Uint8Array(Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'));
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isUserError(error)) return { code: error.code, message: error.safeMessage };
    throw error;
  }
  throw new Error('expected a user error');
}

beforeAll(async () => {
  pki = await buildPki('Berlin');
  other = await buildPki('Madrid');
});

describe('reading the new CA certificates', () => {
  it('takes PEM in any order and puts the root first', () => {
    const read = readInboundInput(`${pki.intermediate.pem}${pki.root.pem}`);
    const checked = checkNewInboundChain(read.certificates, NOW);
    expect(checked.ok && chainSubjects(checked.chain)).toBe('CN=Berlin Root CA, O=Berlin, C=US -> CN=Berlin Issuing CA, O=Berlin');
    expect(checked.ok && checked.warnings.map((w) => w.code)).not.toContain('InboundChainOrder');
  });

  it('takes base64 DER one per line, a PKCS#7 bundle as DER, as PEM and as base64', () => {
    const b64 = (c: IssuedCertificate) => Buffer.from(c.der).toString('base64');
    const bundle = pkcs7([pki.intermediate, pki.root]);
    const bundlePem = `-----BEGIN PKCS7-----\n${Buffer.from(bundle).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;
    for (const input of [`${b64(pki.root)}\n${b64(pki.intermediate)}`, bundle, bundlePem, Buffer.from(bundle).toString('base64')]) {
      const read = readInboundInput(input);
      expect(read.certificates.map((c) => c.subject).sort()).toEqual(['CN=Berlin Issuing CA, O=Berlin', 'CN=Berlin Root CA, O=Berlin, C=US']);
    }
    expect(classifyDer(bundle)).toMatchObject({ kind: 'pkcs7' });
    expect(classifyDer(pki.root.der)).toEqual({ kind: 'certificate' });
  });

  it('keeps a device certificate given along apart from the chain', () => {
    const read = readInboundInput(`${pki.leaf.pem}${pki.root.pem}${pki.intermediate.pem}`);
    expect(read.device?.subject).toBe('CN=vpn.berlin.example, O=Berlin');
    expect(read.certificates).toHaveLength(2);
  });

  it("refuses a private key with Azure's code, whether PEM, PKCS#8 DER, base64 or a .pfx, and never repeats it", () => {
    const keyPem = pki.intermediate.privateKeyPem;
    const pkcs8 = new Uint8Array(createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' }));
    const pkcs1 = new Uint8Array(createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs1' }));
    for (const input of [`${pki.root.pem}${keyPem}`, pkcs8, pkcs1, Buffer.from(pkcs8).toString('base64'), toPkcs12(pki.leaf, [pki.root], 'x')]) {
      const error = errorOf(() => readInboundInput(input));
      expect(error.code).toBe('VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey');
      expect(error.message).not.toMatch(/MII|BEGIN/);
    }
  });

  it('says what is wrong with garbage and truncated text', () => {
    expect(errorOf(() => readInboundInput('hello world')).code).toBe('InvalidCertificate');
    expect(errorOf(() => readInboundInput(pki.root.pem.slice(0, 200))).message).toMatch(/cut off|truncated/);
    expect(errorOf(() => readInboundInput('x'.repeat(200 * 1024))).message).toMatch(/larger than 128 KB/);
  });
});

describe("Azure's chain rules for the new chain", () => {
  const codes = (certs: IssuedCertificate[]) => {
    const checked = checkNewInboundChain(certs.map((c) => c.info), NOW);
    return checked.ok ? [] : checked.errors.map((e) => e.code);
  };

  it('six certificates: MaxRootCertificatePublicKeySupported', async () => {
    let parent = pki.root;
    const chain = [pki.root];
    for (let i = 0; i < 5; i++) chain.push((parent = await issueCertificate(parent, { subject: `CN=Sub ${i}`, isCa: true, notBefore: daysFromNow(-10), notAfter: daysFromNow(100) })));
    expect(codes(chain)).toEqual(['MaxRootCertificatePublicKeySupported']);
  });

  it('two roots, no root, a duplicate, an expired CA, a CA flag missing: each with its code', async () => {
    expect(codes([pki.root, other.root, pki.intermediate])).toContain('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts');
    expect(codes([pki.intermediate])).toEqual(['VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert']);
    expect(codes([pki.root, pki.intermediate, pki.root])).toContain('VpnConnectionAuthenticationDuplicateRootCertificate');
    const expired = await createRootCa({ subject: 'CN=Old Root', notBefore: daysFromNow(-900), notAfter: daysFromNow(-1) });
    expect(codes([expired])).toContain('VpnConnectionAuthenticationRootCertificateIsExpired');
    const notCa = await issueCertificate(pki.root, { subject: 'CN=Not A CA', notBefore: daysFromNow(-10), notAfter: daysFromNow(100) });
    const underNotCa = await issueCertificate(notCa, { subject: 'CN=Under', isCa: true, notBefore: daysFromNow(-10), notAfter: daysFromNow(100) });
    expect(codes([pki.root, notCa, underNotCa])).toContain('InboundChainCertificateIsNotCa');
  });
});

describe('a device certificate given with the chain', () => {
  it('must chain to the new root and match the subject', async () => {
    const chain = [pki.root.info, pki.intermediate.info];
    expect(await checkDeviceAgainstChain(pki.leaf.info, chain, 'CN=vpn.berlin.example', NOW)).toEqual([]);
    expect(await checkDeviceAgainstChain(pki.leaf.info, chain, 'CN=other.example', NOW)).toEqual([expect.stringMatching(/does not match the inbound subject CN=other\.example/)]);
    expect(await checkDeviceAgainstChain(other.leaf.info, chain, 'CN=vpn.madrid.example', NOW)).toEqual([expect.stringMatching(/does not chain to the new root/)]);
  });
});
