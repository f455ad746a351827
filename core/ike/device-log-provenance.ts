import type { ConnectionFacts } from './diagnosis';
import type { IkeEvent } from './ike-event';
import { sameIdentity } from './same-identity';

/**
 * Whether a pasted device log plausibly belongs to the connection being diagnosed.
 *
 * - `other-peer`: the log names the peers it talks to, the gateway's public IPs are known, and none of those peers is
 *   one of them. A device of this connection can only talk IKE to the gateway's public IPs (the gateway has no NAT in
 *   front of it), so such a log is about another tunnel: it must not decide the diagnosis.
 * - `this-connection`: at least one peer of the log is one of the gateway's public IPs.
 * - `undecided`: the log names no peer address, or the gateway's addresses are unknown.
 *
 * Deliberately not evidence: the device's own address in its log (behind NAT it is private while Azure sees a public
 * one), and certificate identities. A device presenting another subject than the connection expects is itself a
 * diagnosis (subject mismatch), and the gateway's certificate may have been rotated since the log was written, so
 * identity differences are reported (`gatewayCertificateSeen`, `deviceCertificateSent`) but never exclude a log.
 */
export interface DeviceLogProvenance {
  verdict: 'this-connection' | 'other-peer' | 'undecided';
  /** Remote peer addresses the log names, latest first, deduplicated. */
  peers: string[];
  /** The gateway addresses compared against. */
  gatewayIps: string[];
  /** The latest device event naming a peer: the line to quote. */
  peerEvent?: IkeEvent;
  /** The certificate the device received from its peer, when it differs from the connection's outbound certificate. */
  gatewayCertificateSeen?: { seen: string; configured: string; event: IkeEvent };
  /** The device's own certificate, when it differs from the connection's inbound subject. */
  deviceCertificateSent?: { sent: string; configured: string; event: IkeEvent };
}

/** An address as compared: IPv4 as written, IPv6 lower-cased; ports and brackets never reach here. */
const addressKey = (ip: string): string => ip.trim().toLowerCase();

export function deviceLogProvenance(device: readonly IkeEvent[], connection: ConnectionFacts): DeviceLogProvenance {
  const gatewayIps = [...new Set((connection.gatewayIps ?? []).map(addressKey).filter((ip) => ip !== ''))];
  const peers: string[] = [];
  let peerEvent: IkeEvent | undefined;
  for (let i = device.length - 1; i >= 0; i--) {
    const e = device[i]!;
    if (!e.remoteIp) continue;
    peerEvent ??= e;
    const key = addressKey(e.remoteIp);
    if (!peers.includes(key)) peers.push(key);
  }
  const verdict = peers.length === 0 || gatewayIps.length === 0 ? 'undecided' : peers.some((p) => gatewayIps.includes(p)) ? 'this-connection' : 'other-peer';
  const result: DeviceLogProvenance = { verdict, peers, gatewayIps };
  if (peerEvent) result.peerEvent = verdict === 'other-peer' ? peerEvent : (device.findLast((e) => !!e.remoteIp && gatewayIps.includes(addressKey(e.remoteIp))) ?? peerEvent);

  const received = device.findLast((e) => e.kind === 'certificate-received' && !!e.subject);
  if (received?.subject && connection.outboundCertificateSubject && !sameIdentity(received.subject, connection.outboundCertificateSubject)) {
    result.gatewayCertificateSeen = { seen: received.subject, configured: connection.outboundCertificateSubject, event: received };
  }
  const sent = device.findLast((e) => e.kind === 'certificate-sent' && !!e.subject);
  if (sent?.subject && connection.inboundSubject && !sameIdentity(sent.subject, connection.inboundSubject)) {
    result.deviceCertificateSent = { sent: sent.subject, configured: connection.inboundSubject, event: sent };
  }
  return result;
}
