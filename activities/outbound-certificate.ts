import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import type { CertificateInfo } from '../core/pki/certificate-info';
import { isUserError } from '../core/errors/user-error';
import type { ActivityPorts } from './activity-ports';

export interface OutboundLookup {
  readonly vaultName: string;
  readonly certificateName: string;
  readonly version: string;
  readonly certificate?: CertificateInfo;
  readonly latestEnabledVersion?: string;
  readonly problem?: string;
}

/**
 * Reads the outbound certificate the connection references, and (optionally) which version is the newest enabled
 * one. Problems become text on the card (the gateway would hit the same wall), never a failed job.
 */
export async function lookupOutboundCertificate(ports: ActivityPorts, certificateUrl: string, options: { checkLatest: boolean }): Promise<OutboundLookup> {
  let ref;
  try {
    ref = parseKeyVaultCertificateId(certificateUrl);
  } catch (error) {
    const problem = isUserError(error) ? error.safeMessage : 'The outbound certificate reference is not a Key Vault certificate identifier.';
    return { vaultName: 'unknown', certificateName: 'unknown', version: 'unknown', problem };
  }
  const base = { vaultName: ports.keyVault.vaultName(ref.vaultUrl), certificateName: ref.name, version: ref.version ?? '(current)' };
  const [cert, latest] = await Promise.all([
    ports.keyVault.getCertificate(ref).then(
      (c) => ({ ok: true as const, c }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    options.checkLatest
      ? ports.keyVault.listCertificateVersions(ref.vaultUrl, ref.name).then(
          (versions) => versions.find((v) => v.enabled)?.version,
          () => undefined,
        )
      : Promise.resolve(undefined),
  ]);
  if (!cert.ok) {
    if (!isUserError(cert.error)) throw cert.error;
    return { ...base, problem: `Key Vault: ${cert.error.safeMessage}` };
  }
  return {
    ...base,
    version: cert.c.version,
    certificate: cert.c.certificate,
    ...(latest ? { latestEnabledVersion: latest } : {}),
  };
}
