/**
 * One IKE or IPsec proposal. Canonical values use Azure's IPsec/IKE policy names (the names a network engineer types
 * into the connection's policy): encryption AES256 | AES192 | AES128 | GCMAES256 | GCMAES192 | GCMAES128 | DES3 | DES,
 * integrity SHA1 | SHA256 | SHA384 | SHA512 | MD5 | GCMAES256 | GCMAES192 | GCMAES128, dhGroup DHGroup1 | DHGroup2 |
 * DHGroup14 | DHGroup24 | ECP256 | ECP384 | None. Unknown algorithms are kept upper-cased so nothing is silently lost.
 */
export interface IkeProposal {
  encryption: string;
  integrity: string;
  dhGroup: string;
}

/** Azure's default IKE (main mode) proposals as the gateway offers them when it initiates (dmauser troubleshooting notes). */
export const AZURE_DEFAULT_IKE_PROPOSALS: readonly IkeProposal[] = Object.freeze([
  { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA1', dhGroup: 'DHGroup2' },
  { encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup2' },
]);

const compact = (raw: string): string => raw.toUpperCase().replace(/[^A-Z0-9]/g, '');

function keyBits(token: string): string | undefined {
  const m = /(128|192|256)(?!\d)/.exec(token) ?? /(128|192|256)/.exec(token);
  return m?.[1];
}

/**
 * Logs repeat the same few algorithm names millions of times; remembering the answers makes proposal parsing cheap.
 * Bounded, so hostile input with endless distinct names cannot grow it.
 */
function memo(fn: (raw: string) => string): (raw: string) => string {
  const cache = new Map<string, string>();
  return (raw: string): string => {
    let hit = cache.get(raw);
    if (hit === undefined) {
      hit = fn(raw);
      if (cache.size < 512 && raw.length <= 64) cache.set(raw, hit);
    }
    return hit;
  };
}

export const normalizeEncryption = memo(function normalizeEncryption(raw: string): string {
  const t = compact(raw);
  if (t === '') return '';
  if (t.includes('GCM')) return `GCMAES${keyBits(t.replace(/^AESGCM16|^AESGCM12|^AESGCM8/, 'AESGCM')) ?? '128'}`;
  if (t.includes('3DES') || t.startsWith('DES3') || t.includes('TRIPLEDES')) return 'DES3';
  if (t.startsWith('AES')) return `AES${keyBits(t) ?? '128'}`;
  if (t.startsWith('DES')) return 'DES';
  return t;
});

export const normalizeIntegrity = memo(function normalizeIntegrity(raw: string): string {
  const t = compact(raw);
  if (t === '') return '';
  if (t.includes('GCM')) return `GCMAES${keyBits(t) ?? '128'}`;
  const sha2 = /SHA2?(256|384|512)/.exec(t);
  if (sha2) return `SHA${sha2[1]}`;
  if (/SHA1|SHA(?!\d)/.test(t)) return 'SHA1';
  if (t.includes('MD5')) return 'MD5';
  return t;
});

const MODP_GROUPS: Record<string, string> = { '768': 'DHGroup1', '1024': 'DHGroup2', '1536': 'DHGroup5', '2048': 'DHGroup14', '3072': 'DHGroup15', '4096': 'DHGroup16' };

export const normalizeDhGroup = memo(function normalizeDhGroup(raw: string): string {
  const t = compact(raw);
  if (t === '') return '';
  if (t === 'NONE' || t === 'NOPFS' || t === 'PFSNONE') return 'None';
  const ecp = /ECP(256|384|521)/.exec(t);
  if (ecp) return `ECP${ecp[1]}`;
  if (t.includes('25519')) return 'Curve25519';
  if (/^MODP2048256$/.test(t)) return 'DHGroup24';
  const modp = /^MODP(\d+)$/.exec(t);
  if (modp) return MODP_GROUPS[modp[1]!] ?? t;
  const group = /(?:GROUP|^DH|^PFS)(\d+)$/.exec(t);
  if (group) return group[1] === '2048' ? 'DHGroup14' : `DHGroup${group[1]}`;
  return t;
});

export function normalizeIkeProposal(p: IkeProposal): IkeProposal {
  return { encryption: normalizeEncryption(p.encryption), integrity: normalizeIntegrity(p.integrity), dhGroup: normalizeDhGroup(p.dhGroup) };
}

export function sameProposal(a: IkeProposal, b: IkeProposal): boolean {
  const x = normalizeIkeProposal(a);
  const y = normalizeIkeProposal(b);
  return x.encryption === y.encryption && x.integrity === y.integrity && x.dhGroup === y.dhGroup;
}

/** The proposals both sides accept, in `offered` order. */
export function commonProposals(offered: readonly IkeProposal[], accepted: readonly IkeProposal[]): IkeProposal[] {
  return offered.filter((o) => accepted.some((a) => sameProposal(o, a))).map(normalizeIkeProposal);
}

/** `AES256/SHA256/DHGroup2`: how people write a proposal in chat. */
export function formatIkeProposal(p: IkeProposal): string {
  const n = normalizeIkeProposal(p);
  return `${n.encryption}/${n.integrity}/${n.dhGroup}`;
}

const AZURE_CIPHER_NAMES: Record<string, string> = {
  AES256: 'AES-CBC-256',
  AES192: 'AES-CBC-192',
  AES128: 'AES-CBC-128',
  GCMAES256: 'AES-GCM-256',
  GCMAES192: 'AES-GCM-192',
  GCMAES128: 'AES-GCM-128',
  DES3: '3DES',
  DES: 'DES',
};

/** `Cipher=AES-CBC-256 Integrity=SHA1 DhGroup=DhGroup2`: the way Azure's IKE log lists a policy. */
export function formatAzureLogPolicy(p: IkeProposal): string {
  const n = normalizeIkeProposal(p);
  const cipher = AZURE_CIPHER_NAMES[n.encryption] ?? n.encryption;
  const integrity = AZURE_CIPHER_NAMES[n.integrity] ?? n.integrity;
  const dh = n.dhGroup.startsWith('DHGroup') ? `DhGroup${n.dhGroup.slice('DHGroup'.length)}` : n.dhGroup;
  return `Cipher=${cipher} Integrity=${integrity} DhGroup=${dh}`;
}

const AZURE_POLICY = /Policy\s*\d+\s*:\s*Cipher=([A-Za-z0-9-]{1,40}?)\s*Integrity=([A-Za-z0-9-]{1,40}?)(?:\s*,?\s*DhGroup=([A-Za-z0-9-]{1,40}?))?(?=[\s,;]|$)/g;

/** Proposals in Azure's log form (`Policy1: Cipher=AES-CBC-256 Integrity=SHA1 DhGroup=DhGroup2`, also `Cipher=DESIntegrity=Md5`). */
export function parseAzureLogPolicies(text: string, limit = 32): IkeProposal[] {
  const out: IkeProposal[] = [];
  AZURE_POLICY.lastIndex = 0;
  for (let m = AZURE_POLICY.exec(text); m && out.length < limit; m = AZURE_POLICY.exec(text)) {
    out.push({ encryption: normalizeEncryption(m[1]!), integrity: normalizeIntegrity(m[2]!), dhGroup: m[3] ? normalizeDhGroup(m[3]) : 'None' });
  }
  return out;
}

const CHARON_ENCRYPTION = /^(AES|3DES|DES|CAMELLIA|CHACHA20|BLOWFISH|CAST|SERPENT|TWOFISH|NULL)/;

/**
 * Proposals as charon prints them (`IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, IKE:...` or
 * `ESP:AES_GCM_16_256/NO_EXT_SEQ`). For AEAD ciphers IKE has no integrity algorithm; the PRF's hash stands in for it,
 * as Azure's policy does (GCMAES256 with SHA384).
 */
export function parseCharonProposals(text: string, limit = 32): { phase: 'ike' | 'ipsec'; proposals: IkeProposal[] } {
  const proposals: IkeProposal[] = [];
  let phase: 'ike' | 'ipsec' = 'ike';
  for (const part of text.split(/,\s*/)) {
    if (proposals.length >= limit) break;
    const m = /^\s*(IKE|ESP|AH):([A-Z0-9_/]+)/.exec(part);
    if (!m) continue;
    if (m[1] !== 'IKE') phase = 'ipsec';
    let encryption = '';
    let integrity = '';
    let prf = '';
    let dhGroup = '';
    for (const token of m[2]!.split('/')) {
      if (token.startsWith('PRF_')) prf = token;
      else if (token.startsWith('HMAC_') || token.startsWith('AES_XCBC') || token.startsWith('AES_CMAC')) integrity ||= token;
      else if (/^(MODP|ECP|CURVE|ECP_|NO_DH)/.test(token)) dhGroup ||= token;
      else if (CHARON_ENCRYPTION.test(token)) encryption ||= token;
    }
    const aead = encryption.includes('GCM') || encryption.includes('CCM') || encryption.includes('CHACHA20');
    if (!integrity) integrity = aead && m[1] !== 'IKE' ? encryption : prf;
    proposals.push({
      encryption: normalizeEncryption(encryption),
      integrity: normalizeIntegrity(integrity),
      dhGroup: dhGroup && dhGroup !== 'NO_DH' ? normalizeDhGroup(dhGroup) : 'None',
    });
  }
  return { phase, proposals };
}
