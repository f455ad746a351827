import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';

/**
 * How every Azure adapter reaches Azure. Production and the sandbox differ only in these values:
 * production uses DefaultAzureCredential / managed identity and the public endpoints; the sandbox and tests point
 * the same SDK clients at the loopback Azure simulator, trusting its CA for those clients only.
 */
export interface AzureSettings {
  readonly credential: TokenCredential;
  /** Azure Resource Manager endpoint, `https://management.azure.com` in public cloud. */
  readonly armEndpoint: string;
  /** Log Analytics query endpoint, `https://api.loganalytics.io/v1` in public cloud. */
  readonly logAnalyticsEndpoint: string;
  /**
   * Key Vault's challenge-based auth checks that the challenge's resource matches the vault's DNS name. The
   * simulator is reached by IP (no `*.vault.azure.net` name resolves here), so only the sandbox turns this off.
   */
  readonly keyVaultVerifyChallengeResource: boolean;
  /** PEM of an extra CA to trust for these clients only (the simulator's CA). Never set in production. */
  readonly trustedCaPem?: string;
  /** Prefix for the User-Agent header, so Azure-side logs can tell our calls apart. */
  readonly userAgentPrefix: string;
  readonly retry: { readonly maxRetries: number; readonly retryDelayInMs: number; readonly maxRetryDelayInMs: number };
}

/** Options shared by every SDK client the adapters create: retry, user agent and (sandbox only) the trusted CA. */
export function sdkClientOptions(settings: AzureSettings): CommonClientOptions {
  return {
    retryOptions: { ...settings.retry },
    userAgentOptions: { userAgentPrefix: settings.userAgentPrefix },
    ...(settings.trustedCaPem ? { tlsOptions: { ca: settings.trustedCaPem } } : {}),
  };
}
