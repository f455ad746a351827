import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { CryptographyClient } from '@azure/keyvault-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutboundCertificate, parseCertificate, EKU } from '../../../../core/pki';
import { issueCertificate, toPemBundle, toPkcs12 } from '../../../../local/pki/cert-factory';
import { signCsr } from '../../../../local/pki/csr';
import { keyMatchesCertificate, readPkcs12 } from '../../../../local/pki/pkcs12';
import { principals, restError, startKeyVaultFixture, TENANT, VAULT, type KeyVaultFixture } from './key-vault-fixture';

function rawRequest(fx: KeyVaultFixture, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fx.listener.url}${path}`, { ca: fx.caPem, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('simulated Key Vault through the real SDK clients', () => {
  let fx: KeyVaultFixture;
  beforeAll(async () => {
    fx = await startKeyVaultFixture({ pageSize: 3 });
  });
  afterAll(async () => {
    await fx.close();
  });

  describe('challenge authentication', () => {
    it('answers a request without a token with the 401 challenge the SDK expects', async () => {
      const res = await rawRequest(fx, '/certificates?api-version=2025-07-01');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'Unauthorized' } });
    });

    it('refuses a token minted for another audience', async () => {
      const { token } = await fx.clients('operator').credential.getToken('https://management.azure.com/.default');
      const res = await rawRequest(fx, '/certificates?api-version=2025-07-01', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.body).toMatch(/Invalid audience/);
    });

    it('lets the SDK follow the challenge and read the principal from the token', async () => {
      const names: string[] = [];
      for await (const p of fx.clients('certReader').certificates.listPropertiesOfCertificates()) names.push(p.name ?? '');
      expect(Array.isArray(names)).toBe(true);
    });

    it('answers routes it does not model loudly, in Key Vault\'s error shape', async () => {
      const { token } = await fx.clients('operator').credential.getToken('https://vault.azure.net/.default');
      const res = await rawRequest(fx, '/storage?api-version=2025-07-01', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'BadParameter', message: expect.stringMatching(/does not model GET \/storage/) } });
    });
  });

  describe('import', () => {
    it('imports a PFX with its password; the secret is a PFX with the key; the gateway can read it', async () => {
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=london-out.contoso.example' });
      const { certificates, secrets } = fx.clients('operator');
      const imported = await certificates.importCertificate('london-out', toPkcs12(leaf, [fx.externalCa], 'Pa55word!'), { password: 'Pa55word!', tags: { site: 'london' } });
      expect(imported.properties.version).toMatch(/^[0-9a-f]{32}$/);
      expect(imported.properties.tags).toEqual({ site: 'london' });
      expect(imported.properties.id).toBe(`${fx.listener.url}/certificates/london-out/${imported.properties.version}`);
      expect(parseCertificate(imported.cer!).thumbprint).toBe(leaf.info.thumbprint);
      expect(Buffer.from(imported.properties.x509Thumbprint!).toString('hex').toUpperCase()).toBe(leaf.info.thumbprint);
      expect(imported.policy?.contentType).toBe('application/x-pkcs12');
      expect(imported.policy?.subject).toBe('CN=london-out.contoso.example');

      const secret = await secrets.getSecret('london-out', { version: imported.properties.version! });
      expect(secret.properties.contentType).toBe('application/x-pkcs12');
      const pfx = readPkcs12(new Uint8Array(Buffer.from(secret.value!, 'base64')), null);
      expect(keyMatchesCertificate(pfx.privateKeyPem!, leaf.der)).toBe(true);

      const read = fx.store.readAsGateway(principals.gateway.objectId, imported.properties.id!, new Date());
      expect(read.ok && read.certificates.map((der) => parseCertificate(der).subject)).toEqual(['CN=london-out.contoso.example', 'CN=Contoso Issuing CA, O=Contoso']);
      expect(read.ok && keyMatchesCertificate(read.privateKeyPem!, leaf.der)).toBe(true);
    });

    it('imports PEM (certificate + key) and serves the secret as PEM', async () => {
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=paris-out.contoso.example' });
      const { certificates, secrets } = fx.clients('operator');
      const imported = await certificates.importCertificate('paris-out', new TextEncoder().encode(toPemBundle(leaf)), { policy: { contentType: 'application/x-pem-file', issuerName: 'Unknown' } });
      const secret = await secrets.getSecret('paris-out');
      expect(secret.properties.contentType).toBe('application/x-pem-file');
      expect(secret.value).toContain('-----BEGIN PRIVATE KEY-----');
      expect(parseCertificate(secret.value!.slice(secret.value!.indexOf('-----BEGIN CERTIFICATE-----'))).thumbprint).toBe(leaf.info.thumbprint);
      expect(imported.policy?.contentType).toBe('application/x-pem-file');
    });

    it('refuses a wrong PFX password and a PEM without key with BadParameter', async () => {
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=bad-import' });
      const { certificates } = fx.clients('operator');
      const wrong = await restError(certificates.importCertificate('bad-import', toPkcs12(leaf, [], 'right'), { password: 'wrong' }));
      expect(wrong.statusCode).toBe(400);
      expect(wrong.code).toBe('BadParameter');
      const noKey = await restError(certificates.importCertificate('bad-import', new TextEncoder().encode(leaf.pem), { policy: { contentType: 'application/x-pem-file' } }));
      expect(noKey.message).toMatch(/Private key is not specified/);
    });
  });

  describe('versions and listing', () => {
    it('lists versions of a certificate and gets each by version', async () => {
      const { certificates } = fx.clients('operator');
      const first = await issueCertificate(fx.externalCa, { subject: 'CN=rome-out' });
      const second = await issueCertificate(fx.externalCa, { subject: 'CN=rome-out' });
      const v1 = await certificates.importCertificate('rome-out', toPkcs12(first, [], 'x'), { password: 'x' });
      const v2 = await certificates.importCertificate('rome-out', toPkcs12(second, [], 'x'), { password: 'x' });
      const versions: string[] = [];
      for await (const p of certificates.listPropertiesOfCertificateVersions('rome-out')) versions.push(p.version!);
      expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());
      const got = await certificates.getCertificateVersion('rome-out', v1.properties.version!);
      expect(parseCertificate(got.cer!).thumbprint).toBe(first.info.thumbprint);
      const latest = await certificates.getCertificate('rome-out');
      expect(latest.properties.version).toBe(v2.properties.version);
      expect(fx.store.certificateIdFor(VAULT, 'rome-out')).toBe(latest.properties.id);
    });

    it('pages certificate lists with nextLink', async () => {
      const { certificates } = fx.clients('operator');
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=paged' });
      const pfx = toPkcs12(leaf, [], 'p');
      for (let i = 0; i < 7; i++) await certificates.importCertificate(`paged-${i}`, pfx, { password: 'p' });
      const pages: string[][] = [];
      for await (const p of certificates.listPropertiesOfCertificates().byPage()) pages.push(p.map((c) => c.name!));
      expect(pages.length).toBeGreaterThanOrEqual(4);
      expect(pages.every((p) => p.length <= 3)).toBe(true);
      const all = pages.flat();
      expect(all.filter((n) => n.startsWith('paged-')).sort()).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5', 'paged-6']);
      expect(new Set(all).size).toBe(all.length);
    });

    it('disables a version and replaces its tags; the gateway then cannot use it', async () => {
      const { certificates, secrets } = fx.clients('operator');
      const leaf = await issueCertificate(fx.externalCa, { subject: 'CN=oslo-out' });
      const imported = await certificates.importCertificate('oslo-out', toPkcs12(leaf, [], 'p'), { password: 'p', tags: { a: '1' } });
      const updated = await certificates.updateCertificateProperties('oslo-out', imported.properties.version!, { enabled: false, tags: { state: 'retired' } });
      expect(updated.properties.enabled).toBe(false);
      expect(updated.properties.tags).toEqual({ state: 'retired' });
      expect(fx.store.readAsGateway(principals.gateway.objectId, imported.properties.id!, new Date())).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultSecretNotFound' });
      const disabled = await restError(secrets.getSecret('oslo-out'));
      expect(disabled.statusCode).toBe(403);
    });
  });

  describe('create with a policy', () => {
    it('Self issuer: a new RSA key and a self-signed certificate with the policy\'s EKUs, subject and lifetime', async () => {
      const { certificates, secrets } = fx.clients('operator');
      const poller = await certificates.beginCreateCertificate(
        'self-out',
        { issuerName: 'Self', subject: 'CN=self-out.contoso.example', keyType: 'RSA', keySize: 3072, exportable: true, enhancedKeyUsage: [EKU.serverAuth, EKU.clientAuth], validityInMonths: 6, contentType: 'application/x-pkcs12' },
        { intervalInMs: 20 },
      );
      const cert = await poller.pollUntilDone();
      const info = parseCertificate(cert.cer!);
      expect(info).toMatchObject({ subject: 'CN=self-out.contoso.example', issuer: 'CN=self-out.contoso.example', publicKey: { algorithm: 'RSA', bits: 3072 }, extendedKeyUsages: [EKU.serverAuth, EKU.clientAuth] });
      expect(new X509Certificate(cert.cer!).verify(new X509Certificate(cert.cer!).publicKey)).toBe(true);
      const months = (info.notAfter.getTime() - info.notBefore.getTime()) / (30.44 * 24 * 3600 * 1000);
      expect(Math.round(months)).toBe(6);
      expect(checkOutboundCertificate(info, new Date(), { hasPrivateKey: true })).toEqual([]);
      const secret = await secrets.getSecret('self-out');
      expect(keyMatchesCertificate(readPkcs12(new Uint8Array(Buffer.from(secret.value!, 'base64')), null).privateKeyPem!, cert.cer!)).toBe(true);
    });

    it('refuses key sizes Key Vault does not offer', async () => {
      const { certificates } = fx.clients('operator');
      const error = await restError(certificates.beginCreateCertificate('weak-out', { issuerName: 'Self', subject: 'CN=weak', keySize: 1024 }));
      expect(error.statusCode).toBe(400);
      expect(error.message).toMatch(/Invalid key size 1024/);
    });

    it('Unknown issuer: a pending operation with a real CSR, signed outside and merged with its chain', async () => {
      const { certificates } = fx.clients('operator');
      const created = await certificates.beginCreateCertificate('madrid-out', { issuerName: 'Unknown', subject: 'CN=madrid-out.contoso.example, O=Contoso', keySize: 2048, enhancedKeyUsage: [EKU.serverAuth, EKU.clientAuth] }, { intervalInMs: 20 });
      expect(created.isDone()).toBe(false);
      const operationPoller = await certificates.getCertificateOperation('madrid-out', { intervalInMs: 20 });
      const operation = operationPoller.getOperationState().certificateOperation!;
      expect(operation.status).toBe('inProgress');
      expect(operation.issuerName).toBe('Unknown');
      const pendingBundle = await certificates.getCertificate('madrid-out');
      expect(pendingBundle.properties.enabled).toBe(false);
      expect(pendingBundle.cer).toBeUndefined();

      const signed = signCsr(fx.externalCa, operation.csr!);
      expect(signed.info.extendedKeyUsages).toEqual([EKU.serverAuth, EKU.clientAuth]);
      const merged = await certificates.mergeCertificate('madrid-out', [signed.der, fx.externalCa.der]);
      expect(merged.properties.enabled).toBe(true);
      expect(parseCertificate(merged.cer!).thumbprint).toBe(signed.info.thumbprint);
      const done = await certificates.getCertificateOperation('madrid-out');
      expect(done.getOperationState().certificateOperation?.status).toBe('completed');
      const read = fx.store.readAsGateway(principals.gateway.objectId, merged.properties.id!, new Date());
      expect(read).toMatchObject({ ok: true, privateKeyPem: expect.stringContaining('PRIVATE KEY') });
      expect(read.ok && read.certificates.slice(1).map((der) => parseCertificate(der).thumbprint)).toEqual([fx.externalCa.info.thumbprint]);
    });

    it('refuses to merge a certificate for another key, and a second create while one is pending', async () => {
      const { certificates } = fx.clients('operator');
      await certificates.beginCreateCertificate('berlin-out', { issuerName: 'Unknown', subject: 'CN=berlin-out' }, { intervalInMs: 20 });
      const conflict = await restError(certificates.beginCreateCertificate('berlin-out', { issuerName: 'Unknown', subject: 'CN=berlin-out' }));
      expect(conflict.statusCode).toBe(409);
      const stranger = await issueCertificate(fx.externalCa, { subject: 'CN=berlin-out' });
      const mismatch = await restError(certificates.mergeCertificate('berlin-out', [stranger.der]));
      expect(mismatch.statusCode).toBe(400);
      expect(mismatch.message).toMatch(/doesn't match/);
    });

    it('cancels and deletes pending operations', async () => {
      const { certificates } = fx.clients('operator');
      await certificates.beginCreateCertificate('vienna-out', { issuerName: 'Unknown', subject: 'CN=vienna-out' }, { intervalInMs: 20 });
      const poller = await certificates.getCertificateOperation('vienna-out', { intervalInMs: 20 });
      await poller.cancelOperation();
      expect(poller.getOperationState().certificateOperation?.status).toBe('cancelled');
      const deleted = await certificates.deleteCertificateOperation('vienna-out');
      expect(deleted.status).toBe('cancelled');
      const gone = await restError(certificates.getCertificate('vienna-out'));
      expect(gone.code).toBe('CertificateNotFound');
    });
  });

  describe('policy', () => {
    it('gets and updates a certificate policy', async () => {
      const { certificates } = fx.clients('operator');
      const policy = await certificates.getCertificatePolicy('self-out');
      expect(policy).toMatchObject({ issuerName: 'Self', subject: 'CN=self-out.contoso.example', keySize: 3072, validityInMonths: 6 });
      await certificates.updateCertificatePolicy('self-out', { ...policy, validityInMonths: 3 } as typeof policy);
      expect((await certificates.getCertificatePolicy('self-out')).validityInMonths).toBe(3);
    });
  });

  describe('keys', () => {
    it('gets the certificate\'s key and signs an RS256 digest that the certificate verifies', async () => {
      const { keys, credential, certificates } = fx.clients('operator');
      const cert = await certificates.getCertificate('self-out');
      const key = await keys.getKey('self-out');
      expect(key.keyType).toBe('RSA');
      const data = Buffer.from('IKE_AUTH octets');
      const digest = createHash('sha256').update(data).digest();
      const crypto = new CryptographyClient(key.id!, credential, { tlsOptions: { ca: fx.caPem }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
      const { result } = await crypto.sign('RS256', digest);
      expect(verify('sha256', data, createPublicKey(new X509Certificate(cert.cer!).publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(result))).toBe(true);
    });
  });

  describe('access policies', () => {
    it('a principal without an access policy gets 403 Forbidden / AccessDenied', async () => {
      const error = await restError(fx.clients('outsider').certificates.getCertificate('london-out'));
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Forbidden');
      expect(error.message).toMatch(/does not have certificates get permission on key vault 'kv-vpn-certs/);
      expect(JSON.stringify(error.details)).toMatch(/AccessDenied/);
    });

    it('reading certificates does not grant reading their secrets', async () => {
      const { certificates, secrets } = fx.clients('certReader');
      expect((await certificates.getCertificate('london-out')).name).toBe('london-out');
      const error = await restError(secrets.getSecret('london-out'));
      expect(error.statusCode).toBe(403);
      expect(error.message).toMatch(/secrets get permission/);
      expect(fx.store.readAsGateway(principals.certReader.objectId, fx.store.certificateIdFor(VAULT, 'london-out'), new Date())).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultInaccessibleKeyvault' });
    });

    it('an access policy change takes effect on the next request', async () => {
      const { certificates } = fx.clients('outsider');
      fx.store.setAccessPolicy(VAULT, { objectId: principals.outsider.objectId, certificates: ['get'], secrets: [], keys: [] });
      expect((await certificates.getCertificate('london-out')).name).toBe('london-out');
      fx.store.removeAccessPolicy(VAULT, principals.outsider.objectId);
      expect((await restError(certificates.getCertificate('london-out'))).statusCode).toBe(403);
    });
  });

  describe("readAsGateway (the gateway's view)", () => {
    it('resolves versioned, versionless, public-form and unknown identifiers', () => {
      const id = fx.store.certificateIdFor(VAULT, 'london-out');
      const version = id.split('/').pop()!;
      const read = (identifier: string) => fx.store.readAsGateway(principals.gateway.objectId, identifier, new Date());
      expect(read(`${fx.listener.url}/certificates/london-out`)).toMatchObject({ ok: true });
      expect(read(`https://${VAULT}.vault.azure.net/certificates/london-out/${version}`)).toMatchObject({ ok: true });
      expect(read('https://other-vault.vault.azure.net/certificates/london-out/abc')).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultNameResolutionFailure' });
      expect(read(`${fx.listener.url}/certificates/nope/${version}`)).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultSecretNotFound' });
    });
  });
});
