import { CertificateClient } from '@azure/keyvault-certificates';
import { CryptographyClient } from '@azure/keyvault-keys';
import { UserError } from '../../core/errors/user-error';
import type { CertificateInfo } from '../../core/pki/certificate-info';
import { parseCertificate } from '../../core/pki/parse-certificate';
import { azureCaller } from './azure-call';
import { sdkClientOptions, type AzureSettings } from './azure-settings';
import { keyVaultCertificateId, keyVaultNameOf, parseKeyVaultCertificateId, type KeyVaultCertificateRef } from './key-vault';
import { toKeyVaultError, type KeyVaultErrorContext } from './key-vault-error';

/**
 * The deployment's certificate authority in Key Vault: a CA certificate whose RSA key is not exportable and is used
 * only through Key Vault's sign operation. The bot reads the CA's certificate (public) and asks Key Vault to sign a
 * digest with its key; it never reads the CA's secret (where a private key would be) and never holds any private key.
 */
export interface KeyVaultCaCertificate {
  /** Versioned certificate identifier. */
  readonly id: string;
  readonly vaultUrl: string;
  readonly name: string;
  readonly version: string;
  /** Versioned key identifier (`.../keys/<name>/<version>`): what Key Vault signs with. */
  readonly keyId: string;
  readonly enabled: boolean;
  readonly certificate: CertificateInfo;
}

/** The RSA signature algorithms a CA key signs certificates with (PKCS#1 v1.5, as X.509 issuers do). */
export type CaSigningAlgorithm = 'RS256' | 'RS384' | 'RS512';

export interface KeyVaultCaAdapter {
  /** The CA certificate (current version when the ref names none) and the key that signs for it. */
  getCaCertificate(ref: string | KeyVaultCertificateRef): Promise<KeyVaultCaCertificate>;
  /** Key Vault signs `digest` (the hash of what is signed, computed by the caller) with the key; returns the signature. */
  signDigest(keyId: string, algorithm: CaSigningAlgorithm, digest: Uint8Array): Promise<Uint8Array>;
}

/** `https://<vault>/keys/<name>/<version>` split into its vault, name and version (the simulator's vault URLs too). */
function parseKeyId(keyId: string): { vaultUrl: string; name: string; version?: string } {
  let url: URL;
  try {
    url = new URL(keyId);
  } catch {
    throw new UserError('InvalidKeyVaultKeyId', 'The CA key identifier is not a URL.');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const at = segments.indexOf('keys');
  const name = at >= 0 ? segments[at + 1] : undefined;
  if (url.protocol !== 'https:' || !name || !/^[0-9a-zA-Z-]{1,127}$/.test(name)) throw new UserError('InvalidKeyVaultKeyId', 'The CA key identifier is not a Key Vault key identifier (https://<vault>/keys/<name>/<version>).');
  const version = segments[at + 2];
  return { vaultUrl: `${url.origin}${at > 0 ? `/${segments.slice(0, at).join('/')}` : ''}`, name, ...(version ? { version } : {}) };
}

export function createKeyVaultCaAdapter(settings: AzureSettings): KeyVaultCaAdapter {
  const vaultName = (vaultUrl: string): string => keyVaultNameOf(vaultUrl, settings.keyVaultNames);
  const caller = azureCaller<KeyVaultErrorContext>(settings, (error, ctx) => toKeyVaultError(error, { ...ctx, vaultName: vaultName(ctx.vaultUrl) }));
  const options = () => ({ ...sdkClientOptions(settings), disableChallengeResourceVerification: !settings.keyVaultVerifyChallengeResource });
  const certificateClients = new Map<string, CertificateClient>();
  const cryptoClients = new Map<string, CryptographyClient>();

  const certificates = (vaultUrl: string): CertificateClient => {
    const key = vaultUrl.replace(/\/+$/, '').toLowerCase();
    let client = certificateClients.get(key);
    if (!client) {
      client = new CertificateClient(vaultUrl.replace(/\/+$/, ''), settings.credential, options());
      certificateClients.set(key, client);
    }
    return client;
  };

  return {
    async getCaCertificate(refOrId) {
      const ref = typeof refOrId === 'string' ? parseKeyVaultCertificateId(refOrId) : refOrId;
      const ctx = { action: `read the CA certificate '${ref.name}'`, vaultUrl: ref.vaultUrl, name: ref.name, ...(ref.version ? { version: ref.version } : {}) };
      const cert = await caller.call(ctx, () =>
        ref.version ? certificates(ref.vaultUrl).getCertificateVersion(ref.name, ref.version, { abortSignal: caller.deadline() }) : certificates(ref.vaultUrl).getCertificate(ref.name, { abortSignal: caller.deadline() }),
      );
      const version = cert.properties.version ?? '';
      if (!cert.cer || cert.cer.length === 0 || !cert.keyId) {
        throw new UserError('CaCertificateUnusable', `The CA certificate '${ref.name}' in Key Vault ${vaultName(ref.vaultUrl)} has no certificate or key yet (a pending request?).`, 'Point the CA setting at a completed CA certificate.');
      }
      return {
        id: cert.properties.id ?? keyVaultCertificateId({ ...ref, version }),
        vaultUrl: ref.vaultUrl,
        name: ref.name,
        version,
        keyId: cert.keyId,
        enabled: cert.properties.enabled ?? false,
        certificate: parseCertificate(cert.cer),
      };
    },

    async signDigest(keyId, algorithm, digest) {
      const key = parseKeyId(keyId);
      const ctx = { action: `sign with the CA key '${key.name}'`, vaultUrl: key.vaultUrl, name: key.name, ...(key.version ? { version: key.version } : {}) };
      return caller.call(ctx, async () => {
        let client = cryptoClients.get(keyId);
        if (!client) {
          // Addressed by identifier: the key stays in the vault; the client reads at most its public part.
          client = new CryptographyClient(keyId, settings.credential, options());
          cryptoClients.set(keyId, client);
        }
        const result = await client.sign(algorithm, digest, { abortSignal: caller.deadline() });
        return new Uint8Array(result.result);
      });
    },
  };
}
