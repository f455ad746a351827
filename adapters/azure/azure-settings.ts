import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import { DefaultAzureCredential } from '@azure/identity';
import { sameOriginPolicy } from './arm-paging';
import { LocalTokenCredential, type LocalPrincipal } from './local-token-credential';

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
  /**
   * Vault names by endpoint origin (`https://127.0.0.1:40011` -> `kv-vpn-certs`), for vaults not reached at
   * `https://<name>.vault.azure.net`: the simulator serves each vault on its own loopback port, and the bot should
   * still call a vault by its name, as it does in Azure. Never set in production (the host names the vault there).
   */
  readonly keyVaultNames?: Readonly<Record<string, string>>;
  /** Prefix for the User-Agent header, so Azure-side logs can tell our calls apart. */
  readonly userAgentPrefix: string;
  readonly retry: { readonly maxRetries: number; readonly retryDelayInMs: number; readonly maxRetryDelayInMs: number };
  /** Deadline for one call (including the SDK's retries); past it the call fails as a timeout. Default 60 s. */
  readonly operationTimeoutMs?: number;
  /** Deadline for a long-running operation (create, update, delete, reset) to finish. Default 30 min. */
  readonly longRunningTimeoutMs?: number;
  /** Poll interval for long-running operations when Azure gives no Retry-After. Default 2 s (the SDK's). */
  readonly longRunningPollIntervalMs?: number;
}

export const defaultOperationTimeoutMs = 60_000;
export const defaultLongRunningTimeoutMs = 30 * 60_000;

/** Options shared by every SDK client the adapters create: retry, user agent and (sandbox only) the trusted CA. */
export function sdkClientOptions(settings: AzureSettings): CommonClientOptions {
  return {
    retryOptions: { ...settings.retry },
    userAgentOptions: { userAgentPrefix: settings.userAgentPrefix },
    ...(settings.trustedCaPem ? { tlsOptions: { ca: settings.trustedCaPem } } : {}),
  };
}

/** Configuration values `createAzureSettings` reads (from app settings in production, from the sandbox locally). */
export type AzureSettingsConfig =
  | {
      readonly mode: 'azure';
      /** Client id of the function app's user-assigned managed identity; omit for the system-assigned one. */
      readonly managedIdentityClientId?: string;
      readonly userAgentPrefix?: string;
      readonly retry?: Partial<AzureSettings['retry']>;
      readonly operationTimeoutMs?: number;
      readonly longRunningTimeoutMs?: number;
    }
  | {
      readonly mode: 'simulator';
      /** `https://127.0.0.1:<port>` of the Azure simulator. */
      readonly simulatorUrl: string;
      /** The simulator's CA certificate (PEM). */
      readonly caPem: string;
      /** Who the local credential speaks for. */
      readonly principal: LocalPrincipal;
      /** The simulator's vaults: each name and the URL it is served at. */
      readonly keyVaults?: readonly { readonly name: string; readonly url: string }[];
      /** Source of "now" for token lifetimes when the simulator runs on an injected clock. */
      readonly now?: () => Date;
      readonly userAgentPrefix?: string;
      readonly retry?: Partial<AzureSettings['retry']>;
      readonly operationTimeoutMs?: number;
      readonly longRunningTimeoutMs?: number;
      readonly longRunningPollIntervalMs?: number;
    };

const defaultRetry = { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 60_000 };

/**
 * Builds AzureSettings from configuration. Production: DefaultAzureCredential (managed identity in Azure, developer
 * sign-in elsewhere), public endpoints, full Key Vault challenge checks. Simulator: the local credential, the
 * simulator's URL for ARM and Log Analytics, and its CA trusted for these clients only.
 */
export function createAzureSettings(config: AzureSettingsConfig): AzureSettings {
  const userAgentPrefix = config.userAgentPrefix ?? 'vpn-cert-chatops';
  const retry = { ...defaultRetry, ...(config.retry ?? {}) };
  if (config.mode === 'azure') {
    if (config.managedIdentityClientId !== undefined && !/^[0-9a-fA-F-]{36}$/.test(config.managedIdentityClientId)) {
      throw new Error('The managed identity client id must be a GUID (the identity\'s "Client ID"). Fix the AZURE_CLIENT_ID app setting.');
    }
    return {
      credential: new DefaultAzureCredential(config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {}),
      armEndpoint: 'https://management.azure.com',
      logAnalyticsEndpoint: 'https://api.loganalytics.io/v1',
      keyVaultVerifyChallengeResource: true,
      userAgentPrefix,
      retry,
      ...(config.operationTimeoutMs !== undefined ? { operationTimeoutMs: config.operationTimeoutMs } : {}),
      ...(config.longRunningTimeoutMs !== undefined ? { longRunningTimeoutMs: config.longRunningTimeoutMs } : {}),
    };
  }
  const url = new URL(config.simulatorUrl);
  if (url.protocol !== 'https:' || (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')) {
    throw new Error('The Azure simulator URL must be https on 127.0.0.1 or localhost.');
  }
  const base = url.origin;
  return {
    credential: new LocalTokenCredential(config.principal, config.now ? { now: config.now } : {}),
    armEndpoint: base,
    logAnalyticsEndpoint: `${base}/v1`,
    keyVaultVerifyChallengeResource: false,
    trustedCaPem: config.caPem,
    ...(config.keyVaults && config.keyVaults.length > 0 ? { keyVaultNames: Object.fromEntries(config.keyVaults.map((v) => [new URL(v.url).origin.toLowerCase(), v.name])) } : {}),
    userAgentPrefix,
    retry,
    ...(config.operationTimeoutMs !== undefined ? { operationTimeoutMs: config.operationTimeoutMs } : {}),
    ...(config.longRunningTimeoutMs !== undefined ? { longRunningTimeoutMs: config.longRunningTimeoutMs } : {}),
    ...(config.longRunningPollIntervalMs !== undefined ? { longRunningPollIntervalMs: config.longRunningPollIntervalMs } : {}),
  };
}

/**
 * One ARM SDK client per subscription, created on first use with the shared options (credential, retry, user agent,
 * endpoint, trusted CA), so every adapter configures its clients the same way.
 */
export function armClientPerSubscription<C>(
  settings: AzureSettings,
  create: (credential: AzureSettings['credential'], subscriptionId: string, options: CommonClientOptions & { endpoint: string }) => C,
): (subscriptionId: string) => C {
  const clients = new Map<string, C>();
  return (subscriptionId) => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = create(settings.credential, subscriptionId, {
        ...sdkClientOptions(settings),
        endpoint: settings.armEndpoint,
        // Links Azure hands back (nextLink, operation status) are followed on the ARM endpoint only.
        additionalPolicies: [{ policy: sameOriginPolicy(settings.armEndpoint), position: 'perCall' }],
      });
      clients.set(key, client);
    }
    return client;
  };
}
