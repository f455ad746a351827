import { shortNamesOf } from './site-name';

/** A site that is not in Azure yet, but whose outbound certificate already waits in Key Vault. */
export interface PendingSite {
  readonly site: string;
  readonly vaultName: string;
  readonly certificateName: string;
  /**
   * A provisioning of this site already began (its local network gateway carries the provisioning's tags) but made no
   * connection yet: it waits for the customer's CA to sign its CSR (`--outbound external`), or it stopped part-way.
   */
  readonly provisioning?: { readonly id: string; readonly awaiting: 'signed-certificate' | 'continue' };
}

/**
 * The site `typed` names when Azure has no connection for it but Key Vault already holds its outbound certificate:
 * the first step of provisioning a certificate site is that certificate, and the connection comes last.
 *
 * Only certificates named the way this fleet names them count: each existing connection whose outbound certificate
 * is its site name behind a prefix (`outbound-site-paris` for `site-paris`) teaches that prefix, and a certificate no
 * connection uses, with a taught prefix, names a waiting site (`outbound-site-rome` is `site-rome`). The typed name
 * is that site's name or one of its short names. One waiting site, or none when several would fit.
 */
export function findPendingSite(
  typed: string,
  fleet: readonly { readonly site: string; readonly certificateName?: string }[],
  vaults: readonly { readonly vaultName: string; readonly certificateNames: readonly string[] }[],
): PendingSite | undefined {
  const wanted = typed.toLowerCase();
  const prefixes = new Set<string>();
  const used = new Set<string>();
  for (const { site, certificateName } of fleet) {
    if (!certificateName) continue;
    const name = certificateName.toLowerCase();
    used.add(name);
    if (name.endsWith(site.toLowerCase())) prefixes.add(name.slice(0, name.length - site.length));
  }
  const found: PendingSite[] = [];
  for (const vault of vaults) {
    for (const certificateName of vault.certificateNames) {
      const name = certificateName.toLowerCase();
      if (used.has(name)) continue;
      for (const prefix of prefixes) {
        const site = name.startsWith(prefix) ? certificateName.slice(prefix.length) : '';
        if (site !== '' && (site.toLowerCase() === wanted || shortNamesOf(site).includes(wanted))) {
          found.push({ site, vaultName: vault.vaultName, certificateName });
          break;
        }
      }
    }
  }
  return found.length === 1 ? found[0] : undefined;
}
