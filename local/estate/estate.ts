import type { SimIkeProposal } from '../simulator/ike/ike-proposals';
import type { AccessPolicy } from '../simulator/key-vault/key-vault-access';
import type { SimRoleName } from '../simulator/sim-rbac';
import type { TunnelOutcome } from '../simulator/tunnels/tunnel-outcome';

/** A certificate as the simulator takes it: its DER (the cert factory's `IssuedCertificate.info` fits). */
export interface EstateCertificate {
  readonly der: Uint8Array;
}

/**
 * A simulated Azure tenant: everything the simulator loads at start. The sandbox estate and the synthetic
 * benchmark estates are built as values of this type (with real certificates made at start), so tests can also
 * describe small estates of their own.
 */
export interface Estate {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly location: string;
  readonly resourceGroups: readonly string[];
  readonly principals: readonly EstatePrincipal[];
  readonly identities: readonly EstateIdentity[];
  readonly virtualNetworks: readonly EstateVirtualNetwork[];
  readonly gateways: readonly EstateGateway[];
  readonly workspaces: readonly EstateWorkspace[];
  readonly diagnosticSettings: readonly EstateDiagnosticSetting[];
  readonly vaults: readonly EstateVault[];
  readonly sites: readonly EstateSite[];
  /** Files the sandbox writes under its state dir (public certificate chains for the user). */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
}

/** Someone who calls Azure: the bot's identity, an operator, a reader. Key is a short name used in tests. */
export interface EstatePrincipal {
  readonly key: string;
  readonly displayName: string;
  readonly objectId: string;
  readonly appId: string;
  readonly roles: readonly { readonly role: SimRoleName; readonly scope: string }[];
}

export interface EstateIdentity {
  readonly name: string;
  readonly resourceGroup: string;
  readonly principalId: string;
  readonly clientId: string;
}

export interface EstateVirtualNetwork {
  readonly name: string;
  readonly resourceGroup: string;
  readonly addressPrefixes: readonly string[];
  readonly subnets: readonly { readonly name: string; readonly addressPrefix: string }[];
}

export interface EstateGateway {
  readonly name: string;
  readonly resourceGroup: string;
  readonly sku: string;
  readonly activeActive: boolean;
  readonly virtualNetwork: string;
  /** Public IP per instance (IN_0 first): resource name and address. */
  readonly publicIps: readonly { readonly name: string; readonly ipAddress: string }[];
  /** Private BGP addresses per instance from GatewaySubnet. */
  readonly privateIps: readonly string[];
  /** Name of a user-assigned identity in `identities`. */
  readonly identity?: string;
  readonly asn?: number;
}

export interface EstateWorkspace {
  readonly name: string;
  readonly resourceGroup: string;
  readonly customerId: string;
}

export interface EstateDiagnosticSetting {
  readonly name: string;
  readonly gateway: { readonly resourceGroup: string; readonly name: string };
  readonly workspace: { readonly resourceGroup: string; readonly name: string };
  readonly categories: readonly string[];
  /** When the setting started sending: rows before it never reached the workspace. */
  readonly since: Date;
}

export interface EstateVault {
  readonly name: string;
  /** Default: the estate's first resource group. */
  readonly resourceGroup?: string;
  /** Vault access policies (default) or Azure RBAC (role assignments on the vault, e.g. Key Vault Secrets User). */
  readonly permissionModel?: 'accessPolicies' | 'rbac';
  /** In force from the start (no propagation delay). */
  readonly accessPolicies?: readonly AccessPolicy[];
  /** RBAC model: data roles on the vault, in force from the start (principals or managed identities by object id). */
  readonly roleAssignments?: readonly { readonly principalId: string; readonly role: SimRoleName }[];
  /**
   * Certificates imported in order (a name imported twice gets two versions). PEM: certificate, issuers, PKCS#8 key.
   * `exportable: false` keeps the key in the vault (its secret carries only the certificates).
   */
  readonly certificates: readonly {
    readonly name: string;
    readonly pem: string;
    readonly exportable?: boolean;
    /** Imported after the connections took their references: a newer version no connection uses yet (drift). */
    readonly afterConnections?: boolean;
  }[];
}

/** The on-premises device at a site. */
export interface EstateDevice {
  readonly publicIp: string;
  readonly prefixes: readonly string[];
  readonly certificate: EstateCertificate;
  /**
   * The device certificate's private key (PKCS#8 PEM), made at start like the certificate. The simulator never reads
   * it; the real-peer tests run the device as a charon with it (local/strongswan/).
   */
  readonly privateKeyPem?: string;
  readonly chain: readonly EstateCertificate[];
  readonly trustedRoots: readonly EstateCertificate[];
  readonly proposals: readonly SimIkeProposal[];
  readonly reachable?: boolean;
}

/** A site: its device, and (unless not yet provisioned) its local network gateway and certificate connection. */
export interface EstateSite {
  readonly name: string;
  readonly resourceGroup: string;
  readonly device: EstateDevice;
  readonly localNetworkGateway?: { readonly name: string; readonly addressPrefixes: readonly string[] };
  readonly connection?: {
    readonly name: string;
    readonly gateway: string;
    /** Vault and certificate name; the latest version at load time is referenced (versioned id). */
    readonly outbound: { readonly vault: string; readonly certificate: string };
    readonly inboundSubjectName: string;
    readonly inboundChain: readonly EstateCertificate[];
    readonly createdAt: Date;
    /** Earlier states of the tunnels; the current configuration is evaluated from the last entry (or createdAt) on. */
    readonly history?: readonly { readonly at: Date; readonly outcome: TunnelOutcome }[];
    /** When the current configuration took effect (defaults to createdAt). */
    readonly currentSince?: Date;
  };
}
