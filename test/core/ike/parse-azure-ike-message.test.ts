import { describe, expect, it } from 'vitest';
import type { IkeEvent } from '../../../core/ike/ike-event';
import { parseAzureIkeMessage } from '../../../core/ike/parse-azure-ike-message';
import { azureSampleFragments, azureSampleLines } from './ike-fixtures';

const at = '2026-11-23T10:00:00.000Z';
const parse = (message: string): IkeEvent => parseAzureIkeMessage({ timeGenerated: at, message, instance: 'GatewayTenantWorker_IN_0', level: 'Informational' });

describe('parseAzureIkeMessage on the verbatim sample lines', () => {
  const lines = azureSampleLines();
  const byStart = (start: string): IkeEvent => {
    const line = lines.find((l) => l.trimStart().startsWith(start) || l.includes(start));
    if (!line) throw new Error(`sample file has no line with ${start}`);
    return parse(line);
  };

  it('reads every line of the sample file without throwing', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const e = parse(line);
      expect(e.source).toBe('azure');
      expect(e.at).toBe(at);
      expect(e.text.length).toBeGreaterThan(0);
    }
  });

  it('reads the IKElogs.txt endpoint prefix, direction and exchange tags (placeholders are not IPs)', () => {
    const e = byStart('[RECEIVED][SA_AUTH] Received IKE AUTH message');
    expect(e).toMatchObject({ kind: 'exchange', direction: 'RECEIVED', tags: ['SA_AUTH'], text: 'Received IKE AUTH message' });
    expect(e.remoteIp).toBeUndefined();
  });

  it('reads the traffic selector request with its TSi and TSr ranges', () => {
    const e = byStart('Received Traffic Selector payload request');
    expect(e.kind).toBe('traffic-selectors');
    expect(e.direction).toBe('RECEIVED');
    expect(e.tsi?.map((r) => r.cidr)).toEqual(['10.20.0.0/16', '192.168.100.0/24']);
    expect(e.tsr?.map((r) => r.cidr)).toEqual(['0.0.0.0/0']);
    expect(e.tsi?.[0]).toMatchObject({ start: '10.20.0.0', end: '10.20.255.255', portStart: 0, portEnd: 65535, protocol: 0 });
  });

  it('reads the final negotiated selectors as sent', () => {
    const e = byStart('[SEND] Proposed Traffic Selector payload');
    expect(e).toMatchObject({ kind: 'traffic-selectors', direction: 'SEND' });
    expect(e.tsi).toHaveLength(2);
  });

  it('reads the IPsec proposal written without spaces (Cipher=DESIntegrity=Md5)', () => {
    const e = byStart('[RECEIVED]Received IPSec payload');
    expect(e).toMatchObject({ kind: 'proposals-received', phase: 'ipsec', direction: 'RECEIVED' });
    expect(e.proposals).toEqual([{ encryption: 'DES', integrity: 'MD5', dhGroup: 'None' }]);
  });

  it('reads the quick mode cleanup as a policy mismatch with its code', () => {
    const e = byStart('IkeCleanupQMNegotiation called with error 13868');
    expect(e).toMatchObject({ kind: 'policy-mismatch', errorCode: 13868 });
    expect(e.tags).toContain('QUICK_MODE');
  });

  it('reads the Policy Mismatch notify as sent', () => {
    expect(byStart('[SEND][NOTIFY] Sending Notify Message - Policy Mismatch')).toMatchObject({ kind: 'policy-mismatch', direction: 'SEND', notify: 'NO_PROPOSAL_CHOSEN', tags: ['NOTIFY'] });
  });

  it("reads Network Watcher's IKEErrors summaries", () => {
    expect(byStart('Error: Authentication failed. Check shared key.')).toMatchObject({ kind: 'credentials-unacceptable' });
    expect(byStart('based on log : Peer failed with Windows error 13801')).toMatchObject({ kind: 'auth-failed-notify-received', errorCode: 13801, direction: 'RECEIVED' });
    expect(byStart('Error: On-prem device sent invalid payload.')).toMatchObject({ kind: 'invalid-payload' });
    expect(byStart('IkeFindPayloadInPacket failed with Windows error 13843')).toMatchObject({ kind: 'invalid-payload', errorCode: 13843 });
  });

  it('reads wfpdiag trace lines: the peer address, the hex failure code and its message', () => {
    expect(byStart('Failure type: IKE/Authip Main Mode Failure')).toMatchObject({ kind: 'other', remoteIp: '52.161.24.36', text: 'Failure type: IKE/Authip Main Mode Failure' });
    expect(byStart('Failure error code:0x000035e9')).toMatchObject({ kind: 'credentials-unacceptable', errorCode: 13801, remoteIp: '52.161.24.36' });
    expect(byStart('|    IKE authentication credentials are unacceptable')).toMatchObject({ kind: 'credentials-unacceptable', errorCode: 13801 });
  });

  it("reads Azure's default initiator proposals", () => {
    const proposals = lines.filter((l) => l.startsWith('Policy')).flatMap((l) => parse(l).proposals ?? []);
    expect(proposals).toEqual([
      { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' },
      { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' },
      { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'DHGroup2' },
      { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'DHGroup2' },
      { encryption: 'DES3', integrity: 'SHA1', dhGroup: 'DHGroup2' },
      { encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup2' },
    ]);
  });

  it('leaves point-to-site lines as other', () => {
    for (const line of lines.filter((l) => l.startsWith('[MSG]'))) expect(parse(line).kind).toBe('other');
  });
});

describe('parseAzureIkeMessage on the phrase fragments Microsoft quotes', () => {
  const expected: Record<string, Partial<IkeEvent>> = {
    'Sending Notify Message - Authentication failed': { kind: 'auth-failed-notify-sent', direction: 'SEND', notify: 'AUTHENTICATION_FAILED' },
    'IKE Tunnel closed ... with status IKE authentication credentials are unacceptable': { kind: 'tunnel-closed', status: 'IKE authentication credentials are unacceptable', errorCode: 13801 },
    '[ErrorCode] 0x35E9': { kind: 'credentials-unacceptable', errorCode: 13801 },
    '13801 [ErrorMessage] IKE authentication credentials are unacceptable': { kind: 'credentials-unacceptable', errorCode: 13801 },
    '[ErrorCode] 0x3602 [ErrorMessage] Failed to verify signature': { kind: 'signature-verify-failed', errorCode: 0x3602 },
    'Sending Notify Message - Policy Mismatch': { kind: 'policy-mismatch', direction: 'SEND' },
    'IKE Tunnel closed ... with status Policy match error': { kind: 'tunnel-closed', status: 'Policy match error', errorCode: 13868 },
    '[ErrorCode] 0x362C [ErrorMessage] Policy match error': { kind: 'policy-mismatch', errorCode: 13868 },
    'IkeCleanupMMNegotiation called with error 13868': { kind: 'policy-mismatch', errorCode: 13868, tags: ['MAIN_MODE'] },
    'Received Traffic Selector payload request': { kind: 'ts-unacceptable' },
    '[IkeEvent] SA_NEGOTIATION_FAILED': { kind: 'other', tags: ['SA_NEGOTIATION_FAILED'] },
    '[ErrorMessage] Negotiation timed out': { kind: 'negotiation-timeout', errorCode: 13805 },
    '[ErrorCode] 0x35ED': { kind: 'negotiation-timeout', errorCode: 13805 },
    INVALID_KE_PAYLOAD: { kind: 'invalid-ke', notify: 'INVALID_KE_PAYLOAD' },
    'unsupported IKE version': { kind: 'unsupported-ike-version' },
  };

  it('knows every fragment the sample file lists', () => {
    const fragments = azureSampleFragments();
    expect(fragments.length).toBeGreaterThanOrEqual(12);
    for (const fragment of fragments) expect(Object.keys(expected), fragment).toContain(fragment);
  });

  for (const [fragment, want] of Object.entries(expected)) {
    if (fragment === 'Received Traffic Selector payload request') {
      // Alone (no selectors, no failure) the phrase is just an exchange; with a refusal it is a mismatch.
      it(`classifies "${fragment}" in context`, () => {
        expect(parse(`${fragment}- [Tsid 0x729  ]Number of TSIs 1: StartAddress 10.1.0.0 EndAddress 10.1.255.255 PortStart 0 PortEnd 65535 Protocol 0`).kind).toBe('traffic-selectors');
        expect(parse('[LOCAL] Traffic selectors TSr 10.2.0.0/16 are not within the virtual network address space 10.0.0.0/16').kind).toBe('ts-unacceptable');
      });
      continue;
    }
    it(`classifies "${fragment}"`, () => {
      expect(parse(fragment)).toMatchObject(want);
    });
  }
});

describe('parseAzureIkeMessage on the AzureDiagnostics Message shape', () => {
  it('reads SESSION_ID, both endpoints, direction and exchange', () => {
    const e = parse('SESSION_ID :{0E2C61B7-9A2B-4C1D-8E3F-112233445566} Remote 52.161.24.36:500: Local 20.50.1.10:500: [SEND][SA_INIT] Sending IKE SA_INIT message');
    expect(e).toMatchObject({
      sessionId: '0e2c61b7-9a2b-4c1d-8e3f-112233445566',
      remoteIp: '52.161.24.36',
      localIp: '20.50.1.10',
      direction: 'SEND',
      tags: ['SA_INIT'],
      kind: 'exchange',
      text: 'Sending IKE SA_INIT message',
      instance: 'GatewayTenantWorker_IN_0',
      level: 'Informational',
    });
  });

  it('reads NAT-T ports and IPv6 endpoints', () => {
    const e = parse('SESSION_ID :{0e2c61b7-9a2b-4c1d-8e3f-112233445566} Remote 2001:db8::7:4500: Local 2001:db8::1:4500: [RECEIVED][SA_AUTH] Received IKE AUTH message');
    expect(e).toMatchObject({ remoteIp: '2001:db8::7', localIp: '2001:db8::1', direction: 'RECEIVED' });
  });

  it('maps the direction spellings people have seen ([RECEIVE], [LOCAL_MSG])', () => {
    expect(parse('Remote 1.2.3.4:500: Local 5.6.7.8:500: [RECEIVE][SA_INIT] Received IKE SA_INIT message').direction).toBe('RECEIVED');
    expect(parse('Remote 1.2.3.4:500: Local 5.6.7.8:500: [LOCAL_MSG] IKE SA established').direction).toBe('LOCAL');
  });

  it('accepts TimeGenerated as a Date or a string and drops an invalid one', () => {
    expect(parseAzureIkeMessage({ timeGenerated: new Date('2026-11-23T10:00:00Z'), message: 'x' }).at).toBe('2026-11-23T10:00:00.000Z');
    expect(parseAzureIkeMessage({ timeGenerated: '2026-11-23T10:00:00Z', message: 'x' }).at).toBe('2026-11-23T10:00:00.000Z');
    expect(parseAzureIkeMessage({ timeGenerated: '2026-11-23 10:00:00+01:00', message: 'x' }).at).toBe('2026-11-23T09:00:00.000Z');
    expect(parseAzureIkeMessage({ timeGenerated: 'yesterday-ish', message: 'x' }).at).toBeUndefined();
  });

  it('reads certificate lines with quoted subject, issuer and validity', () => {
    const expired = parse(
      '[LOCAL][SA_AUTH] Peer certificate subject "CN=onprem-vpn.contoso.example" has expired (NotBefore 2025-10-19T17:55:39.000Z NotAfter 2026-10-19T17:55:39.000Z): [ErrorCode] 0x800B0101 [ErrorMessage] A required certificate is not within its validity period',
    );
    expect(expired).toMatchObject({ kind: 'certificate-expired', subject: 'CN=onprem-vpn.contoso.example', validTo: '2026-10-19T17:55:39.000Z', errorCode: 0x800b0101 });
    const untrusted = parse('[LOCAL][SA_AUTH] Peer certificate chain validation failed for subject "CN=a" issuer "CN=Rogue CA": [ErrorCode] 0x800B0109 [ErrorMessage] A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.');
    expect(untrusted).toMatchObject({ kind: 'certificate-untrusted', issuer: 'CN=Rogue CA', errorCode: 0x800b0109 });
    expect(parse('[LOCAL][SA_AUTH] Peer certificate subject "CN=b" does not match the configured inbound certificate subject name "CN=a"')).toMatchObject({ kind: 'identity-mismatch', peerId: 'CN=b', expectedId: 'CN=a' });
  });

  it('classifies by the message, never by a quoted name in it (a device named ts-mismatch, expired-lab or untrusted-vpn)', () => {
    // Found by the real-peer corpus: its device CN=ts-mismatch.peers.contoso.example read as an identity mismatch.
    const received = parse('[RECEIVED][SA_AUTH] Received peer certificate subject "CN=ts-mismatch.peers.contoso.example" issuer "CN=Peers Device CA 1, O=Contoso Peers"');
    expect(received.kind).not.toBe('identity-mismatch');
    expect(received).toMatchObject({ subject: 'CN=ts-mismatch.peers.contoso.example', issuer: 'CN=Peers Device CA 1, O=Contoso Peers' });
    for (const name of ['CN=expired-lab.contoso.example', 'CN=untrusted-vpn.contoso.example', 'CN=not yet valid']) {
      expect(parse(`[RECEIVED][SA_AUTH] Received peer certificate subject "${name}" issuer "CN=Root"`).kind).toBe(received.kind);
    }
  });
});
