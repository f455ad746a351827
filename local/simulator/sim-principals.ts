import { SimHttpError } from './sim-http-error';

/** A caller as the simulator sees it: read from the bearer token's claims. */
export interface SimPrincipal {
  readonly objectId: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly displayName?: string;
}

/** Which Entra audience each simulated service accepts (as `aud` of a v1 token). */
export const serviceAudiences = {
  arm: ['https://management.azure.com', 'https://management.core.windows.net'],
  logs: ['https://api.loganalytics.io'],
  keyvault: ['https://vault.azure.net'],
} as const;

export type SimService = keyof typeof serviceAudiences;

/**
 * Reads the principal from `Authorization: Bearer <jwt>`. The simulator does not verify signatures (the local
 * credential mints unsigned tokens) but checks everything else a service checks: presence, shape, audience, expiry.
 * Each failure is the 401 that service answers.
 */
export function readBearerPrincipal(authorization: string | undefined, service: SimService, now: Date, checkLifetime: boolean, tenantId?: string): SimPrincipal {
  const unauthorized = (s: SimService, code: string, message: string) => unauthorizedFor(s, code, message, tenantId);
  if (!authorization) throw unauthorized(service, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) throw unauthorized(service, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is provided in an invalid format.");
  const parts = match[1].split('.');
  if (parts.length !== 3) throw unauthorized(service, 'InvalidAuthenticationToken', 'The access token is invalid.');
  let claims: Record<string, unknown>;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header.typ !== 'JWT' || typeof claims !== 'object' || claims === null) throw new Error('not a JWT');
  } catch {
    throw unauthorized(service, 'InvalidAuthenticationToken', 'The access token is invalid.');
  }
  const audience = typeof claims.aud === 'string' ? claims.aud.replace(/\/$/, '') : '';
  if (!(serviceAudiences[service] as readonly string[]).includes(audience)) {
    throw unauthorized(service, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences '${serviceAudiences[service].join("','")}'.`);
  }
  if (checkLifetime && typeof claims.exp === 'number' && claims.exp * 1000 <= now.getTime()) {
    throw unauthorized(service, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
  }
  const { oid, tid, appid } = claims;
  if (typeof oid !== 'string' || typeof tid !== 'string') throw unauthorized(service, 'InvalidAuthenticationToken', 'The access token is missing the oid or tid claim.');
  if (tenantId && tid.toLowerCase() !== tenantId.toLowerCase()) {
    throw unauthorized(service, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer 'https://sts.windows.net/${tid.slice(0, 40)}/'. It must match the tenant 'https://sts.windows.net/${tenantId}/' associated with this resource.`);
  }
  return {
    objectId: oid,
    tenantId: tid,
    appId: typeof appid === 'string' ? appid : '',
    ...(typeof claims.app_displayname === 'string' ? { displayName: claims.app_displayname } : {}),
  };
}

/** Each service's 401; Key Vault's challenge names the tenant the token must come from, as Key Vault's does. */
function unauthorizedFor(service: SimService, code: string, message: string, tenantId = 'common'): SimHttpError {
  if (service === 'logs') {
    // Log Analytics uses its own error vocabulary.
    return new SimHttpError(401, 'AuthorizationRequiredError', 'Valid authentication was not provided', {
      innererror: { code, message },
      headers: { 'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", resource="https://api.loganalytics.io"' },
    });
  }
  if (service === 'keyvault') {
    return new SimHttpError(401, 'Unauthorized', message, {
      headers: { 'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"` },
    });
  }
  return new SimHttpError(401, code, message, {
    headers: { 'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${message.replace(/"/g, "'")}"` },
  });
}
