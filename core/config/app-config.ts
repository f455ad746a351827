import type { ExpiryConfig } from './expiry-config';
import type { OutboundRotationConfig } from './outbound-rotation-config';
import type { AccessPolicy } from '../auth/access-policy';
import type { ApprovalPolicy } from '../change/approval-policy';

/** Bot Framework authentication: on with an app registration, or explicitly off for local use only. */
export type BotConfig =
  | {
      readonly authentication: 'enabled';
      readonly appId: string;
      readonly appType: 'UserAssignedMSI' | 'SingleTenant';
      readonly tenantId: string;
      /** SingleTenant only (prefer a Key Vault reference in the app setting). */
      readonly appPassword?: string;
    }
  | { readonly authentication: 'disabled-for-local-use' };

export type StateStorageConfig =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | { readonly kind: 'managed-identity'; readonly tableEndpoint: string; readonly clientId?: string };

/** A subscription, optionally narrowed to resource groups: where the bot looks for certificate connections. */
export interface VpnScope {
  readonly subscriptionId: string;
  readonly resourceGroups?: readonly string[];
}

export type AzureTargetConfig =
  | { readonly target: 'azure'; readonly managedIdentityClientId?: string }
  | {
      readonly target: 'simulator';
      /** https://127.0.0.1:<port> of the local Azure simulator. */
      readonly url: string;
      /** PEM of the simulator's CA, trusted by the SDK clients only. */
      readonly caPem: string;
      /** Entra object id the local token credential speaks as. */
      readonly principalId: string;
      readonly tenantId: string;
      /** The simulator's vaults, by name and URL (each has its own loopback port, so its URL does not name it). */
      readonly keyVaults?: readonly { readonly name: string; readonly url: string }[];
    };

export interface AppConfig {
  readonly bot: BotConfig;
  readonly access: AccessPolicy;
  readonly stateStorage: StateStorageConfig;
  readonly azure: AzureTargetConfig;
  readonly scopes: readonly VpnScope[];
  readonly durableTaskHub: string;
  /** Log Analytics workspace (resource id) that the "Enable diagnostics" button sends gateway logs to. */
  readonly diagnosticsWorkspaceId?: string;
  /** Hosts attachments are downloaded from (`*.suffix` patterns allowed): where Teams serves files from. */
  readonly attachmentHosts: readonly string[];
  /** Which changes need approval, for how long, and where approval requests go. */
  readonly approvals: ApprovalPolicy;
  /** `local` only in the sandbox and tests; shown on cards so nobody mistakes the sandbox for production. */
  readonly environmentName: string;
  /** `rotate <site> outbound`: the CA in Key Vault, validity, grace period, verification time. */
  readonly outboundRotation: OutboundRotationConfig;
  /** Expiry reports: tiers, the daily schedule, quiet days, the channel subscribed at start. */
  readonly expiry?: ExpiryConfig;
}
