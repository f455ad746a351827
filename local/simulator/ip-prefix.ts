/** IPv4 addresses and CIDR prefixes, as the simulator needs them for address-space validation and traffic selectors. */
export interface Ipv4Prefix {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly length: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Parses `a.b.c.d/n`; undefined for malformed prefixes or host bits set (Azure rejects both). */
export function parseIpv4Prefix(text: string): Ipv4Prefix | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text.trim());
  if (!match?.[1] || match[2] === undefined) return undefined;
  const address = parseIpv4(match[1]);
  const length = Number(match[2]);
  if (address === undefined || length > 32) return undefined;
  const size = 2 ** (32 - length);
  if (address % size !== 0) return undefined;
  return { text: `${match[1]}/${length}`, start: address, end: address + size - 1, length };
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Pairs of overlapping prefixes between two lists (each as text). */
export function overlappingPrefixes(left: readonly string[], right: readonly string[]): [string, string][] {
  const overlaps: [string, string][] = [];
  for (const l of left) {
    const lp = parseIpv4Prefix(l);
    if (!lp) continue;
    for (const r of right) {
      const rp = parseIpv4Prefix(r);
      if (rp && prefixesOverlap(lp, rp)) overlaps.push([l, r]);
    }
  }
  return overlaps;
}

/** True when every address of `inner` lies in one of `outer`. */
export function isCoveredBy(inner: string, outer: readonly string[]): boolean {
  const ip = parseIpv4Prefix(inner);
  return ip !== undefined && outer.some((o) => {
    const op = parseIpv4Prefix(o);
    return op !== undefined && op.start <= ip.start && ip.end <= op.end;
  });
}

export function sameAddressSet(left: readonly string[], right: readonly string[]): boolean {
  return left.every((l) => isCoveredBy(l, right)) && right.every((r) => isCoveredBy(r, left));
}
