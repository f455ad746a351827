import { UserError } from '../../core/errors/user-error';
import { AzureError, toAzureError } from './azure-error';

/** What the adapter was doing, in words a network engineer reads in chat. */
export interface KeyVaultErrorContext {
  /** e.g. `read certificate 'london-out'`. */
  readonly action: string;
  readonly vaultUrl: string;
  /** The vault's name, when known (`kv-vpn-certs`); else its host is shown. */
  readonly vaultName?: string;
  readonly name?: string;
  readonly version?: string;
  /** What usually fixes a refused request for this action (e.g. for an import: the file and password). */
  readonly badRequestHint?: string;
}

function endpointOf(vaultUrl: string): string {
  try {
    return new URL(vaultUrl).origin;
  } catch {
    return vaultUrl;
  }
}

function vaultLabel(vaultUrl: string): string {
  try {
    return new URL(vaultUrl).host;
  } catch {
    return 'the Key Vault';
  }
}

/**
 * What access is missing: in a vault with access policies, `does not have certificates get permission` ->
 * `certificates get`; in an Azure RBAC vault, Key Vault names the data action (`Action: 'Microsoft.KeyVault/vaults/
 * certificates/read'`).
 */
function missingPermission(error: unknown): string | undefined {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  if (typeof message !== 'string') return undefined;
  const policy = /does not have (certificates|secrets|keys) ([a-z]{2,20}) permission/i.exec(message);
  if (policy) return `${policy[1]?.toLowerCase()} ${policy[2]?.toLowerCase()}`;
  return /Action: '(Microsoft\.KeyVault\/vaults\/[A-Za-z/]{3,80})'/.exec(message)?.[1];
}

function isDeletedButRecoverable(error: unknown): boolean {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' && /deleted but recoverable/i.test(message);
}

/**
 * Translates what the Key Vault SDK throws (RestError, abort) into an `AzureError` (the shared classification: kind, Azure's error
 * code, retry-after) worded for Key Vault: which vault, which certificate, what access to grant. Key Vault's own
 * message and the raw exception stay in `cause`, for the log only.
 */
export function toKeyVaultError(error: unknown, ctx: KeyVaultErrorContext): unknown {
  if (error instanceof UserError) return error;
  // Anything that is not a failed HTTP call or a timeout is a bug, not a user problem: keep it as it is.
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name !== 'RestError' && name !== 'AbortError' && name !== 'TimeoutError') return error;
  const base = toAzureError(error, ctx.action);
  const vault = ctx.vaultName ?? vaultLabel(ctx.vaultUrl);
  const options = { cause: error };
  const codeSuffix = base.azureCode && !['Forbidden', 'Unauthorized', 'BadParameter', 'Conflict'].includes(base.azureCode) ? ` (${base.azureCode})` : '';
  switch (base.kind) {
    case 'ServiceUnavailable':
      return base.details.status === undefined
        ? // Unreachable is where the endpoint helps: it is what DNS, the firewall or the private endpoint must let through.
          new AzureError('ServiceUnavailable', `Key Vault ${vault} (${endpointOf(ctx.vaultUrl)}) could not be reached to ${ctx.action}.`, base.details, 'Check the vault URL and that the vault accepts connections from this app (firewall, private endpoint).', options)
        : new AzureError('ServiceUnavailable', `Key Vault ${vault} had a service error while trying to ${ctx.action}.`, base.details, 'Try again in a few minutes.', options);
    case 'Unauthenticated':
      return new AzureError('Unauthenticated', `Key Vault ${vault} did not accept the bot's credentials while trying to ${ctx.action}.`, base.details, "Check the function app's managed identity and the vault's tenant.", options);
    case 'Forbidden': {
      const permission = missingPermission(error);
      return new AzureError(
        'Forbidden',
        `The bot's identity is not allowed to ${ctx.action} in Key Vault ${vault}${permission ? ` (it lacks ${permission})` : ''}.`,
        { ...base.details, ...(permission ? { missingAction: permission } : {}) },
        "Give the bot's managed identity the Key Vault access it needs: get and list on certificates to read them; import, create and update to change them (access policy; or, in a vault using Azure RBAC, the Key Vault Certificate User role to read and Key Vault Certificates Officer to change). A role assignment can take a few minutes to take effect.",
        options,
      );
    }
    case 'NotFound':
      if (base.azureCode === 'PendingCertificateNotFound') {
        return new AzureError('NotFound', `There is no pending certificate request for '${ctx.name ?? ''}' in Key Vault ${vault}.`, base.details, 'Start a new certificate request first.', options);
      }
      return new AzureError(
        'NotFound',
        `${ctx.version ? `Certificate '${ctx.name ?? ''}' version ${ctx.version}` : `Certificate '${ctx.name ?? ''}'`} was not found in Key Vault ${vault}.`,
        base.details,
        'Check the certificate name and version (Key Vault > Certificates).',
        options,
      );
    case 'Conflict':
      if (isDeletedButRecoverable(error)) {
        return new AzureError('Conflict', `Key Vault ${vault} refused to ${ctx.action}: a deleted certificate '${ctx.name ?? ''}' still holds the name (Key Vault keeps deleted certificates recoverable).`, base.details, 'Recover the deleted certificate, or purge it, before using the name again.', options);
      }
      return new AzureError('Conflict', `Key Vault ${vault} refused to ${ctx.action}: a conflicting operation is in progress (for example a pending certificate request).`, base.details, 'Complete or cancel the pending request, then try again.', options);
    case 'BadRequest':
      return new AzureError('BadRequest', `Key Vault ${vault} refused to ${ctx.action}${base.azureCode ? ` (${base.azureCode})` : ''}.`, base.details, ctx.badRequestHint, options);
    case 'Throttled':
      return new AzureError('Throttled', `Key Vault ${vault} is throttling requests, so it could not ${ctx.action}${codeSuffix}.`, base.details, base.hint, options);
    default:
      return base;
  }
}
