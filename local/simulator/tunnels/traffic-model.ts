import { createHash } from 'node:crypto';
import type { TunnelMinuteSample } from '../arm/gateway-metrics';

/**
 * Plausible, deterministic traffic for a connected tunnel: each tunnel has its own base rate, and every minute
 * varies around it. The same tunnel and minute always give the same numbers, so byte counters, metrics and repeated
 * queries agree with each other.
 */
export interface TunnelTrafficProfile {
  /** Seed of the tunnel's per-minute variation. */
  readonly seed: number;
  /** Bytes per second into Azure at the tunnel's base rate. */
  readonly ingressRate: number;
  readonly egressRate: number;
  readonly packetSize: number;
  readonly flows: number;
}

export function trafficProfile(trackKey: string): TunnelTrafficProfile {
  const h = hash01(trackKey, 'profile');
  const ingressRate = 20_000 + Math.floor(h * 380_000);
  return {
    seed: fnv1a(trackKey),
    ingressRate,
    egressRate: Math.floor(ingressRate * (0.6 + hash01(trackKey, 'egress') * 0.8)),
    packetSize: 600 + Math.floor(hash01(trackKey, 'packet') * 600),
    flows: 10 + Math.floor(hash01(trackKey, 'flows') * 190),
  };
}

/**
 * One minute of a tunnel. `connectedFraction` is the part of the minute the tunnel was up; `unroutedShare` the
 * share of the device's traffic from prefixes the site's address space lacks (dropped as TS mismatch).
 */
export function minuteSample(profile: TunnelTrafficProfile, minuteIndex: number, connectedFraction: number, unroutedShare: number): TunnelMinuteSample {
  if (connectedFraction <= 0) {
    return { ingressBytes: 0, egressBytes: 0, ingressPackets: 0, egressPackets: 0, ingressDrops: 0, egressDrops: 0, ingressTsMismatchDrops: 0, egressTsMismatchDrops: 0, averageBandwidth: 0, peakPackets: 0, flowCount: 0, mmsaCount: 0, qmsaCount: 0 };
  }
  // Per-minute variation uses an integer mix of the seed (millions of samples per second), not a digest.
  const factor = 0.5 + mix01(profile.seed, minuteIndex, 1);
  const seconds = 60 * connectedFraction;
  const ingressBytes = Math.round(profile.ingressRate * factor * seconds);
  const egressBytes = Math.round(profile.egressRate * factor * seconds);
  const ingressPackets = Math.max(1, Math.round(ingressBytes / profile.packetSize));
  const egressPackets = Math.max(1, Math.round(egressBytes / profile.packetSize));
  const dropRate = mix01(profile.seed, minuteIndex, 2) < 0.1 ? 0.001 : 0;
  const tsDrops = Math.round(ingressPackets * unroutedShare);
  return {
    ingressBytes,
    egressBytes,
    ingressPackets,
    egressPackets,
    ingressDrops: Math.round(ingressPackets * dropRate),
    egressDrops: Math.round(egressPackets * dropRate * 0.5),
    ingressTsMismatchDrops: tsDrops,
    egressTsMismatchDrops: Math.round(tsDrops * 0.2),
    averageBandwidth: Math.round((ingressBytes + egressBytes) / 60),
    peakPackets: Math.round(((ingressPackets + egressPackets) / seconds) * (1.3 + mix01(profile.seed, minuteIndex, 3))),
    flowCount: Math.round(profile.flows * factor),
    mmsaCount: 1,
    qmsaCount: 1,
  };
}

/** A stable number in [0, 1) from a seed, a minute and a salt (murmur3's finaliser). */
function mix01(seed: number, minute: number, salt: number): number {
  let h = (seed ^ Math.imul(minute, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A stable number in [0, 1) from the inputs. */
export function hash01(...parts: string[]): number {
  const digest = createHash('sha1').update(parts.join('|')).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

/** A stable GUID-shaped string from the inputs (for session ids of generated log lines). */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}
