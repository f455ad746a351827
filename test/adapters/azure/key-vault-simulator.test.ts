import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createKeyVaultAdapter, type KeyVaultAdapter } from '../../../adapters/azure/key-vault';
import { isUserError, type UserError } from '../../../core/errors/user-error';
import { checkOutboundCertificate, daysUntilExpiry } from '../../../core/pki';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { checkOutboundCertificate as checkAsAzure } from '../../../local/simulator/azure-rules/outbound-certificate';
import { startTestSimulator } from '../../local/simulator/simulator-fixture';

async function userError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

/** The adapter against the full Azure simulator: the sandbox estate's vault, its access policies, and injected faults. */
describe('Key Vault adapter against the Azure simulator (sandbox estate)', () => {
  let sim: AzureSimulator;
  let bot: KeyVaultAdapter;
  let vaultUrl: string;
  beforeAll(async () => {
    sim = await startTestSimulator();
    bot = createKeyVaultAdapter(sim.settingsFor('bot'), { pollIntervalMs: 10 });
    vaultUrl = sim.estateInfo.vaults.find((v) => v.name === 'kv-vpn-certs')!.url;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('reads the estate\'s outbound certificates: london healthy, paris about to expire', async () => {
    const now = sim.clock.now();
    const london = await bot.getLatestEnabledVersion(vaultUrl, 'outbound-site-london');
    const paris = await bot.getLatestEnabledVersion(vaultUrl, 'outbound-site-paris');
    expect(daysUntilExpiry(london!.certificate, now)).toBeGreaterThan(250);
    expect(checkOutboundCertificate(london!.certificate, now, { hasPrivateKey: true })).toEqual([]);
    expect(daysUntilExpiry(paris!.certificate, now)).toBeLessThanOrEqual(10);
    expect(checkOutboundCertificate(paris!.certificate, now).map((v) => v.code)).toEqual(['OutboundCertificateExpiresSoon']);
  });

  it('rotates: a new Self-issued version that the gateway identity can read', async () => {
    const current = await bot.getPolicy(vaultUrl, 'outbound-site-paris');
    const rotated = await bot.createCertificateVersion(vaultUrl, 'outbound-site-paris', { ...current, subject: current.subject || 'CN=azure-paris.contoso.example', validityInMonths: 12 });
    expect(rotated.certificate.notAfter.getTime()).toBeGreaterThan(sim.clock.now().getTime() + 300 * 24 * 3600 * 1000);
    const gatewayIdentity = sim.estateInfo.identities.find((i) => i.name === 'id-vpngw-kv')!;
    const read = sim.vaults.readAsGateway(gatewayIdentity.principalId, rotated.id, sim.clock.now());
    expect(read).toMatchObject({ ok: true, privateKeyPem: expect.stringContaining('PRIVATE KEY') });
    // Self-issued means leaf-only: the gateway would refuse it as an outbound certificate (no chain up to a root).
    expect(checkAsAzure(read, sim.clock.now())).toMatchObject({ ok: false, code: 'VpnConnectionOutBoundAuthenticationCertificateChainFault' });
  });

  it('a reader may read but not import, and is told which permission is missing', async () => {
    const reader = createKeyVaultAdapter(sim.settingsFor('reader'));
    expect((await reader.getCertificate({ vaultUrl, name: 'outbound-site-london' })).name).toBe('outbound-site-london');
    const error = await userError(reader.importCertificate(vaultUrl, 'x', { pem: 'not used' }));
    expect(error.code).toBe('AzureForbidden');
    expect(error.safeMessage).toMatch(/\(it lacks certificates import\)\.$/);
  });

  it('throttling and outages surface as typed, retry-aware errors after the SDK\'s retries', async () => {
    const throttled = sim.faults.add({ match: { service: 'keyvault', pathContains: '/certificates/outbound-site-london' }, respond: { status: 429, retryAfterSeconds: 0 }, times: 10 });
    const error = await userError(bot.getCertificate({ vaultUrl, name: 'outbound-site-london' }));
    throttled.remove();
    expect(error.code).toBe('AzureThrottled');
    expect(isAzureError(error) && error.retryAfterSeconds).toBe(0);
    expect(throttled.hits).toBe(3);

    const down = sim.faults.add({ match: { service: 'keyvault' }, respond: { status: 503 }, times: 10 });
    const unavailable = await userError(bot.listCertificateVersions(vaultUrl, 'outbound-site-london'));
    down.remove();
    expect(unavailable.code).toBe('AzureUnavailable');
    expect(unavailable.safeMessage).toMatch(/had a service error while trying to list the versions of certificate 'outbound-site-london'/);
  });
});
