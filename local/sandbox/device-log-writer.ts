import { createHash } from 'node:crypto';
import type { TunnelOutcome } from '../simulator/tunnels/tunnel-outcome';

/**
 * The charon log a site's on-premises device (strongSwan 5.9) writes while it talks to the sandbox gateway, for
 * `.sandbox/files/device-logs/`: what a person would copy from the device and paste under `diagnose`.
 *
 * Every line is a line charon writes, taken from the real logs in `test/fixtures/ike/strongswan/` (two strongSwan
 * daemons run by `local/strongswan/run-scenario.sh`) and rewritten to this site: its public IP and certificate, the
 * gateway instances' public IPs and Azure's outbound certificate, the device's own proposals, and the outcome the
 * simulator decided for each tunnel. What the lab runs show only as artefacts of their setup is left out: no NAT
 * (the lab's "remote host is behind NAT" comes from kernel-libipsec), and no daemon start-up (a device has been
 * running for long; a person copies the lines around the failure). Azure initiates, as in the simulator's IKE log, so
 * the device answers as responder; it initiates itself where that is how the failure shows on its side.
 *
 * Written independently of the product's log parser (no core/ike), so the parser is tested against it, not with it.
 */

/** What the device knows about itself and its peer, in the words its log uses. */
export interface DeviceLogSite {
  /** The device's public IP (the local network gateway's address). */
  readonly deviceIp: string;
  /** Its certificate's subject: its IKE identity. */
  readonly deviceId: string;
  /** The CAs it sends along with its certificate (intermediates), nearest first. */
  readonly deviceIntermediates: readonly string[];
  /** The root it trusts Azure's certificate from. */
  readonly trustedRoot: string;
  /** The IKE proposals it is configured with. */
  readonly proposals: readonly Proposal[];
  /** What the gateway presents: its outbound certificate's subject and issuer (absent: Azure never got that far). */
  readonly gatewayCertificate?: { readonly subject: string; readonly issuer: string };
  /** One entry per gateway instance the device has a connection to. */
  readonly tunnels: readonly DeviceTunnel[];
}

export interface DeviceTunnel {
  /** The device's name for this connection, e.g. `azure-in0`. */
  readonly name: string;
  /** The gateway instance's public IP. */
  readonly gatewayIp: string;
  /** How negotiations with that instance end now. */
  readonly outcome: TunnelOutcome;
  /** Since when they end that way. */
  readonly since: Date;
}

/** Azure's policy names, as in the connection's IPsec/IKE policy (`AES256`, `SHA256`, `DHGroup2`, `ECP384`). */
export interface Proposal {
  readonly encryption: string;
  readonly integrity: string;
  readonly dhGroup: string;
}

export interface DeviceLogOptions {
  readonly now: Date;
  /** How often the gateway retries a failing negotiation (the simulator's IKE retry interval). */
  readonly retryIntervalMs: number;
  /** Failed attempts shown per tunnel (the latest ones). */
  readonly attempts?: number;
}

// charon's algorithm names (strongSwan's proposal keywords as its log prints them).
const ENCRYPTION: Record<string, string> = {
  AES128: 'AES_CBC_128',
  AES192: 'AES_CBC_192',
  AES256: 'AES_CBC_256',
  GCMAES128: 'AES_GCM_16_128',
  GCMAES192: 'AES_GCM_16_192',
  GCMAES256: 'AES_GCM_16_256',
  DES3: '3DES_CBC',
  DES: 'DES_CBC',
};
const INTEGRITY: Record<string, { readonly mac: string; readonly prf: string }> = {
  MD5: { mac: 'HMAC_MD5_96', prf: 'PRF_HMAC_MD5' },
  SHA1: { mac: 'HMAC_SHA1_96', prf: 'PRF_HMAC_SHA1' },
  SHA256: { mac: 'HMAC_SHA2_256_128', prf: 'PRF_HMAC_SHA2_256' },
  SHA384: { mac: 'HMAC_SHA2_384_192', prf: 'PRF_HMAC_SHA2_384' },
  SHA512: { mac: 'HMAC_SHA2_512_256', prf: 'PRF_HMAC_SHA2_512' },
};
const DH: Record<string, string> = {
  DHGroup1: 'MODP_768',
  DHGroup2: 'MODP_1024',
  DHGroup5: 'MODP_1536',
  DHGroup14: 'MODP_2048',
  DHGroup24: 'MODP_2048_256',
  ECP256: 'ECP_256',
  ECP384: 'ECP_384',
};

/** `IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024`; an AEAD cipher has no MAC, only the PRF. */
export function charonProposal(p: Proposal): string {
  const encryption = ENCRYPTION[p.encryption] ?? p.encryption;
  const integrity = INTEGRITY[p.integrity] ?? { mac: `HMAC_${p.integrity}`, prf: `PRF_HMAC_${p.integrity}` };
  const parts = [encryption, ...(encryption.includes('GCM') ? [] : [integrity.mac]), integrity.prf, DH[p.dhGroup] ?? p.dhGroup];
  return `IKE:${parts.join('/')}`;
}

/** Azure's default IKE proposals when it initiates (its log's Policy1..6); the simulator offers the same. */
const AZURE_OFFERS: readonly Proposal[] = [
  { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup2' },
];
/** What Azure's log says it established with (its Policy2), so both sides' logs agree. */
const AZURE_SELECTED = AZURE_OFFERS[1]!;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
/** charon's `time_format = %b %e %T` (the device's clock runs on UTC). */
function stamp(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

interface Line {
  readonly at: number;
  readonly order: number;
  readonly text: string;
}

/** Writes one IKE_SA's lines: its clock, its worker threads, its `<name|id>` prefix. */
class Exchange {
  private sa: string;
  private thread: number;
  constructor(
    private readonly out: Line[],
    private t: number,
    readonly ikeSa: number,
    private readonly seed: number,
  ) {
    this.sa = `<${ikeSa}>`;
    this.thread = 1 + ((seed * 7 + ikeSa * 3) % 16);
  }

  /** Once a peer config is selected, charon names the IKE_SA after the connection. */
  named(connection: string): this {
    this.sa = `<${connection}|${this.ikeSa}>`;
    return this;
  }

  /** A new packet is handled by another worker thread, a few milliseconds (or `ms`) later. */
  next(ms = 3): this {
    this.t += ms;
    this.thread = 1 + ((this.thread + this.seed + 4) % 16);
    return this;
  }

  line(group: string, text: string): this {
    this.out.push({ at: this.t, order: this.out.length, text: `${stamp(this.t)} ${pad(this.thread)}[${group}] ${this.sa} ${text}` });
    return this;
  }

  get time(): number {
    return this.t;
  }
}

/** Deterministic hex (SPIs) and seeds from the site, so a log reads the same for the same estate and time. */
function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/**
 * The device's charon log for its tunnels to the gateway: for a tunnel that is up, the negotiation that brought it
 * up; for one that fails, the latest attempts, each ending the way the simulator decided. Lines of both tunnels are
 * interleaved in time, as one daemon writes them.
 */
export function writeDeviceLog(site: DeviceLogSite, options: DeviceLogOptions): string {
  const lines: Line[] = [];
  const attempts = options.attempts ?? 3;
  const now = options.now.getTime();
  const seed = parseInt(hex(site.deviceId, 4), 16);
  const planned: { tunnel: DeviceTunnel; index: number; at: number }[] = [];
  site.tunnels.forEach((tunnel, index) => {
    const since = tunnel.since.getTime();
    // Azure's instances do not retry in step: the second one a little after the first.
    const offset = index * 1_300;
    let times: number[];
    if (tunnel.outcome.kind === 'connected') {
      // Up: the negotiation that brought it up.
      times = [since + offset];
    } else if (tunnel.outcome.kind === 'peer-unreachable') {
      // Unanswered: the latest attempt, which took charon's full retransmit schedule (about 2 min 45 s) to give up.
      times = [Math.max(since, now - 170_000) + offset];
    } else {
      // Failing: the latest attempts, one per retry interval (at least one).
      const retries = Array.from({ length: attempts }, (_, k) => now - (attempts - 1 - k) * options.retryIntervalMs - 60_000 + offset).filter((t) => t >= since);
      times = retries.length > 0 ? retries : [Math.max(since, now - 60_000) + offset];
    }
    for (const at of times) planned.push({ tunnel, index, at });
  });
  // charon numbers IKE_SAs and CHILD_SAs in the order it creates them.
  planned.sort((a, b) => a.at - b.at || a.index - b.index);
  let ikeSa = 40;
  let childSa = 40;
  for (const { tunnel, index, at } of planned) {
    writeAttempt(site, tunnel, () => new Exchange(lines, at, ++ikeSa, seed + index), () => ++childSa, at);
  }
  lines.sort((a, b) => a.at - b.at || a.order - b.order);
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

const SA_INIT_REQUEST_FROM_AZURE = 'parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]';
const SA_INIT_RESPONSE = 'generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]';
const AUTH_REQUEST_FROM_AZURE = 'parsed IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ AUTH SA TSi TSr ]';

function writeAttempt(site: DeviceLogSite, tunnel: DeviceTunnel, exchange: () => Exchange, nextChild: () => number, at: number): void {
  const me = site.deviceIp;
  const gw = tunnel.gatewayIp;
  const azure = site.gatewayCertificate;
  const outcome = tunnel.outcome;

  /** Azure's IKE_SA_INIT arrives and the device accepts Azure's proposal. */
  const answerSaInit = (x: Exchange): Exchange =>
    x
      .line('NET', `received packet: from ${gw}[500] to ${me}[500] (464 bytes)`)
      .line('ENC', SA_INIT_REQUEST_FROM_AZURE)
      .line('IKE', `${gw} is initiating an IKE_SA`)
      .line('CFG', `selected proposal: ${charonProposal(AZURE_SELECTED)}`)
      .line('IKE', `sending cert request for "${site.trustedRoot}"`)
      .line('ENC', SA_INIT_RESPONSE)
      .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (465 bytes)`);
  /** Azure's IKE_AUTH with its certificate: the device finds its connection and checks the certificate. */
  const receiveAzureAuth = (x: Exchange): Exchange => {
    x.next(41)
      .line('NET', `received packet: from ${gw}[500] to ${me}[500] (1436 bytes)`)
      .line('ENC', AUTH_REQUEST_FROM_AZURE)
      .line('IKE', 'received 1 cert requests for an unknown ca')
      .line('IKE', `received end entity cert "${azure?.subject ?? ''}"`)
      .line('CFG', `looking for peer configs matching ${me}[%any]...${gw}[${azure?.subject ?? ''}]`)
      .named(tunnel.name)
      .line('CFG', `selected peer config '${tunnel.name}'`)
      .line('CFG', `  using certificate "${azure?.subject ?? ''}"`);
    return x;
  };
  /** Azure's certificate checks out; the device authenticates itself and the SAs are up from its side. */
  const acceptAndAuthenticate = (x: Exchange): Exchange => {
    const child = nextChild();
    const spis = hex(`${site.deviceId}/${tunnel.name}/${at}`, 16);
    x.line('CFG', `  using trusted ca certificate "${site.trustedRoot}"`)
      .line('CFG', '  reached self-signed root ca with a path length of 0')
      .line('IKE', `authentication of '${azure?.subject ?? ''}' with RSA_EMSA_PKCS1_SHA2_256 successful`)
      .line('IKE', `authentication of '${site.deviceId}' (myself) with RSA_EMSA_PKCS1_SHA2_256 successful`)
      .line('IKE', `sending end entity cert "${site.deviceId}"`);
    for (const ca of site.deviceIntermediates) x.line('IKE', `sending issuer cert "${ca}"`);
    x.line('IKE', `IKE_SA ${tunnel.name}[${x.ikeSa}] established between ${me}[${site.deviceId}]...${gw}[${azure?.subject ?? ''}]`)
      .line('IKE', `scheduling rekeying in ${13_200 + (x.ikeSa % 7) * 131}s`)
      .line('IKE', `maximum IKE_SA lifetime ${14_640 + (x.ikeSa % 7) * 131}s`)
      .line('CFG', 'selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ')
      .line('IKE', `CHILD_SA net{${child}} established with SPIs ${spis.slice(0, 8)}_i ${spis.slice(8)}_o and TS 0.0.0.0/0 === 0.0.0.0/0`)
      .line('ENC', 'generating IKE_AUTH response 1 [ IDr CERT AUTH SA TSi TSr N(AUTH_LFT) N(MOBIKE_SUP) N(ADD_4_ADDR) ]')
      .line('ENC', 'splitting IKE message (2544 bytes) into 2 fragments')
      .line('ENC', 'generating IKE_AUTH response 1 [ EF(1/2) ]')
      .line('ENC', 'generating IKE_AUTH response 1 [ EF(2/2) ]')
      .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (1236 bytes)`)
      .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (1380 bytes)`);
    return x;
  };
  /** Azure's INFORMATIONAL ends the IKE_SA (after an AUTH_FAILED, or a DELETE): the device deletes it and answers. */
  const deletedByAzure = (x: Exchange, m: { port: 500 | 4500; messageId: number; payload: string }): Exchange =>
    x
      .line('NET', `received packet: from ${gw}[${m.port}] to ${me}[${m.port}] (80 bytes)`)
      .line('ENC', `parsed INFORMATIONAL request ${m.messageId} [ ${m.payload} ]`)
      .line('IKE', `received DELETE for IKE_SA ${tunnel.name}[${x.ikeSa}]`)
      .line('IKE', `deleting IKE_SA ${tunnel.name}[${x.ikeSa}] between ${me}[${site.deviceId}]...${gw}[${azure?.subject ?? ''}]`)
      .line('IKE', 'IKE_SA deleted')
      .line('ENC', `generating INFORMATIONAL response ${m.messageId} [ ]`)
      .line('NET', `sending packet: from ${me}[${m.port}] to ${gw}[${m.port}] (80 bytes)`);
  /** The IKE_SA_INIT request grows with the proposals offered. */
  const saInitBytes = 268 + site.proposals.length * 52;
  /** The device starts a negotiation itself (with MOBIKE it moves to port 4500 for IKE_AUTH, as charon does). */
  const initiate = (x: Exchange): Exchange =>
    x
      .named(tunnel.name)
      .line('IKE', `initiating IKE_SA ${tunnel.name}[${x.ikeSa}] to ${gw}`)
      .line('ENC', 'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]')
      .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (${saInitBytes} bytes)`);
  /** The device's IKE_AUTH request, after Azure answered its IKE_SA_INIT. */
  const sendAuth = (x: Exchange, how: 'certificate' | 'psk'): Exchange => {
    x.next(38)
      .line('NET', `received packet: from ${gw}[500] to ${me}[500] (312 bytes)`)
      .line('ENC', 'parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ ]')
      .line('CFG', `selected proposal: ${charonProposal(AZURE_SELECTED)}`)
      .line('IKE', 'received 1 cert requests for an unknown ca')
      .line('IKE', `sending cert request for "${site.trustedRoot}"`);
    if (how === 'psk') {
      return x
        .line('IKE', `authentication of '${site.deviceId}' (myself) with pre-shared key`)
        .line('IKE', 'establishing CHILD_SA net{' + nextChild() + '}')
        .line('ENC', 'generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]')
        .line('NET', `sending packet: from ${me}[4500] to ${gw}[4500] (416 bytes)`);
    }
    x.line('IKE', `authentication of '${site.deviceId}' (myself) with RSA_EMSA_PKCS1_SHA2_256 successful`).line('IKE', `sending end entity cert "${site.deviceId}"`);
    for (const ca of site.deviceIntermediates) x.line('IKE', `sending issuer cert "${ca}"`);
    return x
      .line('IKE', `establishing CHILD_SA net{${nextChild()}}`)
      .line('ENC', 'generating IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]')
      .line('ENC', 'splitting IKE message (2608 bytes) into 2 fragments')
      .line('ENC', 'generating IKE_AUTH request 1 [ EF(1/2) ]')
      .line('ENC', 'generating IKE_AUTH request 1 [ EF(2/2) ]')
      .line('NET', `sending packet: from ${me}[4500] to ${gw}[4500] (1236 bytes)`)
      .line('NET', `sending packet: from ${me}[4500] to ${gw}[4500] (1444 bytes)`);
  };

  switch (outcome.kind) {
    case 'connected': {
      acceptAndAuthenticate(receiveAzureAuth(answerSaInit(exchange())));
      return;
    }
    case 'inbound-untrusted':
    case 'inbound-subject-mismatch':
    case 'inbound-expired':
    case 'inbound-not-yet-valid': {
      // From the device's side all is well until Azure, having checked the device's certificate, sends AUTH_FAILED
      // in an INFORMATIONAL: charon logs no reason, only the message (Azure's own log says why).
      deletedByAzure(acceptAndAuthenticate(receiveAzureAuth(answerSaInit(exchange()))).next(44), { port: 500, messageId: 2, payload: 'N(AUTH_FAILED)' });
      return;
    }
    case 'outbound-rejected-by-peer': {
      // The device does not trust the gateway's certificate: it says why, and answers AUTH_FAILED.
      receiveAzureAuth(answerSaInit(exchange()))
        .line('CFG', `no issuer certificate found for "${azure?.subject ?? ''}"`)
        .line('CFG', `  issuer is "${azure?.issuer ?? ''}"`)
        .line('IKE', `no trusted RSA public key found for '${azure?.subject ?? ''}'`)
        .line('ENC', 'generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]')
        .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (80 bytes)`);
      return;
    }
    case 'outbound-unusable': {
      // Azure can't use its own certificate, so its IKE_AUTH never comes: the half-open SA times out.
      answerSaInit(exchange()).next(30_000).line('JOB', `deleting half open IKE_SA with ${gw} after timeout`);
      return;
    }
    case 'proposal-mismatch': {
      // Azure offers its proposals and the device refuses them; then the device's own attempt is refused by Azure.
      const offered = outcome.azureOffers.length > 0 ? outcome.azureOffers : AZURE_OFFERS;
      exchange()
        .line('NET', `received packet: from ${gw}[500] to ${me}[500] (${232 + offered.length * 52} bytes)`)
        .line('ENC', SA_INIT_REQUEST_FROM_AZURE)
        .line('IKE', `${gw} is initiating an IKE_SA`)
        .line('CFG', `received proposals: ${offered.map(charonProposal).join(', ')}`)
        .line('CFG', `configured proposals: ${site.proposals.map(charonProposal).join(', ')}`)
        .line('IKE', 'received proposals unacceptable')
        .line('ENC', 'generating IKE_SA_INIT response 0 [ N(NO_PROP) ]')
        .line('NET', `sending packet: from ${me}[500] to ${gw}[500] (36 bytes)`);
      initiate(exchange().next(250))
        .next(36)
        .line('NET', `received packet: from ${gw}[500] to ${me}[500] (36 bytes)`)
        .line('ENC', 'parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]')
        .line('IKE', 'received NO_PROPOSAL_CHOSEN notify error');
      return;
    }
    case 'traffic-selector-mismatch': {
      // The device asks for prefixes on the Azure side that Azure does not have: IKE is up, the CHILD_SA is refused.
      const x = sendAuth(initiate(exchange()), 'certificate');
      x.next(44)
        .line('NET', `received packet: from ${gw}[4500] to ${me}[4500] (1236 bytes)`)
        .line('ENC', 'parsed IKE_AUTH response 1 [ EF(1/2) ]')
        .line('ENC', 'received fragment #1 of 2, waiting for complete IKE message')
        .next(1)
        .line('NET', `received packet: from ${gw}[4500] to ${me}[4500] (132 bytes)`)
        .line('ENC', 'parsed IKE_AUTH response 1 [ EF(2/2) ]')
        .line('ENC', 'received fragment #2 of 2, reassembled fragmented IKE message (1296 bytes)')
        .line('ENC', 'parsed IKE_AUTH response 1 [ IDr CERT AUTH N(TS_UNACCEPT) ]')
        .line('IKE', `received end entity cert "${azure?.subject ?? ''}"`)
        .line('CFG', `  using certificate "${azure?.subject ?? ''}"`)
        .line('CFG', `  using trusted ca certificate "${site.trustedRoot}"`)
        .line('CFG', '  reached self-signed root ca with a path length of 0')
        .line('IKE', `authentication of '${azure?.subject ?? ''}' with RSA_EMSA_PKCS1_SHA2_256 successful`)
        .line('IKE', `IKE_SA ${tunnel.name}[${x.ikeSa}] established between ${me}[${site.deviceId}]...${gw}[${azure?.subject ?? ''}]`)
        .line('IKE', 'received TS_UNACCEPTABLE notify, no CHILD_SA built')
        .line('IKE', 'failed to establish CHILD_SA, keeping IKE_SA');
      deletedByAzure(x.next(2), { port: 4500, messageId: 0, payload: 'D' });
      return;
    }
    case 'peer-unreachable': {
      // Nothing comes back: charon's default retransmits (4 s, growing by 1.8x, 5 tries), then it gives up.
      const x = initiate(exchange());
      let wait = 4_000;
      for (let n = 1; n <= 5; n++) {
        x.next(wait).line('IKE', `retransmit ${n} of request with message ID 0`).line('NET', `sending packet: from ${me}[500] to ${gw}[500] (${saInitBytes} bytes)`);
        wait = Math.round(wait * 1.8);
      }
      x.next(wait).line('IKE', 'giving up after 5 retransmits').line('IKE', 'establishing IKE_SA failed, peer not responding');
      return;
    }
    case 'psk-one-side': {
      // The device authenticates with a pre-shared key; the connection expects a certificate and refuses it.
      sendAuth(initiate(exchange()), 'psk')
        .next(40)
        .line('NET', `received packet: from ${gw}[4500] to ${me}[4500] (80 bytes)`)
        .line('ENC', 'parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]')
        .line('IKE', 'received AUTHENTICATION_FAILED notify error');
      return;
    }
  }
}
