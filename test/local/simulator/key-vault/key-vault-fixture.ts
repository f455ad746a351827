import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import { LocalTokenCredential } from '../../../../adapters/azure/local-token-credential';
import { EKU, createRootCa, issueCertificate, type IssuedCertificate } from '../../../../local/pki/cert-factory';
import { KeyVaultStore } from '../../../../local/simulator/key-vault/key-vault-store';
import { startKeyVaultListener, type KeyVaultListener } from '../../../../local/simulator/key-vault/key-vault-listener';

export const VAULT = 'kv-vpn-certs';
export const TENANT = '8f7c1d2e-0000-4000-8000-00000000a001';

/** Principals of the test vault: one per access level. */
export const principals = {
  operator: { objectId: '11111111-1111-4111-8111-111111111111', tenantId: TENANT, appId: 'app-operator' },
  gateway: { objectId: '22222222-2222-4222-8222-222222222222', tenantId: TENANT, appId: 'app-gateway' },
  certReader: { objectId: '33333333-3333-4333-8333-333333333333', tenantId: TENANT, appId: 'app-reader' },
  outsider: { objectId: '44444444-4444-4444-8444-444444444444', tenantId: TENANT, appId: 'app-outsider' },
} as const;

export interface KeyVaultFixture {
  readonly store: KeyVaultStore;
  readonly listener: KeyVaultListener;
  readonly caPem: string;
  /** A CA outside Key Vault that issues the certificates the tests import, and signs CSRs. */
  readonly externalCa: IssuedCertificate;
  /** Moves the vault's clock forward (Key Vault timestamps have one-second resolution). */
  advance(ms: number): void;
  clients(who: keyof typeof principals): { certificates: CertificateClient; secrets: SecretClient; keys: KeyClient; credential: LocalTokenCredential };
  close(): Promise<void>;
}

/**
 * A vault served on its own loopback HTTPS listener with a TLS certificate from the cert factory, reached by the
 * real SDK clients that trust only that CA, with the same options the product's adapter uses.
 */
export async function startKeyVaultFixture(opts: { pageSize?: number } = {}): Promise<KeyVaultFixture> {
  const tlsCa = await createRootCa({ subject: 'CN=Key Vault Test TLS CA' });
  const tlsCert = await issueCertificate(tlsCa, { subject: 'CN=127.0.0.1', subjectAltNames: { ip: ['127.0.0.1'], dns: ['localhost'] }, extendedKeyUsages: [EKU.serverAuth] });
  const externalCa = await createRootCa({ subject: 'CN=Contoso Issuing CA, O=Contoso' });
  let offsetMs = 0;
  const store = new KeyVaultStore({ now: () => new Date(Date.now() + offsetMs), ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) });
  store.createVault(VAULT, {
    tenantId: TENANT,
    accessPolicies: [
      { objectId: principals.operator.objectId, certificates: ['all'], secrets: ['get', 'list'], keys: ['get', 'sign'] },
      { objectId: principals.gateway.objectId, certificates: ['Get', 'List'], secrets: ['Get', 'List'], keys: [] },
      { objectId: principals.certReader.objectId, certificates: ['get', 'list'], secrets: [], keys: [] },
    ],
  });
  const listener = await startKeyVaultListener(store, VAULT, { tls: { certPem: tlsCert.pem, keyPem: tlsCert.privateKeyPem } });
  const clientOptions = { tlsOptions: { ca: tlsCa.pem }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };
  return {
    store,
    listener,
    caPem: tlsCa.pem,
    externalCa,
    advance(ms) {
      offsetMs += ms;
    },
    clients(who) {
      const credential = new LocalTokenCredential(principals[who]);
      return {
        credential,
        certificates: new CertificateClient(listener.url, credential, clientOptions),
        secrets: new SecretClient(listener.url, credential, clientOptions),
        keys: new KeyClient(listener.url, credential, clientOptions),
      };
    },
    close: () => listener.close(),
  };
}

/** The RestError a Key Vault SDK call fails with (anything else fails the test). */
export async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
