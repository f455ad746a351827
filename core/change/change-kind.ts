/**
 * Every kind of change the bot makes to Azure. Each goes through the one change pipeline (plan, approval, apply,
 * verify, roll back, audit); the approval policy has an entry for each, even for kinds whose commands come later.
 */
export const CHANGE_KINDS = ['enable-diagnostics', 'rotate-certificate', 'provision-site', 'set-ipsec-policy', 'remove-site'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Kinds that always need approval: configuration cannot turn it off. */
export const ALWAYS_APPROVED: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['rotate-certificate', 'provision-site', 'set-ipsec-policy', 'remove-site']);

/** How a kind is named on cards and in the audit. */
export const CHANGE_KIND_TITLES: Readonly<Record<ChangeKind, string>> = {
  'enable-diagnostics': 'Enable diagnostics',
  'rotate-certificate': 'Rotate certificates',
  'provision-site': 'Provision a site',
  'set-ipsec-policy': 'Apply an IPsec/IKE policy',
  'remove-site': 'Remove a provisioned site',
};

export function isChangeKind(value: string): value is ChangeKind {
  return (CHANGE_KINDS as readonly string[]).includes(value);
}

/** What a person asks for; each kind names its own target and options (the kinds whose commands exist so far). */
export type ChangeRequest = { readonly kind: 'enable-diagnostics'; readonly site: string } | RotateOutboundRequest | RotateInboundRequest | SetIpsecPolicyRequest | ProvisionSiteRequest | ProvisionMergeRequest | RemoveSiteRequest;

/** Where a new outbound certificate comes from (`rotate <site> outbound --source`). */
export const OUTBOUND_SOURCES = ['ca', 'external', 'vault'] as const;
export type OutboundSource = (typeof OUTBOUND_SOURCES)[number];

/**
 * `rotate <site> outbound`: a new outbound certificate version from the CA in Key Vault (`ca`), a CSR for an outside
 * CA (`external`; `merge` then carries the signed certificate and its chain as pasted), or the newest enabled version
 * Key Vault already has (`vault`); the connection is moved to it.
 */
export interface RotateOutboundRequest {
  readonly kind: 'rotate-certificate';
  readonly site: string;
  readonly side: 'outbound';
  readonly source?: OutboundSource;
  readonly days?: number;
  /** `--merge`: the signed certificate and its issuers (PEM, base64 DER or PKCS#7) for the pending external request. */
  readonly merge?: string;
}

/**
 * `rotate <site> inbound` (and the diagnose card's Update inbound chain / Set inbound subject buttons): the chain and
 * subject Azure accepts from the device, switched at once or at `at` (a maintenance window, after approval).
 */
export interface RotateInboundRequest {
  readonly kind: 'rotate-certificate';
  readonly site: string;
  readonly side: 'inbound';
  /** The new CA certificates, base64 DER, root first (already checked against Azure's chain rules by the bot). */
  readonly chain?: readonly string[];
  /** A device certificate pasted with the chain (base64 DER): it must chain to the new root and match the subject. */
  readonly device?: string;
  /** The new inbound subject name. */
  readonly subject?: string;
  /** Not before this time (ISO UTC): the apply waits for it once approved. */
  readonly at?: string;
}

/**
 * The diagnose card's Apply IPsec/IKE policy: pins one strong proposal (the device's strongest that Azure's custom
 * policy can express) as the connection's custom IPsec/IKE policy.
 */
export interface SetIpsecPolicyRequest {
  readonly kind: 'set-ipsec-policy';
  readonly site: string;
  /** The IKE (phase 1) proposal to pin, in Azure's policy names (e.g. GCMAES256 / SHA384 / ECP384). */
  readonly proposal: { readonly encryption: string; readonly integrity: string; readonly dhGroup: string };
}

/**
 * Where a provisioned site's outbound certificate comes from: issued by the vault CA, one Key Vault already holds, or
 * the customer's own CA (`external`: Key Vault makes the key and a CSR; `provision <site> --merge` completes it).
 */
export type ProvisionOutbound = { readonly kind: 'ca' } | { readonly kind: 'existing'; readonly name: string } | { readonly kind: 'external' };

/** The IPsec/IKE policy of a provisioned connection: Azure's default proposals, or one strong custom policy. */
export const PROVISION_POLICIES = ['default', 'strong'] as const;
export type ProvisionPolicy = (typeof PROVISION_POLICIES)[number];

/**
 * `provision <site> ...` (typed, or the form): a new certificate-authenticated site. Validated by the bot
 * (core/provision/provision-request.ts); the preflight (Azure's rules against the scope) runs when it is planned.
 */
export interface ProvisionSiteRequest {
  readonly kind: 'provision-site';
  readonly site: string;
  /** The device's public IPv4 address, or its DNS name (`fqdn`): exactly one. */
  readonly ip?: string;
  readonly fqdn?: string;
  /** The site's address prefixes (CIDR). */
  readonly prefixes: readonly string[];
  /** The inbound subject: the device certificate's subject. */
  readonly subject: string;
  /** The device's CA certificates as given (base64 DER); Azure's chain rules are checked by the preflight. */
  readonly chain: readonly string[];
  /** A device certificate pasted along (base64 DER): it must chain to the root and match the subject. */
  readonly device?: string;
  /** The VPN gateway by name (needed when the scope has several). */
  readonly gateway?: string;
  readonly policy: ProvisionPolicy;
  readonly outbound: ProvisionOutbound;
}

/**
 * `provision <site> --merge`: the signed certificate and its issuers (PEM, as read from what was pasted or attached)
 * for a provisioning that waits for them (`--outbound external`). Everything else comes from that provisioning's
 * record: nothing is typed again.
 */
export interface ProvisionMergeRequest {
  readonly kind: 'provision-site';
  readonly site: string;
  readonly merge: string;
}

/** Remove what a provisioning created (the Remove button after a provisioning that did not connect). */
export interface RemoveSiteRequest {
  readonly kind: 'remove-site';
  readonly site: string;
}
