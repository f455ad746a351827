import type { ProvisionOutbound, ProvisionPolicy, ProvisionSiteRequest } from '../change/change-kind';
import { PROVISION_POLICIES } from '../change/change-kind';
import { isSiteName } from '../commands/parse-command';
import { isUserError } from '../errors/user-error';
import { toBase64Der } from '../pki/certificate-info';
import { readInboundInput } from '../pki/inbound-rotation';
import { notPublicReason, parseIpv4, parsePrefix } from './ip-rules';

/**
 * `provision`: what a person types inline (`provision site-rome --ip ... --prefixes ... --subject ...` with the device's
 * CA chain pasted below or attached) and what the form card sends are the same fields, read here into one validated
 * request. Every field is checked and every problem named with the field it belongs to, so the form can show each
 * next to its input. Azure's rules against the scope (overlaps, the gateway, the chain rules) are the preflight's
 * (core/provision/preflight.ts).
 */

/** The fields as typed or as the form sends them (all text; the chain may be an attachment's bytes). */
export interface ProvisionFields {
  readonly site?: string;
  readonly ip?: string;
  readonly fqdn?: string;
  readonly prefixes?: string;
  readonly subject?: string;
  readonly chain?: string | Uint8Array;
  readonly gateway?: string;
  readonly policy?: string;
  readonly outbound?: string;
}

export type ProvisionField = keyof ProvisionFields;

export interface FieldProblem {
  readonly field: ProvisionField;
  readonly code: string;
  readonly message: string;
}

export type ProvisionParse = { readonly ok: true; readonly request: ProvisionSiteRequest } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** How many prefixes a site may have here (Azure allows more; a site with this many is a mistake). */
export const MAX_PREFIXES = 32;
/** How many certificates are carried to the preflight (it reports Azure's limit of 5; more is refused here). */
export const MAX_CHAIN_CERTIFICATES = 10;
export const MAX_FIELD_CHARS = { site: 80, ip: 15, fqdn: 253, prefixes: 1024, subject: 256, gateway: 80, policy: 10, outbound: 140 } as const;

const GATEWAY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
const VAULT_CERTIFICATE = /^[A-Za-z0-9-]{1,127}$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function hasControl(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

function text(value: string | undefined): string | undefined {
  const t = value?.trim();
  return t === undefined || t === '' ? undefined : t;
}

export function parseProvisionFields(fields: ProvisionFields): ProvisionParse {
  const problems: FieldProblem[] = [];
  const problem = (field: ProvisionField, code: string, message: string) => problems.push({ field, code, message });
  for (const [field, max] of Object.entries(MAX_FIELD_CHARS) as [ProvisionField, number][]) {
    const value = fields[field];
    if (typeof value === 'string' && value.length > max) problem(field, 'FieldTooLong', `${field} is longer than ${max} characters.`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const site = text(fields.site);
  if (!site) problem('site', 'SiteMissing', 'Give the new site a name, e.g. site-rome.');
  else if (!isSiteName(site)) problem('site', 'InvalidSiteName', `${site} is not a site name: letters, digits, '.', '_' and '-', starting with a letter or digit.`);

  const ip = text(fields.ip);
  const fqdn = text(fields.fqdn);
  if (ip && fqdn) problem('ip', 'AddressTwice', 'Give the device either its public IP address or its DNS name (--fqdn), not both.');
  else if (!ip && !fqdn) problem('ip', 'AddressMissing', "Give the device's public IPv4 address (--ip 203.0.113.50) or its DNS name (--fqdn vpn.example.com).");
  if (ip) {
    const address = parseIpv4(ip);
    if (address === undefined) problem('ip', 'InvalidIpAddress', `${ip} is not an IPv4 address (e.g. 203.0.113.50).`);
    else {
      const why = notPublicReason(address);
      if (why) problem('ip', 'DeviceIpNotPublic', `${ip} ${why}: Azure reaches the device on its public address. Give the address the device has on the internet (its NAT's, if it sits behind one).`);
    }
  }
  if (fqdn && !(fqdn.length <= 253 && fqdn.includes('.') && fqdn.split('.').every((l) => LABEL.test(l)) && !/^[\d.]+$/.test(fqdn))) {
    problem('fqdn', 'InvalidFqdn', `${fqdn} is not a DNS name (e.g. vpn.rome.contoso.example).`);
  }

  const prefixes: string[] = [];
  const prefixText = text(fields.prefixes);
  if (!prefixText) problem('prefixes', 'PrefixesMissing', "Give the site's address prefixes, e.g. --prefixes 10.50.0.0/16 (several: comma-separated).");
  else {
    const items = prefixText.split(/[\s,;]+/).filter(Boolean);
    if (items.length > MAX_PREFIXES) problem('prefixes', 'TooManyPrefixes', `${items.length} prefixes given; at most ${MAX_PREFIXES} here.`);
    else {
      const bad = items.map((p) => parsePrefix(p)).flatMap((r) => (r.ok ? [] : [r.problem]));
      if (bad.length > 0) problem('prefixes', 'InvalidAddressPrefix', `${bad.join('; ')}.`);
      else {
        const parsed = items.map((p) => parsePrefix(p)).map((r) => (r as { prefix: { text: string; start: number; end: number } }).prefix);
        for (let i = 0; i < parsed.length; i++) {
          for (let j = i + 1; j < parsed.length; j++) {
            if (parsed[i]!.start <= parsed[j]!.end && parsed[j]!.start <= parsed[i]!.end) problem('prefixes', 'PrefixesOverlapEachOther', `${parsed[i]!.text} and ${parsed[j]!.text} overlap each other; give each range once.`);
          }
        }
        prefixes.push(...parsed.map((p) => p.text));
      }
    }
  }

  const subject = text(fields.subject);
  if (!subject) problem('subject', 'CertificateSubjectNameIsEmpty', "Give the subject of the device's certificate, e.g. --subject CN=rome-vpn.contoso.example (Azure: CertificateSubjectNameIsEmpty).");
  else if (hasControl(subject)) problem('subject', 'InvalidSubject', 'The subject has control characters; type it on one line.');

  let chain: string[] = [];
  let device: string | undefined;
  const chainInput = fields.chain;
  if (chainInput === undefined || (typeof chainInput === 'string' ? chainInput.trim() === '' : chainInput.byteLength === 0)) {
    problem('chain', 'InboundAuthCertificateChainIsEmpty', "Paste the device's CA certificates (root and intermediates, PEM) under the command, or attach the .pem/.cer/.p7b (Azure: InboundAuthCertificateChainIsEmpty).");
  } else {
    try {
      const read = readInboundInput(chainInput);
      if (read.certificates.length > MAX_CHAIN_CERTIFICATES) problem('chain', 'MaxRootCertificatePublicKeySupported', `${read.certificates.length} certificates given; Azure takes at most 5 root and intermediate certificates (MaxRootCertificatePublicKeySupported).`);
      chain = read.certificates.map((c) => toBase64Der(c));
      if (read.device) device = toBase64Der(read.device);
    } catch (error) {
      if (isUserError(error)) problem('chain', error.code, `${error.safeMessage}${error.hint ? ` ${error.hint}` : ''}`);
      else problem('chain', 'InvalidCertificate', 'What was given is not a set of certificates I can read: paste the root and intermediate CA certificates as PEM.');
    }
  }

  const gateway = text(fields.gateway);
  if (gateway && !GATEWAY.test(gateway)) problem('gateway', 'InvalidGatewayName', `${gateway} is not a VPN gateway name.`);

  const policyText = (text(fields.policy) ?? 'default').toLowerCase();
  const policy = (PROVISION_POLICIES as readonly string[]).includes(policyText) ? (policyText as ProvisionPolicy) : undefined;
  if (!policy) problem('policy', 'InvalidPolicy', `--policy is default (Azure's default proposals) or strong (a custom IPsec/IKE policy: GCMAES256, SHA384, ECP384), not ${policyText}.`);

  let outbound: ProvisionOutbound | undefined;
  const outboundText = text(fields.outbound) ?? 'ca';
  if (outboundText.toLowerCase() === 'ca') outbound = { kind: 'ca' };
  else if (/^existing:/i.test(outboundText)) {
    const name = outboundText.slice('existing:'.length).trim();
    if (VAULT_CERTIFICATE.test(name)) outbound = { kind: 'existing', name };
    else problem('outbound', 'InvalidCertificateName', `${name || '(empty)'} is not a Key Vault certificate name (letters, digits and '-').`);
  } else if (outboundText.toLowerCase() === 'external') outbound = { kind: 'external' };
  else problem('outbound', 'InvalidOutbound', `--outbound is ca (a new certificate from the vault CA), external (a CSR for your own CA, completed with provision <site> --merge) or existing:<Key Vault certificate name>, not ${outboundText}.`);

  if (problems.length > 0 || !site || !subject || !policy || !outbound) return { ok: false, problems };
  return {
    ok: true,
    request: {
      kind: 'provision-site',
      site,
      ...(ip ? { ip } : {}),
      ...(fqdn ? { fqdn: fqdn.toLowerCase() } : {}),
      prefixes,
      subject,
      chain,
      ...(device ? { device } : {}),
      ...(gateway ? { gateway } : {}),
      policy,
      outbound,
    },
  };
}

/** The command line a request is shown as (jobs, audit): never the certificates themselves. */
export function provisionCommandLine(request: ProvisionSiteRequest): string {
  const parts = [
    `provision ${request.site}`,
    request.ip ? `--ip ${request.ip}` : `--fqdn ${request.fqdn ?? ''}`,
    `--prefixes ${request.prefixes.join(',')}`,
    `--subject "${request.subject}"`,
    ...(request.gateway ? [`--gateway ${request.gateway}`] : []),
    ...(request.policy !== 'default' ? [`--policy ${request.policy}`] : []),
    ...(request.outbound.kind === 'existing' ? [`--outbound existing:${request.outbound.name}`] : request.outbound.kind === 'external' ? ['--outbound external'] : []),
    `(+ ${request.chain.length} CA certificate${request.chain.length === 1 ? '' : 's'}${request.device ? ' and the device certificate' : ''})`,
  ];
  return parts.join(' ');
}
