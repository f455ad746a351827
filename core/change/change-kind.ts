/**
 * Every kind of change the bot makes to Azure. Each goes through the one change pipeline (plan, approval, apply,
 * verify, roll back, audit); the approval policy has an entry for each, even for kinds whose commands come later.
 */
export const CHANGE_KINDS = ['enable-diagnostics', 'rotate-certificate', 'provision-site'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Kinds that always need approval: configuration cannot turn it off. */
export const ALWAYS_APPROVED: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['rotate-certificate', 'provision-site']);

/** How a kind is named on cards and in the audit. */
export const CHANGE_KIND_TITLES: Readonly<Record<ChangeKind, string>> = {
  'enable-diagnostics': 'Enable diagnostics',
  'rotate-certificate': 'Rotate certificates',
  'provision-site': 'Provision a site',
};

export function isChangeKind(value: string): value is ChangeKind {
  return (CHANGE_KINDS as readonly string[]).includes(value);
}

/** What a person asks for; each kind names its own target and options (the kinds whose commands exist so far). */
export type ChangeRequest = { readonly kind: 'enable-diagnostics'; readonly site: string } | RotateOutboundRequest;

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
