import type { TrafficSelectorRange } from './ike-event';

const MAX_SELECTORS = 32;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function ipv4ToNumber(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** `10.20.0.0/16` -> 10.20.0.0..10.20.255.255 (IPv4), or undefined when it is not an IPv4 prefix. */
export function cidrToRange(cidr: string): TrafficSelectorRange | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const base = ipv4ToNumber(m[1]!);
  const bits = Number(m[2]);
  if (base === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return { start: numberToIpv4(start), end: numberToIpv4(start + size - 1), cidr: `${numberToIpv4(start)}/${bits}` };
}

/** The CIDR form of start..end when the range is exactly one IPv4 prefix. */
export function rangeToCidr(start: string, end: string): string | undefined {
  const a = ipv4ToNumber(start);
  const b = ipv4ToNumber(end);
  if (a === undefined || b === undefined || b < a) return undefined;
  const size = b - a + 1;
  const bits = 32 - Math.log2(size);
  if (!Number.isInteger(bits) || a % size !== 0) return undefined;
  return `${start}/${bits}`;
}

export function formatSelector(r: TrafficSelectorRange): string {
  const net = r.cidr ?? `${r.start}-${r.end}`;
  const ports = r.portStart !== undefined && r.portEnd !== undefined && !(r.portStart === 0 && r.portEnd === 65535) ? `:${r.portStart}-${r.portEnd}` : '';
  return r.protocol ? `${net}${ports} proto ${r.protocol}` : `${net}${ports}`;
}

/** Whether every address of `inner` lies in `outer` (IPv4; other families compare textually). */
export function rangeWithin(inner: TrafficSelectorRange, outer: TrafficSelectorRange): boolean {
  const [is, ie, os, oe] = [ipv4ToNumber(inner.start), ipv4ToNumber(inner.end), ipv4ToNumber(outer.start), ipv4ToNumber(outer.end)];
  if (is === undefined || ie === undefined || os === undefined || oe === undefined) return inner.start === outer.start && inner.end === outer.end;
  return is >= os && ie <= oe;
}

const AZURE_RANGE = /StartAddress\s+([0-9A-Fa-f.:]{2,45})\s+EndAddress\s+([0-9A-Fa-f.:]{2,45})(?:\s+PortStart\s+(\d{1,5})\s+PortEnd\s+(\d{1,5}))?(?:\s+Protocol\s+(\d{1,3}))?/g;

function azureRanges(text: string): TrafficSelectorRange[] {
  const out: TrafficSelectorRange[] = [];
  AZURE_RANGE.lastIndex = 0;
  for (let m = AZURE_RANGE.exec(text); m && out.length < MAX_SELECTORS; m = AZURE_RANGE.exec(text)) {
    const range: TrafficSelectorRange = { start: m[1]!, end: m[2]! };
    const cidr = rangeToCidr(range.start, range.end);
    if (cidr) range.cidr = cidr;
    if (m[3] !== undefined && m[4] !== undefined) {
      range.portStart = Number(m[3]);
      range.portEnd = Number(m[4]);
    }
    if (m[5] !== undefined) range.protocol = Number(m[5]);
    out.push(range);
  }
  return out;
}

/** Azure's "Number of TSIs n: StartAddress .. EndAddress .. PortStart .. PortEnd .. Protocol .., ... Number of TSRs m: ..." */
export function parseAzureTrafficSelectors(text: string): { tsi: TrafficSelectorRange[]; tsr: TrafficSelectorRange[] } | undefined {
  const tsiAt = text.indexOf('Number of TSIs');
  if (tsiAt < 0) return undefined;
  const tsrAt = text.indexOf('Number of TSRs', tsiAt);
  const tsiText = tsrAt < 0 ? text.slice(tsiAt) : text.slice(tsiAt, tsrAt);
  const tsrText = tsrAt < 0 ? '' : text.slice(tsrAt);
  return { tsi: azureRanges(tsiText), tsr: azureRanges(tsrText) };
}

/** `StartAddress 10.20.0.0 EndAddress 10.20.255.255 PortStart 0 PortEnd 65535 Protocol 0`, joined with ", ". */
export function formatAzureTrafficSelectors(prefixes: readonly string[]): string {
  return prefixes
    .map((p) => cidrToRange(p) ?? { start: p, end: p })
    .map((r) => `StartAddress ${r.start} EndAddress ${r.end} PortStart 0 PortEnd 65535 Protocol 0`)
    .join(', ');
}

function charonSide(text: string): TrafficSelectorRange[] {
  const out: TrafficSelectorRange[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (out.length >= MAX_SELECTORS) break;
    const m = /^([0-9A-Fa-f.:]+\/\d{1,3})(?:\[([^\]]{0,40})\])?$/.exec(token) ?? /^([0-9A-Fa-f.:]+)\.\.([0-9A-Fa-f.:]+)$/.exec(token);
    if (!m) continue;
    if (m[0].includes('..')) {
      const range: TrafficSelectorRange = { start: m[1]!, end: m[2]! };
      const cidr = rangeToCidr(range.start, range.end);
      if (cidr) range.cidr = cidr;
      out.push(range);
      continue;
    }
    const range = cidrToRange(m[1]!) ?? { start: m[1]!.split('/')[0]!, end: m[1]!.split('/')[0]!, cidr: m[1]! };
    out.push(range);
  }
  return out;
}

/** charon's `10.99.2.0/24 === 10.99.1.0/24` (local === remote, as the logging side sees them). */
export function parseCharonTrafficSelectors(text: string): { local: TrafficSelectorRange[]; remote: TrafficSelectorRange[] } | undefined {
  const at = text.indexOf(' === ');
  if (at < 0) return undefined;
  // Only selector-shaped tokens count, so the words around them ("and TS", "unacceptable") drop out.
  const local = charonSide(text.slice(0, at));
  const remote = charonSide(text.slice(at + 5));
  if (local.length === 0 && remote.length === 0) return undefined;
  return { local, remote };
}
