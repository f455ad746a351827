import { isRestError } from '@azure/core-rest-pipeline';
import { UserError } from '../../core/errors/user-error';

/** What the adapter was doing, in words a network engineer reads in chat. */
export interface KeyVaultErrorContext {
  /** e.g. `read certificate 'london-out'`. */
  readonly action: string;
  readonly vaultUrl: string;
  readonly name?: string;
  readonly version?: string;
  /** What usually fixes a refused request for this action (e.g. for an import: the file and password). */
  readonly badRequestHint?: string;
}

function vaultLabel(vaultUrl: string): string {
  try {
    return new URL(vaultUrl).host;
  } catch {
    return 'the Key Vault';
  }
}

function keyVaultCode(error: { details?: unknown; code?: string }): string | undefined {
  const details = error.details as { error?: { code?: unknown; innerError?: { code?: unknown } } } | undefined;
  const code = details?.error?.code ?? error.code;
  return typeof code === 'string' && /^[A-Za-z]{1,60}$/.test(code) ? code : undefined;
}

/**
 * Translates what the Key Vault SDK throws into a `UserError` with a stable code and safe text; Key Vault's own
 * error code is kept (it is an identifier, not free text), its message and the raw exception only as `cause`, for
 * the log. Anything that is not an HTTP or network failure is returned unchanged: that is a bug, not a user problem.
 */
export function toKeyVaultError(error: unknown, ctx: KeyVaultErrorContext): unknown {
  if (error instanceof UserError) return error;
  const vault = vaultLabel(ctx.vaultUrl);
  const options = { cause: error };
  if (!isRestError(error)) {
    return error;
  }
  const status = error.statusCode;
  const code = keyVaultCode(error);
  if (status === undefined) {
    return new UserError('KeyVaultUnreachable', `Key Vault ${vault} could not be reached to ${ctx.action}.`, 'Check the vault URL and that the vault accepts connections from this app (firewall, private endpoint).', options);
  }
  if (status === 401 || status === 403) {
    return new UserError(
      'KeyVaultAccessDenied',
      `The bot's identity is not allowed to ${ctx.action} in Key Vault ${vault}${code && code !== 'Forbidden' ? ` (${code})` : ''}.`,
      'Give the bot\'s managed identity the Key Vault access it needs: get and list on certificates to read them; import, create and update to change them (access policy, or the Key Vault Certificates Officer role).',
      options,
    );
  }
  if (status === 404) {
    if (code === 'PendingCertificateNotFound') {
      return new UserError('KeyVaultNoPendingRequest', `There is no pending certificate request for '${ctx.name ?? ''}' in Key Vault ${vault}.`, 'Start a new certificate request first.', options);
    }
    const what = ctx.version ? `Certificate '${ctx.name ?? ''}' version ${ctx.version}` : `Certificate '${ctx.name ?? ''}'`;
    return new UserError('KeyVaultCertificateNotFound', `${what} was not found in Key Vault ${vault}.`, 'Check the certificate name and version (Key Vault > Certificates).', options);
  }
  if (status === 409) {
    return new UserError('KeyVaultConflict', `Key Vault ${vault} refused to ${ctx.action}: a conflicting operation is in progress (for example a pending certificate request).`, 'Complete or cancel the pending request, then try again.', options);
  }
  if (status === 429) {
    const retryAfter = Number(error.response?.headers.get('retry-after'));
    return new UserError('AzureThrottled', `Key Vault ${vault} is throttling requests.`, Number.isFinite(retryAfter) && retryAfter > 0 ? `Try again in ${Math.ceil(retryAfter)} seconds.` : 'Try again in a minute.', options);
  }
  if (status >= 500) {
    return new UserError('KeyVaultUnavailable', `Key Vault ${vault} had a service error while trying to ${ctx.action} (HTTP ${status}).`, 'Try again in a few minutes.', options);
  }
  return new UserError('KeyVaultBadRequest', `Key Vault ${vault} refused to ${ctx.action}${code ? ` (${code})` : ''}.`, ctx.badRequestHint, options);
}
