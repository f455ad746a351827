import { describe, expect, it } from 'vitest';
import { deviceLogProvenance } from '../../../core/ike/device-log-provenance';
import { charonEvents } from './ike-fixtures';

// The fixtures' daemons talk over 10.99.0.1 (initiator, "the device") and 10.99.0.2 (responder, "the gateway").
const significant = (scenario: Parameters<typeof charonEvents>[0], side: 'initiator' | 'responder') => charonEvents(scenario, side).filter((e) => e.kind !== 'other');

describe('deviceLogProvenance', () => {
  it("another peer: the log's only peer is none of the gateway's public IPs", () => {
    const p = deviceLogProvenance(significant('wrong-root', 'initiator'), { gatewayIps: ['20.50.1.10', '20.50.1.11'] });
    expect(p).toMatchObject({ verdict: 'other-peer', peers: ['10.99.0.2'], gatewayIps: ['20.50.1.10', '20.50.1.11'] });
    expect(p.peerEvent?.text).toBe('initiating IKE_SA s2s[1] to 10.99.0.2');
  });

  it('this connection: a responder log whose initiator is one of the gateway IPs', () => {
    const p = deviceLogProvenance(significant('proposal-mismatch', 'responder'), { gatewayIps: ['20.50.1.10', '10.99.0.1'] });
    expect(p).toMatchObject({ verdict: 'this-connection', peers: ['10.99.0.1'] });
    expect(p.peerEvent?.text).toBe('10.99.0.1 is initiating an IKE_SA');
  });

  it("NAT: the device's own (private) address differing from the local network gateway's IP is no evidence", () => {
    const p = deviceLogProvenance(significant('good', 'initiator'), { gatewayIps: ['10.99.0.2'], deviceIp: '203.0.113.10' });
    expect(p.verdict).toBe('this-connection');
  });

  it('undecided: the gateway IPs are unknown, or the log names no peer', () => {
    expect(deviceLogProvenance(significant('wrong-root', 'initiator'), {}).verdict).toBe('undecided');
    const withoutPeers = significant('wrong-root', 'initiator').map(({ remoteIp: _ip, ...e }) => e);
    expect(deviceLogProvenance(withoutPeers, { gatewayIps: ['20.50.1.10'] })).toMatchObject({ verdict: 'undecided', peers: [] });
  });

  it('reports identities that differ from the connection, but they never decide the verdict', () => {
    const p = deviceLogProvenance(significant('good', 'initiator'), {
      gatewayIps: ['10.99.0.2'],
      outboundCertificateSubject: 'CN=vpngw-west.contoso.example',
      inboundSubject: 'berlin-vpn.contoso.example',
    });
    expect(p.verdict).toBe('this-connection');
    expect(p.gatewayCertificateSeen).toMatchObject({ seen: 'CN=vpngw-hub.contoso.example', configured: 'CN=vpngw-west.contoso.example' });
    expect(p.deviceCertificateSent).toMatchObject({ sent: 'CN=onprem-vpn.contoso.example', configured: 'berlin-vpn.contoso.example' });
    // The same names, spelled with and without CN=, are not a difference.
    const same = deviceLogProvenance(significant('wrong-root', 'initiator'), { outboundCertificateSubject: 'vpngw-hub.contoso.example', inboundSubject: 'CN=onprem-vpn.contoso.example' });
    expect(same.gatewayCertificateSeen).toBeUndefined();
    expect(same.deviceCertificateSent).toBeUndefined();
  });
});
