import { constants, createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { CertificateClient } from '@azure/keyvault-certificates';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../../adapters/azure/azure-error';
import { sdkClientOptions } from '../../../../adapters/azure/azure-settings';
import { createKeyVaultAdapter } from '../../../../adapters/azure/key-vault';
import { LocalTokenCredential } from '../../../../adapters/azure/local-token-credential';
import { toBase64Der } from '../../../../core/pki/certificate-info';
import { parseCertificate } from '../../../../core/pki/parse-certificate';
import { sandboxNames } from '../../../../local/estate/sandbox-estate';
import { azureCodeOf, startLab, type Lab } from '../lab-fixture';
import { rawRequest } from '../simulator-fixture';
import { restError } from './key-vault-fixture';
import { issueWithVaultKey } from './vault-ca';

const n = sandboxNames;
const day = 24 * 3600_000;

/**
 * Key Vault for a certificate authority whose key never leaves the vault, through the real SDK clients against the
 * full simulator: the sandbox's RBAC vault `kv-vpn-ca` (the Azure root CA, key not exportable) and the access-policy
 * vault `kv-vpn-certs` (the outbound certificates).
 */
describe('Key Vault contract (real @azure/keyvault-* clients)', () => {
  let lab: Lab;
  let caVaultUrl: string;
  let certsVaultUrl: string;
  const options = () => ({ ...sdkClientOptions(lab.sim.settingsFor('bot')), disableChallengeResourceVerification: true });
  const clients = (principal = 'bot', vaultUrl = caVaultUrl) => {
    const credential = lab.sim.settingsFor(principal).credential;
    return { credential, keys: new KeyClient(vaultUrl, credential, options()), certificates: new CertificateClient(vaultUrl, credential, options()), secrets: new SecretClient(vaultUrl, credential, options()) };
  };

  beforeAll(async () => {
    lab = await startLab();
    caVaultUrl = lab.sim.estateInfo.vaults.find((v) => v.name === n.caVault)!.url;
    certsVaultUrl = lab.sim.estateInfo.vaults.find((v) => v.name === n.keyVault)!.url;
  });
  afterAll(async () => {
    await lab.close();
  });

  describe('keys: create RSA keys, sign and verify in the vault', () => {
    it('an RBAC vault gives each identity only its roles: the bot (Crypto User) signs with the CA key but may not create keys until granted, after the propagation delay', async () => {
      const { keys } = clients();
      const denied = await restError(keys.createRsaKey('vpn-signing', { keySize: 2048 }));
      expect([denied.statusCode, denied.code]).toEqual([403, 'Forbidden']);
      expect(denied.message).toMatch(/Action: 'Microsoft\.KeyVault\/vaults\/keys\/create\/action'/);
      lab.sim.grantRole(n.principals.bot.objectId, 'Key Vault Crypto Officer', lab.sim.estateInfo.vaults.find((v) => v.name === n.caVault)!.id);
      expect((await restError(keys.createRsaKey('vpn-signing', { keySize: 2048 }))).statusCode).toBe(403);
      await lab.sim.advance(60_000);
      const created = await keys.createRsaKey('vpn-signing', { keySize: 3072, keyOps: ['sign', 'verify'] });
      expect([created.keyType, created.keyOperations, created.key?.n?.length]).toEqual(['RSA', ['sign', 'verify'], 384]);
      expect(created.id).toMatch(new RegExp(`^${caVaultUrl}/keys/vpn-signing/[0-9a-f]{32}$`));
    });

    it('signs digests with RS256 and PS256 through versioned and versionless ids; the signatures verify outside the vault and in it', async () => {
      const { keys, credential } = clients();
      const key = await keys.getKey('vpn-signing');
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(key.key!.n!).toString('base64url'), e: Buffer.from(key.key!.e!).toString('base64url') }, format: 'jwk' });
      const data = Buffer.from('to be signed by the CA');
      const digest = createHash('sha256').update(data).digest();
      for (const id of [key.id!, key.id!.replace(/\/[0-9a-f]{32}$/, '')]) {
        const crypto = new CryptographyClient(id, credential, options());
        const rs = await crypto.sign('RS256', digest);
        expect(rs.keyID).toBe(key.id);
        expect(verify('sha256', data, publicKey, Buffer.from(rs.result))).toBe(true);
        const ps = await crypto.sign('PS256', digest);
        expect(verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(ps.result))).toBe(true);
        expect((await crypto.verify('PS256', digest, ps.result)).result).toBe(true);
        expect((await crypto.verify('RS256', digest, ps.result)).result).toBe(false);
      }
    });

    it('follows the key operations the key allows: a verify-only key cannot sign (the SDK checks, and the vault refuses)', async () => {
      const { keys, credential } = clients();
      const verifyOnly = await keys.createRsaKey('verify-only', { keyOps: ['verify'] });
      await expect(new CryptographyClient(verifyOnly.id!, credential, options()).sign('RS256', createHash('sha256').update('x').digest())).rejects.toThrow(/sign/);
      const token = (await credential.getToken('https://vault.azure.net/.default'))?.token;
      const raw = await rawRequest(lab.sim, 'POST', `/keys/verify-only/${verifyOnly.properties.version}/sign?api-version=7.6`, { principal: null, baseUrl: caVaultUrl, headers: { authorization: `Bearer ${token}` }, body: { alg: 'RS256', value: createHash('sha256').update('x').digest('base64url') } });
      expect([raw.status, (raw.body as { error: { innererror?: { code: string } } }).error.innererror?.code]).toEqual([403, 'KeyOperationForbidden']);
    });

    it("the CA certificate's key signs (its policy's keyCertSign), but its secret carries no private key: the key never leaves the vault", async () => {
      const { certificates, secrets, credential } = clients();
      const ca = await certificates.getCertificate(n.caCertificate);
      expect(ca.policy?.keyUsage).toEqual(expect.arrayContaining(['keyCertSign', 'cRLSign']));
      expect(ca.policy?.exportable).toBe(false);
      const signed = await new CryptographyClient(ca.keyId!, credential, options()).signData('RS256', Buffer.from('a TBS certificate'));
      expect(verify('sha256', Buffer.from('a TBS certificate'), new X509Certificate(ca.cer!).publicKey, Buffer.from(signed.result))).toBe(true);
      // Imported as PEM: the secret is the PEM text of the certificate, without the key.
      const secret = await secrets.getSecret(n.caCertificate);
      expect(secret.value).toContain('-----BEGIN CERTIFICATE-----');
      expect(secret.value).not.toContain('PRIVATE KEY');
    });
  });

  describe('certificates for an outside CA (issuer Unknown), merged with their chain', () => {
    it("makes a CSR that carries the policy's subject, key usage, EKUs, SANs and basic constraints; the pending operation reads inProgress", async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      await certificates.beginCreateCertificate('lab-csr', { issuerName: 'Unknown', subject: 'CN=azure-lab.vpn.contoso.example, O=Contoso', keySize: 2048, enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], keyUsage: ['digitalSignature', 'keyEncipherment'], subjectAlternativeNames: { dnsNames: ['azure-lab.vpn.contoso.example'] } });
      const operation = (await certificates.getCertificateOperation('lab-csr')).getOperationState().certificateOperation!;
      expect([operation.status, operation.issuerName]).toEqual(['inProgress', 'Unknown']);
      const csr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(Buffer.from(operation.csr!).toString('binary')));
      expect(csr.verify()).toBe(true);
      expect(csr.subject.getField('CN').value).toBe('azure-lab.vpn.contoso.example');
      const extensions = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions: Record<string, unknown>[] }).extensions;
      const ext = (name: string) => extensions.find((e) => e.name === name) ?? {};
      expect(ext('keyUsage')).toMatchObject({ critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false });
      expect(ext('extKeyUsage')).toMatchObject({ serverAuth: true, clientAuth: true });
      expect(ext('subjectAltName')).toMatchObject({ altNames: [{ type: 2, value: 'azure-lab.vpn.contoso.example' }] });
      expect(ext('basicConstraints')).toMatchObject({ critical: true, cA: false });
    });

    it('is signed by the CA key in the vault and merged with the full x5c chain: the gateway then accepts it; merged leaf-only, it fails ChainFault', async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      const ca = await clients().certificates.getCertificate(n.caCertificate);
      const caSigner = new CryptographyClient(ca.keyId!, clients().credential, options());
      const issue = async (name: string) => {
        await certificates.beginCreateCertificate(name, { issuerName: 'Unknown', subject: `CN=${name}.vpn.contoso.example`, keySize: 2048, enhancedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] });
        const csr = (await certificates.getCertificateOperation(name)).getOperationState().certificateOperation!.csr!;
        return issueWithVaultKey({ csrDer: csr, caDer: ca.cer!, notBefore: lab.sim.clock.now(), notAfter: new Date(lab.sim.clock.now().getTime() + 365 * day), sign: async (tbs) => (await caSigner.signData('RS256', tbs)).result });
      };
      const full = await certificates.mergeCertificate('ca-issued-full', [await issue('ca-issued-full'), ca.cer!]);
      const leafOnly = await certificates.mergeCertificate('ca-issued-leaf', [await issue('ca-issued-leaf')]);
      expect((await certificates.getCertificateOperation('ca-issued-full')).getOperationState().certificateOperation?.status).toBe('completed');
      // The lab device trusts the lab's root: give it the vault CA (the sandbox's Azure root) as well.
      lab.sim.setDeviceTrustedRoots('site-lab', [lab.azureRoot.info, parseCertificate(ca.cer!)]);
      const apply = (id: string) => azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(n.resourceGroup, lab.connectionName, lab.connection({}, { outboundAuthCertificate: id }), { updateIntervalInMs: 1 }));
      expect(await apply(leafOnly.properties.id!)).toBe('VpnConnectionOutBoundAuthenticationCertificateChainFault');
      expect(await apply(full.properties.id!)).toBe('accepted');
      expect(lab.sim.inspectTunnels(lab.connectionId).map((t) => t.outcome?.kind)).toEqual(['connected', 'connected']);
    });

    it('cancels a pending request: the operation ends cancelled and no version remains', async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      await certificates.beginCreateCertificate('to-cancel', { issuerName: 'Unknown', subject: 'CN=to-cancel' });
      const poller = await certificates.getCertificateOperation('to-cancel');
      await poller.cancelOperation();
      expect(poller.getOperationState().certificateOperation).toMatchObject({ status: 'cancelled', cancellationRequested: true });
      expect((await restError(certificates.getCertificate('to-cancel'))).code).toBe('CertificateNotFound');
    });
  });

  describe('versions: list, disable, policy, renewal, soft delete', () => {
    beforeAll(async () => {
      // Deleting, recovering and purging are an administrator's job: give the bot that for these tests.
      lab.sim.vaults.setAccessPolicy(n.keyVault, { objectId: n.principals.bot.objectId, certificates: ['all'], secrets: ['all'], keys: [] });
      await lab.sim.advance(60_000);
    });

    it('renews a Self-issued certificate as a new version, lists both, disables one (the gateway can no longer use it) and updates the policy', async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      const policy = { issuerName: 'Self' as const, subject: 'CN=self-renewed', validityInMonths: 12 };
      const first = await (await certificates.beginCreateCertificate('self-renewed', policy, { intervalInMs: 1 })).pollUntilDone();
      const second = await (await certificates.beginCreateCertificate('self-renewed', policy, { intervalInMs: 1 })).pollUntilDone();
      expect(second.properties.version).not.toBe(first.properties.version);
      const versions: string[] = [];
      for await (const v of certificates.listPropertiesOfCertificateVersions('self-renewed')) versions.push(v.version!);
      expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
      await certificates.updateCertificateProperties('self-renewed', first.properties.version!, { enabled: false });
      expect(lab.sim.vaults.readAsGateway(n.identityPrincipalId, first.properties.id!, lab.sim.clock.now())).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultSecretNotFound' });
      expect((await certificates.getCertificateVersion('self-renewed', first.properties.version!)).properties.enabled).toBe(false);
      await certificates.updateCertificatePolicy('self-renewed', { ...policy, validityInMonths: 6 });
      expect((await certificates.getCertificatePolicy('self-renewed')).validityInMonths).toBe(6);
    });

    it('runs an AutoRenew lifetime action on the virtual clock: a new version appears when the trigger is reached', async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      const created = await (await certificates.beginCreateCertificate('auto-renewed', { issuerName: 'Self', subject: 'CN=auto-renewed', validityInMonths: 1, lifetimeActions: [{ action: 'AutoRenew', daysBeforeExpiry: 10 }] }, { intervalInMs: 1 })).pollUntilDone();
      await lab.sim.advance(15 * day);
      expect((await certificates.getCertificate('auto-renewed')).properties.version).toBe(created.properties.version);
      await lab.sim.advance(10 * day);
      const renewed = await certificates.getCertificate('auto-renewed');
      expect(renewed.properties.version).not.toBe(created.properties.version);
      expect(renewed.properties.expiresOn!.getTime()).toBeGreaterThan(created.properties.expiresOn!.getTime());
    });

    it('soft-deletes: the name stays taken until the certificate is recovered or purged; the gateway no longer finds it', async () => {
      const { certificates } = clients('bot', certsVaultUrl);
      const created = await (await certificates.beginCreateCertificate('short-lived', { issuerName: 'Self', subject: 'CN=short-lived' }, { intervalInMs: 1 })).pollUntilDone();
      await (await certificates.beginDeleteCertificate('short-lived', { intervalInMs: 1 })).pollUntilDone();
      expect((await certificates.getDeletedCertificate('short-lived')).recoveryId).toBe(`${certsVaultUrl}/deletedcertificates/short-lived`);
      expect(lab.sim.vaults.readAsGateway(n.identityPrincipalId, created.properties.id!, lab.sim.clock.now())).toMatchObject({ ok: false, code: 'VpnGatewayKeyVaultSecretNotFound' });
      const conflict = await restError(certificates.beginCreateCertificate('short-lived', { issuerName: 'Self', subject: 'CN=short-lived' }));
      expect([conflict.statusCode, conflict.code]).toEqual([409, 'Conflict']);
      const adapterError = await createKeyVaultAdapter(lab.sim.settingsFor('bot')).createCertificateVersion(certsVaultUrl, 'short-lived', { subject: 'CN=short-lived' }).catch((e: unknown) => e);
      expect(isAzureError(adapterError) && adapterError.hint).toMatch(/Recover the deleted certificate, or purge it/);
      await (await certificates.beginRecoverDeletedCertificate('short-lived', { intervalInMs: 1 })).pollUntilDone();
      expect((await certificates.getCertificate('short-lived')).properties.version).toBe(created.properties.version);
      await (await certificates.beginDeleteCertificate('short-lived', { intervalInMs: 1 })).pollUntilDone();
      await certificates.purgeDeletedCertificate('short-lived');
      expect((await (await certificates.beginCreateCertificate('short-lived', { issuerName: 'Self', subject: 'CN=short-lived' }, { intervalInMs: 1 })).pollUntilDone()).properties.version).not.toBe(created.properties.version);
    });
  });

  describe('secrets and access', () => {
    it('stores plain secrets', async () => {
      const { secrets } = clients('bot', certsVaultUrl);
      const set = await secrets.setSecret('plain', 'value-1', { contentType: 'text/plain' });
      expect((await secrets.getSecret('plain')).value).toBe('value-1');
      expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    });

    it('a write the vault holds lands even when its client gives up waiting (the vault had the whole request)', async () => {
      const { secrets } = clients('bot', certsVaultUrl);
      const held = lab.sim.faults.add({ match: { service: 'keyvault', method: 'PUT', pathContains: '/secrets/held' }, respond: { delayMs: 300 }, times: 1 });
      const gaveUp = await secrets.setSecret('held', 'value-held', { abortSignal: AbortSignal.timeout(50) }).then(() => 'answered', (e: unknown) => (e as Error).name);
      expect([gaveUp, held.hits]).toEqual(['AbortError', 1]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await secrets.getSecret('held')).value).toBe('value-held');
    });

    it('tells the product which RBAC data action is missing', async () => {
      const error = await createKeyVaultAdapter(lab.sim.settingsFor('bot')).importCertificate(caVaultUrl, 'x', { pem: 'not used' }).catch((e: unknown) => e);
      expect(isAzureError(error) && [error.kind, error.safeMessage]).toEqual(['Forbidden', expect.stringContaining('(it lacks Microsoft.KeyVault/vaults/certificates/import/action)')]);
    });

    it("answers without a token with the challenge naming the vault's tenant", async () => {
      const challenge = await rawRequest(lab.sim, 'GET', '/certificates?api-version=7.6', { principal: null, baseUrl: caVaultUrl });
      expect([challenge.status, challenge.headers['www-authenticate']]).toEqual([401, `Bearer authorization="https://login.microsoftonline.com/${n.tenantId}", resource="https://vault.azure.net"`]);
    });

    it("passes the SDK's own challenge verification when the vault is reached by its real name", async () => {
      const port = new URL(caVaultUrl).port;
      // <vault>.vault.azure.net resolves to the simulator for this client only; TLS still checks the name.
      const agent = new Agent({
        ca: lab.sim.caPem,
        lookup: (_host, opts, callback) => ((opts as { all?: boolean }).all ? (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)),
      });
      try {
        const credential = new LocalTokenCredential({ ...lab.sim.estateInfo.principals.bot!, tenantId: 'another-tenant' }, { now: () => lab.sim.clock.now() });
        const client = new CertificateClient(`https://${n.caVault}.vault.azure.net:${port}`, credential, { agent, retryOptions: { maxRetries: 0 } });
        const ca = await client.getCertificate(n.caCertificate);
        expect(ca.properties.id).toMatch(new RegExp(`^https://${n.caVault}\\.vault\\.azure\\.net:${port}/certificates/${n.caCertificate}/`));
        expect(toBase64Der(parseCertificate(ca.cer!))).toBe(Buffer.from(ca.cer!).toString('base64'));
      } finally {
        agent.destroy();
      }
    });
  });
});
