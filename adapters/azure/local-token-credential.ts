import { randomUUID } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** Who the local credential speaks for. */
export interface LocalPrincipal {
  /** Entra object id (`oid`): what RBAC in the simulator is keyed on. */
  readonly objectId: string;
  readonly tenantId: string;
  /** Application (client) id (`appid`). */
  readonly appId: string;
  readonly displayName?: string;
}

export interface LocalTokenCredentialOptions {
  /** Token lifetime; Entra issues 60-90 minutes. */
  readonly lifetimeMs?: number;
  /** Source of "now" for iat/nbf/exp, so a simulator running on an injected clock sees consistent tokens. */
  readonly now?: () => Date;
}

/**
 * A TokenCredential for the sandbox and tests only: it mints a well-formed but unsigned JWT (`alg: none`) that
 * carries the configured principal's oid/tid/appid and the audience of the requested scope. The Azure simulator reads
 * the principal from it; real Azure would reject it, which is the point: it can never work against production.
 */
export class LocalTokenCredential implements TokenCredential {
  private readonly lifetimeMs: number;
  private readonly now: () => Date;

  constructor(
    readonly principal: LocalPrincipal,
    options: LocalTokenCredentialOptions = {},
  ) {
    this.lifetimeMs = options.lifetimeMs ?? 75 * 60 * 1000;
    this.now = options.now ?? (() => new Date());
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const scopeList = Array.isArray(scopes) ? scopes : [scopes];
    const scope = scopeList[0];
    if (!scope) throw new Error('LocalTokenCredential.getToken needs a scope.');
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = issuedAt + Math.floor(this.lifetimeMs / 1000);
    const tenantId = options?.tenantId ?? this.principal.tenantId;
    const payload = {
      aud: audienceOf(scope),
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: issuedAt,
      nbf: issuedAt,
      exp: expiresAt,
      oid: this.principal.objectId,
      sub: this.principal.objectId,
      tid: tenantId,
      appid: this.principal.appId,
      idtyp: 'app',
      ver: '1.0',
      uti: randomUUID(),
      ...(this.principal.displayName ? { app_displayname: this.principal.displayName } : {}),
    };
    const token = `${base64Url({ typ: 'JWT', alg: 'none' })}.${base64Url(payload)}.`;
    return { token, expiresOnTimestamp: expiresAt * 1000, tokenType: 'Bearer' };
  }
}

/** `https://management.azure.com/.default` -> `https://management.azure.com`, as Entra sets `aud` for v1 resources. */
export function audienceOf(scope: string): string {
  return scope.replace(/\/\.default$/, '').replace(/\/$/, '');
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
