import { describe, expect, it } from 'vitest';
import { readKeyVaultCertificateEvent, wantsAlert } from '../../activities/expiry-alerts';

describe('Key Vault events from Event Grid', () => {
  const event = {
    id: '0c5e9f3a-1b2c-4d5e-8f90-123456789abc',
    topic: '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg-hub-network/providers/Microsoft.KeyVault/vaults/kv-vpn-certs',
    subject: 'outbound-site-paris',
    eventType: 'Microsoft.KeyVault.CertificateNearExpiry',
    eventTime: '2026-12-05T08:00:00Z',
    data: { Id: 'https://kv-vpn-certs.vault.azure.net/certificates/outbound-site-paris/28bd7aad', VaultName: 'kv-vpn-certs', ObjectType: 'Certificate', ObjectName: 'outbound-site-paris', Version: '28bd7aad', NBF: 1733000000, EXP: 1765800000 },
    dataVersion: '1',
    metadataVersion: '1',
  };

  it('reads the certificate, version and expiry of a near-expiry or expiry event (PascalCase or camelCase data)', () => {
    expect(readKeyVaultCertificateEvent(event)).toEqual({ id: event.id, eventType: 'Microsoft.KeyVault.CertificateNearExpiry', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', version: '28bd7aad', exp: 1765800000 });
    expect(readKeyVaultCertificateEvent({ ...event, eventType: 'Microsoft.KeyVault.CertificateExpired', data: { vaultName: 'kv-vpn-certs', objectType: 'Certificate', objectName: 'outbound-site-paris' } })).toMatchObject({ eventType: 'Microsoft.KeyVault.CertificateExpired', certificateName: 'outbound-site-paris' });
  });

  it('ignores other events, other objects and malformed names', () => {
    expect(readKeyVaultCertificateEvent({ ...event, eventType: 'Microsoft.KeyVault.CertificateNewVersionCreated' })).toBeUndefined();
    expect(readKeyVaultCertificateEvent({ ...event, data: { ...event.data, ObjectType: 'Secret' } })).toBeUndefined();
    expect(readKeyVaultCertificateEvent({ ...event, data: { ...event.data, ObjectName: '../etc/passwd' } })).toBeUndefined();
    expect(readKeyVaultCertificateEvent('not an event')).toBeUndefined();
  });
});

describe('who hears of a Key Vault event', () => {
  const now = new Date('2026-12-05T08:00:00Z');
  const inDays = (d: number) => Math.floor(now.getTime() / 1000) + d * 86_400;
  const nearExpiry = (exp?: number) => ({ id: 'e', eventType: 'Microsoft.KeyVault.CertificateNearExpiry' as const, vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-paris', ...(exp === undefined ? {} : { exp }) });

  it('a near-expiry reaches the conversations whose threshold the certificate is within, not a --days 7 channel 10 days ahead', () => {
    expect(wantsAlert(30, nearExpiry(inDays(10)), now)).toBe(true);
    expect(wantsAlert(10, nearExpiry(inDays(10)), now)).toBe(true);
    expect(wantsAlert(7, nearExpiry(inDays(10)), now)).toBe(false);
  });

  it('an expiry, or an event without its expiry date, reaches every subscribed conversation', () => {
    expect(wantsAlert(7, { ...nearExpiry(inDays(-1)), eventType: 'Microsoft.KeyVault.CertificateExpired' }, now)).toBe(true);
    expect(wantsAlert(7, nearExpiry(), now)).toBe(true);
  });
});
