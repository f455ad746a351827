/**
 * IPv4 addresses and prefixes as Azure takes them for a local network gateway: the device's public address (not
 * private, loopback, link-local, shared, multicast or otherwise reserved) and the site's address prefixes (CIDR, no host
 * bits). Pure and cheap: the overlap check runs against every site of the scope.
 */

export interface Ipv4Prefix {
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address (inclusive). */
  readonly end: number;
  readonly length: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = OCTETS.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Ranges that are never a device's public address on the internet (RFC 6890 and friends), with the reason. */
const NOT_PUBLIC: readonly { readonly prefix: string; readonly why: string }[] = [
  { prefix: '0.0.0.0/8', why: 'is in 0.0.0.0/8 ("this network")' },
  { prefix: '10.0.0.0/8', why: 'is private (RFC 1918)' },
  { prefix: '100.64.0.0/10', why: 'is carrier-grade NAT space (RFC 6598), not reachable from the internet' },
  { prefix: '127.0.0.0/8', why: 'is a loopback address' },
  { prefix: '169.254.0.0/16', why: 'is link-local' },
  { prefix: '172.16.0.0/12', why: 'is private (RFC 1918)' },
  { prefix: '192.0.0.0/24', why: 'is reserved for protocol assignments' },
  { prefix: '192.168.0.0/16', why: 'is private (RFC 1918)' },
  { prefix: '198.18.0.0/15', why: 'is reserved for benchmarking' },
  { prefix: '224.0.0.0/4', why: 'is multicast' },
  { prefix: '240.0.0.0/4', why: 'is reserved' },
];

const NOT_PUBLIC_PARSED = NOT_PUBLIC.map((r) => ({ ...r, parsed: parsePrefixStrict(r.prefix)! }));

/** Why the address cannot be a device's public IPv4 address, or undefined when it can. */
export function notPublicReason(address: number): string | undefined {
  return NOT_PUBLIC_PARSED.find((r) => address >= r.parsed.start && address <= r.parsed.end)?.why;
}

function parsePrefixStrict(text: string): Ipv4Prefix | undefined {
  const [ip, len, extra] = text.split('/');
  if (extra !== undefined || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const start = parseIpv4(ip);
  const length = Number(len);
  if (start === undefined || length > 32) return undefined;
  const size = 2 ** (32 - length);
  return { text, start, end: start + size - 1, length };
}

/** A CIDR prefix, or what is wrong with it (in words, with the corrected prefix when only host bits are set). */
export function parsePrefix(text: string): { readonly ok: true; readonly prefix: Ipv4Prefix } | { readonly ok: false; readonly problem: string } {
  const trimmed = text.trim();
  const parsed = parsePrefixStrict(trimmed);
  if (!parsed) return { ok: false, problem: `${trimmed || '(empty)'} is not an IPv4 prefix in CIDR form (e.g. 10.50.0.0/16)` };
  if (parsed.length < 8) return { ok: false, problem: `${trimmed} is wider than a /8; Azure routes such a prefix to the site for most of the address space` };
  const size = 2 ** (32 - parsed.length);
  const network = parsed.start - (parsed.start % size);
  if (network !== parsed.start) return { ok: false, problem: `${trimmed} has host bits set; the prefix is ${formatIpv4(network)}/${parsed.length}` };
  return { ok: true, prefix: parsed };
}

export function overlaps(a: Pick<Ipv4Prefix, 'start' | 'end'>, b: Pick<Ipv4Prefix, 'start' | 'end'>): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Whether the address lies in the prefix. */
export function contains(prefix: Pick<Ipv4Prefix, 'start' | 'end'>, address: number): boolean {
  return address >= prefix.start && address <= prefix.end;
}
