import { normalizeIkeProposal, type IkeProposal } from './ike-proposal';

/**
 * Azure's proposal names (a connection's custom IPsec/IKE policy, `AZURE_DEFAULT_IKE_PROPOSALS`) in strongSwan's
 * `swanctl.conf` keywords, the reverse of `parseCharonProposals`: `AES256/SHA256/DHGroup14` is `aes256-sha256-modp2048`,
 * `GCMAES256/SHA384/ECP384` is `aes256gcm16-prfsha384-ecp384` (for AEAD ciphers in IKE the hash is the PRF). Used
 * wherever a strongSwan peer must be configured from Azure's settings: a device's configuration, and the real-peer
 * tests. Throws on a name strongSwan has no keyword for, rather than silently configuring something else.
 */
export function toStrongswanProposal(proposal: IkeProposal, phase: 'ike' | 'esp'): string {
  const p = normalizeIkeProposal(proposal);
  const encryption = ENCRYPTION[p.encryption];
  if (!encryption) throw new Error(`strongSwan has no keyword for the encryption algorithm ${p.encryption}.`);
  const aead = p.encryption.startsWith('GCM');
  const parts = [encryption];
  if (phase === 'ike') {
    const hash = HASH[p.integrity];
    if (!hash) throw new Error(`strongSwan has no keyword for the IKE integrity algorithm ${p.integrity}.`);
    parts.push(aead ? `prf${hash}` : hash);
    const dh = DH[p.dhGroup];
    if (!dh) throw new Error(`IKE needs a DH group strongSwan knows; ${p.dhGroup || 'none'} is not one.`);
    parts.push(dh);
  } else {
    if (!aead) {
      const hash = HASH[p.integrity];
      if (!hash) throw new Error(`strongSwan has no keyword for the IPsec integrity algorithm ${p.integrity}.`);
      parts.push(hash);
    }
    if (p.dhGroup !== 'None' && p.dhGroup !== '') {
      const dh = DH[p.dhGroup];
      if (!dh) throw new Error(`strongSwan has no keyword for the PFS group ${p.dhGroup}.`);
      parts.push(dh);
    }
  }
  return parts.join('-');
}

const ENCRYPTION: Record<string, string> = {
  AES256: 'aes256',
  AES192: 'aes192',
  AES128: 'aes128',
  GCMAES256: 'aes256gcm16',
  GCMAES192: 'aes192gcm16',
  GCMAES128: 'aes128gcm16',
  DES3: '3des',
  DES: 'des',
};

const HASH: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5' };

const DH: Record<string, string> = {
  DHGroup1: 'modp768',
  DHGroup2: 'modp1024',
  DHGroup5: 'modp1536',
  DHGroup14: 'modp2048',
  DHGroup15: 'modp3072',
  DHGroup16: 'modp4096',
  DHGroup24: 'modp2048s256',
  ECP256: 'ecp256',
  ECP384: 'ecp384',
  Curve25519: 'curve25519',
};
