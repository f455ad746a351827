import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { AccessToken } from '@azure/core-auth';
import type { CertificateProperties } from '@azure/keyvault-certificates';
import type { AzureSettings } from './azure-settings';

/** The api-version @azure/keyvault-certificates (4.10) speaks, so both paths read the same answer. */
const API_VERSION = '2025-07-01';

/** Key Vault's hosts in Azure's clouds: `<vault>.vault.azure.net`, `.vault.azure.cn`, `.vault.usgovcloudapi.net`. */
const KEY_VAULT_HOST = /^[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)$/i;

/** A token is renewed this long before it expires (and when the credential says to refresh it). */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * Lists one certificate's versions with a single GET on a kept-alive HTTPS connection: what the expiry report does
 * for every distinct certificate of the fleet (hundreds at once), where the SDK's pipeline (policies, tracing, paging
 * helpers, deserializers) costs several times the request itself in CPU. Only the plain answer is handled here: one
 * page (no nextLink) with status 200. Anything else (the vault's challenge, 401/403/404, throttling, a 5xx, a network
 * error, a second page) returns undefined and the caller asks the SDK, whose retries, challenge handling and errors
 * are the product's. A token is sent only to a Key Vault host of Azure's clouds or a vault the settings name (the
 * simulator), for the scope of that cloud; once a vault refuses it (401), that vault is read through the SDK only.
 */
export interface DirectVersionReader {
  listVersions(vaultUrl: string, name: string, signal: AbortSignal): Promise<CertificateProperties[] | undefined>;
}

export function createDirectVersionReader(settings: AzureSettings): DirectVersionReader {
  const agent = new Agent({ keepAlive: true, ...(settings.trustedCaPem ? { ca: settings.trustedCaPem } : {}) });
  const refused = new Set<string>();
  const tokens = new Map<string, { token: AccessToken; renewAt: number } | Promise<AccessToken | null>>();
  const knownOrigins = new Set(Object.keys(settings.keyVaultNames ?? {}));

  const scopeOf = (url: URL): string | undefined => {
    const azure = KEY_VAULT_HOST.exec(url.hostname);
    if (azure) return `https://vault.${azure[1]!.toLowerCase()}/.default`;
    // A vault the settings name by address (the simulator's listeners): Key Vault's public-cloud audience.
    return knownOrigins.has(url.origin.toLowerCase()) ? 'https://vault.azure.net/.default' : undefined;
  };

  const tokenFor = async (scope: string): Promise<AccessToken | null> => {
    const cached = tokens.get(scope);
    if (cached && !(cached instanceof Promise) && Date.now() < cached.renewAt) return cached.token;
    if (cached instanceof Promise) return cached;
    const pending = settings.credential.getToken(scope).then(
      (token) => {
        if (!token) {
          tokens.delete(scope);
          return null;
        }
        tokens.set(scope, { token, renewAt: Math.min(token.refreshAfterTimestamp ?? Infinity, token.expiresOnTimestamp - TOKEN_MARGIN_MS) });
        return token;
      },
      () => {
        tokens.delete(scope);
        return null;
      },
    );
    tokens.set(scope, pending);
    return pending;
  };

  const get = (url: URL, authorization: string, signal: AbortSignal): Promise<{ status: number; body: string } | undefined> =>
    new Promise((resolve) => {
      const headers = { accept: 'application/json', authorization, 'user-agent': `${settings.userAgentPrefix} direct-read`, 'x-ms-client-request-id': randomUUID() };
      const req = request(url, { method: 'GET', agent, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve(undefined));
      });
      req.on('error', () => resolve(undefined));
      req.end();
    });

  return {
    async listVersions(vaultUrl, name, signal) {
      let url: URL;
      try {
        url = new URL(`${vaultUrl.replace(/\/+$/, '')}/certificates/${encodeURIComponent(name)}/versions?api-version=${API_VERSION}`);
      } catch {
        return undefined;
      }
      const scope = url.protocol === 'https:' ? scopeOf(url) : undefined;
      if (!scope || refused.has(url.origin) || signal.aborted) return undefined;
      const token = await tokenFor(scope);
      if (!token) return undefined;
      const answer = await get(url, `Bearer ${token.token}`, signal);
      if (answer?.status === 401) refused.add(url.origin);
      if (answer?.status !== 200) return undefined;
      return propertiesOf(answer.body, url.origin);
    },
  };
}

interface VersionItem {
  readonly id?: unknown;
  readonly x5t?: unknown;
  readonly attributes?: { readonly enabled?: unknown; readonly nbf?: unknown; readonly exp?: unknown; readonly created?: unknown; readonly updated?: unknown; readonly recoveryLevel?: unknown };
  readonly tags?: unknown;
}

/** The page as the SDK would give it (`CertificateProperties`), or undefined when it is not one whole page of versions. */
function propertiesOf(body: string, origin: string): CertificateProperties[] | undefined {
  let page: { value?: unknown; nextLink?: unknown };
  try {
    page = JSON.parse(body) as typeof page;
  } catch {
    return undefined;
  }
  if (!Array.isArray(page.value) || (page.nextLink !== undefined && page.nextLink !== null && page.nextLink !== '')) return undefined;
  const result: CertificateProperties[] = [];
  for (const item of page.value as VersionItem[]) {
    if (typeof item?.id !== 'string') return undefined;
    const id = /^(https:\/\/[^/]+(?:\/.*)?)\/certificates\/([^/]+)\/([^/]+)$/.exec(item.id);
    if (!id || new URL(id[1]!).origin !== origin) return undefined;
    const a = item.attributes ?? {};
    const date = (seconds: unknown): Date | undefined => (typeof seconds === 'number' ? new Date(seconds * 1000) : undefined);
    result.push({
      id: item.id,
      vaultUrl: id[1]!,
      name: decodeURIComponent(id[2]!),
      version: decodeURIComponent(id[3]!),
      ...(typeof a.enabled === 'boolean' ? { enabled: a.enabled } : {}),
      ...(date(a.created) ? { createdOn: date(a.created) } : {}),
      ...(date(a.updated) ? { updatedOn: date(a.updated) } : {}),
      ...(date(a.nbf) ? { notBefore: date(a.nbf) } : {}),
      ...(date(a.exp) ? { expiresOn: date(a.exp) } : {}),
      ...(typeof a.recoveryLevel === 'string' ? { recoveryLevel: a.recoveryLevel as CertificateProperties['recoveryLevel'] } : {}),
      ...(item.tags && typeof item.tags === 'object' ? { tags: item.tags as Record<string, string> } : {}),
      ...(typeof item.x5t === 'string' ? { x509Thumbprint: new Uint8Array(Buffer.from(item.x5t, 'base64url')) } : {}),
    });
  }
  return result;
}
