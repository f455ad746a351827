import { UserError } from '../../core/errors/user-error';

export type AzureErrorKind =
  | 'Throttled'
  | 'Forbidden'
  | 'Unauthenticated'
  | 'NotFound'
  | 'Conflict'
  | 'PreconditionFailed'
  | 'BadRequest'
  | 'OperationFailed'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unexpected';

const codeOfKind: Record<AzureErrorKind, string> = {
  Throttled: 'AzureThrottled',
  Forbidden: 'AzureForbidden',
  Unauthenticated: 'AzureUnauthenticated',
  NotFound: 'AzureNotFound',
  Conflict: 'AzureConflict',
  PreconditionFailed: 'AzureChangedConcurrently',
  BadRequest: 'AzureBadRequest',
  OperationFailed: 'AzureOperationFailed',
  ServiceUnavailable: 'AzureUnavailable',
  Timeout: 'AzureTimeout',
  Unexpected: 'AzureUnexpected',
};

/**
 * A failed Azure call, translated into something a network engineer can act on. Keeps Azure's own error code
 * (safe, documented identifiers) but never Azure's message or body, which may echo request data.
 */
export class AzureError extends UserError {
  constructor(
    readonly kind: AzureErrorKind,
    safeMessage: string,
    readonly details: {
      /** Azure's error code, e.g. `AuthorizationFailed`, `InvalidPskExist`. */
      readonly azureCode?: string;
      readonly status?: number;
      /** Throttled: seconds Azure asked to wait. */
      readonly retryAfterSeconds?: number;
      /** Forbidden: the RBAC action the caller lacks. */
      readonly missingAction?: string;
      /** What we were doing, in our words (e.g. `get connection cn-site-london`). */
      readonly operation: string;
    },
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(codeOfKind[kind], safeMessage, hint, options);
  }

  get azureCode(): string | undefined {
    return this.details.azureCode;
  }

  get retryAfterSeconds(): number | undefined {
    return this.details.retryAfterSeconds;
  }

  /** HTTP status Azure answered with; undefined when no answer came (network failure, timeout, failed operation). */
  get status(): number | undefined {
    return this.details.status;
  }
}

export function isAzureError(error: unknown): error is AzureError {
  return error instanceof AzureError;
}

/** Friendlier wording for Azure error codes the product meets when configuring certificate connections. */
const knownCodes: Record<string, { message: string; hint?: string }> = {
  InvalidPskExist: { message: 'Azure refused a shared key on a certificate-authenticated connection.', hint: 'Remove the shared key; certificate connections must not have one.' },
  PlainTextSharedKeyDoesnotExistCertIsGettingUsedForAuthentication: { message: 'The connection uses certificate authentication, so it has no shared key.' },
  CertificateSubjectNameIsEmpty: { message: 'Azure needs the inbound certificate subject name (the device certificate\'s CN).' },
  InboundAuthCertificateChainIsEmpty: { message: 'Azure needs the inbound certificate chain (the root and intermediates that issued the device certificate).' },
  MaxRootCertificatePublicKeySupported: { message: 'The inbound certificate chain has more than 5 certificates; Azure accepts at most 5.' },
  OutboundAuthCertificateIsEmpty: { message: 'Azure needs the outbound certificate (a versioned Key Vault certificate identifier).' },
  VpnConnectionOutBoundAuthenticationCertificateIsExpired: { message: 'The outbound certificate in Key Vault has expired.', hint: 'Add a new certificate version and point the connection at it.' },
  VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth: { message: 'The outbound certificate lacks the Server Authentication and Client Authentication key usages Azure requires.' },
  VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength: { message: 'The outbound certificate\'s RSA key is shorter than the 2048 bits Azure requires.' },
  VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey: { message: 'The outbound certificate has no RSA private key in Key Vault.' },
  VpnConnectionAuthenticationRootCertificateIsExpired: { message: 'A root certificate in the inbound chain has expired.' },
  CertificateAuthenticationObjectIsEmpty: { message: 'The connection uses certificate authentication but carries no certificate settings.' },
  InvalidCertificateAuthenticationObject: { message: 'The connection uses a pre-shared key but also carries certificate settings.' },
  ConnectionAuthenticationPSKAmbiguity: { message: 'The connection gives its pre-shared key both directly and from Key Vault.' },
  CannotSetConnectionAuthenticationForExpressRouteConnectionType: { message: 'ExpressRoute connections take no authentication settings.' },
  VpnConnectionAuthenticationRootCertificateDataInvalid: { message: 'An entry of the inbound certificate chain is not a certificate.', hint: 'Give each certificate as one base64 string of its DER bytes (no PEM header, no line breaks).' },
  VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey: { message: 'An entry of the inbound certificate chain contains a private key.', hint: 'Give only the public certificates of the root and intermediates.' },
  VpnConnectionAuthenticationDuplicateRootCertificate: { message: 'The inbound certificate chain holds the same certificate twice.' },
  VpnConnectionAuthenticationCertChainCreationIssue: { message: 'Azure could not build a chain from the inbound certificates: an issuer does not match the certificate it should have signed.' },
  VpnConnectionInBoundAuthenticationCertificateChainFault: { message: 'The inbound certificate chain is empty.' },
  VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert: { message: 'The inbound certificate chain has no root (self-signed) certificate.', hint: 'Add the root CA first, then the intermediates.' },
  VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts: { message: 'The inbound certificates do not form one chain from one root.', hint: 'Give only the root and the intermediates that issued the device certificate.' },
  VpnConnectionOutBoundAuthenticationCertificateChainFault: { message: 'The outbound certificate in Key Vault lacks the issuers up to its root.', hint: 'Import it with its whole chain, or merge the signed certificate with its issuers (the full x5c chain).' },
  VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert: { message: "The outbound certificate's chain in Key Vault does not reach a root certificate.", hint: 'Import or merge it again with every issuer up to the root.' },
  VpnConnectionOutBoundAuthenticationCertificateChainCreationIssue: { message: "Azure could not build the outbound certificate's chain from what Key Vault holds." },
  ManagedIdentityMissingAtGatewayLevel: { message: 'The VPN gateway has no user-assigned managed identity to read the outbound certificate from Key Vault with.', hint: 'Assign the gateway an identity that may read the certificate, then try again.' },
  CannotDeleteManagedIdentity: { message: "The gateway's managed identity cannot be removed or replaced while connections read their certificate with it." },
  VpnGatewayManagedIdentity: { message: 'A Basic SKU VPN gateway cannot have a managed identity (VpnGw1 or higher can).' },
  VpnGatewayKeyVaultCertIsEmpty: { message: 'The outbound certificate version in Key Vault has no certificate yet (its request is pending).' },
  VpnGatewayKeyVaultSecretIsEmpty: { message: 'The Key Vault secret of the outbound certificate is empty.' },
  VpnGatewayKeyVaultSecretException: { message: 'The gateway could not read the outbound certificate from its Key Vault secret.', hint: 'If the certificate looks right in Key Vault, open a support ticket with Microsoft.' },
  VpnGatewayKeyVaultRequestTimeout: { message: 'Key Vault did not answer the gateway in time.', hint: 'Try again.' },
  RetryableError: { message: 'Azure is still applying another change to a resource this change needs.', hint: 'Try again in a minute.' },
  VpnGatewayKeyVaultSecretNotFound: { message: 'The gateway could not find the outbound certificate in Key Vault.', hint: 'Check the certificate name and version in the connection.' },
  VpnGatewayKeyVaultInaccessibleKeyvault: { message: 'The gateway\'s managed identity cannot read the Key Vault.', hint: 'Give the identity get/list on certificates and secrets (or the Key Vault Secrets User and Certificate User roles).' },
  VpnGatewayKeyVaultNameResolutionFailure: { message: 'The Key Vault named in the outbound certificate identifier could not be found.' },
  VpnGatewaySupportsUserAssignedIdentityTypeOnly: { message: 'VPN gateways support only a user-assigned managed identity.' },
  VpnGatewayAllowsOneUserAssignedIdentityOnly: { message: 'A VPN gateway can have only one user-assigned managed identity.' },
  LinkedInvalidPropertyId: { message: 'A resource id in the request is malformed.' },
  InvalidResourceId: { message: 'A resource id in the request is malformed.' },
  InvalidResourceReference: { message: 'A resource the request refers to does not exist.' },
  InUseLocalNetworkGatewayCannotBeDeleted: { message: 'The local network gateway is still used by a connection.' },
  AnotherOperationInProgress: { message: 'Another operation on this resource is still running.', hint: 'Try again when it has finished.' },
  LocalNetworkGatewayAddressSpaceOverlapsWithVirtualNetwork: { message: 'The site\'s address prefixes overlap the virtual network\'s address space.' },
};

/**
 * Translates whatever an SDK call threw (RestError, a failed long-running operation, an abort) into an AzureError.
 * `operation` names what we were doing, in our words; it ends up in the safe message.
 */
export function toAzureError(error: unknown, operation: string): AzureError {
  if (error instanceof AzureError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    message?: string;
    code?: string;
    statusCode?: number;
    details?: unknown;
    response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
  };

  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new AzureError('Timeout', `Azure did not answer in time while trying to ${operation}.`, { operation }, 'Try again in a few minutes; if it keeps happening, check Azure status.', { cause: error });
  }

  const failedLro = typeof e.message === 'string' ? /^The long-running operation has failed\. ([A-Za-z][A-Za-z0-9_.]{0,127})\./.exec(e.message) : null;
  if (e.name !== 'RestError' && failedLro?.[1]) {
    const azureCode = failedLro[1];
    const known = knownCodes[azureCode];
    return new AzureError(
      'OperationFailed',
      known ? `Azure could not ${operation}: ${known.message} (${azureCode})` : `Azure could not ${operation} (error ${azureCode}).`,
      { operation, azureCode },
      known?.hint,
      { cause: error },
    );
  }
  if (e.name !== 'RestError' && /^The long-running operation has failed/.test(e.message ?? '')) {
    return new AzureError('OperationFailed', `Azure could not ${operation}.`, { operation }, undefined, { cause: error });
  }

  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const azureCode = safeCode(bodyErrorCode(e.details) ?? bodyErrorCodeFromText(e.response?.bodyAsText) ?? e.code);
  if (status === undefined) {
    // No HTTP answer at all: connection refused/reset, DNS, TLS.
    return new AzureError('ServiceUnavailable', `Azure could not be reached while trying to ${operation}.`, { operation }, 'Try again in a few minutes.', { cause: error });
  }
  const base = { operation, status, ...(azureCode ? { azureCode } : {}) };
  if (status === 429) {
    const retryAfter = Number(e.response?.headers?.get?.('retry-after'));
    const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
    // 429 also means "busy": a resource the change needs is still being changed (RetryableError).
    const known = azureCode ? knownCodes[azureCode] : undefined;
    return new AzureError(
      'Throttled',
      `${known ? `Azure could not ${operation}: ${known.message}` : `Azure is throttling requests, so it could not ${operation}.`}${retryAfterSeconds !== undefined ? ` It asked to wait ${retryAfterSeconds} s.` : ''}`,
      { ...base, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
      'Try again shortly.',
      { cause: error },
    );
  }
  if (status === 401) {
    return new AzureError('Unauthenticated', `Azure did not accept the bot's credentials while trying to ${operation}.`, base, 'Check the function app\'s managed identity configuration.', { cause: error });
  }
  if (status === 403) {
    const missingAction = missingActionOf(e.message ?? '') ?? missingActionOf(e.response?.bodyAsText ?? '');
    return new AzureError(
      'Forbidden',
      `The bot's identity is not allowed to ${operation}${missingAction ? ` (it lacks permission for ${missingAction})` : ''}.`,
      { ...base, ...(missingAction ? { missingAction } : {}) },
      'Ask an Azure administrator to grant the role the runbook lists for this action.',
      { cause: error },
    );
  }
  if (status === 404) return new AzureError('NotFound', `Azure could not find the resource while trying to ${operation}.`, base, undefined, { cause: error });
  if (status === 409) {
    const known = azureCode ? knownCodes[azureCode] : undefined;
    return new AzureError('Conflict', `Azure reported a conflict while trying to ${operation}${known ? `: ${known.message}` : '.'}`, base, known?.hint ?? 'Try again when the running operation has finished.', { cause: error });
  }
  if (status === 412) {
    return new AzureError('PreconditionFailed', `The resource changed while trying to ${operation}.`, base, 'Look at its current state and try again.', { cause: error });
  }
  if (status >= 400 && status < 500) {
    const known = azureCode ? knownCodes[azureCode] : undefined;
    return new AzureError(
      'BadRequest',
      known ? `Azure rejected the request to ${operation}: ${known.message} (${azureCode})` : `Azure rejected the request to ${operation}${azureCode ? ` (error ${azureCode})` : ''}.`,
      base,
      known?.hint,
      { cause: error },
    );
  }
  if (status >= 500) {
    return new AzureError('ServiceUnavailable', `Azure had a server error while trying to ${operation}.`, base, 'Try again in a few minutes.', { cause: error });
  }
  return new AzureError('Unexpected', `Azure gave an unexpected answer while trying to ${operation}.`, base, undefined, { cause: error });
}

function bodyErrorCode(details: unknown): string | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as { error?: { code?: unknown }; code?: unknown };
  if (d.error && typeof d.error.code === 'string') return d.error.code;
  if (typeof d.code === 'string') return d.code;
  return undefined;
}

function bodyErrorCodeFromText(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  try {
    return bodyErrorCode(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** An error code is shown to people, so only accept identifier-like values. */
function safeCode(code: string | undefined): string | undefined {
  return code && /^[A-Za-z][A-Za-z0-9_.]{0,127}$/.test(code) ? code : undefined;
}

function missingActionOf(text: string): string | undefined {
  const m = /perform action(?:\(s\))? '([A-Za-z0-9./_*-]{3,200})'/.exec(text) ?? /permission to perform action\(s\) '([A-Za-z0-9./_*-]{3,200})'/.exec(text);
  // LinkedAuthorizationFailed names the primary action first; the linked one is what is missing.
  const linked = /does not have permission to perform action\(s\) '([A-Za-z0-9./_*-]{3,200})'/.exec(text);
  return linked?.[1] ?? m?.[1];
}
