import { beforeAll, describe, expect, it } from 'vitest';
import { daysUntilExpiry, describeCertificate, subjectMatches } from '../../../core/pki';
import { NOW, buildPki, daysFromNow, type Pki } from './pki-fixtures';
import { issueCertificate } from '../../../local/pki/cert-factory';

describe('subjectMatches', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPki();
  });

  it('accepts the common name with or without CN= (the docs disagree), in any case', () => {
    for (const configured of ['vpn.contoso.example', 'CN=vpn.contoso.example', 'cn = VPN.Contoso.Example', '  vpn.contoso.example ']) {
      expect(subjectMatches(pki.leaf.info, configured)).toBe(true);
    }
  });

  it('accepts the whole distinguished name in either order', () => {
    expect(subjectMatches(pki.leaf.info, 'CN=vpn.contoso.example, O=Contoso')).toBe(true);
    expect(subjectMatches(pki.leaf.info, 'O=Contoso, CN=vpn.contoso.example')).toBe(true);
  });

  it('rejects another name, another organisation, a partial name and an empty setting', () => {
    expect(subjectMatches(pki.leaf.info, 'CN=vpn.fabrikam.example')).toBe(false);
    expect(subjectMatches(pki.leaf.info, 'CN=vpn.contoso.example, O=Fabrikam')).toBe(false);
    expect(subjectMatches(pki.leaf.info, 'vpn.contoso')).toBe(false);
    expect(subjectMatches(pki.leaf.info, '')).toBe(false);
  });

  it('handles common names that contain separators', async () => {
    const odd = await issueCertificate(pki.intermediate, { subject: 'CN=site\\, a=b', notBefore: daysFromNow(-1), notAfter: daysFromNow(10) });
    expect(subjectMatches(odd.info, 'site, a=b')).toBe(true);
    expect(subjectMatches(odd.info, 'CN=site\\, a=b')).toBe(true);
    expect(subjectMatches(odd.info, 'CN=site')).toBe(false);
  });
});

describe('daysUntilExpiry and describeCertificate', () => {
  it('counts whole days down, negative once expired', async () => {
    const pki = await buildPki('Expiry');
    expect(daysUntilExpiry(pki.leaf.info, NOW)).toBe(355);
    expect(daysUntilExpiry({ notAfter: new Date(NOW.getTime() + 36 * 3600 * 1000) }, NOW)).toBe(1);
    expect(daysUntilExpiry({ notAfter: new Date(NOW.getTime() - 3600 * 1000) }, NOW)).toBe(-1);
    const summary = describeCertificate(pki.leaf.info, NOW);
    expect(summary).toMatchObject({ subject: 'CN=vpn.expiry.example, O=Expiry', commonName: 'vpn.expiry.example', daysUntilExpiry: 355, state: 'valid', key: 'RSA 2048-bit', extendedKeyUsages: ['serverAuth', 'clientAuth'] });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(describeCertificate(pki.leaf.info, daysFromNow(340)).state).toBe('expiring-soon');
    expect(describeCertificate(pki.leaf.info, daysFromNow(400)).state).toBe('expired');
  });
});
