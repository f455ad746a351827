/**
 * An error Key Vault answers with, in its body shape `{ error: { code, message, innererror? } }`
 * (the SDK reads `error.code` / `innererror.code` from it).
 */
export class KeyVaultError extends Error {
  override readonly name = 'KeyVaultError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string; innererror?: { code: string } } } {
    return { error: { code: this.code, message: this.message, ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}) } };
  }
}

export const kvErrors = {
  badParameter: (message: string): KeyVaultError => new KeyVaultError(400, 'BadParameter', message),
  certificateNotFound: (name: string): KeyVaultError =>
    new KeyVaultError(
      404,
      'CertificateNotFound',
      `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  secretNotFound: (name: string): KeyVaultError =>
    new KeyVaultError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  keyNotFound: (name: string): KeyVaultError =>
    new KeyVaultError(
      404,
      'KeyNotFound',
      `A key with (name/id) ${name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  pendingNotFound: (name: string): KeyVaultError => new KeyVaultError(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`),
  conflict: (message: string): KeyVaultError => new KeyVaultError(409, 'Conflict', message),
  /** Vault access policy model: names the missing permission. */
  forbidden: (who: string, kind: 'certificates' | 'secrets' | 'keys', permission: string, vaultName: string): KeyVaultError =>
    new KeyVaultError(
      403,
      'Forbidden',
      `The user, group or application '${who}' does not have ${kind} ${permission} permission on key vault '${vaultName};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    ),
  /** Azure RBAC model: Key Vault's multi-line message naming the data action and the resource. */
  forbiddenByRbac: (who: string, dataAction: string, resource: string, vaultName: string): KeyVaultError =>
    new KeyVaultError(
      403,
      'Forbidden',
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${who}\r\nAction: '${dataAction}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vaultName};location=westeurope\r\n`,
      'ForbiddenByRbac',
    ),
  /** A soft-deleted object's name cannot be reused until it is recovered or purged. */
  deletedButRecoverable: (kind: 'Certificate' | 'Key' | 'Secret', name: string): KeyVaultError =>
    new KeyVaultError(409, 'Conflict', `${kind} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${kind.toLowerCase()} can only be recovered or purged.`, 'ObjectIsDeletedButRecoverable'),
  deletedCertificateNotFound: (name: string): KeyVaultError => new KeyVaultError(404, 'CertificateNotFound', `Deleted Certificate not found: ${name}`),
  /** The challenge names the vault's tenant, as Key Vault's does; the SDK asks its credential for a token there. */
  unauthorized: (message: string, tenantId = 'common'): KeyVaultError =>
    new KeyVaultError(401, 'Unauthorized', message, undefined, {
      'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
    }),
} as const;
