import { parseIpv4Prefix } from '../ip-prefix';

/**
 * An IKE (main mode) proposal in the vocabulary of Azure's IPsec/IKE policy: encryption `AES256`, `GCMAES256`,
 * `DES3`..., integrity `SHA1`, `SHA256`, `SHA384`, `MD5`..., DH group `DHGroup2`, `DHGroup14`, `DHGroup24`, `ECP256`,
 * `ECP384`, `None`. Devices in estates speak the same vocabulary.
 */
export interface SimIkeProposal {
  readonly encryption: string;
  readonly integrity: string;
  readonly dhGroup: string;
}

/**
 * What the gateway offers in IKE_SA_INIT without a custom policy: the six default initiator proposals listed (in
 * Azure's log form) in `azure-ike-log-samples.txt` — AES-CBC-256/128 and 3DES with SHA1 or SHA256, DH group 2.
 */
export const azureDefaultIkeProposals: readonly SimIkeProposal[] = Object.freeze([
  { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup2' },
]);

/** Spellings of the same algorithm across Azure's policy names and its log (`3DES`, `AES-CBC-256`, `DhGroup2`). */
const SYNONYMS: Readonly<Record<string, string>> = {
  '3DES': 'DES3',
  AESCBC256: 'AES256',
  AESCBC192: 'AES192',
  AESCBC128: 'AES128',
  AESGCM256: 'GCMAES256',
  AESGCM192: 'GCMAES192',
  AESGCM128: 'GCMAES128',
  DHGROUP2048: 'DHGROUP14',
  ECP256: 'ECP256',
};

function canonical(value: string): string {
  const compact = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return SYNONYMS[compact] ?? compact;
}

function same(a: SimIkeProposal, b: SimIkeProposal): boolean {
  return canonical(a.encryption) === canonical(b.encryption) && canonical(a.integrity) === canonical(b.integrity) && canonical(a.dhGroup) === canonical(b.dhGroup);
}

/** Whether the two sides share at least one proposal. */
export function shareAProposal(offered: readonly SimIkeProposal[], accepted: readonly SimIkeProposal[]): boolean {
  return offered.some((o) => accepted.some((a) => same(o, a)));
}

/** Azure's policy fields (`ikeEncryption`, `ikeIntegrity`, `dhGroup`) as a proposal. */
export function policyProposal(policy: { readonly ikeEncryption: string; readonly ikeIntegrity: string; readonly dhGroup: string }): SimIkeProposal {
  return { encryption: policy.ikeEncryption, integrity: policy.ikeIntegrity, dhGroup: policy.dhGroup };
}

const LOG_NAMES: Readonly<Record<string, string>> = {
  AES256: 'AES-CBC-256',
  AES192: 'AES-CBC-192',
  AES128: 'AES-CBC-128',
  GCMAES256: 'AES-GCM-256',
  GCMAES192: 'AES-GCM-192',
  GCMAES128: 'AES-GCM-128',
  DES3: '3DES',
  DES: 'DES',
  SHA1: 'SHA1',
  SHA256: 'SHA256',
  SHA384: 'SHA384',
  MD5: 'MD5',
};

/** `Cipher=AES-CBC-256 Integrity=SHA1 DhGroup=DhGroup2`, the form of the default policies in the sample file. */
export function logPolicy(p: SimIkeProposal): string {
  const name = (value: string) => LOG_NAMES[canonical(value)] ?? value;
  const group = canonical(p.dhGroup);
  const dh = group.startsWith('DHGROUP') ? `DhGroup${group.slice('DHGROUP'.length)}` : group === 'NONE' ? 'None' : group;
  return `Cipher=${name(p.encryption)} Integrity=${name(p.integrity)} DhGroup=${dh}`;
}

/** `StartAddress a EndAddress b PortStart 0 PortEnd 65535 Protocol 0, ...`: traffic selectors as the sample lines write them. */
export function logTrafficSelectors(prefixes: readonly string[]): string {
  return prefixes
    .map((p) => {
      const prefix = parseIpv4Prefix(p);
      const [start, end] = prefix ? [ipv4Text(prefix.start), ipv4Text(prefix.end)] : [p, p];
      return `StartAddress ${start} EndAddress ${end} PortStart 0 PortEnd 65535 Protocol 0`;
    })
    .join(', ');
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
