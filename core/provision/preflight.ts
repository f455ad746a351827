import type { ProvisionSiteRequest } from '../change/change-kind';
import type { CertificateInfo } from '../pki/certificate-info';
import { checkDeviceAgainstChain, checkNewInboundChain } from '../pki/inbound-rotation';
import { parseDer } from '../pki/parse-certificate';
import { contains, overlaps, parseIpv4, parsePrefix, type Ipv4Prefix } from './ip-rules';

/**
 * The preflight of a provisioning: everything Azure would reject, checked against the scope as read (a read; nothing
 * changes), each check passed, fixed by the plan, or blocking, with Azure's code where Azure has one and the exact fix.
 * Pure: the activity reads Azure and hands the facts in; the overlap check is a sorted sweep (500 sites in
 * microseconds).
 */

export type CheckStatus = 'passed' | 'fixed' | 'blocking';

export interface PreflightCheck {
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found (passed), what the plan does (fixed), or what Azure would answer (blocking). */
  readonly detail: string;
  /** Azure's code where Azure has one (blocking), else ours. */
  readonly code?: string;
  /** Blocking: exactly what to do. */
  readonly fix?: string;
}

export interface PreflightGateway {
  readonly name: string;
  readonly sku: string;
  readonly gatewayType: string;
  readonly vpnType: string;
  readonly activeActive: boolean;
  readonly publicIpAddresses: readonly string[];
  readonly identity?: { readonly type: string; readonly userAssignedIdentities: readonly { readonly id: string }[] };
}

export interface PreflightSite {
  /** The site (or local network gateway) name, as people know it. */
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly ip?: string;
}

export interface PreflightInput {
  readonly request: ProvisionSiteRequest;
  readonly gateway: PreflightGateway;
  readonly virtualNetwork?: { readonly name: string; readonly prefixes: readonly string[] };
  readonly peeredNetworks: readonly { readonly name: string; readonly prefixes: readonly string[] }[];
  /** Every other site of the scope (local network gateways), without this provisioning's own. */
  readonly sites: readonly PreflightSite[];
  /** A connection that already carries the site name, or a local network gateway of that name this bot did not create. */
  readonly nameTakenBy?: string;
  /** An identity the plan can attach when the gateway has none (the one the other gateways read the vault with). */
  readonly identityToAttach?: { readonly id: string; readonly name: string };
  /** The gateway identity's access to the vault, as far as the bot can tell. */
  readonly vaultAccess: { readonly status: CheckStatus; readonly detail: string; readonly code?: string; readonly fix?: string };
  /** The outbound certificate's checks (made by the activity: it reads Key Vault). */
  readonly outbound: readonly PreflightCheck[];
  /** How the gateway was chosen, when the request did not name it (e.g. the one most sites are on). */
  readonly gatewayChoice?: string;
  readonly now: Date;
}

const pass = (check: string, detail: string): PreflightCheck => ({ check, status: 'passed', detail });
const block = (check: string, detail: string, code: string, fix: string): PreflightCheck => ({ check, status: 'blocking', detail, code, fix });

interface Owned extends Pick<Ipv4Prefix, 'start' | 'end'> {
  readonly text: string;
  readonly owner: string;
}

/** Every prefix of `ranges` overlapping one of `wanted` (sorted sweep with binary search: O((n + m) log n)). */
export function findOverlaps(wanted: readonly Ipv4Prefix[], ranges: readonly Owned[]): { readonly wanted: string; readonly other: Owned }[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  // Running maximum of the ends, so a wide prefix early in the order is not missed.
  const maxEnd: number[] = [];
  sorted.forEach((r, i) => maxEnd.push(Math.max(r.end, i > 0 ? maxEnd[i - 1]! : -1)));
  const found: { wanted: string; other: Owned }[] = [];
  for (const w of wanted) {
    // Last range starting at or before w.end.
    let lo = 0;
    let hi = sorted.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.start <= w.end) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = last; i >= 0 && maxEnd[i]! >= w.start; i--) {
      if (overlaps(sorted[i]!, w)) found.push({ wanted: w.text, other: sorted[i]! });
    }
  }
  return found;
}

function owned(owner: string, prefixes: readonly string[]): Owned[] {
  return prefixes.flatMap((p) => {
    const parsed = parsePrefix(p);
    return parsed.ok ? [{ start: parsed.prefix.start, end: parsed.prefix.end, text: p, owner }] : [];
  });
}

export async function preflight(input: PreflightInput): Promise<PreflightCheck[]> {
  const { request, gateway } = input;
  const checks: PreflightCheck[] = [];

  if (input.gatewayChoice) checks.push(pass('gateway', input.gatewayChoice));
  // The gateway: route-based VPN, a SKU that takes an identity (not Basic).
  if (gateway.gatewayType !== 'Vpn') checks.push(block('gateway type', `${gateway.name} is a ${gateway.gatewayType} gateway, not a VPN gateway.`, 'InvalidGatewayType', 'Pick a VPN gateway with --gateway.'));
  if (gateway.vpnType !== 'RouteBased') {
    checks.push(block('route-based', `${gateway.name} is ${gateway.vpnType}; certificate authentication needs a route-based VPN gateway.`, 'GatewayNotRouteBased', `Pick a route-based gateway with --gateway, or recreate ${gateway.name} as route-based.`));
  } else checks.push(pass('route-based', `${gateway.name} is route-based`));
  if (/^basic$/i.test(gateway.sku)) {
    checks.push(block('gateway SKU', `${gateway.name} is Basic: a managed identity (which reads the outbound certificate from Key Vault) needs VpnGw1 or higher.`, 'VpnGatewayManagedIdentity', `Resize ${gateway.name} to VpnGw1AZ or higher (Basic cannot be resized: it must be recreated), or pick another gateway with --gateway.`));
  } else checks.push(pass('gateway SKU', `${gateway.name} is ${gateway.sku}`));

  // The site name.
  if (input.nameTakenBy) checks.push(block('site name', `${request.site} is taken: ${input.nameTakenBy}.`, 'SiteNameTaken', `Pick another name, or see status ${request.site}.`));
  else checks.push(pass('site name', `${request.site} is free`));

  // The device's address.
  if (request.ip) {
    const address = parseIpv4(request.ip);
    if (gateway.publicIpAddresses.includes(request.ip)) checks.push(block('device address', `${request.ip} is ${gateway.name}'s own public address.`, 'DeviceIpIsGatewayIp', "Give the device's public address, not the gateway's."));
    else {
      const sameIp = input.sites.find((s) => s.ip === request.ip);
      if (sameIp) checks.push(block('device address', `${request.ip} is already the device address of ${sameIp.name}; Azure allows one connection per device address on a gateway.`, 'DuplicateDeviceAddress', `Check the address; if the device is ${sameIp.name}'s, it is already provisioned.`));
      else if (address !== undefined) checks.push(pass('device address', `${request.ip} is a public IPv4 address`));
    }
  } else checks.push(pass('device address', `${request.fqdn} (resolved by Azure)`));

  // Prefixes: against the gateway's virtual network, its peered networks and every other site.
  const wanted = request.prefixes.flatMap((p) => {
    const parsed = parsePrefix(p);
    return parsed.ok ? [parsed.prefix] : [];
  });
  const ranges: Owned[] = [
    ...(input.virtualNetwork ? owned(`the gateway's virtual network ${input.virtualNetwork.name}`, input.virtualNetwork.prefixes) : []),
    ...input.peeredNetworks.flatMap((n) => owned(`peered virtual network ${n.name}`, n.prefixes)),
    ...input.sites.flatMap((s) => owned(s.name, s.prefixes)),
  ];
  const clashes = findOverlaps(wanted, ranges);
  if (clashes.length > 0) {
    const words = clashes.slice(0, 5).map((c) => `${c.wanted} overlaps ${c.other.text} of ${c.other.owner}`);
    checks.push(block('address prefixes', `${words.join('; ')}${clashes.length > 5 ? ` (and ${clashes.length - 5} more)` : ''}: Azure would route those addresses two ways.`, 'AddressPrefixesOverlap', "Give the device's own, unused prefixes (what is behind the device only), or renumber the site."));
  } else checks.push(pass('address prefixes', `${request.prefixes.join(', ')} overlap nothing (the gateway's network, ${input.peeredNetworks.length} peered, ${input.sites.length} other sites)`));
  if (request.ip) {
    const address = parseIpv4(request.ip)!;
    const inside = wanted.find((w) => contains(w, address));
    if (inside) checks.push(block('device address outside its prefixes', `${request.ip} lies inside ${inside.text}, the site's own prefixes: the tunnel would route its own packets into itself.`, 'DeviceIpInsidePrefixes', "Give the device's public address and the private prefixes behind it."));
  }

  // The inbound chain and subject.
  let chain: CertificateInfo[] = [];
  try {
    chain = request.chain.map((b64) => parseDer(new Uint8Array(Buffer.from(b64, 'base64'))));
  } catch {
    checks.push(block('inbound chain', 'A certificate of the chain cannot be read.', 'VpnConnectionAuthenticationRootCertificateDataInvalid', 'Paste the root and intermediate CA certificates as PEM.'));
  }
  if (chain.length > 0) {
    const result = checkNewInboundChain(chain, input.now);
    if (!result.ok) {
      for (const e of result.errors) checks.push(block('inbound chain', e.message, e.code, chainFix(e.code)));
    } else checks.push(pass('inbound chain', `${result.chain.length} certificate${result.chain.length === 1 ? '' : 's'}, root ${result.chain[0]!.subject}: one chain, CA certificates, none expired, no key, no duplicates`));
    if (result.ok && request.device) {
      const device = parseDer(new Uint8Array(Buffer.from(request.device, 'base64')));
      const problems = await checkDeviceAgainstChain(device, result.chain, request.subject, input.now);
      if (problems.length > 0) checks.push(block('device certificate', problems.join(' '), 'DeviceCertificateMismatch', `Give --subject with the device certificate's subject (${device.subject}), or paste the CA certificates that issued it.`));
      else checks.push(pass('device certificate', `${device.subject} chains to the root and matches the subject`));
    }
  }
  checks.push(pass('inbound subject', `${request.subject}${request.device ? '' : ' (no device certificate pasted: the first negotiation checks it)'}`));

  // The gateway's identity (one user-assigned identity reads the outbound certificate).
  const ids = gateway.identity?.userAssignedIdentities ?? [];
  if (gateway.identity && gateway.identity.type !== 'UserAssigned' && ids.length === 0) {
    checks.push(block('gateway identity', `${gateway.name} has a ${gateway.identity.type} identity; Azure takes a user-assigned one only.`, 'VpnGatewaySupportsUserAssignedIdentityTypeOnly', `Attach a user-assigned identity to ${gateway.name} instead.`));
  } else if (ids.length > 1) {
    checks.push(block('gateway identity', `${gateway.name} has ${ids.length} user-assigned identities; Azure allows one.`, 'VpnGatewayAllowsOneUserAssignedIdentityOnly', `Keep only the identity with access to the vault on ${gateway.name}.`));
  } else if (ids.length === 1) {
    checks.push(pass('gateway identity', `${gateway.name} reads Key Vault as ${lastSegment(ids[0]!.id)}`));
  } else if (/^basic$/i.test(gateway.sku)) {
    // Already blocking through the SKU.
  } else if (input.identityToAttach) {
    checks.push({ check: 'gateway identity', status: 'fixed', detail: `${gateway.name} has no identity: the plan attaches ${input.identityToAttach.name} (the identity the scope's other gateways read the vault with)` });
  } else {
    checks.push(block('gateway identity', `${gateway.name} has no user-assigned identity, so it cannot read the outbound certificate from Key Vault.`, 'ManagedIdentityMissingAtGatewayLevel', `Create a user-assigned identity, give it Key Vault Certificate User (or get on certificates and secrets) in the vault, and attach it to ${gateway.name}.`));
  }
  checks.push({ check: 'vault access', ...input.vaultAccess });
  checks.push(...input.outbound);
  return checks;
}

function chainFix(code: string): string {
  switch (code) {
    case 'MaxRootCertificatePublicKeySupported':
      return 'Give at most 5 certificates: the root and the intermediates that issued the device certificate, nothing else.';
    case 'VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert':
      return "Add the root CA (the self-signed certificate at the top of the device's chain).";
    case 'VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts':
      return "Give one chain only: the root and the intermediates under it that issued the device's certificate.";
    case 'VpnConnectionAuthenticationDuplicateRootCertificate':
      return 'Give each certificate once.';
    case 'VpnConnectionAuthenticationRootCertificateIsExpired':
    case 'InboundChainCertificateIsExpired':
      return 'Renew the expired CA certificate on the device side and paste the current one.';
    default:
      return "Paste the device's root and intermediate CA certificates (PEM).";
  }
}

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

/**
 * The preflight as lines for a card or an error: blocking first (each with its code and fix), then fixed by the plan,
 * then passed (`compactPassed`: their names on one line, so the blocking ones are what is read).
 */
export function preflightLines(checks: readonly PreflightCheck[], options: { readonly compactPassed?: boolean } = {}): string {
  const mark: Record<CheckStatus, string> = { blocking: '✗ blocking', fixed: '↻ fixed by the plan', passed: '✓ passed' };
  const line = (c: PreflightCheck) => `${mark[c.status]}: ${c.check}: ${c.detail}${c.code ? ` (${c.code})` : ''}${c.fix ? ` Fix: ${c.fix}` : ''}`;
  const passed = checks.filter((c) => c.status === 'passed');
  return [
    ...checks.filter((c) => c.status === 'blocking').map(line),
    ...checks.filter((c) => c.status === 'fixed').map(line),
    ...(options.compactPassed ? (passed.length > 0 ? [`✓ passed: ${[...new Set(passed.map((c) => c.check))].join(', ')}`] : []) : passed.map(line)),
  ].join('\n');
}
