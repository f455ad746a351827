import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import type { CertificateInfo } from '../../../core/pki/certificate-info';
import { decodeCertificates, MAX_CHAIN_TEXT_CHARS } from '../../../core/pki/certificate-input';
import { parseDer } from '../../../core/pki/parse-certificate';
import { createSelfSignedCertificate, generateKey } from '../../pki/cert-factory';
import { createCsr } from '../../pki/csr';
import { Pkcs12Error, keyMatchesCertificate, readPkcs12 } from '../../pki/pkcs12';
import { KeyVaultError, kvErrors } from './key-vault-error';
import { PEM, PKCS12, defaultPolicy, mergePolicy, policyFromCertificate, validateForCreate, type WirePolicy } from './key-vault-policy';

/**
 * The simulated Key Vault data plane's state: vaults with access policies (the "Vault access policy" permission
 * model the portal steps use), certificates with versions, each version's key and secret, and pending
 * certificate operations. The HTTP handler (`createKeyVaultHandler`) exposes it to the real SDK clients; the tunnel
 * engine reads certificates through `readCertificateAs`, as the gateway's managed identity would.
 */

export interface AccessPolicy {
  readonly objectId: string;
  /** Key Vault permission names (`get`, `list`, `import`, `create`, `update`, `delete`, ... or `all`), any case. */
  readonly certificates: string[];
  readonly secrets: string[];
  readonly keys: string[];
}

export interface KeyVaultPrincipal {
  readonly objectId: string;
  readonly tenantId?: string;
  readonly appId?: string;
}

export type PermissionKind = 'certificates' | 'secrets' | 'keys';

/** One version of a certificate. `der` is absent while a CSR is pending. */
export interface CertificateVersionRecord {
  readonly version: string;
  readonly created: Date;
  updated: Date;
  enabled: boolean;
  tags: Record<string, string>;
  der?: Uint8Array;
  info?: CertificateInfo;
  /** Issuers that came with the certificate (PFX/PEM import, merge), nearest first. */
  chain: Uint8Array[];
  /** PKCS#8 PEM; Key Vault always has the key of its certificates (imported or generated). */
  readonly privateKeyPem: string;
  /** From the policy at creation: whether the secret carries the key. */
  readonly exportable: boolean;
  /** Secret format at creation (policy `secret_props.contentType`). */
  readonly contentType: string;
}

export interface PendingOperationRecord {
  readonly requestId: string;
  readonly issuerName: string;
  readonly version: string;
  readonly csr?: Uint8Array;
  status: 'inProgress' | 'completed' | 'cancelled' | 'failed';
  statusDetails: string;
  cancellationRequested: boolean;
  error?: { code: string; message: string };
}

export interface CertificateRecord {
  readonly name: string;
  policy: WirePolicy;
  policyCreated: Date;
  policyUpdated: Date;
  /** In creation order; the last one is the current version. */
  readonly versions: CertificateVersionRecord[];
  pending?: PendingOperationRecord;
}

interface VaultState {
  readonly name: string;
  readonly accessPolicies: Map<string, AccessPolicy>;
  readonly certificates: Map<string, CertificateRecord>;
}

export type CertificateImportInput = { readonly pem: string } | { readonly pfx: Uint8Array; readonly password: string };

export type VaultReadResult =
  | { readonly ok: true; readonly certificate: CertificateInfo; readonly chain: CertificateInfo[]; readonly hasPrivateKey: boolean }
  | {
      readonly ok: false;
      readonly code: 'VpnGatewayKeyVaultSecretNotFound' | 'VpnGatewayKeyVaultInaccessibleKeyvault' | 'VpnGatewayKeyVaultNameResolutionFailure';
      readonly message: string;
    };

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export class KeyVaultStore {
  private readonly vaults = new Map<string, VaultState>();
  private readonly urls = new Map<string, string>();
  /** Items per list page: Key Vault's maximum, 25, unless a test wants paging with fewer objects. */
  readonly pageSize: number;

  constructor(private readonly opts: { now: () => Date; pageSize?: number; vaultUrl?: (vaultName: string) => string }) {
    this.pageSize = opts.pageSize ?? 25;
  }

  now(): Date {
    return this.opts.now();
  }

  createVault(name: string, opts: { accessPolicies: AccessPolicy[] }): void {
    if (!VAULT_NAME.test(name)) throw new Error(`Invalid vault name '${name}': 3-24 letters, digits and hyphens, starting with a letter.`);
    const key = name.toLowerCase();
    if (this.vaults.has(key)) throw new Error(`Vault '${name}' already exists.`);
    this.vaults.set(key, { name: key, accessPolicies: new Map(opts.accessPolicies.map((p) => [p.objectId.toLowerCase(), p])), certificates: new Map() });
  }

  hasVault(name: string): boolean {
    return this.vaults.has(name.toLowerCase());
  }

  setAccessPolicy(vaultName: string, policy: AccessPolicy): void {
    this.vault(vaultName).accessPolicies.set(policy.objectId.toLowerCase(), policy);
  }

  removeAccessPolicy(vaultName: string, objectId: string): void {
    this.vault(vaultName).accessPolicies.delete(objectId.toLowerCase());
  }

  /** Where the vault is served. Public form (`https://<name>.vault.azure.net`) until a listener registers its URL. */
  vaultUrl(vaultName: string): string {
    const key = vaultName.toLowerCase();
    return this.urls.get(key) ?? this.opts.vaultUrl?.(key) ?? `https://${key}.vault.azure.net`;
  }

  /**
   * Records the URL a vault is served at (the simulator gives each vault its own `https://127.0.0.1:<port>`: the
   * SDK's identifier parser only accepts `<origin>/certificates/<name>/<version>`).
   */
  setVaultUrl(vaultName: string, url: string): void {
    this.vault(vaultName);
    this.urls.set(vaultName.toLowerCase(), url.replace(/\/+$/, ''));
  }

  /** The vault a Key Vault identifier points at: by registered URL origin, or by `<name>.vault.azure.net`. */
  vaultNameForUrl(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    for (const key of this.vaults.keys()) {
      const served = new URL(this.vaultUrl(key));
      if (served.origin.toLowerCase() === parsed.origin.toLowerCase() && (served.pathname === '/' || parsed.pathname.toLowerCase().startsWith(served.pathname.toLowerCase()))) return key;
    }
    const publicName = /^([a-z0-9-]{3,24})\.vault\.azure\.net$/i.exec(parsed.hostname)?.[1]?.toLowerCase();
    if (publicName && this.vaults.has(publicName)) return publicName;
    // Path-prefixed form some tools use: https://host/kv/<vault>/certificates/...
    const prefixed = /^\/kv\/([^/]+)\//i.exec(parsed.pathname)?.[1]?.toLowerCase();
    return prefixed && this.vaults.has(prefixed) ? prefixed : undefined;
  }

  /** Versioned certificate identifier, as `outboundAuthCertificate` takes it; without `version`, the current version's. */
  certificateIdFor(vaultName: string, name: string, version?: string): string {
    const record = this.certificateRecord(vaultName, name);
    const chosen = version ?? this.latestCompleted(record)?.version;
    if (!chosen) throw kvErrors.certificateNotFound(name);
    return `${this.vaultUrl(vaultName)}/certificates/${record.name}/${chosen}`;
  }

  /**
   * Imports a certificate with its private key (PEM: certificates + PKCS#8/PKCS#1 key; or PFX with password) as a
   * new version. Throws `KeyVaultError` BadParameter for content Key Vault would refuse.
   */
  importCertificate(
    vaultName: string,
    certificateName: string,
    input: CertificateImportInput,
    opts: { enabled?: boolean; tags?: Record<string, string>; policy?: unknown } = {},
  ): { id: string; version: string } {
    const vault = this.vault(vaultName);
    checkObjectName(certificateName);
    const { leaf, chain, privateKeyPem, contentType } = readImport(input);
    const info = parseDer(leaf);
    const existing = vault.certificates.get(certificateName.toLowerCase());
    const policy = mergePolicy(existing?.policy ?? policyFromCertificate(info, contentType), opts.policy);
    const record = existing ?? this.newRecord(vault, certificateName, policy);
    record.policy = policy;
    record.policyUpdated = this.now();
    const version = this.addVersion(record, {
      der: leaf,
      info,
      chain,
      privateKeyPem,
      enabled: opts.enabled ?? true,
      tags: opts.tags ?? {},
      exportable: policy.key_props.exportable,
      contentType: policy.secret_props.contentType,
    });
    return { id: `${this.vaultUrl(vaultName)}/certificates/${record.name}/${version.version}`, version: version.version };
  }

  /**
   * Creates a certificate version from the policy. Issuer `Self`: a new key and a self-signed certificate, done at
   * once. Issuer `Unknown`: a new key, a CSR and a pending operation that `mergeCertificate` completes.
   */
  async createCertificate(vaultName: string, certificateName: string, body: { policy?: unknown; enabled?: boolean; tags?: Record<string, string> }): Promise<CertificateRecord> {
    const vault = this.vault(vaultName);
    checkObjectName(certificateName);
    const existing = vault.certificates.get(certificateName.toLowerCase());
    if (existing?.pending?.status === 'inProgress') {
      throw kvErrors.conflict(`Certificate ${certificateName} has a pending certificate operation. Complete, cancel or delete it before creating a new version.`);
    }
    const policy = mergePolicy(existing?.policy ?? defaultPolicy(), body.policy);
    const { keyBits, subject, keyUsages } = validateForCreate(policy);
    const issuer = policy.issuer.name.toLowerCase();
    if (issuer !== 'self' && issuer !== 'unknown') {
      throw kvErrors.badParameter(`Issuer '${policy.issuer.name}' is not modelled by the Azure simulator's Key Vault: use Self or Unknown.`);
    }
    const record = existing ?? this.newRecord(vault, certificateName, policy);
    record.policy = policy;
    record.policyUpdated = this.now();
    // Reserve the operation before any await, so a concurrent create sees the conflict.
    const placeholder: PendingOperationRecord = { requestId: randomUUID().replace(/-/g, ''), issuerName: policy.issuer.name, version: newVersionId(), status: 'inProgress', statusDetails: 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.', cancellationRequested: false };
    record.pending = placeholder;
    try {
      const reused = policy.key_props.reuse_key ? record.versions[record.versions.length - 1]?.privateKeyPem : undefined;
      const privateKeyPem = reused ?? (await generateKey({ keyBits })).privateKeyPem;
      const ekus = policy.x509_props.ekus ?? [];
      const dns = policy.x509_props.sans?.dns_names ?? [];
      const common = { enabled: body.enabled ?? true, tags: body.tags ?? {}, privateKeyPem, chain: [], exportable: policy.key_props.exportable, contentType: policy.secret_props.contentType };
      if (issuer === 'self') {
        const now = this.now();
        const cert = await createSelfSignedCertificate({
          subject,
          privateKeyPem,
          notBefore: now,
          notAfter: addMonths(now, policy.x509_props.validity_months ?? 12),
          extendedKeyUsages: ekus,
          keyUsages,
          ...(dns.length > 0 ? { subjectAltNames: { dns } } : {}),
        });
        this.addVersion(record, { ...common, der: cert.der, info: cert.info }, placeholder.version);
        record.pending = { ...placeholder, status: 'completed', statusDetails: '' };
      } else {
        const csr = createCsr({ subject, privateKeyPem, extendedKeyUsages: ekus, ...(dns.length > 0 ? { subjectAltNames: { dns } } : {}) });
        this.addVersion(record, { ...common, enabled: false }, placeholder.version);
        record.pending = { ...placeholder, csr };
      }
      return record;
    } catch (error) {
      if (record.pending === placeholder) delete record.pending;
      if (record.versions.length === 0 && !existing) vault.certificates.delete(certificateName.toLowerCase());
      throw error;
    }
  }

  /** Completes a pending `Unknown`-issuer operation with the CA's certificate (first) and its chain. */
  mergeCertificate(vaultName: string, certificateName: string, x5c: Uint8Array[], opts: { enabled?: boolean; tags?: Record<string, string> } = {}): CertificateRecord {
    const record = this.certificateRecord(vaultName, certificateName);
    const pending = record.pending;
    if (!pending || pending.status !== 'inProgress') throw kvErrors.pendingNotFound(certificateName);
    const version = record.versions.find((v) => v.version === pending.version);
    if (!version) throw kvErrors.pendingNotFound(certificateName);
    const [leaf, ...chain] = x5c;
    if (!leaf) throw kvErrors.badParameter('x5c must contain at least the certificate to merge.');
    let info: CertificateInfo;
    try {
      info = parseDer(leaf);
      chain.forEach((der) => parseDer(der));
    } catch {
      throw kvErrors.badParameter('The specified X.509 certificate content is invalid.');
    }
    if (!keyMatchesCertificate(version.privateKeyPem, leaf)) {
      throw kvErrors.badParameter("Public key from x509 certificate and key of this instance doesn't match.");
    }
    version.der = info.der;
    version.info = info;
    version.chain = chain;
    version.enabled = opts.enabled ?? true;
    if (opts.tags) version.tags = opts.tags;
    version.updated = this.now();
    record.pending = { ...pending, status: 'completed', statusDetails: '' };
    return record;
  }

  /** Requests cancellation: the pending version is dropped and the operation ends `cancelled`. */
  cancelOperation(vaultName: string, certificateName: string): CertificateRecord {
    const record = this.certificateRecord(vaultName, certificateName, { allowPendingOnly: true });
    const pending = record.pending;
    if (!pending) throw kvErrors.pendingNotFound(certificateName);
    if (pending.status === 'inProgress') {
      this.dropVersion(record, pending.version);
      record.pending = { ...pending, status: 'cancelled', cancellationRequested: true, statusDetails: 'Certificate request cancelled.' };
    } else {
      record.pending = { ...pending, cancellationRequested: true };
    }
    return record;
  }

  /** Deletes the operation record (and the pending version when still in progress); returns the record as it was. */
  deleteOperation(vaultName: string, certificateName: string): { record: CertificateRecord; operation: PendingOperationRecord } {
    const record = this.certificateRecord(vaultName, certificateName, { allowPendingOnly: true });
    const operation = record.pending;
    if (!operation) throw kvErrors.pendingNotFound(certificateName);
    if (operation.status === 'inProgress') this.dropVersion(record, operation.version);
    delete record.pending;
    if (record.versions.length === 0) this.vault(vaultName).certificates.delete(record.name.toLowerCase());
    return { record, operation };
  }

  /** Enables/disables a version and replaces its tags when given (`version` undefined: the current version). */
  updateVersion(vaultName: string, certificateName: string, version: string | undefined, patch: { enabled?: boolean; tags?: Record<string, string> }): { record: CertificateRecord; version: CertificateVersionRecord } {
    const record = this.certificateRecord(vaultName, certificateName);
    const target = this.findVersion(record, version);
    if (patch.enabled !== undefined) target.enabled = patch.enabled;
    if (patch.tags !== undefined) target.tags = { ...patch.tags };
    target.updated = this.now();
    return { record, version: target };
  }

  updatePolicy(vaultName: string, certificateName: string, patch: unknown): CertificateRecord {
    const record = this.certificateRecord(vaultName, certificateName, { allowPendingOnly: true });
    record.policy = mergePolicy(record.policy, patch);
    record.policyUpdated = this.now();
    return record;
  }

  /** The record of a certificate that has at least one completed version (or a pending one, when allowed). */
  certificateRecord(vaultName: string, certificateName: string, opts: { allowPendingOnly?: boolean } = {}): CertificateRecord {
    const record = this.vault(vaultName).certificates.get(certificateName.toLowerCase());
    if (!record || (!opts.allowPendingOnly && record.versions.length === 0)) throw kvErrors.certificateNotFound(certificateName);
    return record;
  }

  /** `version` undefined or '': the current (latest created) version, pending or not. */
  findVersion(record: CertificateRecord, version: string | undefined): CertificateVersionRecord {
    const found = version ? record.versions.find((v) => v.version === version.toLowerCase()) : record.versions[record.versions.length - 1];
    if (!found) throw kvErrors.certificateNotFound(version ? `${record.name}/${version}` : record.name);
    return found;
  }

  latestCompleted(record: CertificateRecord): CertificateVersionRecord | undefined {
    return [...record.versions].reverse().find((v) => v.der !== undefined);
  }

  /** Certificates with a completed version (and pending-only ones when asked), in name order. */
  listCertificates(vaultName: string, includePending: boolean): CertificateRecord[] {
    return [...this.vault(vaultName).certificates.values()]
      .filter((r) => r.versions.some((v) => v.der !== undefined) || (includePending && r.pending?.status === 'inProgress'))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Throws 403 Forbidden (innererror AccessDenied) unless the principal's access policy grants the permission. */
  authorize(vaultName: string, principal: KeyVaultPrincipal, kind: PermissionKind, permission: string): void {
    if (!this.isAllowed(vaultName, principal.objectId, kind, permission)) {
      const who = `appid=${principal.appId ?? ''};oid=${principal.objectId};iss=https://sts.windows.net/${principal.tenantId ?? ''}/`;
      throw kvErrors.forbidden(who, kind, permission, this.vault(vaultName).name);
    }
  }

  isAllowed(vaultName: string, objectId: string, kind: PermissionKind, permission: string): boolean {
    const policy = this.vault(vaultName).accessPolicies.get(objectId.toLowerCase());
    const granted = (policy?.[kind] ?? []).map((p) => p.toLowerCase());
    return granted.includes('all') || granted.includes(permission.toLowerCase());
  }

  /**
   * What the VPN gateway does with `outboundAuthCertificate`: resolve the vault, then read the certificate and its
   * secret (the key) as its managed identity. Needs `get` on certificates and secrets. A versionless identifier
   * resolves to the current version, as a Key Vault GET does (whether Azure accepts one is not documented).
   */
  readCertificateAs(principalObjectId: string, certificateId: string): VaultReadResult;
  readCertificateAs(principalObjectId: string, vaultName: string, certificateName: string, version?: string): VaultReadResult;
  readCertificateAs(principalObjectId: string, idOrVault: string, certificateName?: string, version?: string): VaultReadResult {
    let vaultName: string | undefined;
    let name: string | undefined = certificateName;
    let wantedVersion = version;
    if (certificateName === undefined) {
      vaultName = this.vaultNameForUrl(idOrVault);
      const match = /\/(?:certificates|secrets)\/([^/?#]+)(?:\/([^/?#]+))?\/?(?:[?#].*)?$/i.exec(idOrVault);
      if (!vaultName) {
        return { ok: false, code: 'VpnGatewayKeyVaultNameResolutionFailure', message: 'The Key Vault host in the certificate identifier cannot be resolved.' };
      }
      if (!match?.[1]) return { ok: false, code: 'VpnGatewayKeyVaultSecretNotFound', message: 'The identifier does not name a certificate (expected .../certificates/<name>/<version>).' };
      name = decodeURIComponent(match[1]);
      wantedVersion = match[2] ? decodeURIComponent(match[2]) : undefined;
    } else {
      vaultName = this.hasVault(idOrVault) ? idOrVault.toLowerCase() : undefined;
      if (!vaultName) return { ok: false, code: 'VpnGatewayKeyVaultNameResolutionFailure', message: `Key Vault '${idOrVault}' cannot be resolved.` };
    }
    if (!this.isAllowed(vaultName, principalObjectId, 'certificates', 'get') || !this.isAllowed(vaultName, principalObjectId, 'secrets', 'get')) {
      return { ok: false, code: 'VpnGatewayKeyVaultInaccessibleKeyvault', message: `The identity ${principalObjectId} lacks get permission on certificates and secrets in Key Vault '${vaultName}'.` };
    }
    const record = this.vault(vaultName).certificates.get((name ?? '').toLowerCase());
    const chosen = record ? (wantedVersion ? record.versions.find((v) => v.version === wantedVersion.toLowerCase()) : this.latestCompleted(record)) : undefined;
    if (!record || !chosen || !chosen.info) {
      return { ok: false, code: 'VpnGatewayKeyVaultSecretNotFound', message: `Certificate '${name ?? ''}'${wantedVersion ? ` version ${wantedVersion}` : ''} was not found in Key Vault '${vaultName}'.` };
    }
    if (!chosen.enabled) return { ok: false, code: 'VpnGatewayKeyVaultSecretNotFound', message: `Certificate '${record.name}' version ${chosen.version} is disabled in Key Vault '${vaultName}'.` };
    return { ok: true, certificate: chosen.info, chain: chosen.chain.map((der) => parseDer(der)), hasPrivateKey: chosen.exportable };
  }

  private vault(name: string): VaultState {
    const vault = this.vaults.get(name.toLowerCase());
    if (!vault) throw new KeyVaultError(404, 'VaultNotFound', `Key Vault '${name}' does not exist in the simulator.`);
    return vault;
  }

  private newRecord(vault: VaultState, certificateName: string, policy: WirePolicy): CertificateRecord {
    const now = this.now();
    const record: CertificateRecord = { name: certificateName, policy, policyCreated: now, policyUpdated: now, versions: [] };
    vault.certificates.set(certificateName.toLowerCase(), record);
    return record;
  }

  private addVersion(record: CertificateRecord, fields: Omit<CertificateVersionRecord, 'version' | 'created' | 'updated'>, version = newVersionId()): CertificateVersionRecord {
    const now = this.now();
    const entry: CertificateVersionRecord = { ...fields, version, created: now, updated: now };
    record.versions.push(entry);
    return entry;
  }

  private dropVersion(record: CertificateRecord, version: string): void {
    const index = record.versions.findIndex((v) => v.version === version && v.der === undefined);
    if (index >= 0) record.versions.splice(index, 1);
  }
}

function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

function checkObjectName(name: string): void {
  if (!OBJECT_NAME.test(name)) throw kvErrors.badParameter(`The request URI contains an invalid name: ${name.slice(0, 130)}`);
}

function addMonths(date: Date, months: number): Date {
  const next = new Date(date.getTime());
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}

/** Splits import content into the leaf (the certificate of the key), its chain and the key. */
function readImport(input: CertificateImportInput): { leaf: Uint8Array; chain: Uint8Array[]; privateKeyPem: string; contentType: string } {
  let certificates: Uint8Array[];
  let privateKeyPem: string | undefined;
  let contentType: string;
  if ('pem' in input) {
    contentType = PEM;
    try {
      certificates = decodeCertificates(input.pem, MAX_CHAIN_TEXT_CHARS).ders;
    } catch {
      throw kvErrors.badParameter('The specified X.509 PEM certificate content is invalid.');
    }
    const keyBlock = findPrivateKeyBlock(input.pem);
    if (!keyBlock) throw kvErrors.badParameter('Private key is not specified in the specified X.509 PEM certificate content. Please specify private key in the X.509 PEM certificate content.');
    try {
      privateKeyPem = createPrivateKey(keyBlock).export({ type: 'pkcs8', format: 'pem' }) as string;
    } catch {
      throw kvErrors.badParameter('The private key in the specified X.509 PEM certificate content could not be read.');
    }
  } else {
    contentType = PKCS12;
    try {
      const contents = readPkcs12(input.pfx, input.password);
      certificates = contents.certificates;
      privateKeyPem = contents.privateKeyPem;
    } catch (error) {
      if (error instanceof Pkcs12Error && error.reason === 'wrong-password') {
        throw kvErrors.badParameter('The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format and the password is correct.');
      }
      throw kvErrors.badParameter('The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.');
    }
    if (!privateKeyPem) throw kvErrors.badParameter('The specified PKCS#12 X.509 certificate content does not contain a private key.');
  }
  if (certificates.length === 0) throw kvErrors.badParameter('The specified X.509 certificate content does not contain a certificate.');
  const key = privateKeyPem;
  for (const der of certificates) {
    try {
      parseDer(der);
    } catch {
      throw kvErrors.badParameter('The specified X.509 certificate content is invalid.');
    }
  }
  const leafIndex = certificates.findIndex((der) => safeMatches(key, der));
  if (leafIndex < 0) throw kvErrors.badParameter('The specified X.509 certificate content is invalid: no certificate matches the private key.');
  const leaf = certificates[leafIndex] as Uint8Array;
  return { leaf, chain: certificates.filter((_, i) => i !== leafIndex), privateKeyPem: key, contentType };
}

/** The first unencrypted private key block (PKCS#8, PKCS#1 or SEC1), found without a backtracking regex. */
function findPrivateKeyBlock(text: string): string | undefined {
  for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']) {
    const begin = text.indexOf(`-----BEGIN ${label}-----`);
    if (begin < 0) continue;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, begin);
    if (end >= 0) return text.slice(begin, end + endMarker.length);
  }
  return undefined;
}

function safeMatches(privateKeyPem: string, der: Uint8Array): boolean {
  try {
    return keyMatchesCertificate(privateKeyPem, der);
  } catch {
    return false;
  }
}
