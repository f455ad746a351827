import { beforeAll, describe, expect, it } from 'vitest';
import { checkInboundChain, checkInboundSubjectName, orderInboundChain, CertificateCodes, type CertificateInfo } from '../../../core/pki';
import { createRootCa, createSelfSignedCertificate, issueCertificate } from '../../../local/pki/cert-factory';
import { NOW, buildPki, daysFromNow, type Pki } from './pki-fixtures';

describe('checkInboundChain (Azure inbound chain rules)', () => {
  let pki: Pki;
  let other: Pki;
  beforeAll(async () => {
    [pki, other] = await Promise.all([buildPki('Contoso'), buildPki('Fabrikam')]);
  });
  const check = (chain: CertificateInfo[]): [string, string][] => checkInboundChain(chain, NOW).map((v) => [v.code, v.severity]);

  it('accepts root then intermediate, and root then intermediate then the device certificate', () => {
    expect(check([pki.root.info, pki.intermediate.info])).toEqual([]);
    expect(check([pki.root.info, pki.intermediate.info, pki.leaf.info])).toEqual([]);
  });

  it('empty', () => {
    expect(check([])).toEqual([['InboundAuthCertificateChainIsEmpty', 'error']]);
  });

  it('a chain of 6 exceeds Azure\'s 5', async () => {
    const chain: CertificateInfo[] = [pki.root.info];
    let issuer = pki.root;
    for (let i = 1; i < 6; i++) {
      issuer = await issueCertificate(issuer, { subject: `CN=Level ${i}`, isCa: true, notBefore: daysFromNow(-10), notAfter: daysFromNow(400) });
      chain.push(issuer.info);
    }
    const v = checkInboundChain(chain, NOW);
    expect(v.map((x) => x.code)).toEqual(['MaxRootCertificatePublicKeySupported']);
    expect(v[0]?.message).toMatch(/has 6 certificates; Azure accepts at most 5/);
  });

  it('wrong order is a warning that spells out the right order, and orderInboundChain fixes it', () => {
    const given = [pki.intermediate.info, pki.root.info];
    const v = checkInboundChain(given, NOW);
    expect(v.map((x) => [x.code, x.severity])).toEqual([[CertificateCodes.InboundOrder, 'warning']]);
    expect(v[0]?.message).toContain("'CN=Contoso Root CA, O=Contoso, C=US' -> 'CN=Contoso Issuing CA, O=Contoso'");
    expect(orderInboundChain(given)?.map((c) => c.thumbprint)).toEqual([pki.root.info.thumbprint, pki.intermediate.info.thumbprint]);
  });

  it('no root', () => {
    expect(check([pki.intermediate.info])).toEqual([['VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert', 'error']]);
  });

  it('certificates of two different chains', () => {
    const v = checkInboundChain([pki.root.info, other.intermediate.info], NOW);
    expect(v.map((x) => x.code)).toEqual(['VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts']);
    expect(v[0]?.message).toMatch(/nothing in it issued 'CN=Fabrikam Issuing CA/);
    expect(check([pki.root.info, other.root.info])[0]?.[0]).toBe('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts');
    expect(orderInboundChain([pki.root.info, other.root.info])).toBeUndefined();
  });

  it('duplicates', () => {
    expect(check([pki.root.info, pki.intermediate.info, pki.root.info])).toEqual([['VpnConnectionAuthenticationDuplicateRootCertificate', 'error']]);
  });

  it('expired root, expired intermediate, and a root close to expiry', async () => {
    const oldRoot = await createRootCa({ subject: 'CN=Old Root', notBefore: daysFromNow(-800), notAfter: daysFromNow(-1) });
    const v = checkInboundChain([oldRoot.info], NOW);
    expect(v.map((x) => x.code)).toEqual(['VpnConnectionAuthenticationRootCertificateIsExpired']);
    const oldIntermediate = await issueCertificate(pki.root, { subject: 'CN=Old Issuing', isCa: true, notBefore: daysFromNow(-800), notAfter: daysFromNow(-5) });
    expect(check([pki.root.info, oldIntermediate.info])).toEqual([[CertificateCodes.InboundCertificateExpired, 'error']]);
    const soon = await createRootCa({ subject: 'CN=Soon Root', notBefore: daysFromNow(-800), notAfter: daysFromNow(12) });
    const withIntermediate = await issueCertificate(soon, { subject: 'CN=Soon Issuing', isCa: true, notBefore: daysFromNow(-5), notAfter: daysFromNow(12) });
    expect(check([soon.info, withIntermediate.info])).toEqual([
      [CertificateCodes.InboundExpiresSoon, 'warning'],
      [CertificateCodes.InboundExpiresSoon, 'warning'],
    ]);
  });

  it('a certificate that issues another but is not a CA', async () => {
    const notCa = await issueCertificate(pki.root, { subject: 'CN=Not A CA', isCa: false, notBefore: daysFromNow(-5), notAfter: daysFromNow(100) });
    const below = await issueCertificate({ ...notCa }, { subject: 'CN=Below', notBefore: daysFromNow(-5), notAfter: daysFromNow(100) });
    expect(check([pki.root.info, notCa.info, below.info])).toEqual([[CertificateCodes.InboundNotCa, 'error']]);
    const selfSignedLeaf = await createSelfSignedCertificate({ subject: 'CN=Lonely', notBefore: daysFromNow(-5), notAfter: daysFromNow(100) });
    expect(check([selfSignedLeaf.info])).toEqual([[CertificateCodes.InboundNotCa, 'error']]);
  });

  it('weak keys and a lone root are warnings', async () => {
    const weakRoot = await createRootCa({ subject: 'CN=Weak Root', keyBits: 1024, notBefore: daysFromNow(-5), notAfter: daysFromNow(1000) });
    expect(check([weakRoot.info])).toEqual([
      [CertificateCodes.InboundWeakKey, 'warning'],
      [CertificateCodes.InboundSingleCertificate, 'warning'],
    ]);
  });

  it('an empty subject name setting is CertificateSubjectNameIsEmpty', () => {
    expect(checkInboundSubjectName('  ').map((v) => v.code)).toEqual(['CertificateSubjectNameIsEmpty']);
    expect(checkInboundSubjectName('rome-vpn.contoso.example')).toEqual([]);
  });
});
