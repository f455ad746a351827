import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { UserError } from '../../core/errors/user-error';

/** Where attachments may be downloaded from. */
export interface DownloadPolicy {
  /**
   * Hosts Teams serves files from: exact names or `*.suffix` patterns (`*.sharepoint.com` is every tenant's
   * SharePoint and OneDrive). Every hop of a redirect must be one of them.
   */
  readonly allowedHosts: readonly string[];
  /** The sandbox only: its own loopback server (plain http on 127.0.0.1, ::1, localhost) is allowed too. */
  readonly allowLoopback: boolean;
  /** Name resolution; the system resolver unless a test gives its own. */
  readonly resolve?: (hostname: string) => Promise<readonly { readonly address: string; readonly family: number }[]>;
}

const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 15_000;

/**
 * Addresses a download never connects to, whatever a name resolves to: private, shared (CGNAT), loopback,
 * link-local (169.254.169.254, the instance metadata service, among them), Azure's platform address 168.63.129.16,
 * documentation, multicast and reserved ranges; in IPv6 also unique-local, link-local, site-local and the prefixes
 * that embed an IPv4 address (NAT64, 6to4, Teredo: their IPv4 part could be any of the above).
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
FORBIDDEN.addAddress('168.63.129.16', 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a download may connect to this address (the sandbox's loopback aside, every forbidden range is refused). */
export function isAllowedAddress(address: string, policy: Pick<DownloadPolicy, 'allowLoopback'>): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (policy.allowLoopback && LOOPBACK.check(address, type)) return true;
  return !FORBIDDEN.check(address, type);
}

function hostMatches(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const wanted = pattern.trim().toLowerCase();
  if (wanted.startsWith('*.')) return host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1;
  return host === wanted;
}

const isLoopbackName = (hostname: string): boolean => hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';

/** Whether a URL may be fetched at all, from its text only (no name resolution yet). */
export function urlAllowed(url: URL, policy: DownloadPolicy): boolean {
  if (url.username !== '' || url.password !== '') return false;
  const loopback = policy.allowLoopback && isLoopbackName(url.hostname);
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) return false;
  // Teams' file hosts answer on 443; another port on an allowed name is not where Teams put the file.
  if (!loopback && url.port !== '' && url.port !== '443') return false;
  return loopback || policy.allowedHosts.some((pattern) => hostMatches(url.hostname, pattern));
}

function notFromTeams(): UserError {
  return new UserError('AttachmentUnreadable', 'I download attachments only from where Teams stores files (SharePoint and OneDrive), so I did not download this one.', 'Attach the file in Teams, or paste the log into the message.');
}

/** One answer for every failure after the first URL passed: which host refused, or why, is nobody's business. */
function unreadable(): UserError {
  return new UserError('AttachmentUnreadable', 'I could not download the attachment.', 'Paste the log into the message instead.');
}

function tooLarge(maxBytes: number): UserError {
  return new UserError('AttachmentTooLarge', `The attachment is larger than ${Math.round(maxBytes / 1024)} KB.`, 'Attach only the charon log lines around the failed connection attempt.');
}

/**
 * Downloads an attachment, stopping as soon as it exceeds `maxBytes`. Only from the hosts Teams serves files from
 * (https, port 443), following redirects by hand so every hop is checked the same way, and connecting only to the
 * addresses its name resolved to once they were checked (no private, loopback, link-local or metadata address, so a
 * name that resolves inward, or resolves differently the second time, reaches nothing). Plain http to loopback only
 * where the sandbox allows it.
 */
export async function downloadLimited(url: string, maxBytes: number, policy: DownloadPolicy): Promise<Uint8Array> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new UserError('AttachmentUnreadable', 'The attachment link is not a valid URL.');
  }
  if (!urlAllowed(current, policy)) throw notFromTeams();
  const deadline = AbortSignal.timeout(TIMEOUT_MS);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (hop > 0 && !urlAllowed(current, policy)) throw unreadable();
    const address = await checkedAddress(current, policy);
    const response = await get(current, address, deadline);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      const location = response.headers.location;
      response.destroy();
      if (!location) throw unreadable();
      try {
        current = new URL(location, current);
      } catch {
        throw unreadable();
      }
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw unreadable();
    }
    return readLimited(response, maxBytes);
  }
  throw unreadable();
}

/** The address to connect to: every address the name has must be allowed (a mixed answer is refused whole). */
export async function checkedAddress(url: URL, policy: DownloadPolicy): Promise<{ address: string; family: number }> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: readonly { address: string; family: number }[];
  if (isIP(hostname) !== 0) addresses = [{ address: hostname, family: isIP(hostname) }];
  else {
    try {
      addresses = await (policy.resolve ?? ((name: string) => dnsLookup(name, { all: true, verbatim: true })))(hostname);
    } catch {
      throw unreadable();
    }
  }
  if (addresses.length === 0 || !addresses.every((a) => isAllowedAddress(a.address, policy))) throw unreadable();
  return addresses[0]!;
}

/** One GET, without following redirects, connected to the checked address only. */
/** A resolver that answers only the checked address (so the connection goes where the check said). */
export function pinnedLookup(target: { address: string; family: number }): LookupFunction {
  // Answered asynchronously, as a resolver does (the socket is not ready for a synchronous answer).
  return (_hostname, options, callback) => {
    process.nextTick(() => {
      if ((options as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    });
  };
}

function get(url: URL, target: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  const pinned = pinnedLookup(target);
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', lookup: pinned, signal, headers: { accept: '*/*' } }, resolve);
    req.on('error', () => reject(unreadable()));
    req.end();
  });
}

async function readLimited(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length'] ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        response.destroy();
        throw tooLarge(maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw unreadable();
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}
