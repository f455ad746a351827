import { writeIkeAttempt, type TunnelOutcome } from './ike-log-writer';

/** One IKEDiagnosticLog row in the shape the logs adapter hands on (time, message, instance, level). */
export interface GeneratedIkeRow {
  readonly timeGenerated: string;
  readonly message: string;
  readonly instance: string;
  readonly level: string;
}

export interface GeneratedIkeLog {
  /** IKEDiagnosticLog rows as the logs adapter returns them. */
  azureRows: GeneratedIkeRow[];
  /** A charon log (one line per entry, `\n`-separated) as a device would paste it. */
  charonText: string;
  charonLines: number;
}

const OUTCOMES: TunnelOutcome[] = [
  { kind: 'connected' },
  { kind: 'peer-unreachable' },
  { kind: 'inbound-untrusted' },
  { kind: 'outbound-rejected-by-peer' },
  { kind: 'inbound-subject-mismatch' },
  { kind: 'inbound-expired' },
  { kind: 'proposal-mismatch', azureOffers: [{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' }], deviceAccepts: [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }] },
  { kind: 'traffic-selector-mismatch', azurePrefixes: ['10.0.0.0/16'], devicePrefixes: ['10.2.0.0/16', '10.3.0.0/16'] },
  { kind: 'outbound-unusable', code: 'VpnGatewayKeyVaultInaccessibleKeyvault' },
  { kind: 'psk-one-side' },
  { kind: 'inbound-not-yet-valid' },
];

// Shapes copied from the real charon logs in test/fixtures/ike/strongswan (strongSwan 5.9.8), with the values that
// vary between runs as placeholders: {t} time, {th} thread, {id} IKE_SA id, {spi} SPIs.
const CHARON_TEMPLATES = [
  '{t} {th}[IKE] <s2s|{id}> initiating IKE_SA s2s[{id}] to 10.99.0.2',
  '{t} {th}[ENC] <s2s|{id}> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
  '{t} {th}[NET] <s2s|{id}> sending packet: from 10.99.0.1[500] to 10.99.0.2[500] (508 bytes)',
  '{t} {th}[NET] <s2s|{id}> received packet: from 10.99.0.2[500] to 10.99.0.1[500] (497 bytes)',
  '{t} {th}[ENC] <s2s|{id}> parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]',
  '{t} {th}[CFG] <s2s|{id}> selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
  '{t} {th}[IKE] <s2s|{id}> received 1 cert requests for an unknown ca',
  '{t} {th}[IKE] <s2s|{id}> sending cert request for "CN=Contoso Azure Root CA"',
  "{t} {th}[IKE] <s2s|{id}> authentication of 'CN=onprem-vpn.contoso.example' (myself) with RSA_EMSA_PKCS1_SHA2_256 successful",
  '{t} {th}[IKE] <s2s|{id}> sending end entity cert "CN=onprem-vpn.contoso.example"',
  '{t} {th}[ENC] <s2s|{id}> generating IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
  '{t} {th}[IKE] <s2s|{id}> received end entity cert "CN=vpngw-hub.contoso.example"',
  '{t} {th}[CFG] <s2s|{id}>   using certificate "CN=vpngw-hub.contoso.example"',
  '{t} {th}[CFG] <s2s|{id}> no issuer certificate found for "CN=vpngw-hub.contoso.example"',
  '{t} {th}[CFG] <s2s|{id}>   issuer is "CN=Fabrikam Root CA"',
  "{t} {th}[IKE] <s2s|{id}> no trusted RSA public key found for 'CN=vpngw-hub.contoso.example'",
  '{t} {th}[ENC] <s2s|{id}> generating INFORMATIONAL request 2 [ N(AUTH_FAILED) ]',
  '{t} {th}[CFG] <s2s|{id}> received proposals: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024',
  '{t} {th}[CFG] <s2s|{id}> configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384',
  '{t} {th}[IKE] <s2s|{id}> received proposals unacceptable',
  '{t} {th}[IKE] <s2s|{id}> retransmit 2 of request with message ID 0',
  '{t} {th}[IKE] <s2s|{id}> giving up after 3 retransmits',
  '{t} {th}[IKE] <s2s|{id}> traffic selectors 10.99.2.0/24 === 10.99.1.0/24 unacceptable',
  '{t} {th}[IKE] <s2s|{id}> received AUTHENTICATION_FAILED notify error',
  '{t} {th}[IKE] <s2s|{id}> IKE_SA s2s[{id}] established between 10.99.0.1[CN=onprem-vpn.contoso.example]...10.99.0.2[CN=vpngw-hub.contoso.example]',
  '{t} {th}[IKE] <s2s|{id}> CHILD_SA net{{id}} established with SPIs {spi}_i c{spi}_o and TS 10.99.1.0/24 === 10.99.2.0/24',
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

function charonStamp(t: Date): string {
  return `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

/**
 * `count` realistic IKE log lines for benchmarks: three quarters Azure IKEDiagnosticLog rows from the simulator's
 * writer (cycling through every outcome, both gateway instances, several devices), one quarter charon lines in the
 * shapes strongSwan really writes. Deterministic.
 */
export function generateIkeLogLines(count: number, start = new Date('2026-11-23T00:00:00Z')): GeneratedIkeLog {
  const azureTarget = Math.round(count * 0.75);
  const charonTarget = count - azureTarget;
  const azureRows: GeneratedIkeRow[] = [];
  let guid = 0;
  let t = start.getTime();
  for (let attempt = 0; azureRows.length < azureTarget; attempt++) {
    const instance = attempt % 2 === 0 ? 'GatewayTenantWorker_IN_0' : 'GatewayTenantWorker_IN_1';
    const log = writeIkeAttempt(OUTCOMES[attempt % OUTCOMES.length]!, {
      remoteIp: `203.0.113.${(attempt % 200) + 1}`,
      localIp: attempt % 2 === 0 ? '20.50.1.10' : '20.50.1.11',
      instance,
      at: new Date(t),
      newGuid: () => `7d3f0c2a-${pad((guid >> 16) & 0xff)}${pad((guid >> 8) & 0xff)}-4000-8000-${String(++guid).padStart(12, '0')}`,
    });
    for (const line of log.ike) {
      if (azureRows.length >= azureTarget) break;
      azureRows.push({ timeGenerated: line.at.toISOString(), message: line.message, instance, level: line.level });
    }
    t += 45_000;
  }
  const lines: string[] = [];
  let id = 1;
  let ct = start.getTime();
  while (lines.length < charonTarget) {
    for (const template of CHARON_TEMPLATES) {
      if (lines.length >= charonTarget) break;
      ct += 137;
      lines.push(
        template
          .replace('{t}', charonStamp(new Date(ct)))
          .replace('{th}', pad((lines.length % 16) + 1))
          .replaceAll('{id}', String(id))
          .replaceAll('{spi}', (0x1000000 + id * 7919).toString(16)),
      );
    }
    id += 1;
  }
  return { azureRows, charonText: lines.join('\n'), charonLines: lines.length };
}
