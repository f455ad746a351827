import { beforeAll, describe, expect, it } from 'vitest';
import { checkOutboundCertificate, CertificateCodes, EKU } from '../../../core/pki';
import { createRootCa, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { NOW, daysFromNow } from './pki-fixtures';

describe('checkOutboundCertificate (Azure outbound rules)', () => {
  let ca: IssuedCertificate;
  const leaf = (opts: Partial<Parameters<typeof issueCertificate>[1]> = {}): Promise<IssuedCertificate> =>
    issueCertificate(ca, { subject: 'CN=azure-out.contoso.example', notBefore: daysFromNow(-30), notAfter: daysFromNow(300), ...opts });
  beforeAll(async () => {
    ca = await createRootCa({ subject: 'CN=Outbound Root', notBefore: daysFromNow(-100), notAfter: daysFromNow(3000) });
  });
  const codes = (cert: IssuedCertificate, hasPrivateKey?: boolean): string[] =>
    checkOutboundCertificate(cert.info, NOW, hasPrivateKey === undefined ? {} : { hasPrivateKey }).map((v) => v.code);

  it('accepts a good certificate: RSA 2048 with key, both EKUs, subject, valid now', async () => {
    expect(checkOutboundCertificate((await leaf()).info, NOW, { hasPrivateKey: true })).toEqual([]);
  });

  it('expired', async () => {
    const [v] = checkOutboundCertificate((await leaf({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-2) })).info, NOW);
    expect(v?.code).toBe('VpnConnectionOutBoundAuthenticationCertificateIsExpired');
    expect(v?.severity).toBe('error');
    expect(v?.message).toMatch(/expired on 2026-05-30/);
  });

  it('not yet valid', async () => {
    expect(codes(await leaf({ notBefore: daysFromNow(3), notAfter: daysFromNow(300) }))).toEqual([CertificateCodes.OutboundNotYetValid]);
  });

  it('1024-bit RSA', async () => {
    const [v] = checkOutboundCertificate((await leaf({ keyBits: 1024 })).info, NOW);
    expect(v?.code).toBe('VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength');
    expect(v?.message).toMatch(/1024 bits; Azure needs at least 2048/);
  });

  it('missing clientAuth, or no EKU extension at all', async () => {
    const serverOnly = checkOutboundCertificate((await leaf({ extendedKeyUsages: [EKU.serverAuth] })).info, NOW);
    expect(serverOnly.map((v) => v.code)).toEqual(['VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth']);
    expect(serverOnly[0]?.message).toMatch(/lacks Client Authentication;/);
    expect(codes(await leaf({ extendedKeyUsages: [] }))).toEqual(['VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth']);
  });

  it('an EC key is not an RSA key', async () => {
    expect(codes(await leaf({ keyType: 'EC' }))).toEqual(['VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey']);
  });

  it('no private key in Key Vault', async () => {
    expect(codes(await leaf(), false)).toEqual(['VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey']);
  });

  it('empty subject', async () => {
    expect(codes(await leaf({ subject: '' }))).toEqual([CertificateCodes.OutboundSubjectEmpty]);
  });

  it('warns within 30 days of expiry, after the errors', async () => {
    const v = checkOutboundCertificate((await leaf({ notAfter: daysFromNow(10), keyBits: 1024 })).info, NOW);
    expect(v.map((x) => [x.code, x.severity])).toEqual([
      ['VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength', 'error'],
      [CertificateCodes.OutboundExpiresSoon, 'warning'],
    ]);
    expect(v[1]?.message).toMatch(/in 10 days/);
  });
});
