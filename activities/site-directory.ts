import type { KeyVaultCertificateRef } from '../adapters/azure/key-vault';
import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import type { ConnectionDetails, ConnectionSummary } from '../adapters/azure/network';
import { isAzureError } from '../adapters/azure/azure-error';
import { isUserError, PASSING_FAILURE_CODES, UserError } from '../core/errors/user-error';
import type { SiteIndexEntry } from '../core/ports/site-index';
import type { RefreshSiteIndexInput, SiteNotFound } from './activity-names';
import type { PendingSite } from '../core/status/pending-site';
import { findPendingSite } from '../core/status/pending-site';
import { resolveSite, shortNamesOf, siteNameOf } from '../core/status/site-name';
import { PROVISION_TAGS } from '../core/provision/provision-tags';
import type { ActivityPorts } from './activity-ports';
import { mapConcurrent } from '../core/async/map-concurrent';

export interface ListedConnection extends ConnectionSummary {
  readonly site: string;
  readonly connectionName: string;
}

/** A site that was found, with its connection as Azure has it now (one GET: live status and configuration). */
export type FoundSite = ListedConnection & { readonly details: ConnectionDetails };

/**
 * How long after the last full listing of the scope the site index is trusted to say where a site is. Sites created,
 * renamed or deleted outside the bot within that time are still found: a name the index does not know, or an entry
 * whose connection no longer answers to it, makes the lookup list the scope again.
 */
export const SITE_INDEX_TTL_MS = 5 * 60_000;

/**
 * List calls in flight at once (one per resource group or subscription of the scope). A scope names a handful of
 * groups; listing them all at once keeps a fleet read at one round trip. ARM's read bucket (per principal and
 * subscription, refilled continuously) is far larger than this.
 */
const SCOPE_LISTS_IN_FLIGHT = 16;

/**
 * The site-to-site connections in the configured scopes (certificate ones only, for the fleet), from the list calls
 * only (one per resource group, in parallel). A scope that fails is reported as a gap instead of failing the answer.
 * A complete listing refreshes the site index; with `indexRefreshInBackground` the caller gets that write as
 * `indexRefreshed` (it never rejects) and awaits it after its own reads, instead of waiting for it first.
 */
export async function listScopeConnections(
  ports: ActivityPorts,
  options: {
    readonly certificateOnly?: boolean;
    readonly indexRefreshInBackground?: boolean;
    /** Each resource group's (or subscription's) connections as soon as they are listed, before the others are. */
    readonly onListed?: (connections: readonly ConnectionSummary[]) => void;
  } = {},
): Promise<{ connections: ListedConnection[]; gaps: string[]; passingGap?: UserError; indexRefreshed?: Promise<void> }> {
  const certificateOnly = options.certificateOnly ?? true;
  const units: { subscriptionId: string; resourceGroups?: string[]; label: string }[] = ports.scopes.flatMap((scope) =>
    scope.resourceGroups && scope.resourceGroups.length > 0
      ? scope.resourceGroups.map((rg) => ({ subscriptionId: scope.subscriptionId, resourceGroups: [rg], label: `${rg} (${scope.subscriptionId.slice(0, 8)}…)` }))
      : [{ subscriptionId: scope.subscriptionId, label: `subscription ${scope.subscriptionId}` }],
  );
  const gaps: string[] = [];
  let passingGap: UserError | undefined;
  const lists = await mapConcurrent(units, SCOPE_LISTS_IN_FLIGHT, async (unit) => {
    try {
      const scope = unit.resourceGroups ? { subscriptionId: unit.subscriptionId, resourceGroups: unit.resourceGroups } : { subscriptionId: unit.subscriptionId };
      const listed = await ports.network.listSiteToSiteConnections(scope);
      options.onListed?.(listed);
      return listed;
    } catch (error) {
      if (!isUserError(error)) throw error;
      gaps.push(`Could not list connections in ${unit.label}: ${error.safeMessage}`);
      if (PASSING_FAILURE_CODES.has(error.code)) passingGap ??= error;
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
  const indexRefreshed = gaps.length === 0 ? refreshIndex(ports, connections) : undefined;
  if (indexRefreshed && !options.indexRefreshInBackground) await indexRefreshed;
  return {
    connections: certificateOnly ? connections.filter((c) => c.authenticationType === 'Certificate') : connections,
    gaps,
    ...(passingGap ? { passingGap } : {}),
    ...(indexRefreshed && options.indexRefreshInBackground ? { indexRefreshed } : {}),
  };
}

/**
 * One site by name, among all site-to-site connections (a site that moved to a pre-shared key is still found): its
 * site or connection name, or a short name only it has (`paris` for `site-paris`). Every command that names a site
 * finds it here, so they all accept the same names.
 *
 * The site index (fresh for SITE_INDEX_TTL_MS after a full listing) says where the site is, so a found site costs one
 * connection GET whatever the fleet's size; a name the index does not know or shares among several sites, or a
 * connection that no longer answers to it, lists the scope (and refreshes the index).
 * Not found: the closest names, unless part of the scope could not be read (then we can't say it doesn't exist);
 * a short name of several sites: those sites; a site whose outbound certificate waits in Key Vault: that it is waiting
 * to be provisioned. Two connections with one site name: the person must name the connection instead.
 */
export async function findSite(ports: ActivityPorts, typed: string): Promise<FoundSite | SiteNotFound> {
  const indexed = await freshIndex(ports);
  if (indexed) {
    // Only a site the index names alone is taken from it (and read at once); an ambiguity or a miss is confirmed by a
    // listing, so a site deleted or added outside the bot never shows in a wrong answer.
    const resolution = resolveSite(typed, indexed);
    if (resolution.kind === 'found') {
      const found = await stillAnswersTo(ports, resolution.item, typed);
      if (found) return found;
    }
  }
  const { connections, gaps, passingGap } = await listScopeConnections(ports, { certificateOnly: false });
  const resolution = resolveSite(typed, connections);
  if (resolution.kind === 'found') return withDetails(await ports.network.getConnection(resolution.item.id));
  if (resolution.kind === 'ambiguous') return ambiguous(typed, resolution.matches);
  // A part of the scope Azure will answer for again (throttled, unavailable, slow): the lookup fails as that (and is
  // tried again); one it refused: the scope is unreadable.
  if (passingGap) throw passingGap;
  if (gaps.length > 0) throw new UserError('ScopeUnreadable', `I could not find ${typed}, and part of the scope could not be read: ${gaps[0]}`);
  const pending = (await findProvisioningUnderWay(ports, typed, connections)) ?? (await findPendingInKeyVault(ports, typed, connections));
  return { kind: 'site-not-found', typed, suggestions: resolution.suggestions, ...(pending ? { pending } : {}) };
}

/** After a change the bot made to a connection: its index entry as the connection is now (or gone). */
export async function refreshSiteIndex(input: RefreshSiteIndexInput, ports: ActivityPorts): Promise<void> {
  let details: ConnectionDetails;
  try {
    details = await ports.network.getConnection(input.connectionId);
  } catch (error) {
    if (isAzureError(error) && error.kind === 'NotFound') return ports.siteIndex.remove(input.connectionId);
    throw error;
  }
  await ports.siteIndex.put(entryOf(details));
}

function withDetails(details: ConnectionDetails): FoundSite {
  return { ...details, site: siteNameOf(details), connectionName: details.name, details };
}

function entryOf(c: ConnectionSummary): SiteIndexEntry {
  return { connectionId: c.id, site: siteNameOf(c), connectionName: c.name };
}

function ambiguous(typed: string, matches: readonly ListedConnection[]): SiteNotFound {
  const sites = [...new Set(matches.map((m) => m.site))];
  if (sites.length > 1) return { kind: 'site-not-found', typed, suggestions: sites, ambiguous: true };
  throw new UserError('AmbiguousSite', `${matches.length} connections are called ${sites[0]} (in ${matches.map((m) => m.resourceGroup).join(', ')}).`, 'Give the connection name instead.');
}

/** The indexed connection, read now, if it still exists and still answers to the typed name; else undefined. */
async function stillAnswersTo(ports: ActivityPorts, entry: SiteIndexEntry, typed: string): Promise<FoundSite | undefined> {
  let details: ConnectionDetails;
  try {
    details = await ports.network.getConnection(entry.connectionId);
  } catch (error) {
    if (isAzureError(error) && error.kind === 'NotFound') return undefined;
    throw error;
  }
  const found = withDetails(details);
  return resolveSite(typed, [found]).kind === 'found' ? found : undefined;
}

/** The scope's normalized form: an index listed for other scopes is not this one's. */
function scopeKeyOf(ports: ActivityPorts): string {
  return JSON.stringify(ports.scopes.map((s) => [s.subscriptionId.toLowerCase(), [...(s.resourceGroups ?? [])].map((g) => g.toLowerCase()).sort()]).sort());
}

/** The index's entries when it was listed for this scope within the TTL; the index failing only costs a listing. */
async function freshIndex(ports: ActivityPorts): Promise<readonly SiteIndexEntry[] | undefined> {
  try {
    const snapshot = await ports.siteIndex.read();
    if (!snapshot || snapshot.scopeKey !== scopeKeyOf(ports)) return undefined;
    const age = ports.now().getTime() - snapshot.refreshedAt.getTime();
    return age <= SITE_INDEX_TTL_MS && age >= -SITE_INDEX_TTL_MS ? snapshot.entries : undefined;
  } catch (error) {
    ports.log.warn('could not read the site index; listing the scope instead', { error: error instanceof Error ? error.name : 'unknown' });
    return undefined;
  }
}

async function refreshIndex(ports: ActivityPorts, connections: readonly ListedConnection[]): Promise<void> {
  try {
    await ports.siteIndex.replace(connections.map(entryOf), { scopeKey: scopeKeyOf(ports), refreshedAt: ports.now() });
  } catch (error) {
    ports.log.warn('could not refresh the site index', { error: error instanceof Error ? error.name : 'unknown' });
  }
}

/** Vaults searched for a waiting site's certificate at most (those the fleet's connections use). */
const MAX_VAULTS_SEARCHED = 5;

/** The vaults the fleet's connections read their outbound certificates from, and each connection's certificate name. */
function fleetVaults(connections: readonly ListedConnection[]): { fleet: { site: string; certificateName?: string }[]; vaultUrls: string[] } {
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
  return { fleet, vaultUrls: [...vaultUrls.values()].slice(0, MAX_VAULTS_SEARCHED) };
}

/**
 * A provisioning of the typed site that began but made no connection yet: its local network gateway carries the
 * provisioning's tags. It waits for the customer's CA when Key Vault holds the pending CSR of its outbound certificate
 * (`provision --outbound external`, part 1), else it stopped part-way. Only asked when nothing else matched; a scope or
 * vault that can't be read only means this hint is missing.
 */
async function findProvisioningUnderWay(ports: ActivityPorts, typed: string, connections: readonly ListedConnection[]): Promise<PendingSite | undefined> {
  const wanted = typed.toLowerCase();
  const lists = await mapConcurrent(ports.scopes, SCOPE_LISTS_IN_FLIGHT, async (scope) => {
    try {
      return await ports.network.listLocalNetworkGateways(scope);
    } catch (error) {
      // Only a hint on a "not found" answer: whatever stops it, the answer stays "not found".
      ports.log.warn('could not list local network gateways while looking for a provisioning under way', { subscription: scope.subscriptionId, error: isUserError(error) ? error.safeMessage : error instanceof Error ? error.name : 'unknown' });
      return [];
    }
  });
  const underWay = lists.flat().filter((l) => {
    const site = l.tags[PROVISION_TAGS.site];
    return site !== undefined && l.tags[PROVISION_TAGS.provisionedBy] !== undefined && l.name.toLowerCase() === `lng-${site}`.toLowerCase() && (site.toLowerCase() === wanted || shortNamesOf(site).includes(wanted));
  });
  if (underWay.length !== 1) return undefined;
  const lng = underWay[0]!;
  const site = lng.tags[PROVISION_TAGS.site]!;
  const id = lng.tags[PROVISION_TAGS.provisionedBy]!;
  const certificateName = `outbound-${site}`;
  const { vaultUrls } = fleetVaults(connections);
  for (const vaultUrl of vaultUrls) {
    try {
      if (await ports.keyVault.getPendingRequest(vaultUrl, certificateName)) {
        return { site, vaultName: ports.keyVault.vaultName(vaultUrl), certificateName, provisioning: { id, awaiting: 'signed-certificate' } };
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      ports.log.warn('could not read a pending certificate request while looking for a provisioning under way', { vault: ports.keyVault.vaultName(vaultUrl), error: error.safeMessage });
    }
  }
  const vaultName = vaultUrls[0] ? ports.keyVault.vaultName(vaultUrls[0]) : '';
  return { site, vaultName, certificateName, provisioning: { id, awaiting: 'continue' } };
}

/**
 * A site not in Azure yet whose outbound certificate already waits in a vault the fleet uses (see findPendingSite).
 * Only asked when nothing else matched; a vault that can't be listed only means this hint is missing.
 */
async function findPendingInKeyVault(ports: ActivityPorts, typed: string, connections: readonly ListedConnection[]): Promise<PendingSite | undefined> {
  const { fleet, vaultUrls } = fleetVaults(connections);
  const vaults = await mapConcurrent(vaultUrls, 5, async (vaultUrl) => {
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
