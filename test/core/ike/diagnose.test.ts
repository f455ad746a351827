import { describe, expect, it } from 'vitest';
import { diagnose, sameIdentity } from '../../../core/ike/diagnose';
import { DIAGNOSIS_CAUSES, MAX_EVIDENCE, MAX_LATEST_EVENTS, MAX_NOTES, type Diagnosis, type DiagnosisCause, type DiagnoseInput } from '../../../core/ike/diagnosis';
import type { IkeProposal } from '../../../core/ike/ike-proposal';
import type { IkeEvent, TunnelEvent } from '../../../core/ike/ike-event';
import { parseAzureIkeMessage } from '../../../core/ike/parse-azure-ike-message';
import { parseCharonLog } from '../../../core/ike/parse-charon-log';
import { charonEvents, scenarioRunDate } from './ike-fixtures';

const NOW = scenarioRunDate();
const START = NOW.getTime() - 3_600_000;

/** Azure IKEDiagnosticLog rows, 10 ms apart, as the gateway writes them (bare lines like IkeCleanup... stay bare). */
function azure(lines: string[], session = '5b0e6a51-3c1d-4e2f-9a8b-0c1d2e3f4a5b', offsetMs = 0): IkeEvent[] {
  return lines.map((text, i) =>
    parseAzureIkeMessage({
      timeGenerated: new Date(START + offsetMs + i * 10),
      message: text.startsWith('Ike') ? text : `SESSION_ID :{${session}} Remote 203.0.113.10:500: Local 20.50.1.10:500: ${text}`,
      instance: 'GatewayTenantWorker_IN_0',
      level: 'Informational',
    }),
  );
}

const tunnel = (status: TunnelEvent['status'], reason?: string): TunnelEvent => ({ at: new Date(START + 5_000).toISOString(), status, ...(reason ? { reason } : {}), instance: 'GatewayTenantWorker_IN_0' });

const SA_INIT = ['[SEND][SA_INIT] Sending IKE SA_INIT message', '[SEND][SA_INIT] Proposed IKE policies: Policy1: Cipher=AES-CBC-256 Integrity=SHA1 DhGroup=DhGroup2 Policy2: Cipher=AES-CBC-256 Integrity=SHA256 DhGroup=DhGroup2', '[RECEIVED][SA_INIT] Received IKE SA_INIT message'];
const AZURE_SENT_AUTH = ['[SEND][SA_AUTH] Sending IKE AUTH message', '[RECEIVED][SA_AUTH] Received IKE AUTH message'];
const AZURE_REJECTS = [
  '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35E9 [ErrorMessage] IKE authentication credentials are unacceptable',
  '[SEND][NOTIFY] Sending Notify Message - Authentication failed',
  'IkeCleanupMMNegotiation called with error 13801 and flags a',
  '[LOCAL] IKE Tunnel closed for remote 203.0.113.10 with status IKE authentication credentials are unacceptable',
];
const DEVICE_REJECTS_AZURE = ['[RECEIVED][NOTIFY] Received Notify Message - Authentication failed', 'IkeCleanupMMNegotiation called with error 13801 and flags a', '[LOCAL] IKE Tunnel closed for remote 203.0.113.10 with status IKE authentication credentials are unacceptable'];

/** Azure refuses the device's certificate: its issuer does not chain to the inbound chain (berlin). MODELLED (see test/fixtures/ike/README.md): Microsoft shows no verbatim line for this; it has the shape the simulator's IKE log writer uses. */
const AZURE_UNTRUSTS_DEVICE = [
  ...SA_INIT,
  ...AZURE_SENT_AUTH,
  '[RECEIVED][SA_AUTH] Received peer certificate subject "CN=onprem-vpn.contoso.example" issuer "CN=Contoso Device Root CA"',
  '[LOCAL][SA_AUTH] Peer certificate chain validation failed: [ErrorCode] 0x800B0109 [ErrorMessage] A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.',
  ...AZURE_REJECTS,
];
/** Azure refuses the device's certificate subject (madrid). MODELLED (see test/fixtures/ike/README.md): Microsoft shows no verbatim line for this; it has the shape the simulator's IKE log writer uses. */
const AZURE_SUBJECT_MISMATCH = [
  ...SA_INIT,
  ...AZURE_SENT_AUTH,
  '[RECEIVED][SA_AUTH] Received peer certificate subject "CN=madrid-vpn.contoso.example" issuer "CN=Madrid Device Issuing CA"',
  '[LOCAL][SA_AUTH] Peer certificate subject "CN=madrid-vpn.contoso.example" does not match the configured inbound certificate subject name "CN=madrid-gw.contoso.example"',
  ...AZURE_REJECTS,
];
/** The device answers Azure's IKE_SA_INIT with NO_PROPOSAL_CHOSEN (oslo). */
const AZURE_NO_PROPOSAL_CHOSEN = ['[SEND][SA_INIT] Sending IKE SA_INIT message', SA_INIT[1]!, '[RECEIVED][NOTIFY] Received Notify Message - No Proposal Chosen', 'IkeCleanupMMNegotiation called with error 13868 and flags a'];

const base = (over: Partial<DiagnoseInput>): DiagnoseInput => ({ azure: [], tunnels: [], now: NOW, ...over });

interface Case {
  name: string;
  input: DiagnoseInput;
  cause: DiagnosisCause;
  rejectedBy?: 'azure' | 'device';
  confidence?: Diagnosis['confidence'];
  headline?: RegExp;
  action?: RegExp;
}

// Lines about certificates, the outbound certificate, retransmits and established SAs are MODELLED (see
// test/fixtures/ike/README.md): Microsoft quotes no verbatim line for them; they have the simulator writer's shape.
const cases: Case[] = [
  {
    name: 'healthy: Azure and device both establish the CHILD_SA, tunnel row Connected',
    input: base({
      azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, '[LOCAL][SA_AUTH] IKE SA established', '[LOCAL][CHILD_SA] Child SA established']),
      tunnels: [tunnel('Connected', 'IKE and IPsec security associations established')],
      device: charonEvents('good', 'initiator'),
      metrics: { ingressBytes: 1200, egressBytes: 900 },
    }),
    cause: 'healthy',
    confidence: 'high',
    headline: /traffic is flowing/,
  },
  {
    name: 'healthy from the connection status alone',
    input: base({ connection: { status: 'Connected', tunnels: [{ name: 'a', status: 'Connected' }, { name: 'b', status: 'Connected' }] } }),
    cause: 'healthy',
  },
  {
    name: "inbound-untrusted: Azure's chain validation fails; the device only sees AUTHENTICATION_FAILED",
    input: base({
      azure: azure(AZURE_UNTRUSTS_DEVICE),
      // The device's view of any rejection by the gateway is the same AUTHENTICATION_FAILED notify.
      device: charonEvents('expired', 'initiator'),
    }),
    cause: 'inbound-untrusted',
    rejectedBy: 'azure',
    confidence: 'high',
    headline: /CN=onprem-vpn\.contoso\.example.*CN=Contoso Device Root CA/,
    action: /Add the CA that issued CN=onprem-vpn\.contoso\.example .*root above it if it is an intermediate, to the connection's inbound certificate chain \(root first/,
  },
  {
    name: "inbound-untrusted decided by configuration: the issuer Azure saw is not in the inbound chain",
    input: base({
      azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, '[RECEIVED][SA_AUTH] Received peer certificate subject "CN=onprem-vpn.contoso.example" issuer "CN=Fabrikam Issuing CA"', ...AZURE_REJECTS]),
      connection: { inboundSubject: 'CN=onprem-vpn.contoso.example', inboundChainSubjects: ['CN=Contoso Device Root CA'] },
    }),
    cause: 'inbound-untrusted',
    rejectedBy: 'azure',
    headline: /Fabrikam Issuing CA/,
  },
  {
    name: 'subject-mismatch decided by configuration: Azure says only 13801, the device presents CN=branch',
    input: base({ azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, ...AZURE_REJECTS]), device: charonEvents('subject-mismatch', 'initiator'), connection: { authenticationType: 'Certificate', inboundSubject: 'CN=onprem-vpn.contoso.example' } }),
    cause: 'subject-mismatch',
    rejectedBy: 'azure',
    confidence: 'high',
    headline: /CN=branch-vpn\.contoso\.example.*CN=onprem-vpn\.contoso\.example/,
    action: /inbound certificate subject name to CN=branch-vpn\.contoso\.example/,
  },
  {
    name: 'subject-mismatch logged by Azure',
    input: base({ azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, '[LOCAL][SA_AUTH] Peer certificate subject "CN=branch-vpn.contoso.example" does not match the configured inbound certificate subject name "CN=onprem-vpn.contoso.example"', ...AZURE_REJECTS]) }),
    cause: 'subject-mismatch',
    rejectedBy: 'azure',
    headline: /CN=branch-vpn.*\(CN=onprem-vpn/,
  },
  {
    name: "subject-mismatch on the device: it requires another identity for the gateway (constraint check failed)",
    input: base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]), device: charonEvents('gateway-id-mismatch', 'initiator') }),
    cause: 'subject-mismatch',
    rejectedBy: 'device',
    confidence: 'high',
    headline: /expects the gateway to identify as CN=\*, O=Contoso Azure.*CN=vpngw-hub\.contoso\.example/,
    action: /expected remote identity to CN=vpngw-hub\.contoso\.example/,
  },
  {
    name: 'subject-mismatch on the device: no peer config matches the identities (device as responder)',
    input: base({ device: charonEvents('subject-mismatch', 'responder') }),
    cause: 'subject-mismatch',
    rejectedBy: 'device',
    confidence: 'medium',
  },
  {
    name: "certificate-expired: Azure rejects the device's expired certificate",
    input: base({
      azure: azure([
        ...SA_INIT,
        ...AZURE_SENT_AUTH,
        '[LOCAL][SA_AUTH] Peer certificate subject "CN=onprem-vpn.contoso.example" has expired (NotBefore 2025-10-19T17:58:20.000Z NotAfter 2026-10-19T17:58:20.000Z): [ErrorCode] 0x800B0101 [ErrorMessage] A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file.',
        ...AZURE_REJECTS,
      ]),
      device: charonEvents('expired', 'initiator'),
    }),
    cause: 'certificate-expired',
    rejectedBy: 'azure',
    headline: /device's certificate CN=onprem-vpn\.contoso\.example has expired \(on 2026-10-19\)/,
    action: /Renew the device certificate/,
  },
  {
    name: "certificate-expired on the device: it rejects the gateway's expired certificate (roles of the expired fixture swapped)",
    input: base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]), device: charonEvents('expired', 'responder') }),
    cause: 'certificate-expired',
    rejectedBy: 'device',
    headline: /gateway's outbound certificate CN=onprem-vpn\.contoso\.example has expired/,
    action: /Rotate the gateway's outbound certificate/,
  },
  {
    name: 'certificate-not-yet-valid on the device (validity judged against now)',
    input: base({ device: charonEvents('not-yet-valid', 'responder') }),
    cause: 'certificate-not-yet-valid',
    rejectedBy: 'device',
    action: /clock/,
  },
  {
    name: 'certificate-not-yet-valid logged by Azure',
    input: base({ azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, '[LOCAL][SA_AUTH] Peer certificate is not yet valid: [ErrorCode] 0x800B0101 [ErrorMessage] A required certificate is not within its validity period', ...AZURE_REJECTS]) }),
    cause: 'certificate-not-yet-valid',
    rejectedBy: 'azure',
  },
  {
    name: 'certificate-not-yet-valid: Azure logs it, the device sees AUTHENTICATION_FAILED',
    input: base({
      azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, '[LOCAL][SA_AUTH] Peer certificate subject "CN=onprem-vpn.contoso.example" is not yet valid (NotBefore 2026-12-23T17:58:24.000Z NotAfter 2027-12-28T17:58:24.000Z): [ErrorCode] 0x800B0101 [ErrorMessage] A required certificate is not within its validity period', ...AZURE_REJECTS]),
      device: charonEvents('not-yet-valid', 'initiator'),
    }),
    cause: 'certificate-not-yet-valid',
    rejectedBy: 'azure',
    headline: /valid from 2026-12-23/,
  },
  {
    name: "outbound-unusable: a device log that shows nothing (the gateway never got to authenticate) does not change Azure's finding",
    input: base({
      azure: azure([...SA_INIT, '[LOCAL][SA_AUTH] Outbound authentication certificate could not be used: the certificate was not found in Key Vault (VpnGatewayKeyVaultSecretNotFound)', ...AZURE_REJECTS.slice(2)]),
      device: charonEvents('peer-unreachable', 'responder'),
    }),
    cause: 'outbound-unusable',
    action: /versioned Key Vault certificate identifier/,
  },
  {
    name: 'peer-not-responding: Azure times out and the device log shows no IKE traffic at all',
    input: base({
      azure: azure(['[SEND][SA_INIT] Sending IKE SA_INIT message', '[SEND][SA_INIT] Retransmitting IKE SA_INIT message (attempt 2)', '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35ED [ErrorMessage] Negotiation timed out']),
      device: charonEvents('peer-unreachable', 'responder'),
      connection: { deviceIp: '203.0.113.10', status: 'NotConnected' },
    }),
    cause: 'peer-not-responding',
  },
  {
    // MODELLED line (see test/fixtures/ike/README.md), naming Azure's own code for the condition.
    name: "outbound-unusable: the certificate's chain in Key Vault does not reach its root (merged or imported without its issuers)",
    input: base({
      azure: azure([
        ...SA_INIT,
        "[LOCAL][SA_AUTH] Outbound authentication certificate could not be used: the certificate's chain in Key Vault is incomplete: it lacks the issuers up to the root (VpnConnectionOutBoundAuthenticationCertificateChainFault)",
        '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35EE [ErrorMessage] IKE failed to find valid machine certificate.',
      ]),
    }),
    cause: 'outbound-unusable',
    confidence: 'high',
    headline: /its chain in Key Vault does not reach its root/,
    action: /full x5c chain/,
  },
  {
    name: 'outbound-unusable: the gateway cannot read its certificate from Key Vault',
    input: base({
      azure: azure([
        ...SA_INIT,
        "[LOCAL][SA_AUTH] Outbound authentication certificate could not be used: the gateway's managed identity was denied access to the Key Vault certificate (VpnGatewayKeyVaultInaccessibleKeyvault)",
        '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35EE [ErrorMessage] IKE failed to find valid machine certificate.',
      ]),
    }),
    cause: 'outbound-unusable',
    confidence: 'high',
    action: /Key Vault Secrets User and Key Vault Certificate User/,
  },
  {
    name: "outbound-rejected-by-device: the device names the untrusted issuer of the gateway's certificate",
    input: base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]), device: charonEvents('wrong-root', 'initiator') }),
    cause: 'outbound-rejected-by-device',
    rejectedBy: 'device',
    confidence: 'high',
    headline: /CN=vpngw-hub\.contoso\.example.*issuer CN=Fabrikam Root CA/,
    action: /Install the root CA CN=Fabrikam Root CA/,
  },
  {
    name: "outbound-rejected-by-device: the device requires a stronger key than the gateway's certificate has (remote.auth = rsa-2048)",
    input: base({
      azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]),
      device: parseCharonLog(
        [
          '09[IKE] <azure|1> received end entity cert "CN=vpngw-hub.contoso.example"',
          "09[CFG] <azure|1>   using trusted ca certificate \"CN=Contoso Outbound Root CA\"",
          "09[IKE] <azure|1> authentication of 'CN=vpngw-hub.contoso.example' with RSA_EMSA_PKCS1_SHA2_256 successful",
          '09[CFG] <azure|1> RSA-1024 signatures not acceptable',
          '09[IKE] <azure|1> constraint checking failed',
        ].join('\n'),
      ),
    }),
    cause: 'outbound-rejected-by-device',
    rejectedBy: 'device',
    confidence: 'high',
    headline: /refuses the gateway's certificate CN=vpngw-hub\.contoso\.example: RSA-1024 key is weaker than the device accepts/,
    action: /RSA key of at least 2048 bits/,
  },
  {
    name: 'outbound-rejected-by-device from Azure alone (only the notify): medium, and no invented reason',
    input: base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]) }),
    cause: 'outbound-rejected-by-device',
    rejectedBy: 'device',
    confidence: 'medium',
    headline: /cannot say why/,
  },
  {
    name: "proposal-mismatch: the device's log lists both sides; Azure got NO_PROPOSAL_CHOSEN",
    input: base({ azure: azure(AZURE_NO_PROPOSAL_CHOSEN), device: charonEvents('proposal-mismatch', 'responder') }),
    cause: 'proposal-mismatch',
    confidence: 'high',
    headline: /Azure offers AES256\/SHA1\/DHGroup2.*the device accepts GCMAES256\/SHA384\/ECP384/,
    action: /^Pin the device's proposal GCMAES256\/SHA384\/ECP384 on the connection with a custom IPsec\/IKE policy: IKE encryption GCMAES256, IKE integrity SHA384, DH group ECP384, and IPsec encryption and integrity GCMAES256 with PFS group ECP384/,
  },
  {
    name: 'proposal-mismatch from the device alone (it got NO_PROPOSAL_CHOSEN)',
    input: base({ device: charonEvents('proposal-mismatch', 'initiator') }),
    cause: 'proposal-mismatch',
  },
  {
    name: 'proposal-mismatch in quick mode from the verbatim Microsoft sample',
    input: base({ azure: azure(['[RECEIVED]Received IPSec payload: Policy1:Cipher=DESIntegrity=Md5', 'IkeCleanupQMNegotiation called with error 13868 and flags a', '[SEND][NOTIFY] Sending Notify Message - Policy Mismatch']) }),
    cause: 'proposal-mismatch',
    headline: /IPsec \(phase 2\)/,
    action: /^Configure one strong IPsec proposal on the device and pin the same on the connection with a custom IPsec\/IKE policy: GCMAES256[\s\S]*only weak IPsec proposals \(DES\/MD5\/None, with DES and MD5\)/,
  },
  {
    name: "traffic-selector-mismatch: the device (responder) refuses the gateway's selectors",
    input: base({ device: charonEvents('ts-mismatch', 'responder'), connection: { localNetworkPrefixes: ['10.99.3.0/24'] } }),
    cause: 'traffic-selector-mismatch',
    rejectedBy: 'device',
    headline: /on-premises 10\.99\.2\.0\/24 to Azure 10\.99\.1\.0\/24, but 10\.99\.2\.0\/24 is not in the local network gateway's address space \(10\.99\.3\.0\/24\)/,
  },
  {
    name: 'traffic-selector-mismatch: Azure refuses the TSr the device proposes',
    input: base({
      azure: azure([
        'Received Traffic Selector payload request- [Tsid 0x729  ]Number of TSIs 1: StartAddress 10.99.1.0 EndAddress 10.99.1.255 PortStart 0 PortEnd 65535 Protocol 0 Number of TSRs 1:StartAddress 10.2.0.0 EndAddress 10.2.255.255 PortStart 0 PortEnd 65535 Protocol 0',
        '[SEND][NOTIFY] Sending Notify Message - TS_UNACCEPTABLE',
        '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35ED [ErrorMessage] Negotiation timed out',
      ]),
      device: charonEvents('ts-mismatch', 'initiator'),
      connection: { vnetPrefixes: ['10.0.0.0/16'] },
    }),
    cause: 'traffic-selector-mismatch',
    rejectedBy: 'azure',
    headline: /10\.2\.0\.0\/16 is not in the virtual network's address space \(10\.0\.0\.0\/16\)/,
  },
  {
    name: 'traffic-selector-mismatch from drop metrics although the tunnel is connected',
    input: base({ connection: { status: 'Connected' }, metrics: { ingressPacketDropTSMismatch: 40, egressPacketDropTSMismatch: 2 } }),
    cause: 'traffic-selector-mismatch',
    headline: /dropped 42 packets/,
  },
  {
    name: 'peer-not-responding: Azure retransmits into silence and times out',
    input: base({
      azure: azure([
        '[SEND][SA_INIT] Sending IKE SA_INIT message',
        '[SEND][SA_INIT] Retransmitting IKE SA_INIT message (attempt 2)',
        '[SEND][SA_INIT] Retransmitting IKE SA_INIT message (attempt 3)',
        '[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35ED [ErrorMessage] Negotiation timed out',
        'IkeCleanupMMNegotiation called with error 13805 and flags a',
      ]),
      tunnels: [tunnel('Disconnected', 'Negotiation timed out')],
    }),
    cause: 'peer-not-responding',
    headline: /203\.0\.113\.10 does not answer IKE.*retransmitted 2 times/,
    action: /UDP 500 and 4500/,
  },
  {
    name: 'peer-not-responding seen from the device',
    input: base({ device: charonEvents('peer-unreachable', 'initiator') }),
    cause: 'peer-not-responding',
    headline: /retransmitted 3 times/,
  },
  {
    name: 'psk-one-side: the device authenticates with a PSK on a certificate connection',
    input: base({ azure: azure(['[RECEIVED][SA_INIT] Received IKE SA_INIT message', '[RECEIVED][SA_AUTH] Received IKE AUTH message', ...AZURE_REJECTS]), device: charonEvents('psk-one-side', 'initiator'), connection: { authenticationType: 'Certificate' } }),
    cause: 'psk-one-side',
    rejectedBy: 'azure',
    action: /certificate \(RSA signature\) authentication/,
  },
  {
    name: 'psk-one-side logged by Azure',
    input: base({ azure: azure(['[RECEIVED][SA_AUTH] Received IKE AUTH message', '[RECEIVED][SA_AUTH] Peer authenticated with a pre-shared key, but the connection requires certificate authentication', ...AZURE_REJECTS]) }),
    cause: 'psk-one-side',
    rejectedBy: 'azure',
  },
  {
    name: 'psk-one-side: the gateway used a PSK and the device (certificate-only) has no key',
    input: base({ device: charonEvents('psk-one-side', 'responder'), connection: { authenticationType: 'PSK' } }),
    cause: 'psk-one-side',
    rejectedBy: 'device',
    action: /Switch the connection to certificate authentication/,
  },
  {
    name: 'psk-one-side: the device verifies the key but requires public key authentication',
    input: base({ device: charonEvents('psk-one-side-key-known', 'responder') }),
    cause: 'psk-one-side',
    rejectedBy: 'device',
  },
  {
    name: 'unknown: Azure only says 13801 and nothing decides why (no guess)',
    input: base({ azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, ...AZURE_REJECTS]) }),
    cause: 'unknown',
    rejectedBy: 'azure',
    confidence: 'low',
    headline: /IKE authentication credentials are unacceptable.*does not say which certificate rule failed/,
  },
  {
    name: 'unknown: no logs at all',
    input: base({}),
    cause: 'unknown',
    headline: /no IKE or tunnel logs/,
    action: /IKEDiagnosticLog and TunnelDiagnosticLog/,
  },
  {
    name: 'unknown: not connected but no failed negotiation in the logs',
    input: base({ azure: azure([...SA_INIT]), connection: { status: 'NotConnected' } }),
    cause: 'unknown',
    headline: /no failed IKE negotiation/,
  },
];

describe('diagnose', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = diagnose(c.input);
      expect(d.cause, d.headline).toBe(c.cause);
      if (c.rejectedBy) expect(d.rejectedBy).toBe(c.rejectedBy);
      if (c.confidence) expect(d.confidence).toBe(c.confidence);
      if (c.headline) expect(d.headline).toMatch(c.headline);
      if (c.action) expect(d.actions.join('\n')).toMatch(c.action);
      expect(d.headline.length).toBeGreaterThan(20);
      expect(d.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE);
      if (d.cause !== 'unknown' && d.cause !== 'healthy' && (c.input.azure.length > 0 || (c.input.device?.length ?? 0) > 0)) expect(d.evidence.length).toBeGreaterThan(0);
      if (d.cause === 'unknown') expect(d.latestEvents).toBeDefined();
      else expect(d.latestEvents).toBeUndefined();
    });
  }

  it('covers every cause in the closed union', () => {
    const covered = new Set(cases.map((c) => c.cause));
    expect([...DIAGNOSIS_CAUSES].filter((cause) => !covered.has(cause))).toEqual([]);
  });

  it("quotes evidence from both sides with time, instance or line, deciding line first", () => {
    const d = diagnose(cases.find((c) => c.cause === 'outbound-rejected-by-device' && c.input.device)!.input);
    expect(d.evidence[0]).toMatchObject({ source: 'device', text: 'issuer is "CN=Fabrikam Root CA"' });
    expect(d.evidence[0]!.time).toMatch(/^[A-Z][a-z]{2} /);
    const fromAzure = d.evidence.find((e) => e.source === 'azure');
    expect(fromAzure).toMatchObject({ instance: 'GatewayTenantWorker_IN_0', text: 'Received Notify Message - Authentication failed' });
    expect(fromAzure?.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('reads the latest incident: an old proposal failure does not hide a current certificate problem', () => {
    const old = azure(['[RECEIVED][NOTIFY] Received Notify Message - No Proposal Chosen', 'IkeCleanupMMNegotiation called with error 13868 and flags a'], '11111111-1111-4111-8111-111111111111', -3 * 3_600_000);
    const current = azure([...SA_INIT, ...AZURE_SENT_AUTH, '[LOCAL][SA_AUTH] Peer certificate chain validation failed: [ErrorCode] 0x800B0109 [ErrorMessage] A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.', ...AZURE_REJECTS]);
    expect(diagnose(base({ azure: [...current, ...old] })).cause).toBe('inbound-untrusted');
  });

  it('stays small for huge inputs: bounded evidence, text and latest events; no raw log', () => {
    const noise = Array.from({ length: 30_000 }, (_, i) => `[SEND][SA_INIT] Sending IKE SA_INIT message ${'x'.repeat(i % 3 === 0 ? 5000 : 10)}`);
    const d = diagnose(base({ azure: azure([...noise, ...SA_INIT, ...AZURE_SENT_AUTH, ...AZURE_REJECTS]), connection: { status: 'NotConnected' } }));
    const json = JSON.stringify(d);
    expect(json.length).toBeLessThan(8_000);
    expect(d.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE);
    for (const e of [...d.evidence, ...(d.latestEvents ?? [])]) expect(e.text.length).toBeLessThanOrEqual(240);
    expect(d.latestEvents?.length ?? 0).toBeLessThanOrEqual(MAX_LATEST_EVENTS);
  });

  it('survives a JSON round trip unchanged (it travels through durable history)', () => {
    for (const c of cases) {
      const d = diagnose(c.input);
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    }
  });
});

describe('a device log that disagrees with Azure, or belongs to another peer', () => {
  // The fixtures' "gateway" is 10.99.0.2; this connection's gateway is 20.50.1.10/11 unless a test says otherwise.
  const GATEWAY_IPS = ['20.50.1.10', '20.50.1.11'];
  const up = { status: 'Connected', tunnels: [{ name: 'a', status: 'Connected' }, { name: 'b', status: 'Connected' }] };
  const wrongRoot = charonEvents('wrong-root', 'initiator');
  const notesText = (d: Diagnosis): string => (d.notes ?? []).map((n) => n.text).join('\n');

  it("Azure up, device log rejecting the gateway's certificate: headline stays healthy, the device's finding is a note with its line", () => {
    const d = diagnose(base({ device: wrongRoot, connection: up }));
    expect(d.cause).toBe('healthy');
    expect(d.notes).toHaveLength(1);
    expect(d.notes![0]!.text).toMatch(/^The device log you attached shows a failure: the device does not trust the gateway's certificate CN=vpngw-hub\.contoso\.example: its issuer CN=Fabrikam Root CA .*Azure's side is up now, so that log may be older than the current tunnel or from another peer\.$/);
    expect(d.notes![0]!.evidence.map((e) => e.text)).toContain("no trusted RSA public key found for 'CN=vpngw-hub.contoso.example'");
    expect(d.notes![0]!.evidence.every((e) => e.source === 'device' && e.line !== undefined)).toBe(true);
  });

  it("Azure up and the log is this gateway's: the log is probably from before the tunnel came up", () => {
    const d = diagnose(base({ device: wrongRoot, connection: { ...up, gatewayIps: ['10.99.0.2'] } }));
    expect(notesText(d)).toMatch(/Azure's side is up now, so that log is probably from before the current tunnel came up/);
  });

  it("a log whose peer is not this gateway is named as such, does not drive the headline, and its finding is still told", () => {
    const azureOnly = azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]);
    const mine = diagnose(base({ azure: azureOnly, device: wrongRoot, connection: { gatewayIps: ['10.99.0.2'] } }));
    expect(mine).toMatchObject({ cause: 'outbound-rejected-by-device', confidence: 'high' });
    expect(mine.notes).toBeUndefined();

    const d = diagnose(base({ azure: azureOnly, device: wrongRoot, connection: { gatewayIps: GATEWAY_IPS, inboundSubject: 'CN=berlin-vpn.contoso.example' } }));
    // Azure's log alone: the device refused, without a reason; nothing of the foreign log in the headline or evidence.
    expect(d).toMatchObject({ cause: 'outbound-rejected-by-device', confidence: 'medium' });
    expect(d.headline).toMatch(/cannot say why/);
    expect(d.evidence.every((e) => e.source === 'azure')).toBe(true);
    expect(d.notes![0]!.text).toBe("The attached device log talks to 10.99.0.2, not this gateway (20.50.1.10, 20.50.1.11): check it is the right device's log. It was left out of this diagnosis.");
    expect(d.notes![0]!.evidence).toEqual([expect.objectContaining({ source: 'device', line: 14, text: 'initiating IKE_SA s2s[1] to 10.99.0.2' })]);
    expect(d.notes![1]!.text).toMatch(/^That log shows a failure: the device does not trust the gateway's certificate CN=vpngw-hub\.contoso\.example/);
    // Other certificate names support the verdict, last.
    expect(d.notes![2]!.text).toBe('In that log the device presented CN=onprem-vpn.contoso.example (the connection expects CN=berlin-vpn.contoso.example).');
    expect(d.notes![2]!.evidence.map((e) => e.text)).toEqual(['sending end entity cert "CN=onprem-vpn.contoso.example"']);
  });

  it('a foreign log on a healthy connection: healthy, plus where the log is from and what it shows', () => {
    const d = diagnose(base({ device: wrongRoot, connection: { ...up, gatewayIps: GATEWAY_IPS } }));
    expect(d.cause).toBe('healthy');
    expect(notesText(d)).toMatch(/talks to 10\.99\.0\.2, not this gateway[\s\S]*That log shows a failure: the device does not trust/);
  });

  it("a different cause on each side: Azure's verdict when its log shows the cause in full, the device's only for why it refused", () => {
    const d = diagnose(base({ azure: azure(AZURE_UNTRUSTS_DEVICE), device: wrongRoot }));
    expect(d.cause).toBe('inbound-untrusted');
    expect(d.notes).toHaveLength(1);
    expect(d.notes![0]!.text).toMatch(/^The device log points to another cause: the device does not trust the gateway's certificate/);

    // Azure fails at IKE_SA_INIT on proposals; the device log fails later, at IKE_AUTH: it cannot be of this window.
    const e = diagnose(base({ azure: azure(AZURE_NO_PROPOSAL_CHOSEN), device: charonEvents('expired', 'responder') }));
    expect(e).toMatchObject({ cause: 'proposal-mismatch' });
    expect(e.notes![0]!.text).toMatch(/^The device log points to another cause: .*expired.*check that log's time and that it is this device's\.$/);
    expect(e.notes![0]!.evidence.every((x) => x.source === 'device')).toBe(true);

    // Azure only knows the device refused it: the device's log says why, and decides; Azure's view is the note.
    const refused = diagnose(base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]), device: charonEvents('expired', 'initiator'), connection: { gatewayIps: ['10.99.0.2'] } }));
    expect(refused).toMatchObject({ rejectedBy: 'device' });
    expect(refused.cause).not.toBe('proposal-mismatch');
  });

  it("a pre-shared-key log does not overrule Azure's own verdict (proposals, or a subject Azure rejected)", () => {
    const psk = charonEvents('psk-one-side', 'responder');
    const oslo = diagnose(base({ azure: azure(AZURE_NO_PROPOSAL_CHOSEN), device: psk, connection: { authenticationType: 'Certificate', gatewayIps: ['10.99.0.2', '10.99.0.1'] } }));
    expect(oslo.cause).toBe('proposal-mismatch');
    expect(notesText(oslo)).toMatch(/^The device log points to another cause: .*pre-shared key/);

    const madrid = diagnose(base({ azure: azure(AZURE_SUBJECT_MISMATCH), device: charonEvents('psk-mismatch', 'initiator'), connection: { authenticationType: 'Certificate', inboundSubject: 'CN=madrid-gw.contoso.example', gatewayIps: ['10.99.0.2', '10.99.0.1'] } }));
    expect(madrid).toMatchObject({ cause: 'subject-mismatch', rejectedBy: 'azure' });
    expect(notesText(madrid)).toMatch(/pre-shared key/);
  });

  it('a device log of a working negotiation on a connection that is down is named, not dropped', () => {
    const policy = azure(['[SEND][SA_INIT] Sending IKE SA_INIT message', SA_INIT[1]!, '[SEND][NOTIFY] Sending Notify Message - Policy Mismatch', 'IkeCleanupMMNegotiation called with error 13868 and flags a']);
    const d = diagnose(base({ azure: policy, device: charonEvents('good', 'responder'), connection: { status: 'NotConnected', gatewayIps: ['10.99.0.2', '10.99.0.1'] } }));
    expect(d.cause).toBe('proposal-mismatch');
    expect(d.notes).toHaveLength(1);
    expect(d.notes![0]!.text).toMatch(/^The device log you attached shows the negotiation succeeding, but Azure's side is failing now/);
    expect(d.notes![0]!.evidence).toEqual([expect.objectContaining({ source: 'device' })]);
  });

  it("says when the device's own certificate in its log is not the one Azure received", () => {
    const d = diagnose(base({ azure: azure(AZURE_SUBJECT_MISMATCH), device: charonEvents('subject-mismatch', 'initiator'), connection: { inboundSubject: 'CN=madrid-gw.contoso.example', gatewayIps: ['10.99.0.2', '10.99.0.1'] } }));
    expect(d.cause).toBe('subject-mismatch');
    expect(notesText(d)).toMatch(/In the device log the device presents CN=branch-vpn\.contoso\.example, but Azure received CN=madrid-vpn\.contoso\.example: the log is from another device or an older certificate\./);
  });

  it('never quotes a line under a note that the evidence already shows', () => {
    const berlin = diagnose(base({ azure: azure(AZURE_UNTRUSTS_DEVICE), device: charonEvents('wrong-root', 'responder'), connection: { gatewayIps: ['10.99.0.2', '10.99.0.1'], outboundCertificateSubject: 'CN=vpngw-hub.contoso.example' } }));
    expect(berlin.notes?.length).toBeGreaterThan(0);
    for (const n of berlin.notes ?? []) for (const e of n.evidence) expect(berlin.evidence).not.toContainEqual(e);
    for (const c of cases) {
      const d = diagnose({ ...c.input, connection: { ...c.input.connection, gatewayIps: ['10.99.0.2', '10.99.0.1'] } });
      for (const n of d.notes ?? []) for (const e of n.evidence) expect(d.evidence, c.name).not.toContainEqual(e);
    }
  });

  it('no note when both sides agree, or one side only knows less', () => {
    for (const c of cases.filter((x) => /device names the untrusted issuer|subject-mismatch decided by configuration|Azure logs it, the device sees AUTHENTICATION_FAILED/.test(x.name))) {
      expect(diagnose(c.input).notes, c.name).toBeUndefined();
    }
  });

  it("a subject mismatch stays the diagnosis: identity differences never exclude a log", () => {
    const d = diagnose(
      base({ azure: azure([...SA_INIT, ...AZURE_SENT_AUTH, ...AZURE_REJECTS]), device: charonEvents('subject-mismatch', 'initiator'), connection: { authenticationType: 'Certificate', inboundSubject: 'CN=onprem-vpn.contoso.example', gatewayIps: ['10.99.0.2'] } }),
    );
    expect(d).toMatchObject({ cause: 'subject-mismatch', rejectedBy: 'azure', confidence: 'high' });
    expect(d.notes).toBeUndefined();
  });

  it("a log that saw another gateway certificate says so, without being excluded", () => {
    const d = diagnose(base({ azure: azure([...SA_INIT, '[SEND][SA_AUTH] Sending IKE AUTH message', ...DEVICE_REJECTS_AZURE]), device: wrongRoot, connection: { outboundCertificateSubject: 'CN=vpngw-west.contoso.example' } }));
    expect(d).toMatchObject({ cause: 'outbound-rejected-by-device', confidence: 'high' });
    expect(d.notes![0]!.text).toMatch(/^The device log shows the gateway presenting CN=vpngw-hub\.contoso\.example, but this connection's outbound certificate is CN=vpngw-west\.contoso\.example: the log may be older/);
  });

  it('notes stay bounded and JSON-safe', () => {
    const d = diagnose(base({ device: wrongRoot, connection: { ...up, gatewayIps: GATEWAY_IPS, outboundCertificateSubject: `CN=${'x'.repeat(900)}` } }));
    expect(d.notes!.length).toBeLessThanOrEqual(MAX_NOTES);
    for (const n of d.notes!) {
      expect(n.text.length).toBeLessThanOrEqual(400);
      expect(n.evidence.length).toBeLessThanOrEqual(2);
    }
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});

describe('proposal mismatch advice', () => {
  const offered = (phase: 'ike' | 'ipsec', proposals: IkeProposal[]): IkeEvent => ({ source: 'device', kind: 'proposals-offered', phase, proposals, tags: [], text: 'configured proposals', line: 1 });
  const refused: IkeEvent = { source: 'device', kind: 'policy-mismatch', tags: [], text: 'received proposals unacceptable', line: 2, notify: 'NO_PROPOSAL_CHOSEN' };
  const WEAK = /\bDES3?\b|3DES|MD5|DHGroup[125]\b|SHA1\b/;

  it('never recommends DES, 3DES, MD5, SHA1 or DH groups 1, 2 and 5; names them only to warn', () => {
    const inputs = [
      cases.find((c) => c.name.startsWith("proposal-mismatch: the device's log lists both sides"))!.input,
      cases.find((c) => c.name.startsWith('proposal-mismatch in quick mode'))!.input,
      base({ device: charonEvents('proposal-mismatch', 'initiator') }),
      base({ device: [offered('ike', [{ encryption: 'DES3', integrity: 'MD5', dhGroup: 'DHGroup1' }]), refused] }),
    ];
    for (const input of inputs) {
      const d = diagnose(input);
      expect(d.cause).toBe('proposal-mismatch');
      expect(d.actions[0], d.actions[0]).not.toMatch(WEAK);
      for (const a of d.actions.slice(1)) if (WEAK.test(a) || /DH group 2|3DES/.test(a)) expect(a).toMatch(/weak/);
    }
  });

  it("recommends a connection policy's strong proposal to the device, or the device's strong one to pin on the connection", () => {
    const d = diagnose(base({ device: [offered('ike', [{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' }]), refused], connection: { ikePolicies: [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }] } }));
    expect(d.actions[0]).toBe("Set the device's IKE proposal to GCMAES256/SHA384/ECP384, which the connection's IPsec/IKE policy offers.");
    expect(d.actions[1]).toMatch(/^Or pin the device's proposal AES256\/SHA256\/DHGroup14 on the connection with a custom IPsec\/IKE policy: IKE encryption AES256, IKE integrity SHA256, DH group DHGroup14/);
  });

  it('says so when the only overlap would be weak', () => {
    const weakBoth = [{ encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' }];
    const d = diagnose(base({ device: [offered('ike', weakBoth), refused], connection: { ikePolicies: weakBoth } }));
    expect(d.actions.join('\n')).toMatch(/The only IKE proposals both sides have in common \(AES256\/SHA1\/DHGroup2\) use SHA1 and DH group 2 \(1024-bit MODP\), which are weak: do not settle on them\./);
    expect(d.actions[0]).toMatch(/^Configure one strong IKE proposal on the device and pin the same on the connection with a custom IPsec\/IKE policy: AES256 or GCMAES256 with SHA256 or SHA384 and DH group 14 or higher/);
  });
});

describe('sameIdentity', () => {
  it('compares DNs in any RDN order, case and spacing folded, and bare names with the CN', () => {
    expect(sameIdentity('CN=vpn.contoso.example, O=Contoso', 'o=contoso,  cn=VPN.contoso.example')).toBe(true);
    expect(sameIdentity('CN=onprem-vpn.contoso.example', 'onprem-vpn.contoso.example')).toBe(true);
    expect(sameIdentity('CN=onprem-vpn.contoso.example, O=Contoso', 'CN=onprem-vpn.contoso.example')).toBe(true);
    expect(sameIdentity('CN=branch-vpn.contoso.example', 'CN=onprem-vpn.contoso.example')).toBe(false);
    expect(sameIdentity(undefined, 'CN=a')).toBe(false);
  });
});
