import { expect, it } from 'vitest';
import { measureOutboundRotation, runProductRotations } from '../../../local/strongswan/rotation';
import { describeRealPeers } from '../../support/real-peers';

describeRealPeers('an outbound rotation between two real charons', () => {
  it('the tunnel comes back on the new Key Vault version after each switch, and the unchanged device connects again', async () => {
    const measured = await measureOutboundRotation({ runs: 2 });
    expect(measured.runs).toHaveLength(2);
    // Each run switched to a version of its own (the connection was pointed at it, the gateway's identity read it).
    expect(new Set(measured.runs.map((r) => r.version)).size).toBe(2);
    expect(measured.deviceReconnected).toBe(true);
    // The downtime is measured (bench/results.json reports it); here it only has to be a real, finite number.
    for (const run of measured.runs) expect(run.downtimeMs).toBeGreaterThan(0);
  });
});

describeRealPeers('rotate outbound as the product does it, between two real charons', () => {
  it('a certificate issued through the CA in Key Vault, the next rotation\'s new version, and a merged external certificate each establish IKE and CHILD SAs', async () => {
    const runs = await runProductRotations();
    expect(runs.map((r) => r.source)).toEqual(['ca', 'ca', 'external']);
    for (const run of runs) {
      expect(run.established, `${run.source}: ${run.initiateOutput}`).toBe(true);
      expect(run.issuer).toBe('CN=Contoso Azure Peer Test Root CA, O=Contoso');
      expect(run.subject).toBe('CN=azure-peers.vpn.contoso.example, O=Contoso');
    }
    // Three different certificates, one per rotation.
    expect(new Set(runs.map((r) => r.thumbprint)).size).toBe(3);
  });
});
