import { describe, expect, it } from 'vitest';
import { findPendingSite } from '../../../core/status/pending-site';

describe('findPendingSite: a site not in Azure whose outbound certificate waits in Key Vault', () => {
  const fleet = [
    { site: 'site-london', certificateName: 'outbound-site-london' },
    { site: 'site-paris', certificateName: 'outbound-site-paris' },
  ];
  const vault = { vaultName: 'kv-vpn-certs', certificateNames: ['outbound-site-london', 'outbound-site-paris', 'outbound-site-rome', 'gateway-root-ca'] };

  it('names the site from the certificate, by the prefix the fleet uses, for its full or short name', () => {
    const rome = { site: 'site-rome', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-rome' };
    expect(findPendingSite('site-rome', fleet, [vault])).toEqual(rome);
    expect(findPendingSite('ROME', fleet, [vault])).toEqual(rome);
  });

  it('ignores certificates the fleet already uses and names that do not follow its convention', () => {
    expect(findPendingSite('site-paris', fleet, [vault])).toBeUndefined();
    expect(findPendingSite('root-ca', fleet, [vault])).toBeUndefined();
    expect(findPendingSite('tokyo', fleet, [vault])).toBeUndefined();
  });

  it('learns nothing without a convention, and says nothing when several certificates would fit', () => {
    expect(findPendingSite('site-rome', [{ site: 'site-paris', certificateName: 'vpn-out-1' }], [vault])).toBeUndefined();
    expect(findPendingSite('site-rome', [{ site: 'site-paris' }], [vault])).toBeUndefined();
    const two = { vaultName: 'kv-eu', certificateNames: ['outbound-dc-rome'] };
    expect(findPendingSite('rome', fleet, [vault, two])).toBeUndefined();
    expect(findPendingSite('dc-rome', fleet, [vault, two])).toEqual({ site: 'dc-rome', vaultName: 'kv-eu', certificateName: 'outbound-dc-rome' });
  });
});
