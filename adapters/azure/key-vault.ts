import { CertificateClient, type CertificatePolicy, type CertificatePolicyProperties, type CertificateProperties, type KeyVaultCertificate as SdkCertificate } from '@azure/keyvault-certificates';
import { UserError } from '../../core/errors/user-error';
import { EKU, type CertificateInfo } from '../../core/pki/certificate-info';
import { parseCertificate } from '../../core/pki/parse-certificate';
import { parseCertificateChain } from '../../core/pki/parse-certificate-chain';
import { azureCaller } from './azure-call';
import { defaultLongRunningTimeoutMs, sdkClientOptions, type AzureSettings } from './azure-settings';
import { AzureError } from './azure-error';
import { createDirectVersionReader } from './key-vault-direct-read';
import { toKeyVaultError, type KeyVaultErrorContext } from './key-vault-error';

/** A certificate in Key Vault, addressed the way `outboundAuthCertificate` addresses it. */
export interface KeyVaultCertificateRef {
  /** `https://<vault>.vault.azure.net` (or the simulator's vault URL). */
  readonly vaultUrl: string;
  readonly name: string;
  /** Absent: the current version. */
  readonly version?: string;
}

/** One version of a certificate, without its content. */
export interface KeyVaultCertificateVersion {
  /** Versioned identifier: what a connection's `outboundAuthCertificate` takes. */
  readonly id: string;
  readonly vaultUrl: string;
  readonly name: string;
  readonly version: string;
  readonly enabled: boolean;
  readonly createdOn?: Date;
  readonly updatedOn?: Date;
  readonly notBefore?: Date;
  readonly expiresOn?: Date;
  readonly tags: Record<string, string>;
  /** SHA-1, hex upper case, as Azure shows it. Absent while a request is pending. */
  readonly thumbprint?: string;
}

/** A certificate version with its parsed X.509 certificate. */
export interface KeyVaultCertificate extends KeyVaultCertificateVersion {
  readonly certificate: CertificateInfo;
}

/** The certificate policy in the product's words (what a new version will look like). */
export interface OutboundCertificatePolicy {
  /** `CN=vpn-azure.contoso.com` */
  readonly subject: string;
  /** `Self` (Key Vault signs it) or `Unknown` (a CSR for an outside CA). */
  readonly issuer?: 'Self' | 'Unknown' | string;
  /** RSA key size: 2048, 3072 or 4096. Default 2048. */
  readonly keySize?: number;
  readonly validityInMonths?: number;
  /** Default: serverAuth + clientAuth, which Azure requires. */
  readonly enhancedKeyUsages?: string[];
  /** Default true: the VPN gateway needs the private key. */
  readonly exportable?: boolean;
  /** Format of the certificate's secret. Default `pfx`. */
  readonly contentType?: 'pfx' | 'pem';
  readonly dnsNames?: string[];
  /** Renewals keep the key. Default false. */
  readonly reuseKey?: boolean;
}

export interface PendingCertificateRequest {
  readonly vaultUrl: string;
  readonly name: string;
  /** PKCS#10 DER to send to the CA. */
  readonly csrDer: Uint8Array;
  /** The same as PEM (`-----BEGIN CERTIFICATE REQUEST-----`). */
  readonly csrPem: string;
  readonly status: string;
  readonly requestId?: string;
}

export type CertificateContent = { readonly pfx: Uint8Array; readonly password?: string } | { readonly pem: string };

/** A certificate as Key Vault lists it: its name and whether its current version is enabled, no content. */
export interface KeyVaultCertificateListing {
  readonly name: string;
  readonly enabled: boolean;
}

/** Key Vault as the product reads it: the outbound certificates, their versions, pending requests and policies. */
export interface KeyVaultReader {
  /** The vault's name, as people know it (`kv-vpn-certs`), for the vault at `vaultUrl`. */
  vaultName(vaultUrl: string): string;
  /** Every certificate in the vault (names and state only). */
  listCertificates(vaultUrl: string): Promise<KeyVaultCertificateListing[]>;
  getCertificate(ref: string | KeyVaultCertificateRef): Promise<KeyVaultCertificate>;
  /** Enabled versions first, newest first within each group. */
  listCertificateVersions(vaultUrl: string, name: string): Promise<KeyVaultCertificateVersion[]>;
  getLatestEnabledVersion(vaultUrl: string, name: string): Promise<KeyVaultCertificate | undefined>;
  getPendingRequest(vaultUrl: string, name: string): Promise<PendingCertificateRequest | undefined>;
  getPolicy(vaultUrl: string, name: string): Promise<OutboundCertificatePolicy>;
}

/** Key Vault as the product changes it (only from a change job): new versions, requests, policies, enabling. */
export interface KeyVaultWriter {
  importCertificate(vaultUrl: string, name: string, content: CertificateContent, opts?: { enabled?: boolean; tags?: Record<string, string> }): Promise<KeyVaultCertificate>;
  /** A new version from Key Vault itself (issuer Self): new key, self-signed certificate. */
  createCertificateVersion(vaultUrl: string, name: string, policy: OutboundCertificatePolicy, opts?: { tags?: Record<string, string> }): Promise<KeyVaultCertificate>;
  /** Starts a new version for an outside CA (issuer Unknown): returns the CSR to have signed. Tags go to the new version. */
  beginCsrCertificate(vaultUrl: string, name: string, policy: OutboundCertificatePolicy, opts?: { tags?: Record<string, string> }): Promise<PendingCertificateRequest>;
  /** Completes the pending request with the CA's certificate first, then its issuers (DER, PEM or base64, or one PEM text). */
  mergeCertificate(vaultUrl: string, name: string, chain: (Uint8Array | string)[] | string): Promise<KeyVaultCertificate>;
  /** Cancels and removes a pending request. */
  cancelPendingRequest(vaultUrl: string, name: string): Promise<void>;
  updatePolicy(vaultUrl: string, name: string, patch: Partial<OutboundCertificatePolicy>): Promise<OutboundCertificatePolicy>;
  /** Enables or disables one version (a ref without version: the current one). */
  setEnabled(ref: string | KeyVaultCertificateRef, enabled: boolean): Promise<KeyVaultCertificateVersion>;
  /** Replaces the tags of one version (at most 15). */
  setTags(ref: string | KeyVaultCertificateRef, tags: Record<string, string>): Promise<KeyVaultCertificateVersion>;
}

export type KeyVaultAdapter = KeyVaultReader & KeyVaultWriter;

export interface KeyVaultAdapterOptions {
  /** How often to poll a Self-issued creation (default: the settings' long-running poll interval, else 2 s). */
  readonly pollIntervalMs?: number;
  /** Give up waiting for a Self-issued creation after this long (default: the settings' long-running deadline). */
  readonly createTimeoutMs?: number;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VERSION = /^[0-9a-zA-Z]{1,64}$/;

/**
 * Splits a Key Vault certificate identifier: `https://<vault>.vault.azure.net/certificates/<name>[/<version>]`
 * (any origin, so the simulator's vault URLs work), and the path-prefixed form `https://host/<prefix>/certificates/...`.
 * Secret identifiers of certificates (`/secrets/<name>/<version>`) are accepted too. Throws `InvalidKeyVaultCertificateId`.
 */
export function parseKeyVaultCertificateId(id: string): KeyVaultCertificateRef {
  const invalid = (why: string): UserError =>
    new UserError('InvalidKeyVaultCertificateId', `That is not a Key Vault certificate identifier: ${why}.`, 'Copy the identifier from Key Vault > Certificates > the certificate > the version, e.g. https://myvault.vault.azure.net/certificates/vpn-out/0123456789abcdef0123456789abcdef.');
  if (typeof id !== 'string' || id.trim() === '' || id.length > 2048) throw invalid('it is empty or too long');
  let url: URL;
  try {
    url = new URL(id.trim());
  } catch {
    throw invalid('it is not a URL');
  }
  if (url.protocol !== 'https:') throw invalid('it does not start with https://');
  if (url.search || url.hash || url.username || url.password) throw invalid('it has extra parts (query, fragment or credentials)');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const at = segments.findIndex((s) => s.toLowerCase() === 'certificates' || s.toLowerCase() === 'secrets');
  if (at < 0) throw invalid('it has no /certificates/<name> part');
  const rest = segments.slice(at + 1);
  if (rest.length < 1 || rest.length > 2) throw invalid('expected /certificates/<name>/<version>');
  const [name, version] = rest.map((s) => decodeURIComponent(s));
  if (!name || !NAME.test(name)) throw invalid('the certificate name may only have letters, digits and hyphens');
  if (version !== undefined && !VERSION.test(version)) throw invalid('the version is not a Key Vault version');
  const prefix = segments.slice(0, at).join('/');
  return { vaultUrl: `${url.origin}${prefix ? `/${prefix}` : ''}`, name, ...(version ? { version } : {}) };
}

/** Key Vault's DNS names: `<name>.vault.azure.net`, a sovereign cloud's suffix, or private link's `vaultcore`. */
const VAULT_HOST = /^([a-z0-9-]{3,24})\.(?:vault|vaultcore)\.[a-z.]+$/i;

/**
 * The name of the vault at `vaultUrl`: Azure's vault host is `<name>.vault.azure.net` (or a sovereign cloud's
 * suffix); a vault reached by address (the simulator's loopback listeners) is named by `knownNames`, keyed by origin.
 * Without either, the host is all the URL says, and that is what is shown.
 */
export function keyVaultNameOf(vaultUrl: string, knownNames: Readonly<Record<string, string>> = {}): string {
  let url: URL;
  try {
    url = new URL(vaultUrl);
  } catch {
    return vaultUrl;
  }
  const known = knownNames[url.origin.toLowerCase()];
  if (known) return known;
  return VAULT_HOST.exec(url.hostname)?.[1]?.toLowerCase() ?? url.host;
}

/** The versioned (or versionless) identifier of a ref. */
export function keyVaultCertificateId(ref: KeyVaultCertificateRef): string {
  return `${ref.vaultUrl.replace(/\/+$/, '')}/certificates/${ref.name}${ref.version ? `/${ref.version}` : ''}`;
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new UserError('InvalidCertificateName', 'A Key Vault certificate name may only have letters, digits and hyphens (at most 127).');
}

function toSdkPolicy(policy: OutboundCertificatePolicy, issuer: 'Self' | 'Unknown'): CertificatePolicy {
  if (!policy.subject || policy.subject.trim() === '') throw new UserError('InvalidCertificatePolicy', 'The certificate needs a subject, for example CN=vpn-azure.contoso.com.');
  const properties: CertificatePolicyProperties = {
    issuerName: issuer,
    keyType: 'RSA',
    keySize: policy.keySize ?? 2048,
    exportable: policy.exportable ?? true,
    reuseKey: policy.reuseKey ?? false,
    enhancedKeyUsage: policy.enhancedKeyUsages ?? [EKU.serverAuth, EKU.clientAuth],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    validityInMonths: policy.validityInMonths ?? 12,
    contentType: policy.contentType === 'pem' ? 'application/x-pem-file' : 'application/x-pkcs12',
  };
  const [firstDns, ...moreDns] = policy.dnsNames ?? [];
  return firstDns !== undefined
    ? { ...properties, subject: policy.subject, subjectAlternativeNames: { dnsNames: [firstDns, ...moreDns] } }
    : { ...properties, subject: policy.subject };
}

function fromSdkPolicy(policy: CertificatePolicy): OutboundCertificatePolicy {
  return {
    subject: policy.subject ?? '',
    ...(policy.issuerName ? { issuer: policy.issuerName } : {}),
    ...(policy.keySize !== undefined ? { keySize: policy.keySize } : {}),
    ...(policy.validityInMonths !== undefined ? { validityInMonths: policy.validityInMonths } : {}),
    ...(policy.enhancedKeyUsage ? { enhancedKeyUsages: policy.enhancedKeyUsage } : {}),
    ...(policy.exportable !== undefined ? { exportable: policy.exportable } : {}),
    ...(policy.contentType ? { contentType: policy.contentType === 'application/x-pem-file' ? ('pem' as const) : ('pfx' as const) } : {}),
    ...(policy.subjectAlternativeNames?.dnsNames ? { dnsNames: policy.subjectAlternativeNames.dnsNames } : {}),
    ...(policy.reuseKey !== undefined ? { reuseKey: policy.reuseKey } : {}),
  };
}

function versionOf(properties: CertificateProperties, vaultUrl: string): KeyVaultCertificateVersion {
  const version = properties.version ?? '';
  const name = properties.name ?? '';
  return {
    id: properties.id ?? keyVaultCertificateId({ vaultUrl, name, version }),
    vaultUrl,
    name,
    version,
    enabled: properties.enabled ?? false,
    ...(properties.createdOn ? { createdOn: properties.createdOn } : {}),
    ...(properties.updatedOn ? { updatedOn: properties.updatedOn } : {}),
    ...(properties.notBefore ? { notBefore: properties.notBefore } : {}),
    ...(properties.expiresOn ? { expiresOn: properties.expiresOn } : {}),
    tags: { ...(properties.tags ?? {}) },
    ...(properties.x509Thumbprint ? { thumbprint: Buffer.from(properties.x509Thumbprint).toString('hex').toUpperCase() } : {}),
  };
}

function toCsrPem(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * The Key Vault adapter, configured once from AzureSettings: one CertificateClient per vault, with the settings'
 * credential, retry policy, user agent and (sandbox only) trusted CA and challenge-resource relaxation.
 */
export function createKeyVaultAdapter(settings: AzureSettings, options: KeyVaultAdapterOptions = {}): KeyVaultAdapter {
  const clients = new Map<string, CertificateClient>();
  const pollIntervalMs = options.pollIntervalMs ?? settings.longRunningPollIntervalMs ?? 2000;
  const createTimeoutMs = options.createTimeoutMs ?? settings.longRunningTimeoutMs ?? defaultLongRunningTimeoutMs;
  const vaultName = (vaultUrl: string): string => keyVaultNameOf(vaultUrl, settings.keyVaultNames);
  const caller = azureCaller<KeyVaultErrorContext>(settings, (error, ctx) => toKeyVaultError(error, { ...ctx, vaultName: vaultName(ctx.vaultUrl) }));
  /** Per-call deadline, including the SDK's own retries. */
  const deadline = (): { abortSignal: AbortSignal } => ({ abortSignal: caller.deadline() });

  const client = (vaultUrl: string): CertificateClient => {
    const key = vaultUrl.replace(/\/+$/, '').toLowerCase();
    let existing = clients.get(key);
    if (!existing) {
      existing = new CertificateClient(vaultUrl.replace(/\/+$/, ''), settings.credential, {
        ...sdkClientOptions(settings),
        disableChallengeResourceVerification: !settings.keyVaultVerifyChallengeResource,
      });
      clients.set(key, existing);
    }
    return existing;
  };

  const call = caller.call;
  const direct = createDirectVersionReader(settings);

  const withCertificate = (cert: SdkCertificate, vaultUrl: string): KeyVaultCertificate => {
    const version = versionOf(cert.properties, vaultUrl);
    if (!cert.cer || cert.cer.length === 0) {
      throw new UserError('KeyVaultCertificatePending', `Certificate '${version.name}' version ${version.version} has no certificate yet: its request is still pending.`, 'Merge the signed certificate, or cancel the request.');
    }
    return { ...version, certificate: parseCertificate(cert.cer) };
  };

  const getCertificate = async (refOrId: string | KeyVaultCertificateRef): Promise<KeyVaultCertificate> => {
    const ref = typeof refOrId === 'string' ? parseKeyVaultCertificateId(refOrId) : refOrId;
    checkName(ref.name);
    const ctx = { action: `read certificate '${ref.name}'`, vaultUrl: ref.vaultUrl, name: ref.name, ...(ref.version ? { version: ref.version } : {}) };
    const cert = await call(ctx, () => (ref.version ? client(ref.vaultUrl).getCertificateVersion(ref.name, ref.version, deadline()) : client(ref.vaultUrl).getCertificate(ref.name, deadline())));
    return withCertificate(cert, ref.vaultUrl);
  };

  const listCertificateVersions = async (vaultUrl: string, name: string): Promise<KeyVaultCertificateVersion[]> => {
    checkName(name);
    const versions = await call({ action: `list the versions of certificate '${name}'`, vaultUrl, name }, async () => {
      const signal = deadline();
      // One plain GET when Key Vault answers it plainly; the SDK for everything else (challenge, paging, retries, errors).
      const page = await direct.listVersions(vaultUrl, name, signal.abortSignal);
      if (page) return page.map((properties) => versionOf(properties, vaultUrl));
      const found: KeyVaultCertificateVersion[] = [];
      for await (const properties of client(vaultUrl).listPropertiesOfCertificateVersions(name, signal)) found.push(versionOf(properties, vaultUrl));
      return found;
    });
    const created = (v: KeyVaultCertificateVersion): number => v.createdOn?.getTime() ?? 0;
    return versions.sort((a, b) => Number(b.enabled) - Number(a.enabled) || created(b) - created(a));
  };

  const pendingRequest = async (vaultUrl: string, name: string): Promise<PendingCertificateRequest | undefined> => {
    const poller = await call({ action: `read the pending request of '${name}'`, vaultUrl, name }, () => client(vaultUrl).getCertificateOperation(name, { intervalInMs: pollIntervalMs, ...deadline() }));
    const operation = poller.getOperationState().certificateOperation;
    // A completed, cancelled or failed operation stays readable in Key Vault, but nothing is pending any more.
    if (!operation?.csr || operation.status !== 'inProgress') return undefined;
    const csrDer = new Uint8Array(operation.csr);
    return { vaultUrl, name, csrDer, csrPem: toCsrPem(csrDer), status: operation.status ?? 'unknown', ...(operation.requestId ? { requestId: operation.requestId } : {}) };
  };

  return {
    vaultName,
    getCertificate,
    listCertificateVersions,

    async listCertificates(vaultUrl) {
      return call({ action: 'list certificates', vaultUrl }, async () => {
        const found: KeyVaultCertificateListing[] = [];
        for await (const properties of client(vaultUrl).listPropertiesOfCertificates(deadline())) {
          if (properties.name) found.push({ name: properties.name, enabled: properties.enabled ?? false });
        }
        return found;
      });
    },

    async getLatestEnabledVersion(vaultUrl, name) {
      const latest = (await listCertificateVersions(vaultUrl, name)).find((v) => v.enabled);
      return latest ? getCertificate({ vaultUrl, name, version: latest.version }) : undefined;
    },

    async importCertificate(vaultUrl, name, content, opts = {}) {
      checkName(name);
      const isPem = 'pem' in content;
      const bytes = isPem ? new TextEncoder().encode(content.pem) : content.pfx;
      const ctx = {
        action: `import certificate '${name}'`,
        vaultUrl,
        name,
        badRequestHint: isPem ? 'Give the certificate and its private key as PEM text.' : 'Check that the file is a .pfx that includes the private key, and that the password is right.',
      };
      const cert = await call(ctx, () =>
        client(vaultUrl).importCertificate(name, bytes, {
          ...deadline(),
          ...(isPem ? { policy: { contentType: 'application/x-pem-file' as const } } : {}),
          ...(!isPem && content.password !== undefined ? { password: content.password } : {}),
          ...(opts.enabled !== undefined ? { enabled: opts.enabled } : {}),
          ...(opts.tags ? { tags: opts.tags } : {}),
        }),
      );
      return withCertificate(cert, vaultUrl);
    },

    async createCertificateVersion(vaultUrl, name, policy, opts = {}) {
      checkName(name);
      const ctx = { action: `create a new version of certificate '${name}'`, vaultUrl, name, badRequestHint: 'Key Vault creates RSA keys of 2048, 3072 or 4096 bits; the subject must look like CN=vpn-azure.contoso.com.' };
      const sdkPolicy = toSdkPolicy(policy, 'Self');
      const cert = await call(ctx, async () => {
        const poller = await client(vaultUrl).beginCreateCertificate(name, sdkPolicy, { intervalInMs: pollIntervalMs, ...(opts.tags ? { tags: opts.tags } : {}) });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            poller.stopPolling();
            reject(new Error(`Creation did not finish within ${createTimeoutMs} ms.`));
          }, createTimeoutMs);
        });
        try {
          return await Promise.race([poller.pollUntilDone(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }).catch((error: unknown) => {
        if (error instanceof UserError) throw error;
        // The poller reports a failed or timed-out operation as a plain Error; its text is Key Vault's, not ours.
        throw new AzureError('OperationFailed', `Key Vault did not finish creating a new version of '${name}'.`, { operation: ctx.action }, 'Look at the certificate operation in Key Vault, then try again.', { cause: error });
      });
      return withCertificate(cert, vaultUrl);
    },

    async beginCsrCertificate(vaultUrl, name, policy, opts = {}) {
      checkName(name);
      const ctx = { action: `start a certificate request for '${name}'`, vaultUrl, name, badRequestHint: 'Key Vault creates RSA keys of 2048, 3072 or 4096 bits; the subject must look like CN=vpn-azure.contoso.com.' };
      const sdkPolicy = toSdkPolicy(policy, 'Unknown');
      await call(ctx, () => client(vaultUrl).beginCreateCertificate(name, sdkPolicy, { intervalInMs: pollIntervalMs, ...deadline(), ...(opts.tags ? { tags: opts.tags } : {}) }));
      const pending = await pendingRequest(vaultUrl, name);
      if (!pending) throw new UserError('KeyVaultNoPendingRequest', `Key Vault did not return a certificate request for '${name}'.`);
      return pending;
    },

    async getPendingRequest(vaultUrl, name) {
      checkName(name);
      try {
        return await pendingRequest(vaultUrl, name);
      } catch (error) {
        if (error instanceof AzureError && error.kind === 'NotFound') return undefined;
        throw error;
      }
    },

    async mergeCertificate(vaultUrl, name, chain) {
      checkName(name);
      const certificates = typeof chain === 'string' ? parseCertificateChain(chain) : chain.map((c) => parseCertificate(c));
      if (certificates.length === 0) throw new UserError('InvalidCertificate', 'Give the signed certificate (and its issuers) to complete the request.');
      const ctx = { action: `complete the certificate request for '${name}'`, vaultUrl, name, badRequestHint: "The first certificate must be the one the CA issued for this request's key." };
      const cert = await call(ctx, () => client(vaultUrl).mergeCertificate(name, certificates.map((c) => c.der), deadline()));
      return withCertificate(cert, vaultUrl);
    },

    async cancelPendingRequest(vaultUrl, name) {
      checkName(name);
      const ctx = { action: `cancel the certificate request for '${name}'`, vaultUrl, name };
      await call(ctx, async () => {
        const poller = await client(vaultUrl).getCertificateOperation(name, { intervalInMs: pollIntervalMs, ...deadline() });
        if (poller.getOperationState().certificateOperation?.status === 'inProgress') await poller.cancelOperation(deadline());
        await client(vaultUrl).deleteCertificateOperation(name, deadline());
      });
    },

    async getPolicy(vaultUrl, name) {
      checkName(name);
      const policy = await call({ action: `read the policy of certificate '${name}'`, vaultUrl, name }, () => client(vaultUrl).getCertificatePolicy(name, deadline()));
      return fromSdkPolicy(policy);
    },

    async updatePolicy(vaultUrl, name, patch) {
      checkName(name);
      const ctx = { action: `update the policy of certificate '${name}'`, vaultUrl, name };
      const current = await call(ctx, () => client(vaultUrl).getCertificatePolicy(name, deadline()));
      const merged = { ...fromSdkPolicy(current), ...patch };
      const issuer = merged.issuer === 'Self' || merged.issuer === 'Unknown' ? merged.issuer : 'Unknown';
      // The SDK's updateCertificatePolicy returns an empty policy, so read it back.
      await call(ctx, () => client(vaultUrl).updateCertificatePolicy(name, { ...toSdkPolicy(merged, issuer), ...(merged.issuer ? { issuerName: merged.issuer } : {}) }, deadline()));
      return fromSdkPolicy(await call(ctx, () => client(vaultUrl).getCertificatePolicy(name, deadline())));
    },

    async setEnabled(refOrId, enabled) {
      const ref = typeof refOrId === 'string' ? parseKeyVaultCertificateId(refOrId) : refOrId;
      checkName(ref.name);
      const ctx = { action: `${enabled ? 'enable' : 'disable'} certificate '${ref.name}'`, vaultUrl: ref.vaultUrl, name: ref.name, ...(ref.version ? { version: ref.version } : {}) };
      const updated = await call(ctx, () => client(ref.vaultUrl).updateCertificateProperties(ref.name, ref.version ?? '', { enabled, ...deadline() }));
      return versionOf(updated.properties, ref.vaultUrl);
    },

    async setTags(refOrId, tags) {
      const ref = typeof refOrId === 'string' ? parseKeyVaultCertificateId(refOrId) : refOrId;
      checkName(ref.name);
      const ctx = { action: `tag certificate '${ref.name}'`, vaultUrl: ref.vaultUrl, name: ref.name, ...(ref.version ? { version: ref.version } : {}) };
      const updated = await call(ctx, () => client(ref.vaultUrl).updateCertificateProperties(ref.name, ref.version ?? '', { tags, ...deadline() }));
      return versionOf(updated.properties, ref.vaultUrl);
    },
  };
}
