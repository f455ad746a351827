import { createPrivateKey, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Pkcs12Error, keyMatchesCertificate, readPkcs12 } from '../../pki/pkcs12';
import type { GatewayCertificateRead } from '../azure-rules/outbound-certificate';
import { buildCertificateRequest, buildSelfSignedCertificate } from '../x509/sim-cert-builder';
import { parseSimCertificate, pemCertificates, tryParseSimCertificate } from '../x509/sim-certificate';
import { AccessPolicyTable, keyVaultOperations, type AccessPolicy, type DataActionAuthority, type KeyVaultOperation, type KeyVaultOperationName } from './key-vault-access';
import { signDigest, verifyDigest, publicKeyPem } from './key-vault-crypto';
import { KeyVaultError, kvErrors } from './key-vault-error';
import { PEM, PKCS12, defaultPolicy, keyOpsForUsage, mergePolicy, policyFromCertificate, validateForCreate, type WirePolicy } from './key-vault-policy';

/**
 * The simulated Key Vault data plane's state: vaults (vault access policies or Azure RBAC), certificates with versions
 * (each with its key and secret), standalone RSA keys that sign without ever leaving the vault, plain secrets, pending
 * certificate operations, and soft-deleted certificates. The HTTP handler (`createKeyVaultHandler`) exposes it to the
 * real SDK clients; the tunnel engine reads through `readAsGateway`, as the VPN gateway's managed identity does.
 */

export type { AccessPolicy } from './key-vault-access';

export interface KeyVaultPrincipal {
  readonly objectId: string;
  readonly tenantId?: string;
  readonly appId?: string;
}

/** One version of a certificate. `der` is absent while a CSR is pending. */
export interface CertificateVersionRecord {
  readonly version: string;
  readonly created: Date;
  updated: Date;
  enabled: boolean;
  tags: Record<string, string>;
  der?: Uint8Array;
  /** Issuers that came with the certificate (PFX/PEM import, merge x5c), nearest first. */
  chain: Uint8Array[];
  /** PKCS#8 PEM; Key Vault always has the key of its certificates (imported or generated). */
  readonly privateKeyPem: string;
  /** From the policy at creation: whether the secret carries the key. */
  readonly exportable: boolean;
  /** Secret format at creation (policy `secret_props.contentType`). */
  readonly contentType: string;
  /** `key_ops` of the certificate's key, from the policy's key usage at creation. */
  readonly keyOps: readonly string[];
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
  /** The version whose AutoRenew already produced a successor. */
  renewedVersion?: string;
}

export interface DeletedCertificateRecord {
  readonly record: CertificateRecord;
  readonly deletedDate: Date;
  readonly scheduledPurgeDate: Date;
}

/** A key created on its own (`createRsaKey`), not through a certificate. */
export interface KeyVersionRecord {
  readonly version: string;
  readonly created: Date;
  updated: Date;
  enabled: boolean;
  tags: Record<string, string>;
  readonly privateKeyPem: string;
  keyOps: string[];
}

export interface KeyRecord {
  readonly name: string;
  readonly versions: KeyVersionRecord[];
}

export interface SecretVersionRecord {
  readonly version: string;
  readonly created: Date;
  updated: Date;
  enabled: boolean;
  tags: Record<string, string>;
  readonly value: string;
  readonly contentType?: string;
}

export interface SecretRecord {
  readonly name: string;
  readonly versions: SecretVersionRecord[];
}

export type PermissionModel = 'accessPolicies' | 'rbac';

interface VaultState {
  readonly name: string;
  readonly tenantId: string;
  readonly permissionModel: PermissionModel;
  /** ARM id; RBAC role assignments on it (or above) grant data actions. */
  readonly resourceId: string;
  readonly policies: AccessPolicyTable;
  readonly certificates: Map<string, CertificateRecord>;
  readonly deletedCertificates: Map<string, DeletedCertificateRecord>;
  readonly keys: Map<string, KeyRecord>;
  readonly secrets: Map<string, SecretRecord>;
}

export interface VaultOptions {
  readonly tenantId?: string;
  readonly permissionModel?: PermissionModel;
  readonly resourceId?: string;
  /** Access-policy model: in force from the vault's creation (no propagation delay). */
  readonly accessPolicies?: readonly AccessPolicy[];
}

export type CertificateImportInput = { readonly pem: string } | { readonly pfx: Uint8Array; readonly password: string };

export interface KeyVaultStoreOptions {
  readonly now: () => Date;
  /** Items per list page: Key Vault's maximum, 25, unless a test wants paging with fewer objects. */
  readonly pageSize?: number;
  /** Role assignments, for vaults in the RBAC permission model. */
  readonly rbac?: DataActionAuthority;
  /** How long a new access policy permission or role assignment takes to reach the vault. Default 0. */
  readonly accessPropagationMs?: number;
}

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const SOFT_DELETE_RETENTION_DAYS = 90;
const RSA_KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const generateKeyPairAsync = promisify(generateKeyPair);
const DEFAULT_TENANT = '00000000-0000-0000-0000-000000000000';

export class KeyVaultStore {
  private readonly vaults = new Map<string, VaultState>();
  private readonly urls = new Map<string, string>();
  readonly pageSize: number;
  /** How long grants take to reach the data plane (see `KeyVaultStoreOptions`). */
  readonly accessPropagationMs: number;

  constructor(private readonly opts: KeyVaultStoreOptions) {
    this.pageSize = opts.pageSize ?? 25;
    this.accessPropagationMs = opts.accessPropagationMs ?? 0;
  }

  now(): Date {
    return this.opts.now();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Vaults and access

  createVault(name: string, opts: VaultOptions = {}): void {
    if (!VAULT_NAME.test(name)) throw new Error(`Invalid vault name '${name}': 3-24 letters, digits and hyphens, starting with a letter.`);
    const key = name.toLowerCase();
    if (this.vaults.has(key)) throw new Error(`Vault '${name}' already exists.`);
    const policies = new AccessPolicyTable();
    for (const p of opts.accessPolicies ?? []) policies.set(p, new Date(0));
    this.vaults.set(key, {
      name: key,
      tenantId: opts.tenantId ?? DEFAULT_TENANT,
      permissionModel: opts.permissionModel ?? 'accessPolicies',
      resourceId: opts.resourceId ?? `/subscriptions/${DEFAULT_TENANT}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${key}`,
      policies,
      certificates: new Map(),
      deletedCertificates: new Map(),
      keys: new Map(),
      secrets: new Map(),
    });
  }

  hasVault(name: string): boolean {
    return this.vaults.has(name.toLowerCase());
  }

  tenantOf(vaultName: string): string {
    return this.vault(vaultName).tenantId;
  }

  /** The vault's ARM id: the scope of role assignments on it. */
  resourceIdOf(vaultName: string): string {
    return this.vault(vaultName).resourceId;
  }

  /** Grants (or replaces) a principal's access policy; new permissions reach the vault after the propagation delay. */
  setAccessPolicy(vaultName: string, policy: AccessPolicy): void {
    this.vault(vaultName).policies.set(policy, this.now());
  }

  removeAccessPolicy(vaultName: string, objectId: string): void {
    this.vault(vaultName).policies.remove(objectId);
  }

  /** ARM's `accessPolicies/add` (merge) and `accessPolicies/remove` (take these permissions away). */
  changeAccessPolicy(vaultName: string, kind: 'add' | 'remove', policy: AccessPolicy): void {
    const vault = this.vault(vaultName);
    if (kind === 'add') vault.policies.add(policy, this.now());
    else vault.policies.subtract(policy);
  }

  /** Every vault as ARM describes it (Microsoft.KeyVault/vaults). */
  listVaults(): { name: string; tenantId: string; permissionModel: PermissionModel; resourceId: string; vaultUri: string; accessPolicies: AccessPolicy[] }[] {
    return [...this.vaults.values()].map((v) => ({ name: v.name, tenantId: v.tenantId, permissionModel: v.permissionModel, resourceId: v.resourceId, vaultUri: `${this.vaultUrl(v.name)}/`, accessPolicies: v.policies.list() }));
  }

  /** Where the vault is served. Public form (`https://<name>.vault.azure.net`) until a listener registers its URL. */
  vaultUrl(vaultName: string): string {
    const key = vaultName.toLowerCase();
    return this.urls.get(key) ?? `https://${key}.vault.azure.net`;
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
      if (new URL(this.vaultUrl(key)).origin.toLowerCase() === parsed.origin.toLowerCase()) return key;
    }
    const publicName = /^([a-z0-9-]{3,24})\.vault\.azure\.net$/i.exec(parsed.hostname)?.[1]?.toLowerCase();
    return publicName && this.vaults.has(publicName) ? publicName : undefined;
  }

  /** Whether the principal may run the operation now (or at `at`), in the vault's permission model. */
  isAllowed(vaultName: string, objectId: string, operation: KeyVaultOperationName | KeyVaultOperation, at: Date = this.now(), objectPath = ''): boolean {
    const vault = this.vault(vaultName);
    const op = typeof operation === 'string' ? keyVaultOperations[operation] : operation;
    if (vault.permissionModel === 'accessPolicies') return vault.policies.allows(objectId, op, at, this.accessPropagationMs);
    return this.opts.rbac?.isDataActionAllowed(objectId, op.dataAction, `${vault.resourceId}${objectPath}`, at, this.accessPropagationMs) ?? false;
  }

  /** Throws Key Vault's 403 for the vault's permission model unless the principal may run the operation. */
  authorize(vaultName: string, principal: KeyVaultPrincipal, operation: KeyVaultOperationName, objectPath = ''): void {
    if (this.isAllowed(vaultName, principal.objectId, operation, this.now(), objectPath)) return;
    const vault = this.vault(vaultName);
    const op = keyVaultOperations[operation];
    const who = `appid=${principal.appId ?? ''};oid=${principal.objectId};iss=https://sts.windows.net/${principal.tenantId ?? ''}/`;
    throw vault.permissionModel === 'rbac' ? kvErrors.forbiddenByRbac(who, op.dataAction, `${vault.resourceId}${objectPath}`, vault.name) : kvErrors.forbidden(who, op.kind, op.permission, vault.name);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Certificates

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
  importCertificate(vaultName: string, certificateName: string, input: CertificateImportInput, opts: { enabled?: boolean; tags?: Record<string, string>; policy?: unknown } = {}): { id: string; version: string } {
    const vault = this.vault(vaultName);
    checkObjectName(certificateName);
    this.refuseDeletedName(vault, certificateName);
    const { leaf, chain, privateKeyPem, contentType } = readImport(input);
    const cert = parseSimCertificate(leaf);
    const existing = vault.certificates.get(certificateName.toLowerCase());
    const dnsNames = cert.x509.subjectAltName?.split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)) ?? [];
    const policy = mergePolicy(existing?.policy ?? policyFromCertificate(cert, contentType, dnsNames), opts.policy);
    const record = existing ?? this.newRecord(vault, certificateName, policy);
    record.policy = policy;
    record.policyUpdated = this.now();
    const version = this.addVersion(record, {
      der: leaf,
      chain,
      privateKeyPem,
      enabled: opts.enabled ?? true,
      tags: opts.tags ?? {},
      exportable: policy.key_props.exportable,
      contentType: policy.secret_props.contentType,
      keyOps: keyOpsForUsage(policy.x509_props.key_usage ?? []),
    });
    return { id: `${this.vaultUrl(vaultName)}/certificates/${record.name}/${version.version}`, version: version.version };
  }

  /**
   * Creates a certificate version from the policy. Issuer `Self`: a new key (or the current one with `reuse_key`) and
   * a self-signed certificate, done at once. Issuer `Unknown`: a new key, a PKCS#10 request carrying the policy's
   * subject, key usage, EKUs, SANs and basic constraints, and a pending operation that `mergeCertificate` completes.
   */
  async createCertificate(vaultName: string, certificateName: string, body: { policy?: unknown; enabled?: boolean; tags?: Record<string, string> }, at: Date = this.now()): Promise<CertificateRecord> {
    const vault = this.vault(vaultName);
    checkObjectName(certificateName);
    this.refuseDeletedName(vault, certificateName);
    const existing = vault.certificates.get(certificateName.toLowerCase());
    if (existing?.pending?.status === 'inProgress') {
      throw kvErrors.conflict(`Certificate ${certificateName} has a pending certificate operation. Complete, cancel or delete it before creating a new version.`);
    }
    const policy = mergePolicy(existing?.policy ?? defaultPolicy(), body.policy);
    const { keyBits, profile } = validateForCreate(policy);
    const issuer = policy.issuer.name.toLowerCase();
    if (issuer !== 'self' && issuer !== 'unknown') {
      throw kvErrors.badParameter(`Issuer '${policy.issuer.name}' is not modelled by the Azure simulator's Key Vault: use Self or Unknown.`);
    }
    const record = existing ?? this.newRecord(vault, certificateName, policy);
    record.policy = policy;
    record.policyUpdated = at;
    // Reserve the operation before any await, so a concurrent create sees the conflict.
    const placeholder: PendingOperationRecord = { requestId: randomUUID().replace(/-/g, ''), issuerName: policy.issuer.name, version: newVersionId(), status: 'inProgress', statusDetails: pendingDetails, cancellationRequested: false };
    record.pending = placeholder;
    try {
      const reused = policy.key_props.reuse_key ? record.versions[record.versions.length - 1]?.privateKeyPem : undefined;
      const privateKeyPem = reused ?? (await newRsaKey(keyBits));
      const common = { enabled: body.enabled ?? true, tags: body.tags ?? {}, privateKeyPem, chain: [], exportable: policy.key_props.exportable, contentType: policy.secret_props.contentType, keyOps: keyOpsForUsage(profile.keyUsages) };
      if (issuer === 'self') {
        const der = buildSelfSignedCertificate(profile, privateKeyPem, { notBefore: at, notAfter: addMonths(at, policy.x509_props.validity_months ?? 12) });
        this.addVersion(record, { ...common, der }, placeholder.version, at);
        record.pending = { ...placeholder, status: 'completed', statusDetails: '' };
      } else {
        this.addVersion(record, { ...common, enabled: false }, placeholder.version, at);
        record.pending = { ...placeholder, csr: buildCertificateRequest(profile, privateKeyPem) };
      }
      return record;
    } catch (error) {
      if (record.pending === placeholder) delete record.pending;
      if (record.versions.length === 0 && !existing) vault.certificates.delete(certificateName.toLowerCase());
      throw error;
    }
  }

  /** Completes a pending `Unknown`-issuer operation with the CA's certificate (first) and its chain (x5c). */
  mergeCertificate(vaultName: string, certificateName: string, x5c: Uint8Array[], opts: { enabled?: boolean; tags?: Record<string, string> } = {}): CertificateRecord {
    const record = this.certificateRecord(vaultName, certificateName, { allowPendingOnly: true });
    const pending = record.pending;
    if (!pending || pending.status !== 'inProgress') throw kvErrors.pendingNotFound(certificateName);
    const version = record.versions.find((v) => v.version === pending.version);
    if (!version) throw kvErrors.pendingNotFound(certificateName);
    const [leaf, ...chain] = x5c;
    if (!leaf) throw kvErrors.badParameter('x5c must contain at least the certificate to merge.');
    if (x5c.some((der) => !tryParseSimCertificate(der))) throw kvErrors.badParameter('The specified X.509 certificate content is invalid.');
    if (!keyMatchesCertificate(version.privateKeyPem, leaf)) {
      throw kvErrors.badParameter("Public key from x509 certificate and key of this instance doesn't match.");
    }
    version.der = Uint8Array.from(leaf);
    version.chain = chain.map((der) => Uint8Array.from(der));
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

  /** Soft delete: the certificate (with its key and secret) becomes a deleted certificate, recoverable for 90 days. */
  deleteCertificate(vaultName: string, certificateName: string): DeletedCertificateRecord {
    const vault = this.vault(vaultName);
    const record = this.certificateRecord(vaultName, certificateName, { allowPendingOnly: true });
    vault.certificates.delete(record.name.toLowerCase());
    const deletedDate = this.now();
    const deleted = { record, deletedDate, scheduledPurgeDate: new Date(deletedDate.getTime() + SOFT_DELETE_RETENTION_DAYS * 86_400_000) };
    vault.deletedCertificates.set(record.name.toLowerCase(), deleted);
    return deleted;
  }

  deletedCertificate(vaultName: string, certificateName: string): DeletedCertificateRecord {
    const deleted = this.vault(vaultName).deletedCertificates.get(certificateName.toLowerCase());
    if (!deleted) throw kvErrors.deletedCertificateNotFound(certificateName);
    return deleted;
  }

  listDeletedCertificates(vaultName: string): DeletedCertificateRecord[] {
    return [...this.vault(vaultName).deletedCertificates.values()].sort((a, b) => a.record.name.localeCompare(b.record.name));
  }

  recoverDeletedCertificate(vaultName: string, certificateName: string): CertificateRecord {
    const vault = this.vault(vaultName);
    const deleted = this.deletedCertificate(vaultName, certificateName);
    vault.deletedCertificates.delete(deleted.record.name.toLowerCase());
    vault.certificates.set(deleted.record.name.toLowerCase(), deleted.record);
    return deleted.record;
  }

  purgeDeletedCertificate(vaultName: string, certificateName: string): void {
    const deleted = this.deletedCertificate(vaultName, certificateName);
    this.vault(vaultName).deletedCertificates.delete(deleted.record.name.toLowerCase());
  }

  /**
   * Runs due `AutoRenew` lifetime actions of `Self`-issued certificates: a new version when the current one reaches
   * its trigger (days before expiry, or a percentage of its lifetime), created at the trigger time.
   */
  async runLifetimeActions(now: Date): Promise<void> {
    for (const vault of this.vaults.values()) {
      for (const record of vault.certificates.values()) {
        if (record.policy.issuer.name.toLowerCase() !== 'self' || record.pending?.status === 'inProgress') continue;
        const current = this.latestCompleted(record);
        const cert = current?.der ? parseSimCertificate(current.der) : undefined;
        if (!current || !cert || record.renewedVersion === current.version) continue;
        const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
        const triggers = record.policy.lifetime_actions
          .filter((a) => a.action.action_type === 'AutoRenew')
          .map((a) => (a.trigger.days_before_expiry !== undefined ? cert.notAfter.getTime() - a.trigger.days_before_expiry * 86_400_000 : cert.notBefore.getTime() + (lifetime * (a.trigger.lifetime_percentage ?? 80)) / 100));
        const due = Math.min(...triggers);
        if (!Number.isFinite(due) || due > now.getTime()) continue;
        record.renewedVersion = current.version;
        await this.createCertificate(vault.name, record.name, {}, new Date(due));
      }
    }
  }

  /** Every certificate of a vault (Event Grid's expiry scan). */
  certificateRecords(vaultName: string): CertificateRecord[] {
    return [...this.vault(vaultName).certificates.values()];
  }

  /** The record of a certificate that has at least one completed version (or a pending one, when allowed). */
  certificateRecord(vaultName: string, certificateName: string, opts: { allowPendingOnly?: boolean } = {}): CertificateRecord {
    const record = this.vault(vaultName).certificates.get(certificateName.toLowerCase());
    if (!record || (!opts.allowPendingOnly && !record.versions.some((v) => v.der !== undefined))) throw kvErrors.certificateNotFound(certificateName);
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

  // ------------------------------------------------------------------------------------------------------------
  // Keys

  /** A new version of a standalone RSA key (`createRsaKey`): generated in the vault, never exported. */
  async createKey(vaultName: string, name: string, body: { kty?: string; keySize?: number; keyOps?: string[]; enabled?: boolean; tags?: Record<string, string> }): Promise<{ record: KeyRecord; version: KeyVersionRecord }> {
    const vault = this.vault(vaultName);
    checkObjectName(name);
    if (vault.certificates.has(name.toLowerCase())) throw kvErrors.conflict(`Key ${name} belongs to a certificate; create a new certificate version instead.`);
    const kty = (body.kty ?? 'RSA').toUpperCase();
    if (kty !== 'RSA' && kty !== 'RSA-HSM') throw kvErrors.badParameter(`Key type '${body.kty ?? ''}' is not modelled by the Azure simulator's Key Vault: it creates RSA keys only.`);
    const keySize = body.keySize ?? 2048;
    if (![2048, 3072, 4096].includes(keySize)) throw kvErrors.badParameter(`Invalid key size ${keySize}. RSA key sizes are 2048, 3072 and 4096.`);
    const keyOps = body.keyOps ?? RSA_KEY_OPS;
    const unknown = keyOps.find((o) => !RSA_KEY_OPS.includes(o));
    if (unknown !== undefined) throw kvErrors.badParameter(`Invalid key operation '${unknown.slice(0, 20)}'. RSA keys allow ${RSA_KEY_OPS.join(', ')}.`);
    const record = vault.keys.get(name.toLowerCase()) ?? { name, versions: [] };
    vault.keys.set(name.toLowerCase(), record);
    const now = this.now();
    const version: KeyVersionRecord = { version: newVersionId(), created: now, updated: now, enabled: body.enabled ?? true, tags: body.tags ?? {}, privateKeyPem: await newRsaKey(keySize), keyOps: [...keyOps] };
    record.versions.push(version);
    return { record, version };
  }

  /** A key by name and version (undefined or '': the current one): standalone, or the key of a certificate version. */
  findKey(vaultName: string, name: string, version: string | undefined): { name: string; version: string; created: Date; updated: Date; enabled: boolean; tags: Record<string, string>; privateKeyPem: string; keyOps: readonly string[]; managed: boolean; exportable: boolean } {
    const vault = this.vault(vaultName);
    const standalone = vault.keys.get(name.toLowerCase());
    if (standalone) {
      const found = version ? standalone.versions.find((v) => v.version === version.toLowerCase()) : standalone.versions[standalone.versions.length - 1];
      if (!found) throw kvErrors.keyNotFound(version ? `${name}/${version}` : name);
      return { ...found, name: standalone.name, managed: false, exportable: false };
    }
    const record = vault.certificates.get(name.toLowerCase());
    const found = record ? (version ? record.versions.find((v) => v.version === version.toLowerCase()) : this.latestCompleted(record)) : undefined;
    if (!record || !found) throw kvErrors.keyNotFound(version ? `${name}/${version}` : name);
    return { ...found, name: record.name, managed: true };
  }

  listKeyVersions(vaultName: string, name: string): KeyVersionRecord[] {
    const record = this.vault(vaultName).keys.get(name.toLowerCase());
    if (!record) throw kvErrors.keyNotFound(name);
    return [...record.versions];
  }

  updateKey(vaultName: string, name: string, version: string | undefined, patch: { enabled?: boolean; keyOps?: string[]; tags?: Record<string, string> }): KeyVersionRecord {
    const record = this.vault(vaultName).keys.get(name.toLowerCase());
    const found = record ? (version ? record.versions.find((v) => v.version === version.toLowerCase()) : record.versions[record.versions.length - 1]) : undefined;
    if (!found) throw kvErrors.keyNotFound(version ? `${name}/${version}` : name);
    if (patch.enabled !== undefined) found.enabled = patch.enabled;
    if (patch.keyOps !== undefined) found.keyOps = [...patch.keyOps];
    if (patch.tags !== undefined) found.tags = { ...patch.tags };
    found.updated = this.now();
    return found;
  }

  /** Signs a digest with the key (versioned or current); the key's `key_ops` and state decide whether it may. */
  sign(vaultName: string, name: string, version: string | undefined, alg: string, digest: Uint8Array): { kid: string; signature: Buffer } {
    const key = this.usableKey(vaultName, name, version, 'sign');
    return { kid: `${this.vaultUrl(vaultName)}/keys/${key.name}/${key.version}`, signature: signDigest(key.privateKeyPem, alg, digest) };
  }

  verify(vaultName: string, name: string, version: string | undefined, alg: string, digest: Uint8Array, signature: Uint8Array): { kid: string; valid: boolean } {
    const key = this.usableKey(vaultName, name, version, 'verify');
    return { kid: `${this.vaultUrl(vaultName)}/keys/${key.name}/${key.version}`, valid: verifyDigest(publicKeyPem(key.privateKeyPem), alg, digest, signature) };
  }

  private usableKey(vaultName: string, name: string, version: string | undefined, operation: 'sign' | 'verify') {
    const key = this.findKey(vaultName, name, version);
    if (!key.enabled) throw new KeyVaultError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled key.`, 'KeyDisabled');
    if (!key.keyOps.includes(operation)) throw new KeyVaultError(403, 'Forbidden', `Operation ${operation} is not permitted on this key.`, 'KeyOperationForbidden');
    return key;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Secrets

  /** Sets a plain secret (a new version). The secrets of certificates are managed by Key Vault and cannot be set. */
  setSecret(vaultName: string, name: string, body: { value: string; contentType?: string; enabled?: boolean; tags?: Record<string, string> }): { record: SecretRecord; version: SecretVersionRecord } {
    const vault = this.vault(vaultName);
    checkObjectName(name);
    if (vault.certificates.has(name.toLowerCase())) throw kvErrors.conflict(`Secret ${name} is managed by certificate ${name}; import or create a certificate version instead.`);
    const record = vault.secrets.get(name.toLowerCase()) ?? { name, versions: [] };
    vault.secrets.set(name.toLowerCase(), record);
    const now = this.now();
    const version: SecretVersionRecord = { version: newVersionId(), created: now, updated: now, enabled: body.enabled ?? true, tags: body.tags ?? {}, value: body.value, ...(body.contentType ? { contentType: body.contentType } : {}) };
    record.versions.push(version);
    return { record, version };
  }

  /** A plain secret, or undefined when the name is not one (it may be a certificate's). */
  findPlainSecret(vaultName: string, name: string, version: string | undefined): { record: SecretRecord; version: SecretVersionRecord } | undefined {
    const record = this.vault(vaultName).secrets.get(name.toLowerCase());
    if (!record) return undefined;
    const found = version ? record.versions.find((v) => v.version === version.toLowerCase()) : record.versions[record.versions.length - 1];
    if (!found) throw kvErrors.secretNotFound(`${name}/${version ?? ''}`);
    return { record, version: found };
  }

  // ------------------------------------------------------------------------------------------------------------
  // The gateway's read

  /**
   * What the VPN gateway does with `outboundAuthCertificate`, as its managed identity at `at`: resolve the vault from
   * the identifier's host; read the certificate and its secret at the version the identifier names (a versionless
   * identifier: the newest enabled version with a certificate, at each read — see the README, unverified); needs
   * certificate read and secret get (`get` on certificates and secrets, or Key Vault Certificate User + Secrets
   * User). Answers with the gateway-side codes of Microsoft's troubleshooting page.
   */
  readAsGateway(principalObjectId: string, identifier: string, at: Date): GatewayCertificateRead {
    const vaultName = this.vaultNameForUrl(identifier);
    if (!vaultName) return fail('VpnGatewayKeyVaultNameResolutionFailure', 'The Key Vault host in the certificate identifier cannot be resolved.');
    const match = /^\/(certificates|secrets)\/([^/?#]+)(?:\/([^/?#]*))?\/?$/i.exec(new URL(identifier).pathname);
    if (!match?.[2]) return fail('VpnGatewayKeyVaultSecretNotFound', 'The identifier does not name a certificate (expected .../certificates/<name>/<version>).');
    const kind = (match[1] ?? '').toLowerCase();
    const name = decodeURIComponent(match[2]);
    const version = match[3] ? decodeURIComponent(match[3]).toLowerCase() : undefined;
    const mayRead = (op: KeyVaultOperationName) => this.isAllowed(vaultName, principalObjectId, op, at, `/${op.split('/')[0]}/${name}`);
    if ((kind === 'certificates' && !mayRead('certificates/get')) || !mayRead('secrets/get')) {
      return fail('VpnGatewayKeyVaultInaccessibleKeyvault', `The identity ${principalObjectId} may not read the certificate and its secret in Key Vault '${vaultName}'.`);
    }
    const vault = this.vault(vaultName);
    if (kind === 'secrets') {
      const plain = vault.secrets.get(name.toLowerCase());
      if (plain) {
        const found = version ? plain.versions.find((v) => v.version === version) : [...plain.versions].reverse().find((v) => v.enabled);
        if (!found || !found.enabled) return fail('VpnGatewayKeyVaultSecretNotFound', `Secret '${name}'${version ? ` version ${version}` : ''} was not found (or is disabled) in Key Vault '${vaultName}'.`);
        return secretContent(found.value, found.contentType);
      }
    }
    const record = vault.certificates.get(name.toLowerCase());
    const chosen = record ? (version ? record.versions.find((v) => v.version === version) : [...record.versions].reverse().find((v) => v.enabled && v.der)) : undefined;
    if (!record || !chosen) return fail('VpnGatewayKeyVaultSecretNotFound', `Certificate '${name}'${version ? ` version ${version}` : ''} was not found in Key Vault '${vaultName}'.`);
    if (!chosen.enabled && chosen.der) return fail('VpnGatewayKeyVaultSecretNotFound', `Certificate '${record.name}' version ${chosen.version} is disabled in Key Vault '${vaultName}'.`);
    if (!chosen.der) return fail('VpnGatewayKeyVaultCertIsEmpty', `Certificate '${record.name}' version ${chosen.version} has no certificate yet (its request is pending).`);
    return { ok: true, certificates: [chosen.der, ...chosen.chain], ...(chosen.exportable ? { privateKeyPem: chosen.privateKeyPem } : {}) };
  }

  /**
   * Test hook: every value a leak must never show, in every vault: the private key of each certificate version and
   * key version (PKCS#8 PEM), and each plain secret's value. A secret scan searches what the product wrote for them.
   */
  secretMaterial(): { readonly where: string; readonly value: string }[] {
    const found: { where: string; value: string }[] = [];
    for (const vault of this.vaults.values()) {
      for (const c of vault.certificates.values()) for (const v of c.versions) found.push({ where: `${vault.name}/certificates/${c.name}/${v.version} private key`, value: v.privateKeyPem });
      for (const k of vault.keys.values()) for (const v of k.versions) found.push({ where: `${vault.name}/keys/${k.name}/${v.version} private key`, value: v.privateKeyPem });
      for (const s of vault.secrets.values()) for (const v of s.versions) found.push({ where: `${vault.name}/secrets/${s.name}/${v.version}`, value: v.value });
    }
    return found;
  }

  // ------------------------------------------------------------------------------------------------------------

  private vault(name: string): VaultState {
    const vault = this.vaults.get(name.toLowerCase());
    if (!vault) throw new KeyVaultError(404, 'VaultNotFound', `Key Vault '${name}' does not exist in the simulator.`);
    return vault;
  }

  private refuseDeletedName(vault: VaultState, name: string): void {
    if (vault.deletedCertificates.has(name.toLowerCase())) throw kvErrors.deletedButRecoverable('Certificate', name);
  }

  private newRecord(vault: VaultState, certificateName: string, policy: WirePolicy): CertificateRecord {
    const now = this.now();
    const record: CertificateRecord = { name: certificateName, policy, policyCreated: now, policyUpdated: now, versions: [] };
    vault.certificates.set(certificateName.toLowerCase(), record);
    return record;
  }

  private addVersion(record: CertificateRecord, fields: Omit<CertificateVersionRecord, 'version' | 'created' | 'updated'>, version = newVersionId(), at = this.now()): CertificateVersionRecord {
    const entry: CertificateVersionRecord = { ...fields, version, created: at, updated: at };
    record.versions.push(entry);
    return entry;
  }

  private dropVersion(record: CertificateRecord, version: string): void {
    const index = record.versions.findIndex((v) => v.version === version && v.der === undefined);
    if (index >= 0) record.versions.splice(index, 1);
  }
}

const pendingDetails = 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.';

function fail(code: string, message: string): GatewayCertificateRead {
  return { ok: false, code, message };
}

/** A plain secret's content as the gateway reads it: empty, a PFX, a PEM text, or something else. */
function secretContent(value: string, contentType: string | undefined): GatewayCertificateRead {
  if (value.trim() === '') return fail('VpnGatewayKeyVaultSecretIsEmpty', 'The Key Vault secret is empty.');
  try {
    if (contentType === PEM || value.trimStart().startsWith('-----BEGIN')) {
      const certificates = pemCertificates(value);
      const key = findPrivateKeyBlock(value);
      if (certificates.length === 0) throw new Error('no certificate');
      return { ok: true, certificates, ...(key ? { privateKeyPem: createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }) as string } : {}) };
    }
    const pfx = readPkcs12(new Uint8Array(Buffer.from(value, 'base64')), null);
    const leafIndex = pfx.privateKeyPem ? pfx.certificates.findIndex((der) => safeMatches(pfx.privateKeyPem ?? '', der)) : 0;
    const ordered = leafIndex > 0 ? [pfx.certificates[leafIndex] as Uint8Array, ...pfx.certificates.filter((_, i) => i !== leafIndex)] : pfx.certificates;
    if (ordered.length === 0) throw new Error('no certificate');
    return { ok: true, certificates: ordered, ...(pfx.privateKeyPem ? { privateKeyPem: pfx.privateKeyPem } : {}) };
  } catch {
    return fail('VpnGatewayKeyVaultSecretException', 'The Key Vault secret could not be read as a PFX or PEM certificate.');
  }
}

async function newRsaKey(bits: number): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
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
    certificates = pemCertificates(input.pem);
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
  if (certificates.some((der) => !tryParseSimCertificate(der))) throw kvErrors.badParameter('The specified X.509 certificate content is invalid.');
  const key = privateKeyPem;
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
