import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../../core/ike/diagnose';
import type { DiagnosisCause } from '../../../../core/ike/diagnosis';
import { parseAzureIkeMessage } from '../../../../core/ike/parse-azure-ike-message';
import { parseTunnelDiagnosticRow } from '../../../../core/ike/parse-tunnel-diagnostic-row';
import { generateIkeLogLines } from '../../../../local/simulator/ike/generate-ike-log-lines';
import { writeIkeAttempt, type IkeAttemptContext, type IkeAttemptDetails, type TunnelOutcome } from '../../../../local/simulator/ike/ike-log-writer';

function context(instance: IkeAttemptContext['instance'] = 'GatewayTenantWorker_IN_0'): IkeAttemptContext {
  let n = 0;
  return { remoteIp: '203.0.113.50', localIp: '20.50.1.10', instance, at: new Date('2026-11-23T10:00:00Z'), newGuid: () => `3f2a6c1e-8d4b-4f0a-9c7e-${String(++n).padStart(12, '0')}` };
}

const DETAILS: IkeAttemptDetails = {
  deviceCertificate: { subject: 'CN=rome-vpn.contoso.example', issuer: 'CN=Rome Root CA', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-06-01T00:00:00Z') },
  gatewayCertificate: { subject: 'CN=vpngw-hub.contoso.example' },
  inboundSubject: 'CN=rome.contoso.example',
  outboundCertificateId: 'https://kv-vpn-certs.vault.azure.net/certificates/vpngw-hub/0123456789abcdef',
};

const ROUND_TRIP: { outcome: TunnelOutcome; cause: DiagnosisCause; rejectedBy?: 'azure' | 'device'; withDetails?: RegExp }[] = [
  { outcome: { kind: 'connected' }, cause: 'healthy' },
  { outcome: { kind: 'inbound-untrusted' }, cause: 'inbound-untrusted', rejectedBy: 'azure', withDetails: /CN=rome-vpn\.contoso\.example.*CN=Rome Root CA/ },
  { outcome: { kind: 'inbound-subject-mismatch' }, cause: 'subject-mismatch', rejectedBy: 'azure', withDetails: /CN=rome-vpn\.contoso\.example is not the inbound subject .*\(CN=rome\.contoso\.example\)/ },
  { outcome: { kind: 'inbound-expired' }, cause: 'certificate-expired', rejectedBy: 'azure', withDetails: /expired \(on 2026-06-01\)/ },
  { outcome: { kind: 'inbound-not-yet-valid' }, cause: 'certificate-not-yet-valid', rejectedBy: 'azure', withDetails: /valid from 2025-01-01/ },
  { outcome: { kind: 'outbound-rejected-by-peer' }, cause: 'outbound-rejected-by-device', rejectedBy: 'device' },
  { outcome: { kind: 'outbound-unusable', code: 'VpnGatewayKeyVaultInaccessibleKeyvault' }, cause: 'outbound-unusable', withDetails: /cannot read it from Key Vault/ },
  { outcome: { kind: 'outbound-unusable', code: 'ManagedIdentityMissingAtGatewayLevel' }, cause: 'outbound-unusable', withDetails: /cannot read it from Key Vault/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth' }, cause: 'outbound-unusable', withDetails: /Server Authentication and Client Authentication/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength' }, cause: 'outbound-unusable', withDetails: /RSA key of at least 2048 bits/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey' }, cause: 'outbound-unusable', withDetails: /RSA key of at least 2048 bits/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateIsExpired' }, cause: 'outbound-unusable', withDetails: /it has expired/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnGatewayKeyVaultSecretNotFound' }, cause: 'outbound-unusable', withDetails: /no such certificate/ },
  { outcome: { kind: 'outbound-unusable', code: 'VpnConnectionOutBoundAuthenticationCertificateChainFault' }, cause: 'outbound-unusable', withDetails: /chain/ },
  {
    outcome: { kind: 'proposal-mismatch', azureOffers: [{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' }], deviceAccepts: [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }] },
    cause: 'proposal-mismatch',
    withDetails: /Azure offers AES256\/SHA256\/DHGroup14; the device accepts GCMAES256\/SHA384\/ECP384/,
  },
  { outcome: { kind: 'traffic-selector-mismatch', azurePrefixes: ['10.0.0.0/16'], devicePrefixes: ['10.2.0.0/16'] }, cause: 'traffic-selector-mismatch', rejectedBy: 'azure', withDetails: /to Azure 10\.2\.0\.0\/16/ },
  { outcome: { kind: 'peer-unreachable' }, cause: 'peer-not-responding', withDetails: /203\.0\.113\.50 does not answer IKE/ },
  { outcome: { kind: 'psk-one-side' }, cause: 'psk-one-side', rejectedBy: 'azure' },
];

function roundTrip(outcome: TunnelOutcome, details?: IkeAttemptDetails, instance?: IkeAttemptContext['instance']) {
  const ctx = context(instance);
  const log = writeIkeAttempt(outcome, ctx, details);
  // As the simulator stores them: AzureDiagnostics rows, then what the logs adapter hands to core/ike.
  const azure = log.ike.map((line) => parseAzureIkeMessage({ timeGenerated: line.at.toISOString(), message: line.message, instance: ctx.instance, level: line.level }));
  const tunnels = log.tunnel.map((t) => parseTunnelDiagnosticRow({ timeGenerated: t.at, status_s: t.status, stateChangeReason_s: t.reason, remoteIP_s: ctx.remoteIp, instance_s: ctx.instance })!);
  return { log, azure, tunnels, diagnosis: diagnose({ azure, tunnels, now: '2026-11-23T12:00:00Z' }) };
}

describe('writeIkeAttempt -> parseAzureIkeMessage -> diagnose', () => {
  for (const { outcome, cause, rejectedBy, withDetails } of ROUND_TRIP) {
    const name = outcome.kind === 'outbound-unusable' ? `${outcome.kind} (${outcome.code})` : outcome.kind;
    it(`${name} is diagnosed as ${cause}`, () => {
      for (const instance of ['GatewayTenantWorker_IN_0', 'GatewayTenantWorker_IN_1'] as const) {
        const plain = roundTrip(outcome, undefined, instance);
        expect(plain.diagnosis.cause, plain.diagnosis.headline).toBe(cause);
        expect(plain.diagnosis.rejectedBy).toBe(rejectedBy);
        expect(plain.diagnosis.evidence.every((e) => e.instance === instance)).toBe(true);
      }
      const detailed = roundTrip(outcome, DETAILS);
      expect(detailed.diagnosis.cause).toBe(cause);
      if (withDetails) expect(detailed.diagnosis.headline).toMatch(withDetails);
    });
  }

  it('covers every TunnelOutcome kind', () => {
    const kinds = new Set(ROUND_TRIP.map((c) => c.outcome.kind));
    const all: TunnelOutcome['kind'][] = [
      'connected',
      'inbound-untrusted',
      'inbound-subject-mismatch',
      'inbound-expired',
      'inbound-not-yet-valid',
      'outbound-rejected-by-peer',
      'outbound-unusable',
      'proposal-mismatch',
      'traffic-selector-mismatch',
      'peer-unreachable',
      'psk-one-side',
    ];
    expect(all.filter((k) => !kinds.has(k))).toEqual([]);
  });
});

describe("writeIkeAttempt's messages look like Azure's", () => {
  const PREFIX = /^SESSION_ID :\{[0-9a-f-]{36}\} Remote 203\.0\.113\.50:500: Local 20\.50\.1\.10:500: \[(SEND|RECEIVED|LOCAL)\]/;

  it('every line has the SESSION_ID prefix and a direction tag, or is a bare IkeCleanup call; times rise; levels are Azure levels', () => {
    for (const { outcome } of ROUND_TRIP) {
      const { log, azure } = roundTrip(outcome, DETAILS);
      expect(log.ike.length).toBeGreaterThan(3);
      for (const line of log.ike) {
        // The selector request has no direction tag in Microsoft's sample either.
        expect(line.message).toSatisfy((m: string) => PREFIX.test(m) || /^IkeCleanup(MM|QM)Negotiation called with error \d+ and flags a$/.test(m) || m.includes(':500: Received Traffic Selector payload request- [Tsid '));
        expect(['Informational', 'Warning', 'Error']).toContain(line.level);
      }
      for (let i = 1; i < log.ike.length; i++) expect(log.ike[i]!.at.getTime()).toBeGreaterThanOrEqual(log.ike[i - 1]!.at.getTime());
      // Nothing the parser cannot place: every line is a known kind except none.
      expect(azure.filter((e) => e.kind === 'other').map((e) => e.text)).toEqual([]);
    }
  });

  it("opens with Azure's default policies and the SA_INIT/SA_AUTH exchanges, and ends with Windows' cleanup and a tunnel row", () => {
    const { log, azure } = roundTrip({ kind: 'inbound-untrusted' });
    expect(log.ike[0]!.message).toMatch(/\[SEND\]\[SA_INIT\] Sending IKE SA_INIT message$/);
    expect(azure.find((e) => e.kind === 'proposals-offered')?.proposals).toHaveLength(6);
    expect(azure.map((e) => e.tags[0])).toEqual(expect.arrayContaining(['SA_INIT', 'SA_AUTH', 'NOTIFY']));
    expect(azure.find((e) => e.kind === 'credentials-unacceptable')?.errorCode).toBe(13801);
    expect(log.ike.some((l) => l.message === 'IkeCleanupMMNegotiation called with error 13801 and flags a')).toBe(true);
    expect(log.tunnel).toEqual([{ at: log.ike.at(-1)!.at, status: 'Disconnected', reason: 'IKE authentication credentials are unacceptable' }]);
    expect(roundTrip({ kind: 'connected' }).log.tunnel.map((t) => t.status)).toEqual(['Connected']);
  });

  it('retransmits with growing waits for an unreachable peer and never shows a received message', () => {
    const { log, azure } = roundTrip({ kind: 'peer-unreachable' });
    const retransmits = log.ike.filter((l) => l.message.includes('Retransmitting'));
    expect(retransmits.map((l) => l.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Warning']);
    const gaps = retransmits.slice(1).map((l, i) => l.at.getTime() - retransmits[i]!.at.getTime());
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b));
    expect(azure.some((e) => e.direction === 'RECEIVED')).toBe(false);
  });

  it("does not invent the device's reason when the device rejects Azure", () => {
    const { log } = roundTrip({ kind: 'outbound-rejected-by-peer' }, DETAILS);
    const text = log.ike.map((l) => l.message).join('\n');
    expect(text).toContain('Received Notify Message - Authentication failed');
    expect(text).not.toMatch(/certificate chain|expired|not yet valid|does not match|trusted|issuer/i);
  });

  it('is deterministic for the same context', () => {
    expect(writeIkeAttempt({ kind: 'inbound-expired' }, context(), DETAILS)).toEqual(writeIkeAttempt({ kind: 'inbound-expired' }, context(), DETAILS));
  });
});

describe('generateIkeLogLines', () => {
  it('produces exactly the requested number of realistic lines, three quarters Azure', () => {
    const g = generateIkeLogLines(2_000);
    expect(g.azureRows.length + g.charonLines).toBe(2_000);
    expect(g.azureRows.length).toBe(1_500);
    expect(g.charonText.split('\n')).toHaveLength(g.charonLines);
    const unknown = g.azureRows.map((r) => parseAzureIkeMessage(r)).filter((e) => e.kind === 'other');
    expect(unknown).toEqual([]);
    expect(new Set(g.azureRows.map((r) => r.instance))).toEqual(new Set(['GatewayTenantWorker_IN_0', 'GatewayTenantWorker_IN_1']));
  });
});
