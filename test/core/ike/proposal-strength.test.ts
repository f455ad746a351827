import { describe, expect, it } from 'vitest';
import { AZURE_DEFAULT_IKE_PROPOSALS, type IkeProposal } from '../../../core/ike/ike-proposal';
import { azurePolicyCanPin, customPolicyText, isStrongProposal, strongestFirst, weaknessSummary, weakParts } from '../../../core/ike/proposal-strength';

const p = (encryption: string, integrity: string, dhGroup: string): IkeProposal => ({ encryption, integrity, dhGroup });

describe('proposal strength', () => {
  it("finds every one of Azure's default initiator proposals weak (all DH group 2; two with 3DES)", () => {
    expect(AZURE_DEFAULT_IKE_PROPOSALS.filter((x) => isStrongProposal(x, 'ike'))).toEqual([]);
    expect(weakParts(AZURE_DEFAULT_IKE_PROPOSALS[5]!, 'ike')).toEqual(['3DES', 'DH group 2 (1024-bit MODP)']);
    expect(weaknessSummary(AZURE_DEFAULT_IKE_PROPOSALS, 'ike')).toBe('3DES, SHA1 and DH group 2 (1024-bit MODP)');
  });

  it('accepts AES/GCM with SHA-2 and DH group 14 or higher, in charon and Azure spellings', () => {
    for (const ok of [p('AES256', 'SHA256', 'DHGroup14'), p('AES_GCM_16_256', 'PRF_HMAC_SHA2_384', 'ECP_384'), p('aes128', 'sha384', 'ecp256'), p('GCMAES256', 'SHA384', 'DHGroup24')]) {
      expect(weakParts(ok, 'ike'), JSON.stringify(ok)).toEqual([]);
    }
    expect(weakParts(p('DES', 'MD5', 'DHGroup1'), 'ike')).toEqual(['DES', 'MD5', 'DH group 1 (768-bit MODP)']);
    expect(weakParts(p('AES256', 'SHA256', 'MODP_1536'), 'ike')).toEqual(['DH group 5 (1536-bit MODP)']);
  });

  it('treats an IPsec proposal without PFS as acceptable, an IKE proposal without a DH group as not', () => {
    expect(isStrongProposal(p('GCMAES256', 'GCMAES256', 'None'), 'ipsec')).toBe(true);
    expect(weakParts(p('AES256', 'SHA256', 'None'), 'ike')).toEqual(['no DH group']);
  });

  it("knows what a custom IPsec/IKE policy can pin (GCM in IPsec needs the same GCM integrity; no ECP521 or Curve25519)", () => {
    expect(azurePolicyCanPin(p('GCMAES256', 'SHA384', 'ECP384'), 'ike')).toBe(true);
    expect(azurePolicyCanPin(p('AES256', 'SHA512', 'DHGroup14'), 'ike')).toBe(false);
    expect(azurePolicyCanPin(p('AES256', 'SHA256', 'Curve25519'), 'ike')).toBe(false);
    expect(azurePolicyCanPin(p('GCMAES256', 'GCMAES256', 'ECP384'), 'ipsec')).toBe(true);
    expect(azurePolicyCanPin(p('GCMAES256', 'SHA256', 'None'), 'ipsec')).toBe(false);
  });

  it("words the policy in the connection's own field names, choosing a matching IPsec half for an IKE proposal", () => {
    expect(customPolicyText(p('GCMAES256', 'SHA384', 'ECP384'), 'ike')).toBe('IKE encryption GCMAES256, IKE integrity SHA384, DH group ECP384, and IPsec encryption and integrity GCMAES256 with PFS group ECP384');
    expect(customPolicyText(p('AES256', 'SHA256', 'DHGroup14'), 'ike')).toMatch(/DH group DHGroup14, and IPsec encryption and integrity GCMAES256 with PFS group PFS2048$/);
    expect(customPolicyText(p('AES256', 'SHA256', 'DHGroup14'), 'ipsec')).toBe('IPsec encryption AES256, IPsec integrity SHA256, PFS group PFS2048');
  });

  it("puts the strongest first (the one to pin), keeping the device's order among equals", () => {
    const offers = [p('AES128', 'SHA256', 'ECP256'), p('GCMAES256', 'SHA384', 'ECP384'), p('AES256', 'SHA256', 'DHGroup14'), p('AES256', 'SHA256', 'DHGroup14')];
    expect(strongestFirst(offers).map((x) => `${x.encryption}/${x.dhGroup}`)).toEqual(['GCMAES256/ECP384', 'AES256/DHGroup14', 'AES256/DHGroup14', 'AES128/ECP256']);
  });
});
