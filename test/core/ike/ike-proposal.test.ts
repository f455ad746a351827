import { describe, expect, it } from 'vitest';
import {
  AZURE_DEFAULT_IKE_PROPOSALS,
  commonProposals,
  formatAzureLogPolicy,
  formatIkeProposal,
  normalizeDhGroup,
  normalizeEncryption,
  normalizeIntegrity,
  parseAzureLogPolicies,
  parseCharonProposals,
  sameProposal,
} from '../../../core/ike/ike-proposal';
import { cidrToRange, formatAzureTrafficSelectors, parseAzureTrafficSelectors, parseCharonTrafficSelectors, rangeToCidr, rangeWithin } from '../../../core/ike/traffic-selectors';

describe('IKE proposals', () => {
  it("normalises Azure's, charon's and people's spellings to Azure's policy names", () => {
    expect(['AES-CBC-256', 'AES_CBC_256', 'aes256', 'AES256'].map(normalizeEncryption)).toEqual(['AES256', 'AES256', 'AES256', 'AES256']);
    expect(['AES_GCM_16_256', 'AES-GCM-256', 'GCMAES256', 'aes128gcm16'].map(normalizeEncryption)).toEqual(['GCMAES256', 'GCMAES256', 'GCMAES256', 'GCMAES128']);
    expect(['3DES', '3DES_CBC', 'DES3', 'DES'].map(normalizeEncryption)).toEqual(['DES3', 'DES3', 'DES3', 'DES']);
    expect(['SHA1', 'HMAC_SHA1_96', 'sha', 'HMAC_SHA2_256_128', 'PRF_HMAC_SHA2_384', 'SHA256', 'Md5'].map(normalizeIntegrity)).toEqual(['SHA1', 'SHA1', 'SHA1', 'SHA256', 'SHA384', 'SHA256', 'MD5']);
    expect(['DhGroup2', 'MODP_1024', 'modp2048', 'DHGroup2048', 'DHGroup14', 'MODP_2048_256', 'ECP_384', 'ecp256', 'PFS24', 'None'].map(normalizeDhGroup)).toEqual([
      'DHGroup2',
      'DHGroup2',
      'DHGroup14',
      'DHGroup14',
      'DHGroup14',
      'DHGroup24',
      'ECP384',
      'ECP256',
      'DHGroup24',
      'None',
    ]);
    expect(normalizeEncryption('SERPENT_CBC_256')).toBe('SERPENTCBC256');
  });

  it("formats Azure's log form and reads it back (the writer/parser loop)", () => {
    const text = AZURE_DEFAULT_IKE_PROPOSALS.map((p, i) => `Policy${i + 1}: ${formatAzureLogPolicy(p)}`).join(' ');
    expect(formatAzureLogPolicy(AZURE_DEFAULT_IKE_PROPOSALS[0]!)).toBe('Cipher=AES-CBC-256 Integrity=SHA1 DhGroup=DhGroup2');
    expect(parseAzureLogPolicies(text)).toEqual(AZURE_DEFAULT_IKE_PROPOSALS);
    const gcm = { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' };
    expect(parseAzureLogPolicies(`Policy1: ${formatAzureLogPolicy(gcm)}`)).toEqual([gcm]);
  });

  it("reads charon's proposal lists, with the PRF standing in for AEAD integrity", () => {
    expect(parseCharonProposals('IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384')).toEqual({
      phase: 'ike',
      proposals: [
        { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'DHGroup2' },
        { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' },
      ],
    });
    expect(parseCharonProposals('ESP:AES_GCM_16_256/NO_EXT_SEQ')).toEqual({ phase: 'ipsec', proposals: [{ encryption: 'GCMAES256', integrity: 'GCMAES256', dhGroup: 'None' }] });
  });

  it('finds the proposals both sides accept', () => {
    const device = [{ encryption: 'aes256', integrity: 'sha256', dhGroup: 'modp1024' }];
    expect(commonProposals(AZURE_DEFAULT_IKE_PROPOSALS, device)).toEqual([{ encryption: 'AES256', integrity: 'SHA256', dhGroup: 'DHGroup2' }]);
    expect(commonProposals(AZURE_DEFAULT_IKE_PROPOSALS, [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }])).toEqual([]);
    expect(sameProposal({ encryption: 'AES-CBC-128', integrity: 'SHA1', dhGroup: 'DhGroup2' }, { encryption: 'AES_CBC_128', integrity: 'HMAC_SHA1_96', dhGroup: 'MODP_1024' })).toBe(true);
    expect(formatIkeProposal({ encryption: 'aes-cbc-256', integrity: 'sha256', dhGroup: 'dhgroup14' })).toBe('AES256/SHA256/DHGroup14');
  });
});

describe('traffic selectors', () => {
  it('converts between prefixes and ranges', () => {
    expect(cidrToRange('10.20.0.0/16')).toEqual({ start: '10.20.0.0', end: '10.20.255.255', cidr: '10.20.0.0/16' });
    expect(cidrToRange('10.20.3.4/16')?.cidr).toBe('10.20.0.0/16');
    expect(cidrToRange('0.0.0.0/0')).toEqual({ start: '0.0.0.0', end: '255.255.255.255', cidr: '0.0.0.0/0' });
    expect(cidrToRange('300.1.1.1/8')).toBeUndefined();
    expect(rangeToCidr('192.168.100.0', '192.168.100.255')).toBe('192.168.100.0/24');
    expect(rangeToCidr('10.0.0.1', '10.0.0.5')).toBeUndefined();
    expect(rangeWithin(cidrToRange('10.1.2.0/24')!, cidrToRange('10.1.0.0/16')!)).toBe(true);
    expect(rangeWithin(cidrToRange('10.2.0.0/16')!, cidrToRange('10.1.0.0/16')!)).toBe(false);
  });

  it("writes Azure's selector form and reads it back", () => {
    const text = `Received Traffic Selector payload request- [Tsid 0x1  ]Number of TSIs 2: ${formatAzureTrafficSelectors(['10.1.0.0/16', '10.2.0.0/24'])} Number of TSRs 1:${formatAzureTrafficSelectors(['0.0.0.0/0'])}`;
    const ts = parseAzureTrafficSelectors(text);
    expect(ts?.tsi.map((r) => r.cidr)).toEqual(['10.1.0.0/16', '10.2.0.0/24']);
    expect(ts?.tsr.map((r) => r.cidr)).toEqual(['0.0.0.0/0']);
  });

  it("reads charon's selectors with lists, ports and ranges", () => {
    const ts = parseCharonTrafficSelectors('CHILD_SA net{1} established with SPIs a_i b_o and TS 10.1.0.0/24 10.3.0.0/24[tcp/443] === 10.2.0.5..10.2.0.9');
    expect(ts?.local.map((r) => r.cidr)).toEqual(['10.1.0.0/24', '10.3.0.0/24']);
    expect(ts?.remote).toEqual([{ start: '10.2.0.5', end: '10.2.0.9' }]);
  });
});
