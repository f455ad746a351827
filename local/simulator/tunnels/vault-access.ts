import type { CertificateInfo } from '../../../core/pki/certificate-info';

export type SimVaultReadResult =
  | { readonly ok: true; readonly certificate: CertificateInfo; readonly chain: CertificateInfo[]; readonly hasPrivateKey: boolean }
  | { readonly ok: false; readonly code: string; readonly message?: string };

/**
 * What the gateway needs from Key Vault: read the certificate a Key Vault identifier names (resolving the vault from
 * the identifier's host, as the gateway does), with its chain and whether the private key is there, as a given
 * principal under that principal's access. The Key Vault simulator's store (`KeyVaultStore`) provides it.
 */
export interface SimVaultAccess {
  readCertificateAs(principalObjectId: string, certificateId: string): SimVaultReadResult;
}
