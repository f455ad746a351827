import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildPkcs12 } from '../../pki/pkcs12';
import { parseSimCertificate, toPemText } from '../x509/sim-certificate';
import type { KeyVaultOperationName } from './key-vault-access';
import { digestProblem, publicJwk } from './key-vault-crypto';
import { KeyVaultError, kvErrors } from './key-vault-error';
import { PEM } from './key-vault-policy';
import type { CertificateRecord, CertificateVersionRecord, DeletedCertificateRecord, KeyVaultPrincipal, KeyVaultStore, PendingOperationRecord } from './key-vault-store';

/** What the simulator passes for each request on a vault's listener. */
export interface KeyVaultRoute {
  readonly vaultName: string;
  /** Path and query after the vault URL, e.g. `/certificates/vpn/abc123?api-version=2025-07-01`. */
  readonly path: string;
  /** Set when the caller already authenticated the request (the simulator's front door does). */
  readonly principal?: KeyVaultPrincipal;
  /** The request body when the caller already read it (a request held by a fault lands even if its client gave up). */
  readonly body?: Buffer;
}

export type KeyVaultHandler = (req: IncomingMessage, res: ServerResponse, route: KeyVaultRoute) => Promise<void>;

const MAX_BODY_BYTES = 1024 * 1024;
const VAULT_AUDIENCES = ['https://vault.azure.net', 'https://vault.azure.net/', 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093'];

/**
 * The Key Vault data plane over HTTP for the real SDK clients (`@azure/keyvault-certificates`, `-secrets`, `-keys`):
 * certificates (import PFX/PEM, get, versions, list with nextLink paging, create with Self or Unknown issuer, pending
 * operation get/cancel/delete, merge, policy get/update, update properties, soft delete, recover, purge), keys
 * (create RSA, get, versions, update, sign and verify with RS256..PS512), secrets (a certificate's as PFX or PEM per
 * policy; plain secrets set/get). Errors in Key Vault's shape.
 *
 * Authentication: when the route carries no principal, the handler answers a request without a bearer token with
 * Key Vault's 401 challenge (naming the vault's tenant) and reads the principal from the token.
 */
export function createKeyVaultHandler(store: KeyVaultStore): KeyVaultHandler {
  return async (req, res, route) => {
    try {
      if (!store.hasVault(route.vaultName)) throw new KeyVaultError(404, 'VaultNotFound', `Key Vault '${route.vaultName}' does not exist.`);
      const principal = route.principal ?? readPrincipal(req.headers.authorization, store.tenantOf(route.vaultName));
      const url = new URL(route.path, 'https://vault.invalid');
      if (!url.searchParams.get('api-version')) throw kvErrors.badParameter('The api-version query parameter is missing.');
      const body = route.body ? parseJsonBody(route.body) : await readJsonBody(req);
      const base = responseBase(store, route.vaultName, req.headers.host);
      const result = await dispatch({ store, vault: route.vaultName, principal, method: (req.method ?? 'GET').toUpperCase(), url, body, render: new Renderer(store, base) });
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

/**
 * Ids in responses use the name the client reached the vault by: the registered URL, or `<vault>.vault.azure.net`
 * when the client came by that name (a client resolving it to the simulator, as in the challenge verification test).
 */
function responseBase(store: KeyVaultStore, vaultName: string, host: string | undefined): string {
  return host && new RegExp(`^${vaultName}\\.vault\\.azure\\.net(:\\d+)?$`, 'i').test(host) ? `https://${host}` : store.vaultUrl(vaultName);
}

function readPrincipal(authorization: string | undefined, tenantId: string): KeyVaultPrincipal {
  if (!authorization) throw kvErrors.unauthorized('AKV10000: Request is missing a Bearer or PoP token.', tenantId);
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const payload = token?.split('.')[1];
  let claims: Record<string, unknown> | undefined;
  try {
    claims = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  } catch {
    claims = undefined;
  }
  if (!claims || typeof claims !== 'object') throw kvErrors.unauthorized('AKV10022: Invalid token: the bearer token could not be read.', tenantId);
  if (typeof claims.aud === 'string' && !VAULT_AUDIENCES.includes(claims.aud)) throw kvErrors.unauthorized(`AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${claims.aud.slice(0, 100)}.`, tenantId);
  if (typeof claims.oid !== 'string' || claims.oid === '') throw kvErrors.unauthorized('AKV10022: Invalid token: the oid claim is missing.', tenantId);
  if (typeof claims.tid === 'string' && claims.tid.toLowerCase() !== tenantId.toLowerCase()) {
    throw kvErrors.unauthorized(`AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${tenantId}/, found https://sts.windows.net/${claims.tid.slice(0, 40)}/.`, tenantId);
  }
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
  return parseJsonBody(Buffer.concat(chunks));
}

function parseJsonBody(raw: Buffer): unknown {
  if (raw.length > MAX_BODY_BYTES) throw new KeyVaultError(413, 'RequestEntityTooLarge', 'The request body is too large.');
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
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

interface Request {
  readonly store: KeyVaultStore;
  readonly vault: string;
  readonly principal: KeyVaultPrincipal;
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
  readonly render: Renderer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tagsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) throw kvErrors.badParameter('Tags must be an object of string values.');
  if (Object.keys(value).length > 15) throw kvErrors.badParameter('An object can have at most 15 tags.');
  return value as Record<string, string>;
}

function enabledOf(attributes: unknown): boolean | undefined {
  return isRecord(attributes) && typeof attributes.enabled === 'boolean' ? attributes.enabled : undefined;
}

function objectBody(body: unknown): Record<string, unknown> | undefined {
  if (body !== undefined && !isRecord(body)) throw kvErrors.badParameter('The request body must be a JSON object.');
  return body;
}

async function dispatch(request: Request): Promise<Result> {
  const { url } = request;
  const segments = url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
  // `/certificates/<name>/` (empty version) means the current version, as the SDK's getCertificate sends it.
  if (segments.length === 3 && segments[2] === '') segments.pop();
  const [collection] = segments;
  if (collection === 'certificates') return certificates(request, segments);
  if (collection === 'deletedcertificates') return deletedCertificates(request, segments);
  if (collection === 'keys') return keys(request, segments);
  if (collection === 'secrets') return secrets(request, segments);
  throw notModelled(request.method, url);
}

function authorize(request: Request, operation: KeyVaultOperationName, objectName?: string): void {
  request.store.authorize(request.vault, request.principal, operation, objectName ? `/${operation.split('/')[0]}/${objectName}` : '');
}

async function certificates(request: Request, segments: string[]): Promise<Result> {
  const { store, vault, method, url, render } = request;
  const [, name, third, fourth] = segments;
  if (name === undefined || name === '') {
    if (method !== 'GET') throw notModelled(method, url);
    authorize(request, 'certificates/list');
    const items = store.listCertificates(vault, url.searchParams.get('includePending') === 'true').map((r) => render.item(r, undefined));
    return { status: 200, body: page(store, render.base, url, items) };
  }
  if (segments.length === 2) {
    if (method === 'DELETE') {
      authorize(request, 'certificates/delete', name);
      return { status: 200, body: render.deleted(store.deleteCertificate(vault, name)) };
    }
    return certificateVersion(request, name, undefined);
  }
  if (third === 'versions' && segments.length === 3 && method === 'GET') {
    authorize(request, 'certificates/list', name);
    const record = store.certificateRecord(vault, name);
    return { status: 200, body: page(store, render.base, url, record.versions.filter((v) => v.der !== undefined).map((v) => render.item(record, v))) };
  }
  if (third === 'policy' && segments.length === 3) {
    if (method === 'GET') {
      authorize(request, 'certificates/get', name);
      return { status: 200, body: render.policy(store.certificateRecord(vault, name, { allowPendingOnly: true })) };
    }
    if (method === 'PATCH') {
      authorize(request, 'certificates/update', name);
      return { status: 200, body: render.policy(store.updatePolicy(vault, name, request.body)) };
    }
  }
  if (third === 'pending' && segments.length === 3) {
    if (method === 'GET') {
      authorize(request, 'certificates/get', name);
      const record = store.certificateRecord(vault, name, { allowPendingOnly: true });
      if (!record.pending) throw kvErrors.pendingNotFound(name);
      return { status: 200, body: render.operation(record, record.pending) };
    }
    if (method === 'PATCH') {
      authorize(request, 'certificates/update', name);
      if (!isRecord(request.body) || request.body.cancellation_requested !== true) throw kvErrors.badParameter('Only cancellation_requested: true can be set on a certificate operation.');
      const record = store.cancelOperation(vault, name);
      return { status: 200, body: render.operation(record, record.pending as PendingOperationRecord) };
    }
    if (method === 'DELETE') {
      authorize(request, 'certificates/delete', name);
      const { record, operation } = store.deleteOperation(vault, name);
      return { status: 200, body: render.operation(record, operation) };
    }
  }
  if (third === 'pending' && fourth === 'merge' && segments.length === 4 && method === 'POST') {
    authorize(request, 'certificates/create', name);
    const body = request.body;
    if (!isRecord(body) || !Array.isArray(body.x5c) || body.x5c.some((c) => typeof c !== 'string')) throw kvErrors.badParameter('x5c must be an array of base64 certificates.');
    const enabled = enabledOf(body.attributes);
    const tags = tagsOf(body.tags);
    const record = store.mergeCertificate(vault, name, (body.x5c as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))), { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
    return { status: 201, body: render.bundle(record, store.latestCompleted(record) as CertificateVersionRecord, true) };
  }
  if (third === 'create' && segments.length === 3 && method === 'POST') {
    authorize(request, 'certificates/create', name);
    const body = objectBody(request.body);
    const enabled = enabledOf(body?.attributes);
    const tags = tagsOf(body?.tags);
    const record = await store.createCertificate(vault, name, { policy: body?.policy, ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
    // Key Vault answers 202 with the operation still in progress, even for Self; a GET of /pending sees it done.
    const pending = record.pending as PendingOperationRecord;
    return { status: 202, body: render.operation(record, { ...pending, status: 'inProgress', statusDetails: 'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.' }) };
  }
  if (third === 'import' && segments.length === 3 && method === 'POST') {
    authorize(request, 'certificates/import', name);
    const body = request.body;
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
  if (segments.length === 3 && third !== undefined) return certificateVersion(request, name, third);
  throw notModelled(method, url);
}

function certificateVersion(request: Request, certificateName: string, version: string | undefined): Result {
  const { store, vault, method, url, render } = request;
  if (method === 'GET') {
    authorize(request, 'certificates/get', certificateName);
    const record = store.certificateRecord(vault, certificateName, { allowPendingOnly: true });
    return { status: 200, body: render.bundle(record, store.findVersion(record, version), version === undefined) };
  }
  if (method === 'PATCH') {
    authorize(request, 'certificates/update', certificateName);
    const body = objectBody(request.body);
    const enabled = enabledOf(body?.attributes);
    const tags = tagsOf(body?.tags);
    if (body?.policy !== undefined) store.updatePolicy(vault, certificateName, body.policy);
    const updated = store.updateVersion(vault, certificateName, version, { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
    return { status: 200, body: render.bundle(updated.record, updated.version, true) };
  }
  throw notModelled(method, url);
}

function deletedCertificates(request: Request, segments: string[]): Result {
  const { store, vault, method, url, render } = request;
  const [, name, third] = segments;
  if ((name === undefined || name === '') && method === 'GET') {
    authorize(request, 'certificates/list');
    return { status: 200, body: page(store, render.base, url, store.listDeletedCertificates(vault).map((d) => render.deletedItem(d))) };
  }
  if (name && segments.length === 2 && method === 'GET') {
    authorize(request, 'certificates/get', name);
    return { status: 200, body: render.deleted(store.deletedCertificate(vault, name)) };
  }
  if (name && segments.length === 2 && method === 'DELETE') {
    authorize(request, 'certificates/purge', name);
    store.purgeDeletedCertificate(vault, name);
    return { status: 204, body: undefined };
  }
  if (name && third === 'recover' && segments.length === 3 && method === 'POST') {
    authorize(request, 'certificates/recover', name);
    const record = store.recoverDeletedCertificate(vault, name);
    return { status: 200, body: render.bundle(record, store.latestCompleted(record) ?? store.findVersion(record, undefined), true) };
  }
  throw notModelled(method, url);
}

async function keys(request: Request, segments: string[]): Promise<Result> {
  const { store, vault, method, url, render } = request;
  const [, name, third, fourth] = segments;
  if (!name) throw notModelled(method, url);
  if (third === 'create' && segments.length === 3 && method === 'POST') {
    authorize(request, 'keys/create', name);
    const body = objectBody(request.body) ?? {};
    const keyOps = Array.isArray(body.key_ops) && body.key_ops.every((o) => typeof o === 'string') ? (body.key_ops as string[]) : undefined;
    const enabled = enabledOf(body.attributes);
    const tags = tagsOf(body.tags);
    const created = await store.createKey(vault, name, {
      ...(typeof body.kty === 'string' ? { kty: body.kty } : {}),
      ...(typeof body.key_size === 'number' ? { keySize: body.key_size } : {}),
      ...(keyOps ? { keyOps } : {}),
      ...(enabled !== undefined ? { enabled } : {}),
      ...(tags ? { tags } : {}),
    });
    return { status: 200, body: render.key(store.findKey(vault, name, created.version.version)) };
  }
  if (third === 'versions' && segments.length === 3 && method === 'GET') {
    authorize(request, 'keys/list', name);
    return { status: 200, body: page(store, render.base, url, store.listKeyVersions(vault, name).map((v) => render.keyItem(name, store.findKey(vault, name, v.version)))) };
  }
  if ((fourth === 'sign' || fourth === 'verify') && segments.length === 4 && method === 'POST') {
    authorize(request, fourth === 'sign' ? 'keys/sign' : 'keys/verify', name);
    const body = request.body;
    if (!isRecord(body) || typeof body.alg !== 'string' || typeof body.value !== 'string') throw kvErrors.badParameter(`${fourth} needs alg and value.`);
    // Sign: `value` is the digest. Verify: `digest` is the digest and `value` the signature.
    const digestText = fourth === 'sign' ? body.value : body.digest;
    if (typeof digestText !== 'string') throw kvErrors.badParameter('verify needs digest and value (the signature).');
    const digest = Buffer.from(digestText, 'base64url');
    const problem = digestProblem(body.alg, digest);
    if (problem) throw kvErrors.badParameter(problem);
    // An empty version segment (`/keys/<name>//sign`) is the current version, as a versionless key id sends it.
    const version = third === '' ? undefined : third;
    if (fourth === 'sign') {
      const signed = store.sign(vault, name, version, body.alg, digest);
      return { status: 200, body: { kid: signed.kid, value: signed.signature.toString('base64url') } };
    }
    return { status: 200, body: { value: store.verify(vault, name, version, body.alg, digest, Buffer.from(body.value, 'base64url')).valid } };
  }
  if (segments.length <= 3) {
    const version = third === '' ? undefined : third;
    if (method === 'GET') {
      authorize(request, 'keys/get', name);
      return { status: 200, body: render.key(store.findKey(vault, name, version)) };
    }
    if (method === 'PATCH') {
      authorize(request, 'keys/update', name);
      const body = objectBody(request.body);
      const enabled = enabledOf(body?.attributes);
      const tags = tagsOf(body?.tags);
      const keyOps = Array.isArray(body?.key_ops) ? (body.key_ops as string[]) : undefined;
      const updated = store.updateKey(vault, name, version, { ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}), ...(keyOps ? { keyOps } : {}) });
      return { status: 200, body: render.key(store.findKey(vault, name, updated.version)) };
    }
  }
  throw notModelled(method, url);
}

function secrets(request: Request, segments: string[]): Result {
  const { store, vault, method, url, render } = request;
  const [, name, third] = segments;
  if (!name || segments.length > 3) throw notModelled(method, url);
  if (method === 'PUT' && segments.length === 2) {
    authorize(request, 'secrets/set', name);
    const body = request.body;
    if (!isRecord(body) || typeof body.value !== 'string') throw kvErrors.badParameter('The secret value is missing.');
    const enabled = enabledOf(body.attributes);
    const tags = tagsOf(body.tags);
    const set = store.setSecret(vault, name, { value: body.value, ...(typeof body.contentType === 'string' ? { contentType: body.contentType } : {}), ...(enabled !== undefined ? { enabled } : {}), ...(tags ? { tags } : {}) });
    return { status: 200, body: render.plainSecret(set.record.name, set.version) };
  }
  if (method !== 'GET') throw notModelled(method, url);
  authorize(request, 'secrets/get', name);
  const version = third === '' ? undefined : third;
  const plain = store.findPlainSecret(vault, name, version);
  if (plain) {
    if (!plain.version.enabled) throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return { status: 200, body: render.plainSecret(plain.record.name, plain.version) };
  }
  const backed = certificateBacked(store, vault, name, version);
  if (!backed.version.enabled) throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
  return { status: 200, body: render.secret(backed.record, backed.version) };
}

function mergeContentType(policy: unknown, contentType: string): unknown {
  const base = isRecord(policy) ? policy : {};
  return { ...base, secret_props: { ...(isRecord(base.secret_props) ? base.secret_props : {}), contentType } };
}

/** The secret of a certificate version: same name and version as the certificate. */
function certificateBacked(store: KeyVaultStore, vault: string, name: string, version: string | undefined): { record: CertificateRecord; version: CertificateVersionRecord } {
  try {
    const record = store.certificateRecord(vault, name);
    const found = version ? store.findVersion(record, version) : store.latestCompleted(record);
    if (!found?.der) throw kvErrors.certificateNotFound(name);
    return { record, version: found };
  } catch (error) {
    if (error instanceof KeyVaultError && error.status === 404) throw kvErrors.secretNotFound(version ? `${name}/${version}` : name);
    throw error;
  }
}

function notModelled(method: string, url: URL): KeyVaultError {
  return new KeyVaultError(400, 'BadParameter', `The Azure simulator's Key Vault does not model ${method} ${url.pathname.slice(0, 120)}.`);
}

/** One page of a list, with Key Vault's absolute nextLink (`$skiptoken`) when more remain. */
function page(store: KeyVaultStore, base: string, url: URL, items: unknown[]): { value: unknown[]; nextLink: string | null } {
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
  return { value, nextLink: `${base}${url.pathname}?${params.toString()}` };
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Key Vault's JSON for the store's records, with ids under the vault URL the client used. */
class Renderer {
  constructor(
    private readonly store: KeyVaultStore,
    readonly base: string,
  ) {}

  attributes(version: CertificateVersionRecord): Record<string, unknown> {
    const cert = version.der ? parseSimCertificate(version.der) : undefined;
    return {
      enabled: version.enabled,
      ...(cert ? { nbf: seconds(cert.notBefore), exp: seconds(cert.notAfter) } : {}),
      created: seconds(version.created),
      updated: seconds(version.updated),
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    };
  }

  certificateId(record: CertificateRecord, version?: CertificateVersionRecord): string {
    return `${this.base}/certificates/${record.name}${version ? `/${version.version}` : ''}`;
  }

  policy(record: CertificateRecord): Record<string, unknown> {
    return { id: `${this.base}/certificates/${record.name}/policy`, ...record.policy, attributes: { enabled: true, created: seconds(record.policyCreated), updated: seconds(record.policyUpdated) } };
  }

  bundle(record: CertificateRecord, version: CertificateVersionRecord, withPolicy: boolean): Record<string, unknown> {
    return {
      id: this.certificateId(record, version),
      kid: `${this.base}/keys/${record.name}/${version.version}`,
      sid: `${this.base}/secrets/${record.name}/${version.version}`,
      ...(version.der ? { x5t: createHash('sha1').update(version.der).digest('base64url'), cer: Buffer.from(version.der).toString('base64') } : {}),
      attributes: this.attributes(version),
      tags: version.tags,
      ...(withPolicy ? { policy: this.policy(record) } : {}),
      ...(record.pending?.status === 'inProgress' ? { pending: { id: `${this.base}/certificates/${record.name}/pending` } } : {}),
    };
  }

  deleted(deleted: DeletedCertificateRecord): Record<string, unknown> {
    const { record } = deleted;
    const current = this.store.latestCompleted(record) ?? record.versions[record.versions.length - 1];
    return {
      ...(current ? this.bundle(record, current, true) : { id: this.certificateId(record) }),
      recoveryId: `${this.base}/deletedcertificates/${record.name}`,
      deletedDate: seconds(deleted.deletedDate),
      scheduledPurgeDate: seconds(deleted.scheduledPurgeDate),
    };
  }

  deletedItem(deleted: DeletedCertificateRecord): Record<string, unknown> {
    return { ...this.item(deleted.record, undefined), recoveryId: `${this.base}/deletedcertificates/${deleted.record.name}`, deletedDate: seconds(deleted.deletedDate), scheduledPurgeDate: seconds(deleted.scheduledPurgeDate) };
  }

  /** List entry: versionless id for certificate lists, versioned for version lists. */
  item(record: CertificateRecord, version: CertificateVersionRecord | undefined): Record<string, unknown> {
    const shown = version ?? this.store.latestCompleted(record) ?? record.versions[record.versions.length - 1];
    return {
      id: this.certificateId(record, version),
      ...(shown?.der ? { x5t: createHash('sha1').update(shown.der).digest('base64url'), subject: parseSimCertificate(shown.der).subject } : {}),
      attributes: shown ? this.attributes(shown) : {},
      tags: shown?.tags ?? {},
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
        ? [key ?? '', ...certificates.map((der) => toPemText(der))].join('')
        : Buffer.from(buildPkcs12({ ...(key ? { privateKeyPem: key } : {}), certificates, password: null })).toString('base64');
    return {
      value,
      contentType: version.contentType,
      id: `${this.base}/secrets/${record.name}/${version.version}`,
      kid: `${this.base}/keys/${record.name}/${version.version}`,
      managed: true,
      attributes: this.attributes(version),
      tags: version.tags,
    };
  }

  plainSecret(name: string, version: { version: string; value: string; contentType?: string; enabled: boolean; created: Date; updated: Date; tags: Record<string, string> }): Record<string, unknown> {
    return {
      value: version.value,
      ...(version.contentType ? { contentType: version.contentType } : {}),
      id: `${this.base}/secrets/${name}/${version.version}`,
      attributes: { enabled: version.enabled, created: seconds(version.created), updated: seconds(version.updated), recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      tags: version.tags,
    };
  }

  key(key: ReturnType<KeyVaultStore['findKey']>): Record<string, unknown> {
    return {
      key: { kid: `${this.base}/keys/${key.name}/${key.version}`, kty: 'RSA', key_ops: [...key.keyOps], ...publicJwk(key.privateKeyPem) },
      attributes: { enabled: key.enabled, created: seconds(key.created), updated: seconds(key.updated), recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90, exportable: key.exportable },
      tags: key.tags,
      ...(key.managed ? { managed: true } : {}),
    };
  }

  keyItem(name: string, key: ReturnType<KeyVaultStore['findKey']>): Record<string, unknown> {
    const rendered = this.key(key);
    return { kid: `${this.base}/keys/${name}/${key.version}`, attributes: rendered.attributes, tags: key.tags };
  }
}
