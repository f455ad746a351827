import { beforeAll, describe, expect, it } from 'vitest';
import type { SiteFacts } from '../../../core/status/assess-site';
import { assessSite } from '../../../core/status/assess-site';
import { siteNotesFor } from '../../../core/status/site-notes';
import type { StatusCertificates } from './status-certificates';
import { healthySiteFacts, SITE_OUTBOUND_VERSION, STATUS_NOW, statusCertificates } from './status-certificates';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const VERSION = SITE_OUTBOUND_VERSION;

/** site-paris with its outbound certificate named as in the sandbox and expiring in 10 days, unless a test says otherwise. */
function site(over: Partial<SiteFacts> = {}) {
  const outbound = { vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', version: VERSION, latestEnabledVersion: VERSION, certificate: pki.outbound.expiring.info };
  return assessSite(healthySiteFacts(pki, { outbound, ...over }), STATUS_NOW);
}

describe('siteNotesFor: the site\'s other open warnings, shown with a diagnosis', () => {
  it('a healthy site whose outbound certificate expires soon: one note saying how to rotate, with Rotate and Status buttons', () => {
    expect(siteNotesFor(site(), 'healthy')).toEqual([
      {
        code: 'OutboundCertificateExpiresSoon',
        severity: 'warning',
        text: expect.stringMatching(/^Outbound certificate: The outbound certificate expires on \d{4}-\d\d-\d\d \(in 10 days\)\. Rotate it before then\.$/),
        fix: 'To rotate: Rotate (or rotate site-paris outbound) adds a new version of outbound-site-paris in Key Vault kv-vpn-certs and points cn-site-paris at it, with approval; it is verified, and rolled back if the tunnels do not come back. Both tunnels renegotiate when it changes.',
        actions: [
          { title: 'Rotate', command: 'rotate site-paris outbound', rotateOutbound: { drift: false } },
          { title: 'Status', command: 'status site-paris' },
        ],
      },
    ]);
  });

  it('leaves out what the diagnosis explains: the tunnel being down, and the cause\'s own certificate problem', () => {
    const down = site({ status: 'NotConnected', outbound: { vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', version: VERSION, certificate: pki.outbound.expired.info } });
    expect(down.warnings.map((w) => w.code)).toEqual(['TunnelDown', 'VpnConnectionOutBoundAuthenticationCertificateIsExpired']);
    expect(siteNotesFor(down, 'outbound-unusable')).toEqual([]);
    expect(siteNotesFor(down, 'certificate-expired')).toEqual([]);
    // Down for another reason: the expired outbound certificate is news, with the rotate fix.
    expect(siteNotesFor(down, 'proposal-mismatch').map((n) => [n.code, n.fix?.slice(0, 10)])).toEqual([['VpnConnectionOutBoundAuthenticationCertificateIsExpired', 'To rotate:']]);
  });

  it('a warning without a known fix still offers the status card', () => {
    const oneUp = site({
      outbound: { vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', version: VERSION, latestEnabledVersion: VERSION, certificate: pki.outbound.good.info },
      tunnels: [
        { name: 'GatewayTenantWorker_IN_0', status: 'Connected', ingressBytes: 10, egressBytes: 20 },
        { name: 'GatewayTenantWorker_IN_1', status: 'NotConnected', ingressBytes: 0, egressBytes: 0 },
      ],
    });
    expect(siteNotesFor(oneUp, 'healthy')).toEqual([{ code: 'OneTunnelUp', severity: 'warning', text: expect.stringMatching(/^Only 1 of 2 tunnels is up/), actions: [{ title: 'Status', command: 'status site-paris' }] }]);
  });

  it('an inbound CA about to expire: renew it in the inbound chain', () => {
    const notes = siteNotesFor(site({ inbound: { subjectName: 'paris-vpn.contoso.example', chain: [pki.deviceRoot.info, pki.expiringDeviceIssuing.info] } }), 'healthy');
    expect(notes.map((n) => n.code)).toContain('InboundChainCertificateExpiresSoon');
    expect(notes.find((n) => n.code === 'InboundChainCertificateExpiresSoon')?.fix).toBe("Get the renewed CA certificate from whoever runs the device's PKI and add it to cn-site-paris's inbound chain before the old one expires.");
  });

  it('a site with nothing to flag has no notes', () => {
    expect(siteNotesFor(site({ outbound: { vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', version: VERSION, latestEnabledVersion: VERSION, certificate: pki.outbound.good.info } }), 'healthy')).toEqual([]);
  });
});
