import type { ConnectionSummary } from '../adapters/azure/network';
import { isUserError } from '../core/errors/user-error';
import type { SiteResolution } from '../core/status/site-name';
import { resolveSite, siteNameOf } from '../core/status/site-name';
import type { ActivityPorts } from './activity-ports';
import { mapConcurrent } from './map-concurrent';

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

/** One site by name, among all site-to-site connections (a site that moved to a pre-shared key is still found). */
export async function findSite(ports: ActivityPorts, typed: string): Promise<{ resolution: SiteResolution<ListedConnection>; gaps: string[] }> {
  const { connections, gaps } = await listScopeConnections(ports, { certificateOnly: false });
  return { resolution: resolveSite(typed, connections), gaps };
}
