import type { GatewayCertificateRead } from '../azure-rules/outbound-certificate';

/**
 * What the gateway needs from Key Vault: the secret behind `outboundAuthCertificate` (resolving the vault from the
 * identifier's host, at the version the identifier names), read as its managed identity under that identity's access
 * at `at`. The Key Vault simulator's store (`KeyVaultStore`) provides it.
 */
export interface SimVaultAccess {
  readAsGateway(principalObjectId: string, certificateId: string, at: Date): GatewayCertificateRead;
}
