import { beforeAll, describe, expect, it } from 'vitest';
import type { SiteFacts } from '../../../core/status/assess-site';
import { assessSite } from '../../../core/status/assess-site';
import type { SiteStatus } from '../../../core/status/site-status';
import type { StatusCertificates } from './status-certificates';
import { healthySiteFacts, SITE_OUTBOUND_VERSION, STATUS_NOW, statusCertificates } from './status-certificates';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const VERSION = SITE_OUTBOUND_VERSION;
const NEWER = '9d8c7b6a5f4e3d2c1b0a998877665544';

const facts = (over: Partial<SiteFacts> = {}): SiteFacts => healthySiteFacts(pki, over);

const codes = (status: SiteStatus): string[] => status.warnings.map((w) => w.code);
const assess = (over: Partial<SiteFacts> = {}): SiteStatus => assessSite(facts(over), STATUS_NOW);

describe('assessSite', () => {
  it('a healthy site has no warnings and carries what the card shows', () => {
    const status = assess();
    expect(status.warnings).toEqual([]);
    expect(status.checkedAt).toBe(STATUS_NOW.toISOString());
    expect(status.outbound).toMatchObject({ vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: VERSION, usesLatestEnabledVersion: true, certificate: { subject: 'CN=vpngw-hub.contoso.example, O=Contoso', daysUntilExpiry: 300, state: 'valid', key: 'RSA 2048-bit', extendedKeyUsages: ['serverAuth', 'clientAuth'] } });
    expect(status.inbound.subjectName).toBe('paris-vpn.contoso.example');
    expect(status.inbound.chain.map((c) => [c.subject, c.state, c.isCa, c.selfIssued])).toEqual([
      ['CN=Paris Device Root CA, O=Contoso Paris', 'valid', true, true],
      ['CN=Paris Issuing CA, O=Contoso Paris', 'valid', true, false],
    ]);
  });

  it('is JSON-safe: it crosses durable boundaries unchanged', () => {
    const status = assess({ status: 'NotConnected' });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });

  it('a connection that is down is an error, first, and says how to find out why', () => {
    const status = assess({ status: 'NotConnected', tunnels: facts().tunnels.map((t) => ({ ...t, status: 'NotConnected' as const })), outbound: { ...facts().outbound!, certificate: pki.outbound.expiring.info } });
    expect(status.warnings[0]).toEqual({ code: 'TunnelDown', severity: 'error', text: 'The connection is NotConnected: no tunnel is up. Run "diagnose site-paris" to see why.' });
    expect(codes(status)).toEqual(['TunnelDown', 'OutboundCertificateExpiresSoon']);
  });

  it('one tunnel up on an active-active gateway warns about lost redundancy', () => {
    const [first, second] = facts().tunnels;
    const status = assess({ tunnels: [first!, { ...second!, status: 'NotConnected' }] });
    expect(status.warnings).toEqual([
      { code: 'OneTunnelUp', severity: 'warning', text: "Only 1 of 2 tunnels is up: the active-active gateway has no redundancy for this site. Check the device's tunnel to the other gateway instance." },
    ]);
  });

  it('one tunnel on an active-standby gateway is normal', () => {
    expect(assess({ activeActive: false, tunnels: [facts().tunnels[0]!] }).warnings).toEqual([]);
  });

  it('a pre-shared key connection is flagged, and certificate checks do not apply to it', () => {
    const status = assess({ authenticationType: 'PSK', outbound: undefined, inbound: { chain: [] } });
    expect(status.warnings).toEqual([{ code: 'CertificateAuthNotUsed', severity: 'warning', text: 'This connection authenticates with PSK, not certificates.' }]);
    expect(status.outbound).toBeUndefined();
  });

  it('an expired outbound certificate is an error with Azure\'s code', () => {
    const status = assess({ outbound: { ...facts().outbound!, certificate: pki.outbound.expired.info } });
    expect(status.warnings).toEqual([
      { code: 'VpnConnectionOutBoundAuthenticationCertificateIsExpired', severity: 'error', text: 'Outbound certificate: The outbound certificate expired on 2026-05-27. Add a new certificate version in Key Vault and point the connection at it.' },
    ]);
    expect(status.outbound?.certificate).toMatchObject({ state: 'expired', daysUntilExpiry: -5 });
  });

  it('an outbound certificate expiring within 30 days is a warning naming the day', () => {
    const status = assess({ outbound: { ...facts().outbound!, certificate: pki.outbound.expiring.info } });
    expect(status.warnings).toEqual([{ code: 'OutboundCertificateExpiresSoon', severity: 'warning', text: 'Outbound certificate: The outbound certificate expires on 2026-06-11 (in 10 days). Rotate it before then.' }]);
    expect(status.outbound?.certificate?.state).toBe('expiring-soon');
  });

  it('a connection still on an older Key Vault version is a warning with both versions shortened', () => {
    const status = assess({ outbound: { ...facts().outbound!, latestEnabledVersion: NEWER } });
    expect(status.warnings).toEqual([{ code: 'OutboundNotLatestVersion', severity: 'warning', text: 'Key Vault has a newer enabled version of vpn-out (9d8c7b6a…); the connection still uses 4c7e0f0b….' }]);
    expect(status.outbound).toMatchObject({ usesLatestEnabledVersion: false, latestEnabledVersion: NEWER });
  });

  it('does not judge the version when Key Vault did not say which is newest', () => {
    const status = assess({ outbound: { ...facts().outbound!, latestEnabledVersion: undefined } });
    expect(status.warnings).toEqual([]);
    expect(status.outbound && 'usesLatestEnabledVersion' in status.outbound).toBe(false);
  });

  it('an unreadable outbound certificate is an error carrying the reason, and the view keeps it', () => {
    const status = assess({ outbound: { vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: VERSION, problem: 'Key Vault: the caller lacks Get on certificates in kv-vpn-certs.' } });
    expect(status.warnings).toEqual([{ code: 'OutboundCertificateUnreadable', severity: 'error', text: 'Key Vault: the caller lacks Get on certificates in kv-vpn-certs.' }]);
    expect(status.outbound).toEqual({ vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: VERSION, problem: 'Key Vault: the caller lacks Get on certificates in kv-vpn-certs.' });
  });

  it('an outbound certificate without its private key or without clientAuth breaks Azure\'s rules', () => {
    expect(codes(assess({ outbound: { ...facts().outbound!, hasPrivateKey: false } }))).toEqual(['VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey']);
    expect(codes(assess({ outbound: { ...facts().outbound!, certificate: pki.outbound.serverAuthOnly.info } }))).toEqual(['VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth']);
  });

  it('an outbound certificate with an empty subject is an error', () => {
    expect(codes(assess({ outbound: { ...facts().outbound!, certificate: pki.outbound.emptySubject.info } }))).toEqual(['OutboundCertificateSubjectIsEmpty']);
  });

  it('a certificate connection that names no outbound certificate is an error', () => {
    expect(assess({ outbound: undefined }).warnings).toEqual([{ code: 'OutboundAuthCertificateIsEmpty', severity: 'error', text: 'The connection names no outbound certificate.' }]);
  });

  it('an empty inbound subject name is an error: Azure cannot match the device', () => {
    expect(assess({ inbound: { chain: facts().inbound.chain } }).warnings).toEqual([
      { code: 'CertificateSubjectNameIsEmpty', severity: 'error', text: "The connection has no inbound certificate subject name, so Azure can't match the device's certificate." },
    ]);
  });

  it('inbound chain problems: empty, no root, expired root, expiring intermediate, unreadable entries', () => {
    expect(codes(assess({ inbound: { subjectName: 'x', chain: [] } }))).toEqual(['InboundAuthCertificateChainIsEmpty']);
    expect(codes(assess({ inbound: { subjectName: 'x', chain: [pki.deviceIssuing.info] } }))).toEqual(['VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert']);
    const expiredRoot = assess({ inbound: { subjectName: 'x', chain: [pki.expiredDeviceRoot.info, pki.deviceIssuing.info] } });
    expect(expiredRoot.warnings).toContainEqual({ code: 'VpnConnectionAuthenticationRootCertificateIsExpired', severity: 'error', text: "Inbound chain: The inbound root 'CN=Paris Device Root CA, O=Contoso Paris' expired on 2026-05-30. Replace it with the CA's current certificate." });
    expect(expiredRoot.inbound.chain[0]).toMatchObject({ state: 'expired', daysUntilExpiry: -2 });
    expect(assess({ inbound: { subjectName: 'x', chain: [pki.deviceRoot.info, pki.expiringDeviceIssuing.info] } }).warnings).toEqual([
      { code: 'InboundChainCertificateExpiresSoon', severity: 'warning', text: "Inbound chain: The inbound intermediate 'CN=Paris Issuing CA, O=Contoso Paris' expires on 2026-06-13 (in 12 days)." },
    ]);
    expect(assess({ inbound: { subjectName: 'x', chain: facts().inbound.chain, unparseable: 2 } }).warnings).toEqual([{ code: 'InvalidCertificate', severity: 'error', text: '2 certificate(s) of the inbound chain could not be read.' }]);
  });

  it('lists errors before warnings, and each warning once', () => {
    const status = assess({
      status: 'NotConnected',
      outbound: { ...facts().outbound!, certificate: pki.outbound.expiring.info, latestEnabledVersion: NEWER },
      inbound: { chain: [pki.deviceRoot.info, pki.deviceRoot.info] },
    });
    const severities = status.warnings.map((w) => w.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'error' ? -1 : 1)));
    expect(codes(status)).toEqual(['TunnelDown', 'CertificateSubjectNameIsEmpty', 'VpnConnectionAuthenticationDuplicateRootCertificate', 'OutboundCertificateExpiresSoon', 'OutboundNotLatestVersion']);
    expect(new Set(status.warnings.map((w) => `${w.code}|${w.text}`)).size).toBe(status.warnings.length);
  });
});
