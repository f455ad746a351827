import type { KeyVaultCertificate, KeyVaultCertificateVersion, PendingCertificateRequest } from '../adapters/azure/key-vault';
import { UserError } from '../core/errors/user-error';
import { EKU } from '../core/pki/certificate-info';
import { parseCertificateRequest } from '../core/pki/issue-from-csr';
import { checkMergeChain, type MergeChain } from '../core/pki/outbound-rotation';
import { parseCertificateChain } from '../core/pki/parse-certificate-chain';
import type { ActivityPorts } from './activity-ports';

/**
 * An outbound certificate from the customer's own CA, in two halves (`rotate <site> outbound --source external` /
 * `--merge`, and `provision <site> --outbound external` / `provision <site> --merge`): Key Vault makes the key and a
 * CSR (a pending version), the CA signs it outside, and the signed certificate with its chain is checked and merged
 * into that pending version. The bot never holds the key.
 */

/** The pending request of `name`, or a new one: RSA 2048 made in Key Vault (exportable: the gateway reads it), serverAuth + clientAuth, the subject and DNS names given. */
export async function requestExternalCertificate(
  ports: ActivityPorts,
  request: { readonly vaultUrl: string; readonly name: string; readonly subject: string; readonly dnsNames: readonly string[]; readonly tags: Record<string, string> },
): Promise<PendingCertificateRequest> {
  return (
    (await ports.keyVault.getPendingRequest(request.vaultUrl, request.name)) ??
    (await ports.keyVault.beginCsrCertificate(
      request.vaultUrl,
      request.name,
      { subject: request.subject, issuer: 'Unknown', keySize: 2048, exportable: true, enhancedKeyUsages: [EKU.serverAuth, EKU.clientAuth], contentType: 'pem', ...(request.dnsNames.length > 0 ? { dnsNames: [...request.dnsNames] } : {}) },
      { tags: request.tags },
    ))
  );
}

/**
 * What a person pasted to complete a pending request, checked before anything is submitted: one certificate carries
 * the CSR's key, it passes Azure's outbound rules, and the rest build a chain to a root (core/pki/outbound-rotation.ts).
 * `command` is what to send again (in the error's hint).
 */
export async function checkSignedForPending(pending: PendingCertificateRequest, pasted: string | undefined, now: Date, command: string): Promise<MergeChain> {
  const text = (pasted ?? '').trim();
  if (text === '') throw new UserError('NothingToMerge', 'Paste the signed certificate and its chain (PEM, base64 or PKCS#7) under the command, each certificate in full.', `${command}, then the certificates on the next lines.`);
  return checkMergeChain(parseCertificateChain(text), parseCertificateRequest(pending.csrDer), now);
}

/**
 * Merges the checked chain (base64 DERs, leaf first) into the pending request of `name`; when nothing is pending any
 * more, the version that already carries the signed certificate (a merge that landed before its caller gave up).
 * `startAgain` says what to do when neither exists (someone completed or cancelled the request meanwhile).
 */
export async function mergeSignedCertificate(ports: ActivityPorts, vaultUrl: string, name: string, chain: readonly string[], thumbprint: string, startAgain: string): Promise<KeyVaultCertificate | KeyVaultCertificateVersion> {
  if (await ports.keyVault.getPendingRequest(vaultUrl, name)) return ports.keyVault.mergeCertificate(vaultUrl, name, chain.map((b64) => new Uint8Array(Buffer.from(b64, 'base64'))));
  const merged = (await ports.keyVault.listCertificateVersions(vaultUrl, name)).find((v) => v.thumbprint === thumbprint);
  if (!merged) throw new UserError('NoPendingCertificateRequest', `The pending request of ${name} is gone and no version carries the signed certificate: someone completed or cancelled it meanwhile.`, startAgain);
  return merged;
}
