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
  forbidden: (who: string, kind: 'certificates' | 'secrets' | 'keys', permission: string, vaultName: string): KeyVaultError =>
    new KeyVaultError(
      403,
      'Forbidden',
      `The user, group or application '${who}' does not have ${kind} ${permission} permission on key vault '${vaultName};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    ),
  unauthorized: (message: string): KeyVaultError =>
    new KeyVaultError(401, 'Unauthorized', message, undefined, {
      'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/common", resource="https://vault.azure.net"',
    }),
} as const;
