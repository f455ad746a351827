import type { CommandSpec } from './command-spec';
import { MAX_EXPIRY_DAYS } from '../expiry/expiry-report';

/** Longest window `diagnose` reads; Log Analytics keeps more, but a week answers "why is it down". */
export const MAX_DIAGNOSE_HOURS = 7 * 24;
export const DEFAULT_DIAGNOSE_HOURS = 24;
/** How far back `audit` reads by default, and at most. */
export const DEFAULT_AUDIT_DAYS = 7;
export const MAX_AUDIT_DAYS = 90;

/**
 * Every command the bot understands. Adding a command means adding its spec here and its handler in
 * `bot/commands/`; the compiler then insists on both (see `bot/commands/command-handlers.ts`).
 */
export const COMMAND_SPECS = [
  {
    name: 'help',
    aliases: ['?', 'commands'],
    summary: 'List the commands, or explain one.',
    args: [{ name: 'command', type: 'command-name', required: false, description: 'A command to explain.' }],
    flags: [],
    examples: ['help', 'help diagnose'],
    role: 'anyone',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'whoami',
    aliases: ['me'],
    summary: 'Show who the bot thinks you are and which roles you have.',
    args: [],
    flags: [],
    examples: ['whoami'],
    // Everyone may ask who they are, including people without a role: that is how they find out they have none.
    role: 'anyone',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'status',
    aliases: ['st'],
    summary: 'Show one site, or the whole fleet: tunnels, traffic and certificate expiry.',
    details:
      'Without a site (or with `all`) it lists every certificate-authenticated connection in scope, worst first. ' +
      'With a site it shows both tunnels, traffic, the outbound certificate in Key Vault and the inbound chain.',
    args: [{ name: 'site', type: 'site-or-all', required: false, description: 'A site name such as site-paris (or just paris), or `all`.' }],
    flags: [],
    examples: ['status', 'status site-paris', 'status paris', 'status all'],
    role: 'reader',
    effect: 'read-only',
    execution: 'orchestration',
  },
  {
    name: 'diagnose',
    aliases: ['why', 'diag'],
    summary: "Explain why a site's tunnel is down, from its IKE logs and metrics.",
    details:
      'Reads the gateway IKE and tunnel diagnostic logs in Log Analytics for the window and names the cause. ' +
      "Paste the on-prem device's strongSwan log under the command (or attach it as a .log/.txt file) to combine both sides.",
    args: [{ name: 'site', type: 'site', required: true, description: 'The site to diagnose, such as site-berlin (or just berlin).' }],
    flags: [
      { name: 'hours', type: 'integer', valueName: 'N', description: `How many hours of logs to read (1 to ${MAX_DIAGNOSE_HOURS}).`, min: 1, max: MAX_DIAGNOSE_HOURS, defaultValue: DEFAULT_DIAGNOSE_HOURS },
    ],
    examples: ['diagnose site-berlin', 'diagnose site-oslo --hours 6'],
    role: 'reader',
    effect: 'read-only',
    execution: 'orchestration',
    acceptsPastedText: true,
  },
  {
    name: 'enable-diagnostics',
    aliases: [],
    summary: "Send a site's gateway IKE and tunnel logs to Log Analytics (a change: planned, approved, applied, verified).",
    details:
      'Plans the diagnostic setting (what changes, risk, how it is verified and rolled back), asks an approver when the approval policy says so, ' +
      'then applies and verifies it. Every step is audited. One change per connection at a time.',
    args: [{ name: 'site', type: 'site', required: true, description: 'The site whose gateway should send its logs, such as site-lisbon.' }],
    flags: [],
    examples: ['enable-diagnostics site-lisbon'],
    role: 'operator',
    effect: 'change',
    execution: 'orchestration',
  },
  {
    name: 'rotate',
    aliases: [],
    summary: "Rotate a site's outbound or inbound certificate (a change: planned, approved, applied, verified, rolled back if not).",
    details:
      'outbound: a new version of the outbound certificate in Key Vault and the connection moved to it. --source ca (the default when a CA in Key Vault is configured) ' +
      'issues it from that CA (Key Vault makes the key and signs with the CA key; the bot never holds a key); --source vault moves the connection to the newest enabled version Key Vault already has; ' +
      '--source external makes a CSR for your own CA, and --merge with the signed certificate and its chain pasted below the command (any order, PEM, base64 or PKCS#7) completes it. ' +
      'Azure\'s outbound rules are checked before anything is submitted; verification wants both tunnels Connected and a successful negotiation in the gateway logs, else it is rolled back. ' +
      'The previous version stays enabled for a grace period, then is disabled. ' +
      'inbound: the new CA certificates pasted below the command or attached (PEM, base64, DER or PKCS#7 .p7b, any order; a device certificate may come along and must chain to the new root and match the subject) and/or --subject; ' +
      "Azure's chain rules are checked first; at the switch (or at --at, after approval) the bot watches for the device to come back and puts the old chain and subject back if it does not.",
    args: [
      { name: 'site', type: 'site', required: true, description: 'The site whose certificate to rotate, such as site-paris (or just paris).' },
      { name: 'side', type: 'choice', choices: ['outbound', 'inbound'], required: true, description: 'Which certificate: outbound (Azure presents it) or inbound (the chain and subject Azure accepts from the device).' },
    ],
    flags: [
      { name: 'source', type: 'choice', choices: ['ca', 'external', 'vault'], description: 'outbound: where the new certificate comes from (default ca when configured, else vault).' },
      { name: 'days', type: 'integer', valueName: 'N', min: 1, max: 825, description: 'outbound --source ca: how many days the new certificate is valid (default from OUTBOUND_CERTIFICATE_DAYS).' },
      { name: 'merge', type: 'boolean', description: 'outbound: complete the pending external request with the signed certificate and chain pasted below.' },
      { name: 'subject', type: 'text', valueName: 'NAME', maxLength: 256, description: 'inbound: the new inbound subject name (the device certificate\'s subject, e.g. CN=vpn.contoso.example; quote it when it has spaces).' },
      { name: 'at', type: 'text', valueName: 'UTC', maxLength: 40, description: 'inbound: apply in a maintenance window, e.g. 2026-12-06T02:00Z (UTC); the change waits after approval and can be cancelled until then.' },
    ],
    examples: ['rotate site-paris outbound', 'rotate site-paris outbound --source ca --days 365', 'rotate site-paris outbound --source vault', 'rotate site-paris outbound --source external', 'rotate site-paris outbound --merge', 'rotate site-madrid inbound --subject CN=madrid-vpn.contoso.example', 'rotate site-berlin inbound --at 2026-12-06T02:00Z'],
    role: 'operator',
    effect: 'change',
    execution: 'orchestration',
    acceptsPastedText: true,
  },
  {
    name: 'provision',
    aliases: [],
    summary: 'Provision a new certificate-authenticated site: preflight, plan, approval, apply, device hand-over, verified connection.',
    details:
      'Without arguments: a form. Inline: provision <site> --ip <device public IPv4> (or --fqdn) --prefixes <CIDR,...> --subject <device certificate subject>, with the device\'s CA chain (root and intermediates; a device certificate may come along) pasted on the lines below or attached (PEM, base64, DER or PKCS#7 .p7b). ' +
      '--gateway when the scope has several; --policy strong pins a custom IPsec/IKE policy (GCMAES256/SHA384/ECP384); --outbound ca (default: a new certificate from the vault CA), existing:<Key Vault certificate name>, or external (your own CA: after approval Key Vault makes the key and a CSR, the card shows it and the connection waits; ' +
      'have your CA sign it, then send provision <site> --merge with the signed certificate and its chain pasted below (any order, PEM, base64 or PKCS#7): checked against the CSR\'s key, Azure\'s outbound rules and a chain to a root, then the merge and the connection are planned and approved). ' +
      "The preflight checks everything Azure would reject (gateway SKU and type, the name, the device address, overlaps with the gateway's network, peered networks and every other site, the chain and subject, the gateway's identity and vault access, the outbound certificate) before approval is asked. " +
      'After approval the resources are created in order; the plan carries the device hand-over (addresses, parameters, selectors, root to trust, swanctl.conf) and the bot waits for the device (PROVISION_DEVICE_WAIT_MINUTES, default 30). If it does not connect: diagnosis, and Keep or Remove.',
    args: [{ name: 'site', type: 'site', required: false, description: 'The new site\'s name, such as site-rome; leave everything out for the form.' }],
    flags: [
      { name: 'ip', type: 'text', valueName: 'IPV4', maxLength: 15, description: "The device's public IPv4 address." },
      { name: 'fqdn', type: 'text', valueName: 'NAME', maxLength: 253, description: "The device's DNS name, instead of --ip." },
      { name: 'prefixes', type: 'text', valueName: 'CIDR,...', maxLength: 1024, description: 'The address prefixes behind the device, comma-separated (e.g. 10.50.0.0/16).' },
      { name: 'subject', type: 'text', valueName: 'NAME', maxLength: 256, description: "The subject of the device's certificate (e.g. CN=rome-vpn.contoso.example; quote it when it has spaces)." },
      { name: 'gateway', type: 'text', valueName: 'NAME', maxLength: 80, description: 'The VPN gateway (when the scope has several).' },
      { name: 'policy', type: 'choice', choices: ['default', 'strong'], description: "default: Azure's default proposals; strong: a custom IPsec/IKE policy (GCMAES256/SHA384/ECP384)." },
      { name: 'outbound', type: 'text', valueName: 'ca|external|existing:NAME', maxLength: 140, description: "Azure's certificate: ca (new, from the vault CA; the default), external (a CSR for your own CA, completed with --merge) or existing:<Key Vault certificate name>." },
      { name: 'merge', type: 'boolean', description: 'Complete a provisioning with --outbound external: the signed certificate and its chain pasted below (everything else comes from that provisioning).' },
    ],
    examples: ['provision', 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example', 'provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject CN=rome-vpn.contoso.example --outbound external', 'provision site-rome --merge', 'provision site-rome --fqdn vpn.rome.contoso.example --prefixes 10.50.0.0/16,10.51.0.0/16 --subject CN=rome-vpn.contoso.example --policy strong --gateway vpngw-hub'],
    role: 'operator',
    effect: 'change',
    execution: 'orchestration',
    acceptsPastedText: true,
  },
  {
    name: 'approvals',
    aliases: ['pending'],
    summary: 'List the changes waiting for an approver, with Approve and Reject for those you may decide.',
    args: [],
    flags: [],
    examples: ['approvals'],
    role: 'approver',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'audit',
    aliases: ['history'],
    summary: 'Show who requested, approved and applied what, newest first.',
    details: 'Reads the audit trail: every request, decision (with the plan fingerprint), apply, verification and rollback, and every refusal.',
    args: [{ name: 'site', type: 'site', required: false, description: 'Only this site, such as site-lisbon.' }],
    flags: [{ name: 'days', type: 'integer', valueName: 'N', description: `How many days back to read (1 to ${MAX_AUDIT_DAYS}).`, min: 1, max: MAX_AUDIT_DAYS, defaultValue: DEFAULT_AUDIT_DAYS }],
    examples: ['audit', 'audit site-lisbon --days 30'],
    role: 'reader',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'jobs',
    aliases: ['operations', 'ops'],
    summary: 'List your running and recent operations.',
    args: [],
    flags: [],
    examples: ['jobs'],
    role: 'reader',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'cancel',
    aliases: ['stop'],
    summary: 'Cancel one of your running operations.',
    args: [{ name: 'job-id', type: 'job-id', required: true, description: 'The job id shown by `jobs` or on the operation card.' }],
    flags: [],
    examples: ['cancel status-fleet-3f9c2a1b'],
    role: 'operator',
    effect: 'change',
    execution: 'instant',
  },
  {
    name: 'expiry',
    aliases: ['expiring', 'expiries'],
    summary: 'Show every certificate that expires soon, worst first, with Rotate.',
    details:
      'For every certificate connection in scope: the outbound certificate at the version the connection uses (and drift: a newer enabled version in Key Vault it does not use yet; a disabled or deleted version), ' +
      'each certificate of the inbound chain (what the device owner must do), and the vault CA. Tiers: expired, within 7, 14 and 30 days (configurable); the rest is counted as fine.',
    args: [{ name: 'site', type: 'site', required: false, description: 'Only this site, such as site-paris (or just paris).' }],
    flags: [{ name: 'days', type: 'integer', valueName: 'N', description: `Show what expires within N days (1 to ${MAX_EXPIRY_DAYS}; default the largest tier, 30).`, min: 1, max: MAX_EXPIRY_DAYS }],
    examples: ['expiry', 'expiry --days 7', 'expiry site-paris', 'expiry paris --days 60'],
    role: 'reader',
    effect: 'read-only',
    execution: 'orchestration',
  },
  {
    name: 'subscribe',
    aliases: [],
    summary: 'Post the expiry report in this channel every day.',
    details:
      'Subscribes the channel (or group chat) you type it in: the daily report (08:00 UTC by default) with what expires within N days, posted once a day, and Key Vault near-expiry alerts for the sites it covers. ' +
      '--at HH:MM (UTC) posts it later that day than the daily run. Type it again to change the days or time; unsubscribe expiry stops it.',
    args: [{ name: 'report', type: 'choice', choices: ['expiry'], required: true, description: 'What to receive: expiry (the certificate expiry report).' }],
    flags: [
      { name: 'days', type: 'integer', valueName: 'N', description: `Report what expires within N days (1 to ${MAX_EXPIRY_DAYS}; default the largest tier, 30).`, min: 1, max: MAX_EXPIRY_DAYS },
      { name: 'at', type: 'text', valueName: 'HH:MM', maxLength: 5, description: 'Time of day (UTC) to post, if later than the daily run, e.g. 09:30.' },
    ],
    examples: ['subscribe expiry', 'subscribe expiry --days 7', 'subscribe expiry --days 14 --at 09:30'],
    role: 'operator',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'unsubscribe',
    aliases: [],
    summary: 'Stop posting the expiry report in this channel.',
    args: [{ name: 'report', type: 'choice', choices: ['expiry'], required: true, description: 'What to stop: expiry.' }],
    flags: [],
    examples: ['unsubscribe expiry'],
    role: 'operator',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'subscriptions',
    aliases: ['subs'],
    summary: 'Show what this conversation receives (operators: every conversation).',
    args: [],
    flags: [],
    examples: ['subscriptions'],
    role: 'reader',
    effect: 'read-only',
    execution: 'instant',
  },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMAND_SPECS)[number]['name'];

/** The spec of one command, with its literal argument and flag declarations. */
export type SpecOf<N extends CommandName> = Extract<(typeof COMMAND_SPECS)[number], { readonly name: N }>;

type FlagValue<F> = F extends { readonly type: 'integer' }
  ? number
  : F extends { readonly type: 'choice'; readonly choices: readonly (infer C)[] }
    ? C
    : F extends { readonly type: 'text' }
      ? string
      : boolean;

/** A command's parsed arguments, typed from its spec: required ones are strings, optional ones may be absent. */
type ArgValue<A> = A extends { readonly type: 'choice'; readonly choices: readonly (infer C)[] } ? C : string;
export type ArgsOf<N extends CommandName> = {
  readonly [A in SpecOf<N>['args'][number] as A['name']]: A extends { readonly required: true } ? ArgValue<A> : ArgValue<A> | undefined;
};

/** A command's parsed flags, typed from its spec: a flag with a default always has a value. */
export type FlagsOf<N extends CommandName> = {
  readonly [F in SpecOf<N>['flags'][number] as F['name']]: F extends { readonly defaultValue: number | boolean | string } ? FlagValue<F> : FlagValue<F> | undefined;
};

export function findCommandSpec(nameOrAlias: string): CommandSpec<CommandName> | undefined {
  const wanted = nameOrAlias.toLowerCase();
  return COMMAND_SPECS.find((spec) => spec.name === wanted || (spec.aliases as readonly string[]).includes(wanted));
}
