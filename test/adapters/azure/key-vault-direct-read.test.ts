import { CertificateClient } from '@azure/keyvault-certificates';
import type { TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClientOptions } from '../../../adapters/azure/azure-settings';
import { createKeyVaultAdapter } from '../../../adapters/azure/key-vault';
import { createDirectVersionReader } from '../../../adapters/azure/key-vault-direct-read';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { startTestSimulator } from '../../local/simulator/simulator-fixture';

/** Listing a certificate's versions: one plain GET when Key Vault answers plainly, the SDK for everything else. */
describe("Key Vault adapter: a certificate's versions", () => {
  let sim: AzureSimulator;
  let vaultUrl: string;
  const name = 'outbound-site-london';
  /** The adapters' settings as the app gets them: the simulator's vaults named by their addresses (AZURE_SIMULATOR_KEY_VAULTS). */
  const appSettings = (principal = 'bot') => ({ ...sim.settingsFor(principal), keyVaultNames: Object.fromEntries(sim.estateInfo.vaults.map((v) => [new URL(v.url).origin.toLowerCase(), v.name])) });
  const versionReads = () => sim.stats.calls().filter((c) => c.service === 'keyvault' && c.method === 'GET' && c.path === `/certificates/${name}/versions`);

  beforeAll(async () => {
    sim = await startTestSimulator();
    vaultUrl = sim.estateInfo.vaults.find((v) => v.name === 'kv-vpn-certs')!.url;
    // A second version, disabled and tagged, so the listing has more than one shape to carry.
    const writer = createKeyVaultAdapter(sim.settingsFor('bot'), { pollIntervalMs: 10 });
    const policy = await writer.getPolicy(vaultUrl, name);
    const added = await writer.createCertificateVersion(vaultUrl, name, { ...policy, subject: policy.subject || 'CN=azure-london.contoso.example' }, { tags: { 'retire-for': 'test' } });
    await writer.setEnabled(added.id, false);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('costs one Key Vault read, the first time too, and says what the SDK says about every version', async () => {
    const settings = appSettings();
    const sdk = new CertificateClient(vaultUrl, settings.credential, { ...sdkClientOptions(settings), disableChallengeResourceVerification: true });
    const expected: unknown[] = [];
    for await (const p of sdk.listPropertiesOfCertificateVersions(name)) {
      expected.push({
        id: p.id,
        version: p.version,
        enabled: p.enabled,
        createdOn: p.createdOn,
        updatedOn: p.updatedOn,
        notBefore: p.notBefore,
        expiresOn: p.expiresOn,
        tags: p.tags ?? {},
        thumbprint: Buffer.from(p.x509Thumbprint!).toString('hex').toUpperCase(),
      });
    }
    expect(expected.length).toBe(2);

    sim.stats.reset();
    const fresh = createKeyVaultAdapter(settings);
    const versions = await fresh.listCertificateVersions(vaultUrl, name);
    // The SDK's first call to a vault is its challenge (401) and then the read: two. The direct read is one.
    expect(versionReads().map((c) => c.status)).toEqual([200]);
    expect(versions.map((v) => ({ id: v.id, version: v.version, enabled: v.enabled, createdOn: v.createdOn, updatedOn: v.updatedOn, notBefore: v.notBefore, expiresOn: v.expiresOn, tags: v.tags, thumbprint: v.thumbprint }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(versions.map((v) => v.enabled)).toEqual([true, false]);
  });

  it('is read again through the SDK when Key Vault throttles it, after the wait Key Vault asks for', async () => {
    const adapter = createKeyVaultAdapter(appSettings());
    sim.stats.reset();
    const throttled = sim.faults.add({ match: { service: 'keyvault', pathContains: `/certificates/${name}/versions` }, respond: { status: 429, retryAfterSeconds: 0 }, times: 1 });
    const versions = await adapter.listCertificateVersions(vaultUrl, name);
    throttled.remove();
    expect(throttled.hits).toBe(1);
    expect(versions.length).toBe(2);
    expect(versionReads().map((c) => c.status)).toContain(200);
  });

  it('sends no token to a host that is neither a Key Vault of Azure nor a vault the settings name', async () => {
    const scopes: string[] = [];
    const settings = appSettings();
    const credential: TokenCredential = {
      getToken: async (scope, options) => {
        scopes.push(String(scope));
        // Valid for an hour of this machine's time (the simulator's clock is a test's).
        const token = await settings.credential.getToken(scope, options);
        return token && { ...token, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const reader = createDirectVersionReader({ ...settings, credential });
    expect(await reader.listVersions('https://vault.contoso.example', name, AbortSignal.timeout(5000))).toBeUndefined();
    expect(await reader.listVersions('https://kv-vpn-certs.vault.azure.net.contoso.example', name, AbortSignal.timeout(5000))).toBeUndefined();
    expect(scopes).toEqual([]);
    expect((await reader.listVersions(vaultUrl, name, AbortSignal.timeout(5000)))?.length).toBe(2);
    // The token is asked for once and kept.
    expect((await reader.listVersions(vaultUrl, name, AbortSignal.timeout(5000)))?.length).toBe(2);
    expect(scopes).toEqual(['https://vault.azure.net/.default']);
  });
});
