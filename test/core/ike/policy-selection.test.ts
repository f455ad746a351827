import { describe, expect, it } from 'vitest';
import { customPolicyFor, proposalToPin } from '../../../core/ike/proposal-strength';

/** Apply IPsec/IKE policy: which of the device's proposals is pinned, and the policy that pins it. */
describe('the proposal to pin', () => {
  it("is the device's strongest strong proposal (oslo: GCMAES256/SHA384/ECP384 over AES128/SHA256/ECP256)", () => {
    const oslo = [
      { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'ECP256' },
      { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' },
    ];
    expect(proposalToPin(oslo)).toEqual({ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' });
  });

  it('is never a weak one: a device offering only 3DES, SHA1, MD5 or DH groups 1, 2, 5 gets no button', () => {
    expect(proposalToPin([{ encryption: 'DES3', integrity: 'SHA256', dhGroup: 'DHGroup14' }, { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup14' }, { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' }, { encryption: 'AES256', integrity: 'MD5', dhGroup: 'ECP384' }])).toBeUndefined();
  });

  it("skips what Azure's policy cannot express (SHA512 integrity, an unknown group)", () => {
    expect(proposalToPin([{ encryption: 'AES256', integrity: 'SHA512', dhGroup: 'ECP384' }, { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' }])).toEqual({ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' });
  });
});

describe('the custom policy', () => {
  it('pins GCM with GCM and the same group for PFS, with Azure\'s default lifetimes', () => {
    expect(customPolicyFor({ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' })).toEqual({ ikeEncryption: 'GCMAES256', ikeIntegrity: 'SHA384', dhGroup: 'ECP384', ipsecEncryption: 'GCMAES256', ipsecIntegrity: 'GCMAES256', pfsGroup: 'ECP384', saLifeTimeSeconds: 27_000, saDataSizeKilobytes: 102_400_000 });
    expect(customPolicyFor({ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup14' })).toMatchObject({ ipsecEncryption: 'GCMAES256', ipsecIntegrity: 'GCMAES256', pfsGroup: 'PFS2048' });
  });

  it('is refused for a weak proposal', () => {
    expect(customPolicyFor({ encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' })).toBeUndefined();
  });
});
