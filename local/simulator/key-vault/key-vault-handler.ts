import { constants, createHash, createPrivateKey, createPublicKey, privateEncrypt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toPem } from '../../../core/pki/certificate-info';
import { buildPkcs12 } from '../../pki/pkcs12';
import { KeyVaultError, kvErrors } from './key-vault-error';
import { PEM } from './key-vault-policy';
import type { CertificateRecord, CertificateVersionRecord, KeyVaultPrincipal, KeyVaultStore, PendingOperationRecord } from './key-vault-store';

/** What the simulator passes for each request on a vault's listener. */
export interface KeyVaultRoute {
  readonly vaultName: string;
  /** Path and query after the vault URL, e.g. `/certificates/vpn/abc123?api-version=2025-07-01`. */
  readonly path: string;
  /** Set when the caller already authenticated the request (the simulator's front door does). */
  readonly principalObjectId?: string;
  readonly principal?: KeyVaultPrincipal;
}

export type KeyVaultHandler = (req: IncomingMessage, res: ServerResponse, route: KeyVaultRoute) => Promise<void>;

const MAX_BODY_BYTES = 1024 * 1024;
const VAULT_AUDIENCES = ['https://vault.azure.net', 'https://vault.azure.net/', 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093'];
/** DigestInfo prefixes (RFC 8017 section 9.2) for RSASSA-PKCS1-v1_5 over a digest the client computed. */
const DIGEST_INFO: Record<string, { prefix: Buffer; length: number }> = {
  RS256: { prefix: Buffer.from('3031300d060960864801650304020105000420', 'hex'), length: 32 },
  RS384: { prefix: Buffer.from('3041300d060960864801650304020205000430', 'hex'), length: 48 },
  RS512: { prefix: Buffer.from('3051300d060960864801650304020305000440', 'hex'), length: 64 },
};

/**
 * The Key Vault data plane over HTTP for the real SDK clients (`@azure/keyvault-certificates`, `-secrets`, `-keys`):
 * certificates (import PFX/PEM, get, versions, list with nextLink paging, create with Self or Unknown issuer,
 * pending operation get/cancel/delete, merge, policy get/update, update properties), the certificate's secret
 * (PFX or PEM per policy) and key (get, sign RS256/384/512). Errors in Key Vault's shape.
 *
 * Authentication: when the route carries no principal, the handler answers a request without a bearer token with
 * Key Vault's 401 challenge and reads the principal from the token's `oid` (the local credential's unsigned JWT).
 */
export function createKeyVaultHandler(store: KeyVaultStore): KeyVaultHandler {
  return async (req, res, route) => {
    try {
      const principal = route.principal ?? (route.principalObjectId ? { objectId: route.principalObjectId } : readPrincipal(req.headers.authorization));
      const url = new URL(stripPrefix(route.path, route.vaultName), 'https://vault.invalid');
      if (!store.hasVault(route.vaultName)) throw new KeyVaultError(404, 'VaultNotFound', `Key Vault '${route.vaultName}' does not exist.`);
      learnVaultUrl(store, route.vaultName, req);
      if (!url.searchParams.get('api-version')) throw kvErrors.badParameter('The api-version query parameter is missing.');
      const body = await readJsonBody(req);
      const result = await dispatch(store, route.vaultName, principal, (req.method ?? 'GET').toUpperCase(), url, body);
      writeJson(res, result.status, result.body);
    } catch (error) {
      if (error instanceof KeyVaultError) {
        // The challenge arrives before the SDK sends a body; drain whatever came so the socket stays usable.
        req.resume();
        writeJson(res, error.status, error.body(), error.headers);
        return;
      }
      throw error;
    }
  };
}

function stripPrefix(path: string, vaultName: string): string {
  const prefix = `/kv/${vaultName}`;
  return path.toLowerCase().startsWith(`${prefix.toLowerCase()}/`) ? path.slice(prefix.length) : path;
}

/**
 * Ids in responses must use the URL the client reached the vault at (Key Vault answers with its own DNS name).
 * When nobody registered where the vault is served, the store still has the public form: learn it from Host.
 */
function learnVaultUrl(store: KeyVaultStore, vaultName: string, req: IncomingMessage): void {
  const host = req.headers.host;
  const registered = new URL(store.vaultUrl(vaultName)).hostname;
  if (host && registered.toLowerCase().endsWith('.vault.azure.net')) store.setVaultUrl(vaultName, `https://${host}`);
}

function readPrincipal(authorization: string | undefined): KeyVaultPrincipal {
  if (!authorization) throw kvErrors.unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const payload = token?.split('.')[1];
  let claims: Record<string, unknown> | undefined;
  try {
    claims = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  } catch {
    claims = undefined;
  }
  if (!claims || typeof claims !== 'object') throw kvErrors.unauthorized('AKV10022: Invalid token: the bearer token could not be read.');
  if (typeof claims.aud === 'string' && !VAULT_AUDIENCES.includes(claims.aud)) throw kvErrors.unauthorized(`AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${claims.aud.slice(0, 100)}.`);
  if (typeof claims.oid !== 'string' || claims.oid === '') throw kvErrors.unauthorized('AKV10022: Invalid token: the oid claim is missing.');
  return {
    objectId: claims.oid,
    ...(typeof claims.tid === 'string' ? { tenantId: claims.tid } : {}),
    ...(typeof claims.appid === 'string' ? { appId: claims.appid } : {}),
  };
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new KeyVaultError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw kvErrors.badParameter('The request body is not valid JSON.');
  }
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-ms-request-id': randomUUID(),
    'x-ms-keyvault-service-version': '1.9.2179.1',
    'x-ms-keyvault-region': 'westeurope',
    'x-ms-keyvault-network-info': 'conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;',
    ...headers,
  });
  res.end(text);
}

interface Result {
  readonly status: number;
  readonly body: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tagsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) throw kvErrors.badParameter('Tags must be an object of string values.');
  if (Object.keys(value).length > 15) throw kvErrors.badParameter('A certificate can have at most 15 tags.');
  return value as Record<string, string>;
}

function enabledOf(attributes: unknown): boolean | undefined {
  return isRecord(attributes) && typeof attributes.enabled === 'boolean' ? attributes.enabled : undefined;
}

async function dispatch(store: KeyVaultStore, vault: string, principal: KeyVaultPrincipal, method: string, url: URL, body: unknown): Promise<Result> {
  const segments = url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
  // `/certificates/<name>/` (empty version) means the current version, as the SDK's getCertificate sends it.
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const [collection, name, third, fourth] = segments;
  const auth = (kind: 'certificates' | 'secrets' | 'keys', permission: string): void => store.authorize(vault, principal, kind, permission);
  const render = new Renderer(store, vault);

  if (collection === 'certificates') {
    if (name === undefined || name === '') {
      if (method !== 'GET') throw notModelled(method, url);
      auth('certificates', 'list');
      const includePending = url.searchParams.get('includePending') === 'true';
      const items = store.listCertificates(vault, includePending).map((r) => render.item(r, undefined));
      return { status: 200, body: page(store, vault, url, items) };
    }
    if (segments.length === 2) return certificateVersion(method, name, undefined);
    if (third === 'versions' && segments.length === 3 && method === 'GET') {
      auth('certificates', 'list');
      const record = store.certificateRecord(vault, name);
      const items = record.versions.filter((v) => v.der !== undefined).map((v) => render.item(record, v));
      return { status: 200, body: page(store, vault, url, items) };
    }
    if (third === 'policy' && segments.length === 3) {
      if (method === 'GET') {
        auth('certificates', 'get');
        return { status: 200, body: render.policy(store.certificateRecord(vault, name, { allowPendingOnly: true })) };
      }
      if (method === 'PATCH') {
        auth('certificates', 'update');
        return { status: 200, body: render.policy(store.updatePolicy(vault, name, body)) };
      }
    }
    if (third === 'pending' && segments.length === 3) {
      if (method === 'GET') {
        auth('certificates', 'get');
        const record = store.certificateRecord(vault, name, { allowPendingOnly: true });
        if (!record.pending) throw kvErrors.pendingNotFound(name);
        return { status: 200, body: render.operation(record, record.pending) };
      }
      if (method === 'PATCH') {
        auth('certificates', 'update');
        if (!isRecord(body) || body.cancellation_requested !== true) throw kvErrors.badParameter('Only cancellation_requested: true can be set on a certificate operation.');
        const record = store.cancelOperation(vault, name);
        return { status: 200, body: render.operation(record, record.pending as PendingOperationRecord) };
      }
      if (method === 'DELETE') {
        auth('certificates', 'delete');
        const { record, operation } = store.deleteOperation(vault, name);
        return { status: 200, body: render.operation(record, operation) };
      }
    }
    if (third === 'pending' && fourth === 'merge' && segments.length === 4 && method === 'POST') {
      auth('certificates', 'create');
      if (!isRecord(body) || !Array.isArray(body.x5c) || body.x5c.some((c) => typeof c !== 'string')) throw kvErrors.badParameter('x5c must be an array of base64 certificates.');
      const enabled = enabledOf(body.attributes);
      const tags = tagsOf(body.tags);
      const record = store.mergeCertificate(vault, name, (body.x5c as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))), { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
      return { status: 201, body: render.bundle(record, store.latestCompleted(record) as CertificateVersionRecord, true) };
    }
    if (third === 'create' && segments.length === 3 && method === 'POST') {
      auth('certificates', 'create');
      if (body !== undefined && !isRecord(body)) throw kvErrors.badParameter('The request body must be a JSON object.');
      const enabled = enabledOf(body?.attributes);
      const tags = tagsOf(body?.tags);
      const record = await store.createCertificate(vault, name, { policy: body?.policy, ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
      // Key Vault answers 202 with the operation still in progress, even for Self; a GET of /pending sees it done.
      const pending = record.pending as PendingOperationRecord;
      return { status: 202, body: render.operation(record, { ...pending, status: 'inProgress', statusDetails: 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.' }) };
    }
    if (third === 'import' && segments.length === 3 && method === 'POST') {
      auth('certificates', 'import');
      if (!isRecord(body) || typeof body.value !== 'string' || body.value === '') throw kvErrors.badParameter('The certificate value (base64 PFX or PEM text) is missing.');
      const policy = body.policy;
      const contentType = isRecord(policy) && isRecord(policy.secret_props) ? policy.secret_props.contentType : undefined;
      const isPem = contentType === PEM || body.value.trimStart().startsWith('-----BEGIN');
      const enabled = enabledOf(body.attributes);
      const tags = tagsOf(body.tags);
      const input = isPem ? { pem: body.value } : { pfx: new Uint8Array(Buffer.from(body.value, 'base64')), password: typeof body.pwd === 'string' ? body.pwd : '' };
      const { version } = store.importCertificate(vault, name, input, { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}), policy: isPem && !contentType ? mergeContentType(policy, PEM) : policy });
      const record = store.certificateRecord(vault, name);
      return { status: 200, body: render.bundle(record, store.findVersion(record, version), true) };
    }
    if (segments.length === 3) return certificateVersion(method, name, third);
    throw notModelled(method, url);
  }

  if (collection === 'secrets' && name && segments.length <= 3 && method === 'GET') {
    auth('secrets', 'get');
    const { record, version } = certificateBacked(store, vault, name, third, 'secret');
    if (!version.enabled) throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return { status: 200, body: render.secret(record, version) };
  }

  if (collection === 'keys' && name && segments.length <= 3 && method === 'GET') {
    auth('keys', 'get');
    const { record, version } = certificateBacked(store, vault, name, third, 'key');
    return { status: 200, body: render.key(record, version) };
  }

  if (collection === 'keys' && name && third && fourth === 'sign' && segments.length === 4 && method === 'POST') {
    auth('keys', 'sign');
    const { record, version } = certificateBacked(store, vault, name, third, 'key');
    if (!version.enabled) throw new KeyVaultError(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.', 'KeyDisabled');
    if (!render.keyOps(record).includes('sign')) throw new KeyVaultError(403, 'Forbidden', 'Operation sign is not permitted on this key.', 'KeyOperationForbidden');
    if (!isRecord(body) || typeof body.alg !== 'string' || typeof body.value !== 'string') throw kvErrors.badParameter('sign needs alg and value.');
    const scheme = DIGEST_INFO[body.alg];
    if (!scheme) throw kvErrors.badParameter(`Algorithm '${body.alg.slice(0, 20)}' is not modelled by the Azure simulator's Key Vault: it signs with RS256, RS384 and RS512.`);
    const digest = Buffer.from(body.value, 'base64url');
    if (digest.length !== scheme.length) throw kvErrors.badParameter(`The digest for ${body.alg} must be ${scheme.length} bytes, not ${digest.length}.`);
    const signature = privateEncrypt({ key: createPrivateKey(version.privateKeyPem), padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([scheme.prefix, digest]));
    return { status: 200, body: { kid: render.keyId(record, version), value: signature.toString('base64url') } };
  }

  throw notModelled(method, url);

  function certificateVersion(verb: string, certificateName: string, version: string | undefined): Result {
    if (verb === 'GET') {
      auth('certificates', 'get');
      const record = store.certificateRecord(vault, certificateName);
      return { status: 200, body: render.bundle(record, store.findVersion(record, version), version === undefined) };
    }
    if (verb === 'PATCH') {
      auth('certificates', 'update');
      if (body !== undefined && !isRecord(body)) throw kvErrors.badParameter('The request body must be a JSON object.');
      const enabled = enabledOf(body?.attributes);
      const tags = tagsOf(body?.tags);
      if (body?.policy !== undefined) store.updatePolicy(vault, certificateName, body.policy);
      const updated = store.updateVersion(vault, certificateName, version, { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
      return { status: 200, body: render.bundle(updated.record, updated.version, true) };
    }
    throw notModelled(verb, url);
  }
}

function mergeContentType(policy: unknown, contentType: string): unknown {
  const base = isRecord(policy) ? policy : {};
  return { ...base, secret_props: { ...(isRecord(base.secret_props) ? base.secret_props : {}), contentType } };
}

/** Keys and secrets of certificates: same name and version as the certificate (plain secrets/keys are not modelled). */
function certificateBacked(store: KeyVaultStore, vault: string, name: string, version: string | undefined, what: 'secret' | 'key'): { record: CertificateRecord; version: CertificateVersionRecord } {
  try {
    const record = store.certificateRecord(vault, name);
    const found = version ? store.findVersion(record, version) : store.latestCompleted(record);
    if (!found || (what === 'secret' && !found.der)) throw kvErrors.certificateNotFound(name);
    return { record, version: found };
  } catch (error) {
    if (error instanceof KeyVaultError && error.status === 404) throw what === 'secret' ? kvErrors.secretNotFound(version ? `${name}/${version}` : name) : kvErrors.keyNotFound(version ? `${name}/${version}` : name);
    throw error;
  }
}

function notModelled(method: string, url: URL): KeyVaultError {
  return new KeyVaultError(400, 'BadParameter', `The Azure simulator's Key Vault does not model ${method} ${url.pathname.slice(0, 120)}.`);
}

/** One page of a list, with Key Vault's absolute nextLink (`$skiptoken`) when more remain. */
function page(store: KeyVaultStore, vault: string, url: URL, items: unknown[]): { value: unknown[]; nextLink: string | null } {
  const requested = url.searchParams.get('maxresults');
  let size = store.pageSize;
  if (requested !== null) {
    const n = Number(requested);
    if (!Number.isInteger(n) || n < 1 || n > 25) throw kvErrors.badParameter('maxresults must be an integer from 1 to 25.');
    size = Math.min(n, store.pageSize);
  }
  let offset = 0;
  const token = url.searchParams.get('$skiptoken');
  if (token !== null) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
      if (typeof decoded.offset !== 'number' || !Number.isInteger(decoded.offset) || decoded.offset < 0) throw new Error('bad token');
      offset = decoded.offset;
    } catch {
      throw kvErrors.badParameter('The $skiptoken is invalid.');
    }
  }
  const value = items.slice(offset, offset + size);
  if (offset + size >= items.length) return { value, nextLink: null };
  const params = new URLSearchParams();
  params.set('api-version', url.searchParams.get('api-version') ?? '');
  params.set('$skiptoken', Buffer.from(JSON.stringify({ offset: offset + size }), 'utf8').toString('base64url'));
  for (const keep of ['maxresults', 'includePending']) {
    const kept = url.searchParams.get(keep);
    if (kept !== null) params.set(keep, kept);
  }
  return { value, nextLink: `${store.vaultUrl(vault)}${url.pathname}?${params.toString()}` };
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

class Renderer {
  private readonly base: string;

  constructor(
    private readonly store: KeyVaultStore,
    vault: string,
  ) {
    this.base = store.vaultUrl(vault);
  }

  attributes(version: CertificateVersionRecord): Record<string, unknown> {
    return {
      enabled: version.enabled,
      ...(version.info ? { nbf: seconds(version.info.notBefore), exp: seconds(version.info.notAfter) } : {}),
      created: seconds(version.created),
      updated: seconds(version.updated),
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    };
  }

  certificateId(record: CertificateRecord, version?: CertificateVersionRecord): string {
    return `${this.base}/certificates/${record.name}${version ? `/${version.version}` : ''}`;
  }

  keyId(record: CertificateRecord, version: CertificateVersionRecord): string {
    return `${this.base}/keys/${record.name}/${version.version}`;
  }

  policy(record: CertificateRecord): Record<string, unknown> {
    return { id: `${this.base}/certificates/${record.name}/policy`, ...record.policy, attributes: { enabled: true, created: seconds(record.policyCreated), updated: seconds(record.policyUpdated) } };
  }

  bundle(record: CertificateRecord, version: CertificateVersionRecord, withPolicy: boolean): Record<string, unknown> {
    return {
      id: this.certificateId(record, version),
      kid: this.keyId(record, version),
      sid: `${this.base}/secrets/${record.name}/${version.version}`,
      ...(version.der ? { x5t: createHash('sha1').update(version.der).digest('base64url'), cer: Buffer.from(version.der).toString('base64') } : {}),
      attributes: this.attributes(version),
      tags: version.tags,
      ...(withPolicy ? { policy: this.policy(record) } : {}),
      ...(record.pending?.status === 'inProgress' ? { pending: { id: `${this.base}/certificates/${record.name}/pending` } } : {}),
    };
  }

  /** List entry: versionless id for certificate lists, versioned for version lists. */
  item(record: CertificateRecord, version: CertificateVersionRecord | undefined): Record<string, unknown> {
    const shown = version ?? this.store.latestCompleted(record) ?? record.versions[record.versions.length - 1];
    return {
      id: this.certificateId(record, version),
      ...(shown?.der ? { x5t: createHash('sha1').update(shown.der).digest('base64url') } : {}),
      attributes: shown ? this.attributes(shown) : {},
      tags: shown?.tags ?? {},
      ...(shown?.info ? { subject: shown.info.subject } : {}),
    };
  }

  operation(record: CertificateRecord, op: PendingOperationRecord): Record<string, unknown> {
    return {
      id: `${this.base}/certificates/${record.name}/pending`,
      issuer: { name: op.issuerName },
      ...(op.csr ? { csr: Buffer.from(op.csr).toString('base64') } : {}),
      cancellation_requested: op.cancellationRequested,
      status: op.status,
      status_details: op.statusDetails,
      request_id: op.requestId,
      ...(op.status === 'completed' ? { target: this.certificateId(record) } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }

  secret(record: CertificateRecord, version: CertificateVersionRecord): Record<string, unknown> {
    const certificates = [version.der as Uint8Array, ...version.chain];
    const key = version.exportable ? version.privateKeyPem : undefined;
    const value =
      version.contentType === PEM
        ? [key ?? '', ...certificates.map((der) => toPem({ der }))].join('')
        : Buffer.from(buildPkcs12({ ...(key ? { privateKeyPem: key } : {}), certificates, password: null })).toString('base64');
    return {
      value,
      contentType: version.contentType,
      id: `${this.base}/secrets/${record.name}/${version.version}`,
      kid: this.keyId(record, version),
      managed: true,
      attributes: this.attributes(version),
      tags: version.tags,
    };
  }

  keyOps(record: CertificateRecord): string[] {
    const usages = record.policy.x509_props.key_usage ?? ['digitalSignature', 'keyEncipherment'];
    const ops = new Set<string>();
    if (usages.includes('digitalSignature') || usages.includes('nonRepudiation')) ['sign', 'verify'].forEach((o) => ops.add(o));
    if (usages.includes('keyEncipherment')) ['wrapKey', 'unwrapKey'].forEach((o) => ops.add(o));
    if (usages.includes('dataEncipherment')) ['encrypt', 'decrypt'].forEach((o) => ops.add(o));
    return [...ops];
  }

  key(record: CertificateRecord, version: CertificateVersionRecord): Record<string, unknown> {
    const jwk = createPublicKey(createPrivateKey(version.privateKeyPem)).export({ format: 'jwk' });
    return {
      key: { kid: this.keyId(record, version), kty: 'RSA', key_ops: this.keyOps(record), n: jwk.n, e: jwk.e },
      attributes: { ...this.attributes(version), exportable: version.exportable },
      tags: version.tags,
      managed: true,
    };
  }
}
