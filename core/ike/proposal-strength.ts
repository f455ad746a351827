import { normalizeIkeProposal, type IkeProposal } from './ike-proposal';

/**
 * Which algorithms diagnose will never recommend, and what Azure's custom IPsec/IKE policy can pin.
 *
 * Weak, following RFC 8247 and the VPN Gateway security baseline ("AES-256 ... SHA-256 or stronger; avoid weak
 * ciphers"): DES and 3DES, no encryption, MD5 and SHA1 integrity, MODP DH groups 1, 2 and 5 (768 to 1536 bits).
 * An IPsec proposal without PFS (`None`) is not weak: Azure's own default has none.
 */
export type ProposalPhase = 'ike' | 'ipsec';

const WEAK_ENCRYPTION: Record<string, string> = { DES: 'DES', DES3: '3DES', NULL: 'no encryption', NONE: 'no encryption' };
const WEAK_INTEGRITY: Record<string, string> = { MD5: 'MD5', SHA1: 'SHA1' };
const WEAK_DH: Record<string, string> = { DHGroup1: 'DH group 1 (768-bit MODP)', DHGroup2: 'DH group 2 (1024-bit MODP)', DHGroup5: 'DH group 5 (1536-bit MODP)' };

// Values of the connection's custom IPsec/IKE policy (Network RP `IpsecPolicy`), as our normalised names.
const AZURE_IKE_ENCRYPTION = new Set(['GCMAES256', 'GCMAES128', 'AES256', 'AES192', 'AES128', 'DES3', 'DES']);
const AZURE_IKE_INTEGRITY = new Set(['SHA384', 'SHA256', 'SHA1', 'MD5']);
const AZURE_DH_GROUP = new Set(['DHGroup24', 'ECP384', 'ECP256', 'DHGroup14', 'DHGroup2', 'DHGroup1', 'None']);
const AZURE_IPSEC_ENCRYPTION = new Set(['GCMAES256', 'GCMAES192', 'GCMAES128', 'AES256', 'AES192', 'AES128', 'DES3', 'DES', 'None']);
const AZURE_IPSEC_INTEGRITY = new Set(['GCMAES256', 'GCMAES192', 'GCMAES128', 'SHA256', 'SHA1', 'MD5']);
/** The policy's PFS group names for our DH names (PFS2048 is MODP 2048, i.e. DH group 14). */
const AZURE_PFS_GROUP: Record<string, string> = { DHGroup24: 'PFS24', ECP384: 'ECP384', ECP256: 'ECP256', DHGroup14: 'PFS2048', DHGroup2: 'PFS2', DHGroup1: 'PFS1', None: 'None' };

/** The weak part of one slot of a normalised proposal (0 encryption, 1 integrity, 2 DH group), if it is weak. */
function weakPart(p: IkeProposal, phase: ProposalPhase, slot: 0 | 1 | 2): string | undefined {
  if (slot === 0) return WEAK_ENCRYPTION[p.encryption] ?? (p.encryption === '' ? 'no encryption' : undefined);
  // GCM carries its own integrity; in IKE the "integrity" of a GCM proposal is its PRF, judged like any hash.
  if (slot === 1) return WEAK_INTEGRITY[p.integrity];
  return WEAK_DH[p.dhGroup] ?? (phase === 'ike' && (p.dhGroup === 'None' || p.dhGroup === '') ? 'no DH group' : undefined);
}

/** The weak parts of one proposal, in words a network engineer uses ("3DES", "DH group 2 (1024-bit MODP)"). */
export function weakParts(proposal: IkeProposal, phase: ProposalPhase): string[] {
  const p = normalizeIkeProposal(proposal);
  return ([0, 1, 2] as const).map((slot) => weakPart(p, phase, slot)).filter((x): x is string => x !== undefined);
}

export function isStrongProposal(proposal: IkeProposal, phase: ProposalPhase): boolean {
  return weakParts(proposal, phase).length === 0;
}

/** The weak algorithms across proposals, each named once, ciphers first: "3DES, SHA1 and DH group 2 (1024-bit MODP)". */
export function weaknessSummary(proposals: readonly IkeProposal[], phase: ProposalPhase): string {
  const parts: string[] = [];
  for (const slot of [0, 1, 2] as const) {
    for (const p of proposals) {
      const part = weakPart(normalizeIkeProposal(p), phase, slot);
      if (part && !parts.includes(part)) parts.push(part);
    }
  }
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

const DH_RANK: Record<string, number> = { ECP384: 4, DHGroup24: 2, ECP256: 3, DHGroup14: 1 };

/**
 * Orders strong proposals strongest first (key length, then AEAD, then hash, then DH group), keeping the given order
 * among equals: of the proposals a device accepts, the one to pin is its strongest, not merely its first.
 */
export function strongestFirst(proposals: readonly IkeProposal[]): IkeProposal[] {
  const rank = (proposal: IkeProposal): number => {
    const p = normalizeIkeProposal(proposal);
    const bits = Number(/(\d{3})$/.exec(p.encryption)?.[1] ?? 0);
    const hash = Number(/^SHA(\d{3})$/.exec(p.integrity)?.[1] ?? 0);
    return bits * 1000 + (p.encryption.startsWith('GCMAES') ? 500 : 0) + hash + (DH_RANK[p.dhGroup] ?? 0);
  };
  return proposals.map((p, i) => ({ p, i, r: rank(p) })).sort((a, b) => b.r - a.r || a.i - b.i).map((x) => x.p);
}

/** Whether a custom IPsec/IKE policy on the connection can express this proposal for the phase. */
export function azurePolicyCanPin(proposal: IkeProposal, phase: ProposalPhase): boolean {
  const p = normalizeIkeProposal(proposal);
  if (phase === 'ike') return AZURE_IKE_ENCRYPTION.has(p.encryption) && AZURE_IKE_INTEGRITY.has(p.integrity) && AZURE_DH_GROUP.has(p.dhGroup);
  // GCM in IPsec authenticates itself: the policy's integrity must then be the same GCM algorithm.
  const gcm = p.encryption.startsWith('GCMAES');
  return AZURE_IPSEC_ENCRYPTION.has(p.encryption) && AZURE_IPSEC_INTEGRITY.has(p.integrity) && (!gcm || p.integrity === p.encryption) && AZURE_PFS_GROUP[p.dhGroup] !== undefined;
}

/**
 * The custom IPsec/IKE policy fields that pin `proposal`, in the policy's own names. The policy always sets both
 * phases, so for an IKE proposal the IPsec half is chosen to match its strength (GCM with GCM, the same group for
 * PFS); the device must be given the same.
 */
export function customPolicyText(proposal: IkeProposal, phase: ProposalPhase): string {
  const p = normalizeIkeProposal(proposal);
  if (phase === 'ipsec') {
    return `IPsec encryption ${p.encryption}, IPsec integrity ${p.integrity}, PFS group ${AZURE_PFS_GROUP[p.dhGroup] ?? p.dhGroup}`;
  }
  const gcm = p.encryption.startsWith('GCMAES');
  const ipsecEncryption = gcm ? p.encryption : 'GCMAES256';
  const pfs = AZURE_PFS_GROUP[p.dhGroup] ?? 'ECP384';
  return `IKE encryption ${p.encryption}, IKE integrity ${p.integrity}, DH group ${p.dhGroup}, and IPsec encryption and integrity ${ipsecEncryption} with PFS group ${pfs}`;
}

/** What to configure when neither side offers a strong proposal Azure can pin. */
export const STRONG_PROPOSAL_ADVICE: Record<ProposalPhase, string> = {
  ike: 'AES256 or GCMAES256 with SHA256 or SHA384 and DH group 14 or higher (DHGroup14, ECP256 or ECP384), e.g. IKE GCMAES256/SHA384/ECP384 with IPsec GCMAES256 and PFS group ECP384',
  ipsec: 'GCMAES256 (integrity GCMAES256) or AES256 with SHA256, and PFS group ECP384, ECP256 or PFS2048 (or none)',
};

/** Azure's defaults for a custom policy's SA lifetimes (site-to-site): 27,000 s and 102,400,000 KB. */
export const AZURE_POLICY_SA_LIFETIME_SECONDS = 27_000;
export const AZURE_POLICY_SA_DATA_SIZE_KB = 102_400_000;

/** A custom IPsec/IKE policy in the connection's own field names. */
export interface CustomIpsecPolicy {
  readonly ikeEncryption: string;
  readonly ikeIntegrity: string;
  readonly dhGroup: string;
  readonly ipsecEncryption: string;
  readonly ipsecIntegrity: string;
  readonly pfsGroup: string;
  readonly saLifeTimeSeconds: number;
  readonly saDataSizeKilobytes: number;
}

/**
 * The custom policy that pins one strong IKE proposal (see customPolicyText for the IPsec half: GCM with GCM, the
 * same group for PFS), or undefined when the proposal is weak or the policy cannot express it: the bot never pins a
 * weak algorithm.
 */
export function customPolicyFor(proposal: IkeProposal): CustomIpsecPolicy | undefined {
  const p = normalizeIkeProposal(proposal);
  if (!isStrongProposal(p, 'ike') || !azurePolicyCanPin(p, 'ike')) return undefined;
  const ipsec = p.encryption.startsWith('GCMAES') ? p.encryption : 'GCMAES256';
  return {
    ikeEncryption: p.encryption,
    ikeIntegrity: p.integrity,
    dhGroup: p.dhGroup,
    ipsecEncryption: ipsec,
    ipsecIntegrity: ipsec,
    pfsGroup: AZURE_PFS_GROUP[p.dhGroup] ?? 'ECP384',
    saLifeTimeSeconds: AZURE_POLICY_SA_LIFETIME_SECONDS,
    saDataSizeKilobytes: AZURE_POLICY_SA_DATA_SIZE_KB,
  };
}

/** Of the proposals a device offers, the one to pin: its strongest that is strong and that Azure's policy can express. */
export function proposalToPin(deviceProposals: readonly IkeProposal[]): IkeProposal | undefined {
  return strongestFirst(deviceProposals.filter((p) => isStrongProposal(p, 'ike') && azurePolicyCanPin(p, 'ike')))[0];
}
