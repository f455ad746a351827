import type { ConnectionSummary } from '../adapters/azure/network';
import { isUserError, UserError } from '../core/errors/user-error';
import type { SiteNotFound } from './activity-names';
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
 * One site by name, among all site-to-site connections (a site that moved to a pre-shared key is still found).
 * Not found: the closest names, unless part of the scope could not be read (then we can't say it doesn't exist).
 * Two connections with that name: the person must name the connection instead.
 */
export async function findSite(ports: ActivityPorts, typed: string): Promise<ListedConnection | SiteNotFound> {
  const { connections, gaps } = await listScopeConnections(ports, { certificateOnly: false });
  const resolution = resolveSite(typed, connections);
  if (resolution.kind === 'found') return resolution.item;
  if (resolution.kind === 'ambiguous') {
    throw new UserError('AmbiguousSite', `${resolution.matches.length} connections are called ${typed} (in ${resolution.matches.map((m) => m.resourceGroup).join(', ')}).`, 'Give the connection name instead.');
  }
  if (gaps.length > 0) throw new UserError('ScopeUnreadable', `I could not find ${typed}, and part of the scope could not be read: ${gaps[0]}`);
  return { kind: 'site-not-found', typed, suggestions: resolution.suggestions };
}
