import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError, type UserError } from '../../../core/errors/user-error';
import { checkOutboundCertificate, EKU } from '../../../core/pki';
import type { AzureSettings } from '../../../adapters/azure/azure-settings';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createKeyVaultAdapter, keyVaultCertificateId, parseKeyVaultCertificateId, type KeyVaultAdapter } from '../../../adapters/azure/key-vault';
import { LocalTokenCredential } from '../../../adapters/azure/local-token-credential';
import { issueCertificate, toPemBundle, toPkcs12 } from '../../../local/pki/cert-factory';
import { signCsr } from '../../../local/pki/csr';
import { principals, startKeyVaultFixture, VAULT, type KeyVaultFixture } from '../../local/simulator/key-vault/key-vault-fixture';

async function userError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('parseKeyVaultCertificateId', () => {
  it('splits the public form, with and without version', () => {
    expect(parseKeyVaultCertificateId('https://s2s-vault1.vault.azure.net/certificates/site-to-site/0123456789abcdef0123456789abcdef')).toEqual({
      vaultUrl: 'https://s2s-vault1.vault.azure.net',
      name: 'site-to-site',
      version: '0123456789abcdef0123456789abcdef',
    });
    expect(parseKeyVaultCertificateId('https://s2s-vault1.vault.azure.net/Certificates/site-to-site')).toEqual({ vaultUrl: 'https://s2s-vault1.vault.azure.net', name: 'site-to-site' });
  });

  it('accepts the simulator forms: a vault per port, or a path prefix', () => {
    expect(parseKeyVaultCertificateId('https://127.0.0.1:45123/certificates/vpn-out/abc')).toEqual({ vaultUrl: 'https://127.0.0.1:45123', name: 'vpn-out', version: 'abc' });
    expect(parseKeyVaultCertificateId('https://127.0.0.1:8443/kv/kv-vpn-certs/certificates/vpn-out/abc')).toEqual({ vaultUrl: 'https://127.0.0.1:8443/kv/kv-vpn-certs', name: 'vpn-out', version: 'abc' });
  });

  it('round-trips through keyVaultCertificateId', () => {
    const id = 'https://kv-vpn-certs.vault.azure.net/certificates/london-out/0a1b';
    expect(keyVaultCertificateId(parseKeyVaultCertificateId(id))).toBe(id);
  });

  it('refuses what is not a certificate identifier, with a safe reason', () => {
    for (const bad of ['', 'vault/certificates/x', 'http://v.vault.azure.net/certificates/x', 'https://v.vault.azure.net/keys/x/1', 'https://v.vault.azure.net/certificates/bad_name/1', 'https://v.vault.azure.net/certificates/x/1/extra', 'https://user:pw@v.vault.azure.net/certificates/x']) {
      expect(() => parseKeyVaultCertificateId(bad)).toThrow(expect.objectContaining({ code: 'InvalidKeyVaultCertificateId' }));
    }
  });
});

describe('Key Vault adapter through the real SDK against the simulated vault', () => {
  let fx: KeyVaultFixture;
  let kv: KeyVaultAdapter;
  let outsider: KeyVaultAdapter;
  const settingsFor = (who: keyof typeof principals): AzureSettings => ({
    credential: new LocalTokenCredential(principals[who]),
    armEndpoint: 'https://127.0.0.1:9',
    logAnalyticsEndpoint: 'https://127.0.0.1:9/v1',
    keyVaultVerifyChallengeResource: false,
    trustedCaPem: fx.caPem,
    userAgentPrefix: 'vpn-cert-chatops-test',
    retry: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  beforeAll(async () => {
    fx = await startKeyVaultFixture({ pageSize: 2 });
    kv = createKeyVaultAdapter(settingsFor('operator'), { pollIntervalMs: 20 });
    outsider = createKeyVaultAdapter(settingsFor('outsider'), { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await fx.close();
  });

  it('imports a PFX and reads it back by versioned id with its parsed certificate', async () => {
    const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=london-out.contoso.example' });
    const imported = await kv.importCertificate(fx.listener.url, 'london-out', { pfx: toPkcs12(leaf, [fx.externalCa], 'pw'), password: 'pw' }, { tags: { site: 'london' } });
    expect(imported).toMatchObject({ vaultUrl: fx.listener.url, name: 'london-out', enabled: true, tags: { site: 'london' }, thumbprint: leaf.info.thumbprint });
    expect(imported.id).toBe(`${fx.listener.url}/certificates/london-out/${imported.version}`);
    const read = await kv.getCertificate(imported.id);
    expect(read.certificate.subject).toBe('CN=london-out.contoso.example');
    expect(read.expiresOn?.getTime()).toBe(leaf.info.notAfter.getTime());
    expect(checkOutboundCertificate(read.certificate, fx.store.now(), { hasPrivateKey: true })).toEqual([]);
  });

  it('imports PEM and lists versions with enabled ones first, newest first', async () => {
    const leaves = await Promise.all([1, 2, 3].map((i) => issueCertificate(fx.externalCa, { subject: `CN=paris-out-${i}` })));
    const versions = [];
    for (const leaf of leaves) {
      versions.push(await kv.importCertificate(fx.listener.url, 'paris-out', { pem: toPemBundle(leaf) }));
      fx.advance(2000);
    }
    await kv.setEnabled(versions[2]!.id, false);
    const listed = await kv.listCertificateVersions(fx.listener.url, 'paris-out');
    expect(listed.map((v) => [v.version, v.enabled])).toEqual([
      [versions[1]!.version, true],
      [versions[0]!.version, true],
      [versions[2]!.version, false],
    ]);
    const latest = await kv.getLatestEnabledVersion(fx.listener.url, 'paris-out');
    expect(latest?.certificate.subject).toBe('CN=paris-out-2');
  });

  it('creates a new Self-issued version from a policy that meets Azure\'s outbound rules', async () => {
    const created = await kv.createCertificateVersion(fx.listener.url, 'rome-out', { subject: 'CN=rome-out.contoso.example', validityInMonths: 12, dnsNames: ['rome-out.contoso.example'] }, { tags: { rotatedBy: 'bot' } });
    expect(created.certificate).toMatchObject({ subject: 'CN=rome-out.contoso.example', publicKey: { algorithm: 'RSA', bits: 2048 }, extendedKeyUsages: [EKU.serverAuth, EKU.clientAuth], subjectAltNames: ['DNS:rome-out.contoso.example'] });
    expect(checkOutboundCertificate(created.certificate, fx.store.now(), { hasPrivateKey: true })).toEqual([]);
    expect(await kv.getPolicy(fx.listener.url, 'rome-out')).toMatchObject({ issuer: 'Self', subject: 'CN=rome-out.contoso.example', keySize: 2048, exportable: true, contentType: 'pfx' });
    const updated = await kv.updatePolicy(fx.listener.url, 'rome-out', { validityInMonths: 6, keySize: 3072 });
    expect(updated).toMatchObject({ validityInMonths: 6, keySize: 3072, issuer: 'Self' });
    const second = await kv.createCertificateVersion(fx.listener.url, 'rome-out', updated);
    expect(second.certificate.publicKey.bits).toBe(3072);
  });

  it('runs the CSR flow: request, sign outside, merge the chain as PEM text', async () => {
    const pending = await kv.beginCsrCertificate(fx.listener.url, 'madrid-out', { subject: 'CN=madrid-out.contoso.example' });
    expect(pending.status).toBe('inProgress');
    expect(pending.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect((await kv.getPendingRequest(fx.listener.url, 'madrid-out'))?.csrDer).toEqual(pending.csrDer);
    const signed = signCsr(fx.externalCa, pending.csrDer);
    const merged = await kv.mergeCertificate(fx.listener.url, 'madrid-out', signed.pem + fx.externalCa.pem);
    expect(merged.certificate.thumbprint).toBe(signed.info.thumbprint);
    expect(fx.store.readAsGateway(principals.gateway.objectId, merged.id, new Date())).toMatchObject({ ok: true, certificates: [expect.anything(), expect.anything()], privateKeyPem: expect.stringContaining('PRIVATE KEY') });
    expect(await kv.getPendingRequest(fx.listener.url, 'madrid-out')).toBeUndefined();
  });

  it('cancels a pending request', async () => {
    await kv.beginCsrCertificate(fx.listener.url, 'vienna-out', { subject: 'CN=vienna-out' });
    await kv.cancelPendingRequest(fx.listener.url, 'vienna-out');
    expect(await kv.getPendingRequest(fx.listener.url, 'vienna-out')).toBeUndefined();
  });

  describe('errors become UserErrors with safe text', () => {
    it('access denied names the vault and what to grant, never the raw Key Vault message', async () => {
      const error = await userError(outsider.getCertificate({ vaultUrl: fx.listener.url, name: 'london-out' }));
      expect(error.code).toBe('AzureForbidden');
      expect(error.safeMessage).toBe(`The bot's identity is not allowed to read certificate 'london-out' in Key Vault ${new URL(fx.listener.url).host} (it lacks certificates get).`);
      expect(isAzureError(error) && error.details).toMatchObject({ status: 403, azureCode: 'Forbidden', missingAction: 'certificates get' });
      expect(error.safeMessage).not.toMatch(/oid=|appid=/);
      expect(error.hint).toMatch(/get and list on certificates/);
    });

    it('not found, with the version asked for', async () => {
      const error = await userError(kv.getCertificate({ vaultUrl: fx.listener.url, name: 'london-out', version: 'ffffffffffffffffffffffffffffffff' }));
      expect(error.code).toBe('AzureNotFound');
      expect(error.safeMessage).toMatch(/version ffffffffffffffffffffffffffffffff was not found/);
    });

    it('a wrong PFX password is a bad request with a hint about the file', async () => {
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=bad' });
      const error = await userError(kv.importCertificate(fx.listener.url, 'bad-out', { pfx: toPkcs12(leaf, [], 'right'), password: 'wrong' }));
      expect(error).toMatchObject({ code: 'AzureBadRequest', safeMessage: expect.stringMatching(/refused to import certificate 'bad-out' \(BadParameter\)/) });
      expect(error.hint).toMatch(/password/);
    });

    it('a second request while one is pending is a conflict', async () => {
      await kv.beginCsrCertificate(fx.listener.url, 'oslo-out', { subject: 'CN=oslo-out' });
      expect((await userError(kv.beginCsrCertificate(fx.listener.url, 'oslo-out', { subject: 'CN=oslo-out' }))).code).toBe('AzureConflict');
    });

    it('a vault that does not answer is unreachable', async () => {
      const error = await userError(kv.getCertificate('https://127.0.0.1:9/certificates/london-out/abc'));
      expect(error.code).toBe('AzureUnavailable');
      expect(error.safeMessage).toMatch(/could not be reached to read certificate 'london-out'/);
    });

    it('a pending version cannot be read as a certificate', async () => {
      expect((await userError(kv.getCertificate({ vaultUrl: fx.listener.url, name: 'oslo-out' }))).code).toBe('KeyVaultCertificatePending');
    });

    it('bad names are refused before any call', async () => {
      expect((await userError(kv.listCertificateVersions(fx.listener.url, 'no spaces allowed'))).code).toBe('InvalidCertificateName');
    });
  });

  it('uses the vault for the SDK clients only through the settings (vault name in ids is the served URL)', () => {
    expect(fx.store.vaultUrl(VAULT)).toBe(fx.listener.url);
  });

  it('lists the vault\'s certificates by name, with their state', async () => {
    const listed = await kv.listCertificates(fx.listener.url);
    expect(listed.find((c) => c.name === 'london-out')).toEqual({ name: 'london-out', enabled: true });
    expect(listed.map((c) => c.name)).toEqual(expect.arrayContaining(['london-out', 'paris-out', 'rome-out']));
  });

  it('calls a vault by its name: from its Azure host, or from the settings for a vault served by address', async () => {
    expect(kv.vaultName('https://kv-vpn-certs.vault.azure.net')).toBe('kv-vpn-certs');
    expect(kv.vaultName('https://KV-Gov.vault.usgovcloudapi.net/')).toBe('kv-gov');
    expect(kv.vaultName(fx.listener.url)).toBe(new URL(fx.listener.url).host);
    const named = createKeyVaultAdapter({ ...settingsFor('outsider'), keyVaultNames: { [new URL(fx.listener.url).origin]: VAULT } });
    expect(named.vaultName(fx.listener.url)).toBe(VAULT);
    expect(named.vaultName(`${fx.listener.url}/`)).toBe(VAULT);
    // Errors name the vault too, never its loopback address.
    const denied = await userError(named.getCertificate({ vaultUrl: fx.listener.url, name: 'london-out' }));
    expect(denied.safeMessage).toContain(`in Key Vault ${VAULT}`);
    expect(denied.safeMessage).not.toContain('127.0.0.1');
  });

  it('names the endpoint where it helps: a vault that cannot be reached', async () => {
    const error = await userError(createKeyVaultAdapter({ ...settingsFor('operator'), keyVaultNames: { 'https://127.0.0.1:9': 'kv-gone' } }).getCertificate('https://127.0.0.1:9/certificates/london-out/abc'));
    expect(error.safeMessage).toBe("Key Vault kv-gone (https://127.0.0.1:9) could not be reached to read certificate 'london-out'.");
  });
});
