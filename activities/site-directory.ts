import type { KeyVaultCertificateRef } from '../adapters/azure/key-vault';
import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import type { ConnectionSummary } from '../adapters/azure/network';
import { isUserError, UserError } from '../core/errors/user-error';
import type { SiteNotFound } from './activity-names';
import type { PendingSite } from '../core/status/pending-site';
import { findPendingSite } from '../core/status/pending-site';
import { resolveSite, siteNameOf } from '../core/status/site-name';
import type { ActivityPorts } from './activity-ports';
import { mapConcurrent } from '../core/async/map-concurrent';

export interface ListedConnection extends ConnectionSummary {
  readonly site: string;
  readonly connectionName: string;
}

/**
 * The site-to-site connections in the configured scopes (certificate ones only, for the fleet), from the list calls
 * only (one per resource group, in parallel). A scope that fails is reported as a gap instead of failing the answer.
 */
export async function listScopeConnections(ports: ActivityPorts, options: { certificateOnly: boolean } = { certificateOnly: true }): Promise<{ connections: ListedConnection[]; gaps: string[] }> {
  const units: { subscriptionId: string; resourceGroups?: string[]; label: string }[] = ports.scopes.flatMap((scope) =>
    scope.resourceGroups && scope.resourceGroups.length > 0
      ? scope.resourceGroups.map((rg) => ({ subscriptionId: scope.subscriptionId, resourceGroups: [rg], label: `${rg} (${scope.subscriptionId.slice(0, 8)}…)` }))
      : [{ subscriptionId: scope.subscriptionId, label: `subscription ${scope.subscriptionId}` }],
  );
  const gaps: string[] = [];
  const lists = await mapConcurrent(units, 8, async (unit) => {
    try {
      const scope = unit.resourceGroups ? { subscriptionId: unit.subscriptionId, resourceGroups: unit.resourceGroups } : { subscriptionId: unit.subscriptionId };
      return await (options.certificateOnly ? ports.network.listCertificateConnections(scope) : ports.network.listSiteToSiteConnections(scope));
    } catch (error) {
      if (!isUserError(error)) throw error;
      gaps.push(`Could not list connections in ${unit.label}: ${error.safeMessage}`);
      return [];
    }
  });
  const seen = new Set<string>();
  const connections: ListedConnection[] = [];
  for (const c of lists.flat()) {
    const key = c.id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    connections.push({ ...c, site: siteNameOf(c), connectionName: c.name });
  }
  return { connections, gaps };
}

/**
 * One site by name, among all site-to-site connections (a site that moved to a pre-shared key is still found): its
 * site or connection name, or a short name only it has (`paris` for `site-paris`). Every command that names a site
 * finds it here, so they all accept the same names.
 * Not found: the closest names, unless part of the scope could not be read (then we can't say it doesn't exist);
 * a short name of several sites: those sites; a site whose outbound certificate waits in Key Vault: that it is waiting
 * to be provisioned. Two connections with one site name: the person must name the connection instead.
 */
export async function findSite(ports: ActivityPorts, typed: string): Promise<ListedConnection | SiteNotFound> {
  const { connections, gaps } = await listScopeConnections(ports, { certificateOnly: false });
  const resolution = resolveSite(typed, connections);
  if (resolution.kind === 'found') return resolution.item;
  if (resolution.kind === 'ambiguous') {
    const sites = [...new Set(resolution.matches.map((m) => m.site))];
    if (sites.length > 1) return { kind: 'site-not-found', typed, suggestions: sites, ambiguous: true };
    throw new UserError('AmbiguousSite', `${resolution.matches.length} connections are called ${sites[0]} (in ${resolution.matches.map((m) => m.resourceGroup).join(', ')}).`, 'Give the connection name instead.');
  }
  if (gaps.length > 0) throw new UserError('ScopeUnreadable', `I could not find ${typed}, and part of the scope could not be read: ${gaps[0]}`);
  const pending = await findPendingInKeyVault(ports, typed, connections);
  return { kind: 'site-not-found', typed, suggestions: resolution.suggestions, ...(pending ? { pending } : {}) };
}

/** Vaults searched for a waiting site's certificate at most (those the fleet's connections use). */
const MAX_VAULTS_SEARCHED = 5;

/**
 * A site not in Azure yet whose outbound certificate already waits in a vault the fleet uses (see findPendingSite).
 * Only asked when nothing else matched; a vault that can't be listed only means this hint is missing.
 */
async function findPendingInKeyVault(ports: ActivityPorts, typed: string, connections: readonly ListedConnection[]): Promise<PendingSite | undefined> {
  const fleet: { site: string; certificateName?: string }[] = [];
  const vaultUrls = new Map<string, string>();
  for (const c of connections) {
    const id = c.certificate?.outboundCertificateUrl;
    let ref: KeyVaultCertificateRef | undefined;
    try {
      ref = id ? parseKeyVaultCertificateId(id) : undefined;
    } catch {
      ref = undefined;
    }
    fleet.push({ site: c.site, ...(ref ? { certificateName: ref.name } : {}) });
    if (ref) vaultUrls.set(ref.vaultUrl.toLowerCase(), ref.vaultUrl);
  }
  const vaults = await mapConcurrent([...vaultUrls.values()].slice(0, MAX_VAULTS_SEARCHED), 5, async (vaultUrl) => {
    try {
      const listed = await ports.keyVault.listCertificates(vaultUrl);
      return { vaultName: ports.keyVault.vaultName(vaultUrl), certificateNames: listed.filter((c) => c.enabled).map((c) => c.name) };
    } catch (error) {
      if (!isUserError(error)) throw error;
      ports.log.warn('could not list a vault while looking for a site waiting to be provisioned', { vault: ports.keyVault.vaultName(vaultUrl), error: error.safeMessage });
      return { vaultName: ports.keyVault.vaultName(vaultUrl), certificateNames: [] };
    }
  });
  return findPendingSite(typed, fleet, vaults);
}
