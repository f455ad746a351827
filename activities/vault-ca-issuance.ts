import { randomBytes } from 'node:crypto';
import type { KeyVaultCaCertificate } from '../adapters/azure/key-vault-ca';
import type { KeyVaultCertificate } from '../adapters/azure/key-vault';
import { UserError } from '../core/errors/user-error';
import { EKU } from '../core/pki/certificate-info';
import { checkOutboundCertificate } from '../core/pki/check-outbound-certificate';
import { hasErrors, MIN_RSA_BITS } from '../core/pki/certificate-violation';
import { assembleCertificate, buildTbsCertificate, parseCertificateRequest } from '../core/pki/issue-from-csr';
import { parseDer } from '../core/pki/parse-certificate';
import { signatureVerifies } from '../core/pki/verify-chain';
import type { ActivityPorts } from './activity-ports';

/**
 * Issuing an outbound certificate from the deployment's CA in Key Vault, without the bot ever holding a private key:
 *
 * 1. Key Vault creates a new version of the certificate with issuer `Unknown`: it generates the key (RSA >= 2048,
 *    exportable because the VPN gateway must read it) and returns a CSR; the version is pending.
 * 2. The bot builds the certificate from the CSR (core/pki/issue-from-csr.ts): the CSR's subject and key, the planned
 *    validity and DNS names, serverAuth + clientAuth, the CA as issuer.
 * 3. Key Vault signs the digest of that to-be-signed certificate with the CA's key (kv-vpn-ca: RBAC, the key not
 *    exportable; the bot has Key Vault Crypto User there, which signs but never exports).
 * 4. The bot checks the signature with the CA's public key and Azure's outbound rules, then merges the certificate
 *    with the full chain up to the root into the pending version (Azure refuses an outbound secret without its chain).
 *
 * If anything fails after step 1, the pending request is cancelled (Key Vault drops the pending version), so nothing
 * half-issued is left behind; the error is raised as it was.
 *
 * Used by `rotate <site> outbound` (source ca) and by provisioning a site.
 */
export interface VaultCaIssueInput {
  /** The vault of the certificate to issue a new version of (e.g. kv-vpn-certs). */
  readonly vaultUrl: string;
  /** The certificate (e.g. `outbound-site-paris`). */
  readonly name: string;
  /** `CN=azure-paris.vpn.contoso.example, O=Contoso`. */
  readonly subject: string;
  readonly dnsNames: readonly string[];
  /** Validity in days from now. */
  readonly days: number;
  /** The CA certificate's identifier (default: the configured OUTBOUND_CA_CERTIFICATE_ID). */
  readonly caCertificateId?: string;
  /** RSA key size Key Vault generates (default 2048). */
  readonly keySize?: 2048 | 3072 | 4096;
  /** How Key Vault keeps the secret the gateway reads (default: PEM, as the sandbox's certificates). */
  readonly contentType?: 'pem' | 'pfx';
  /** Tags of the new version (e.g. which change issued it). */
  readonly tags?: Record<string, string>;
}

/** How far back a new certificate's validity starts, for devices whose clocks run a little behind. */
export const BACKDATE_MS = 5 * 60_000;

/** The configured CA (or the given one), read and checked: a root CA whose key may sign certificates. */
export async function readVaultCa(ports: ActivityPorts, caCertificateId?: string): Promise<KeyVaultCaCertificate> {
  const id = caCertificateId ?? ports.outboundRotation.caCertificateId;
  if (!id) {
    throw new UserError('OutboundCaNotConfigured', 'No certificate authority in Key Vault is configured for outbound certificates.', 'Set OUTBOUND_CA_CERTIFICATE_ID to the CA certificate in Key Vault (key not exportable), or rotate with --source external or --source vault.');
  }
  const ca = await ports.vaultCa.getCaCertificate(id);
  const name = `The CA certificate '${ca.name}' in Key Vault ${ports.keyVault.vaultName(ca.vaultUrl)}`;
  if (!ca.enabled) throw new UserError('OutboundCaUnusable', `${name} is disabled.`, 'Enable it, or point OUTBOUND_CA_CERTIFICATE_ID at an enabled CA.');
  if (!ca.certificate.isCa) throw new UserError('OutboundCaUnusable', `${name} is not a CA certificate.`, 'Point OUTBOUND_CA_CERTIFICATE_ID at a CA certificate.');
  if (ca.certificate.keyUsages && !ca.certificate.keyUsages.includes('keyCertSign')) throw new UserError('OutboundCaUnusable', `${name} may not sign certificates (its key usage lacks keyCertSign).`, 'Point OUTBOUND_CA_CERTIFICATE_ID at a CA certificate.');
  if (!ca.certificate.selfIssued) {
    // The chain above an intermediate lives in its secret, which the bot must not read (it would hold the CA key
    // when the key were exportable); Azure needs the chain up to the root in the outbound secret.
    throw new UserError('OutboundCaUnusable', `${name} is an intermediate CA (issued by ${ca.certificate.issuer}); the bot issues from a root CA in Key Vault only, so the chain it merges reaches the root.`, 'Point OUTBOUND_CA_CERTIFICATE_ID at the root CA in Key Vault.');
  }
  if (ca.certificate.publicKey.algorithm !== 'RSA') throw new UserError('OutboundCaUnusable', `${name} has a ${ca.certificate.publicKey.algorithm} key; the bot signs with RSA CA keys only.`);
  return ca;
}

export async function issueFromVaultCa(ports: ActivityPorts, input: VaultCaIssueInput): Promise<KeyVaultCertificate> {
  const ca = await readVaultCa(ports, input.caCertificateId);
  const now = ports.now();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + input.days * 86_400_000);
  if (notAfter.getTime() > ca.certificate.notAfter.getTime()) {
    throw new UserError('OutboundValidityBeyondCa', `A certificate valid ${input.days} days would outlive the CA ${ca.certificate.subject} (valid until ${ca.certificate.notAfter.toISOString().slice(0, 10)}).`, 'Ask for fewer days (--days), or renew the CA first.');
  }
  const existing = await ports.keyVault.getPendingRequest(input.vaultUrl, input.name);
  if (existing) {
    throw new UserError('CertificateRequestPending', `Certificate '${input.name}' already has a pending request in Key Vault ${ports.keyVault.vaultName(input.vaultUrl)}.`, 'Complete it (rotate <site> outbound --merge) or cancel it in Key Vault, then try again.');
  }
  const pending = await ports.keyVault.beginCsrCertificate(
    input.vaultUrl,
    input.name,
    {
      subject: input.subject,
      issuer: 'Unknown',
      keySize: input.keySize ?? MIN_RSA_BITS,
      exportable: true,
      enhancedKeyUsages: [EKU.serverAuth, EKU.clientAuth],
      contentType: input.contentType ?? 'pem',
      dnsNames: [...input.dnsNames],
      validityInMonths: Math.max(1, Math.ceil(input.days / 30)),
    },
    input.tags ? { tags: input.tags } : {},
  );
  try {
    const csr = parseCertificateRequest(pending.csrDer);
    const { tbsDer, digest } = buildTbsCertificate({ csr, subject: input.subject, dnsNames: input.dnsNames, notBefore, notAfter, serialNumber: randomBytes(16) }, ca.certificate);
    const signature = await ports.vaultCa.signDigest(ca.keyId, 'RS256', digest);
    const leaf = parseDer(assembleCertificate(tbsDer, signature));
    if (!signatureVerifies(leaf, ca.certificate)) {
      throw new UserError('CaSignatureInvalid', `Key Vault's signature with the CA key '${ca.name}' does not verify with the CA certificate's public key.`, 'Check that OUTBOUND_CA_CERTIFICATE_ID names the CA whose key signs, and that its current version is the one in use.');
    }
    const violations = checkOutboundCertificate(leaf, now, { hasPrivateKey: true });
    if (hasErrors(violations)) throw new UserError('IssuedCertificateRefused', `The issued certificate would break Azure's outbound rules: ${violations.filter((v) => v.severity === 'error').map((v) => `${v.code}: ${v.message}`).join(' ')}`);
    return await ports.keyVault.mergeCertificate(input.vaultUrl, input.name, [leaf.der, ca.certificate.der]);
  } catch (error) {
    await cancelQuietly(ports, input.vaultUrl, input.name);
    throw error;
  }
}

/** Cancels the pending request left by a failed issuance; a failure here is logged (verifyUnchanged reports what is left). */
async function cancelQuietly(ports: ActivityPorts, vaultUrl: string, name: string): Promise<void> {
  try {
    await ports.keyVault.cancelPendingRequest(vaultUrl, name);
  } catch (error) {
    ports.log.warn('could not cancel the pending certificate request after a failed issuance', { vault: ports.keyVault.vaultName(vaultUrl), name, error: error instanceof UserError ? error.code : 'unexpected' });
  }
}
