import { SimHttpError, badRequest, notFound } from '../sim-http-error';
import type { SimResources } from '../sim-resources';
import type { SimHandlerContext, SimRoute } from '../sim-route';
import { parseResourceId, resourceIdKey } from './resource-id';
import { gatewayMetricDefinitions, type GatewayMetricName, type MetricsSource, type TunnelMinuteSample } from './gateway-metrics';

export const diagnosticSettingsApiVersions = ['2021-05-01-preview'] as const;
export const metricsApiVersions = ['2024-02-01', '2023-10-01', '2021-05-01', '2018-01-01'] as const;

/** Log categories a virtual network gateway offers to diagnostic settings. */
export const gatewayLogCategories = ['GatewayDiagnosticLog', 'TunnelDiagnosticLog', 'RouteDiagnosticLog', 'IKEDiagnosticLog', 'P2SDiagnosticLog'] as const;
const gatewayCategoryGroups = ['allLogs', 'audit'];
const maxSettingsPerResource = 5;

export interface InsightsRouteDeps {
  readonly resources: SimResources;
  readonly metrics: MetricsSource;
}

/** Microsoft.Insights on a resource: diagnostic settings (CRUD) and metrics (list). */
export function createInsightsRoutes(deps: InsightsRouteDeps): SimRoute[] {
  const base = '/{resourceUri+}/providers/Microsoft.Insights';
  const settingsRoute = (method: SimRoute['method'], suffix: string, operation: string, handle: SimRoute['handle']): SimRoute => ({
    service: 'arm',
    method,
    template: `${base}/diagnosticSettings${suffix}`,
    operation,
    resourceType: 'diagnosticSettings',
    apiVersions: diagnosticSettingsApiVersions,
    throttle: method === 'GET' ? 'reads' : 'writes',
    scope: (p) => `/${p.resourceUri}`,
    handle,
  });
  return [
    settingsRoute('GET', '', 'Microsoft.Insights/diagnosticSettings/read', (ctx) => {
      const resourceId = targetResource(deps.resources, ctx);
      return { status: 200, body: { value: deps.resources.diagnosticSettingsOf(resourceId).map(renderSetting) } };
    }),
    settingsRoute('GET', '/{name}', 'Microsoft.Insights/diagnosticSettings/read', (ctx) => {
      const resourceId = targetResource(deps.resources, ctx);
      const setting = deps.resources.diagnosticSettings.get(settingId(resourceId, ctx.params.name ?? ''));
      if (!setting) throw new SimHttpError(404, 'ResourceNotFound', `The diagnostic setting '${ctx.params.name}' doesn't exist.`);
      return { status: 200, body: renderSetting(setting) };
    }),
    settingsRoute('PUT', '/{name}', 'Microsoft.Insights/diagnosticSettings/write', (ctx) => putSetting(deps, ctx)),
    settingsRoute('DELETE', '/{name}', 'Microsoft.Insights/diagnosticSettings/delete', (ctx) => {
      const resourceId = targetResource(deps.resources, ctx);
      const existed = deps.resources.diagnosticSettings.delete(settingId(resourceId, ctx.params.name ?? ''));
      return { status: existed ? 200 : 204 };
    }),
    {
      service: 'arm',
      method: 'GET',
      template: `${base}/metrics`,
      operation: 'Microsoft.Insights/metrics/read',
      resourceType: 'metrics',
      apiVersions: metricsApiVersions,
      throttle: 'reads',
      scope: (p) => `/${p.resourceUri}`,
      handle: (ctx) => listMetrics(deps, ctx),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Diagnostic settings

function putSetting(deps: InsightsRouteDeps, ctx: SimHandlerContext) {
  const { resources } = deps;
  const resourceId = targetResource(resources, ctx);
  const name = ctx.params.name ?? '';
  const body = ctx.body && typeof ctx.body === 'object' ? (ctx.body as Record<string, unknown>) : {};
  const properties = body.properties && typeof body.properties === 'object' ? (body.properties as Record<string, unknown>) : {};
  const workspaceId = typeof properties.workspaceId === 'string' && properties.workspaceId ? properties.workspaceId : undefined;
  const hasOtherSink = ['storageAccountId', 'eventHubAuthorizationRuleId', 'serviceBusRuleId', 'marketplacePartnerId'].some((k) => typeof properties[k] === 'string' && properties[k]);
  if (!workspaceId && !hasOtherSink) {
    throw badRequest('BadRequest', 'At least one storage account, event hub, workspace or partner solution needs to be specified for the diagnostic setting.');
  }
  if (hasOtherSink) throw badRequest('BadRequest', 'Only Log Analytics workspace destinations are modelled by the simulator.');
  if (workspaceId) {
    const parsed = parseResourceId(workspaceId);
    if (!parsed || parsed.fullType.toLowerCase() !== 'microsoft.operationalinsights/workspaces') {
      throw badRequest('LinkedInvalidPropertyId', `Property id '${workspaceId}' at path 'properties.workspaceId' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`);
    }
    if (!resources.workspaces.get(workspaceId)) throw badRequest('ResourceNotFound', `The workspace '${workspaceId}' could not be found.`);
  }

  const isGateway = resources.gateways.get(resourceId) !== undefined;
  const logs = (Array.isArray(properties.logs) ? properties.logs : []).map((raw) => {
    const l = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const category = typeof l.category === 'string' && l.category ? l.category : undefined;
    const categoryGroup = typeof l.categoryGroup === 'string' && l.categoryGroup ? l.categoryGroup : undefined;
    if (!category && !categoryGroup) throw badRequest('BadRequest', 'Each log setting needs a category or a categoryGroup.');
    if (isGateway && category && !gatewayLogCategories.some((c) => c.toLowerCase() === category.toLowerCase())) {
      throw badRequest('BadRequest', `Category '${category}' is not supported.`);
    }
    if (isGateway && categoryGroup && !gatewayCategoryGroups.some((g) => g.toLowerCase() === categoryGroup.toLowerCase())) {
      throw badRequest('BadRequest', `Category group '${categoryGroup}' is not supported.`);
    }
    const canonical = category ? gatewayLogCategories.find((c) => c.toLowerCase() === category.toLowerCase()) ?? category : undefined;
    return { ...(canonical ? { category: canonical } : {}), ...(categoryGroup ? { categoryGroup } : {}), enabled: l.enabled === true };
  });
  const metrics = (Array.isArray(properties.metrics) ? properties.metrics : []).map((raw) => {
    const m = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    return { category: typeof m.category === 'string' ? m.category : 'AllMetrics', enabled: m.enabled === true, ...(typeof m.timeGrain === 'string' ? { timeGrain: m.timeGrain } : {}) };
  });

  const id = settingId(resourceId, name);
  const others = resources.diagnosticSettingsOf(resourceId).filter((s) => resourceIdKey(s.id) !== resourceIdKey(id));
  if (!resources.diagnosticSettings.get(id) && others.length >= maxSettingsPerResource) {
    throw badRequest('BadRequest', `A resource can have at most ${maxSettingsPerResource} diagnostic settings.`);
  }
  if (workspaceId) {
    for (const other of others) {
      if (!other.workspaceId || resourceIdKey(other.workspaceId) !== resourceIdKey(workspaceId)) continue;
      const clash = logs.find((l) => l.enabled && l.category && other.logs.some((o) => o.enabled && o.category?.toLowerCase() === l.category?.toLowerCase()));
      if (clash) {
        throw badRequest('Conflict', `Data sink '${workspaceId}' is already used in diagnostic setting '${other.name}' for category '${clash.category}'. Data sinks can't be reused in different settings on the same category for the same resource.`);
      }
    }
  }
  const previousSince = resources.diagnosticSettings.get(id)?.since;
  const setting = resources.diagnosticSettings.set({
    id,
    since: previousSince ?? ctx.now,
    name,
    resourceId: resources.gateways.get(resourceId)?.id ?? resourceId,
    ...(workspaceId ? { workspaceId: resources.workspaces.get(workspaceId)?.id ?? workspaceId } : {}),
    ...(typeof properties.logAnalyticsDestinationType === 'string' ? { logAnalyticsDestinationType: properties.logAnalyticsDestinationType } : {}),
    logs,
    metrics,
  });
  // The service answers 200 for both create and replace.
  return { status: 200, body: renderSetting(setting) };
}

function renderSetting(setting: { id: string; name: string; workspaceId?: string; logAnalyticsDestinationType?: string; logs: { category?: string; categoryGroup?: string; enabled: boolean }[]; metrics: { category: string; enabled: boolean; timeGrain?: string }[] }) {
  return {
    id: setting.id,
    type: 'Microsoft.Insights/diagnosticSettings',
    name: setting.name,
    properties: {
      ...(setting.workspaceId ? { workspaceId: setting.workspaceId } : {}),
      logAnalyticsDestinationType: setting.logAnalyticsDestinationType ?? null,
      logs: setting.logs.map((l) => ({ category: l.category ?? null, categoryGroup: l.categoryGroup ?? null, enabled: l.enabled, retentionPolicy: { enabled: false, days: 0 } })),
      metrics: setting.metrics.map((m) => ({ timeGrain: m.timeGrain ?? null, category: m.category, enabled: m.enabled, retentionPolicy: { enabled: false, days: 0 } })),
    },
  };
}

function settingId(resourceId: string, name: string): string {
  return `${resourceId}/providers/microsoft.insights/diagnosticSettings/${name}`;
}

function targetResource(resources: SimResources, ctx: SimHandlerContext): string {
  const resourceId = `/${ctx.params.resourceUri ?? ''}`;
  const parsed = parseResourceId(resourceId);
  if (!parsed) throw badRequest('InvalidResourceId', `The resource id '${resourceId}' is not valid.`);
  if (parsed.subscriptionId.toLowerCase() !== resources.subscriptionId.toLowerCase()) throw new SimHttpError(404, 'SubscriptionNotFound', `The subscription '${parsed.subscriptionId}' could not be found.`);
  const known = resources.gateways.get(resourceId) ?? resources.connections.get(resourceId) ?? resources.localNetworkGateways.get(resourceId) ?? resources.virtualNetworks.get(resourceId);
  if (!known) throw notFound(parsed.fullType, parsed.name, parsed.resourceGroup);
  return known.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

const grains: Record<string, number> = { PT5M: 5, PT15M: 15, PT30M: 30, PT1H: 60, PT6H: 360, PT12H: 720, P1D: 1440 };
const aggregations = ['average', 'minimum', 'maximum', 'total', 'count'] as const;
type Aggregation = (typeof aggregations)[number];
const dimensionNames = ['ConnectionName', 'RemoteIP', 'Instance'] as const;
type DimensionName = (typeof dimensionNames)[number];

function listMetrics(deps: InsightsRouteDeps, ctx: SimHandlerContext) {
  const resourceId = targetResource(deps.resources, ctx);
  const gateway = deps.resources.gateways.get(resourceId);
  if (!gateway) throw badRequest('BadRequest', `Metrics are modelled for virtual network gateways only; '${resourceId}' is not one.`);
  const namespace = ctx.query.get('metricnamespace');
  if (namespace && namespace.toLowerCase() !== 'microsoft.network/virtualnetworkgateways') {
    throw badRequest('BadRequest', `Metric namespace '${namespace}' is not valid for this resource.`);
  }

  const { from, to } = parseTimespan(ctx.query.get('timespan'), ctx.now);
  const intervalText = ctx.query.get('interval') ?? 'PT5M';
  const autoAdjust = (ctx.query.get('AutoAdjustTimegrain') ?? '').toLowerCase() === 'true';
  let grainMinutes: number;
  if (intervalText.toUpperCase() === 'FULL') grainMinutes = Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 60000));
  else if (grains[intervalText.toUpperCase()] !== undefined) grainMinutes = grains[intervalText.toUpperCase()] ?? 5;
  else if (autoAdjust) grainMinutes = 5;
  else throw badRequest('BadRequest', `Invalid time grain '${intervalText}'. Supported time grains for these metrics: ${Object.keys(grains).join(', ')}.`);

  const requestedNames = (ctx.query.get('metricnames') ?? 'TunnelAverageBandwidth').split(',').map((n) => n.trim()).filter(Boolean);
  if (requestedNames.length > 20) throw badRequest('BadRequest', 'At most 20 metrics can be requested at once.');
  const names = requestedNames.map((n) => {
    const def = Object.keys(gatewayMetricDefinitions).find((k) => k.toLowerCase() === n.toLowerCase()) as GatewayMetricName | undefined;
    if (!def) throw badRequest('BadRequest', `Failed to find metric configuration for provider: Microsoft.Network, resource Type: virtualNetworkGateways, metric: ${n}. Valid metrics: ${Object.keys(gatewayMetricDefinitions).join(',')}`);
    return def;
  });
  const requestedAggregations = (ctx.query.get('aggregation') ?? '').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
  for (const a of requestedAggregations) if (!aggregations.includes(a as Aggregation)) throw badRequest('BadRequest', `Aggregation '${a}' is not valid.`);

  const filter = parseMetricFilter(ctx.query.get('$filter'));
  const top = ctx.query.get('top') ? Number(ctx.query.get('top')) : 10;
  const orderby = ctx.query.get('orderby');

  const grainMs = grainMinutes * 60000;
  const alignedFrom = new Date(Math.floor(from.getTime() / grainMs) * grainMs);
  const bucketStarts: Date[] = [];
  for (let t = alignedFrom.getTime(); t < to.getTime(); t += grainMs) bucketStarts.push(new Date(t));

  const tracks = deps.metrics.tracks(gateway.id).filter((t) =>
    dimensionNames.every((d) => {
      const wanted = filter.get(d);
      return !wanted || wanted.includes('*') || wanted.some((w) => w.toLowerCase() === dimensionValue(t, d).toLowerCase());
    }),
  );
  const splitBy = dimensionNames.filter((d) => filter.has(d));

  const value = names.map((name) => {
    const def = gatewayMetricDefinitions[name];
    const aggs: Aggregation[] = requestedAggregations.length > 0 ? (requestedAggregations as Aggregation[]) : [def.primaryAggregation];
    const groups = new Map<string, { meta: Record<DimensionName, string>; tracks: typeof tracks }>();
    for (const track of tracks) {
      const meta = Object.fromEntries(splitBy.map((d) => [d, dimensionValue(track, d)])) as Record<DimensionName, string>;
      const key = splitBy.map((d) => meta[d]).join('|');
      const group = groups.get(key) ?? { meta, tracks: [] };
      group.tracks.push(track);
      groups.set(key, group);
    }
    if (splitBy.length === 0 && groups.size === 0) groups.set('', { meta: {} as Record<DimensionName, string>, tracks: [] });

    let timeseries = [...groups.values()].map((group) => {
      const data = bucketStarts.map((start) => {
        const end = Math.min(start.getTime() + grainMs, to.getTime());
        // Per minute, the group's value is the sum over its tunnels (or the max for peak metrics), as Azure
        // aggregates raw one-minute values across the series it combines.
        const minuteValues: number[] = [];
        for (let m = Math.max(start.getTime(), Math.floor(from.getTime() / 60000) * 60000); m < end; m += 60000) {
          const samples = group.tracks.map((t) => t.sample(new Date(m))).filter((s): s is TunnelMinuteSample => s !== undefined);
          if (samples.length === 0) continue;
          const values = samples.map((s) => def.read(s));
          minuteValues.push(def.combine === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0));
        }
        const point: Record<string, unknown> = { timeStamp: start.toISOString() };
        if (minuteValues.length > 0) {
          for (const agg of aggs) point[agg] = aggregate(minuteValues, agg);
        } else if (aggs.includes('count') || aggs.includes('total')) {
          if (aggs.includes('count')) point.count = 0;
        }
        return point;
      });
      return {
        metadatavalues: splitBy.map((d) => ({ name: { value: d.toLowerCase(), localizedValue: d.toLowerCase() }, value: group.meta[d] })),
        data,
      };
    });
    if (orderby) {
      const [aggName, direction] = orderby.trim().split(/\s+/);
      const agg = (aggName ?? '').toLowerCase() as Aggregation;
      const score = (ts: { data: Record<string, unknown>[] }) => ts.data.reduce((sum, p) => sum + (typeof p[agg] === 'number' ? (p[agg] as number) : 0), 0);
      timeseries = timeseries.sort((a, b) => ((direction ?? 'desc').toLowerCase() === 'asc' ? score(a) - score(b) : score(b) - score(a)));
    }
    if (splitBy.length > 0 && Number.isFinite(top) && top > 0) timeseries = timeseries.slice(0, top);
    return {
      id: `${gateway.id}/providers/Microsoft.Insights/metrics/${name}`,
      type: 'Microsoft.Insights/metrics',
      name: { value: name, localizedValue: def.displayName },
      displayDescription: def.description,
      unit: def.unit,
      timeseries,
      errorCode: 'Success',
    };
  });

  return {
    status: 200,
    body: {
      cost: bucketStarts.length * names.length,
      timespan: `${from.toISOString()}/${to.toISOString()}`,
      interval: intervalText.toUpperCase() === 'FULL' ? 'FULL' : Object.keys(grains).find((k) => grains[k] === grainMinutes) ?? 'PT5M',
      value,
      namespace: 'Microsoft.Network/virtualNetworkGateways',
      resourceregion: gateway.location.toLowerCase().replace(/\s+/g, ''),
    },
  };
}

function aggregate(values: number[], agg: Aggregation): number {
  switch (agg) {
    case 'total':
      return values.reduce((a, b) => a + b, 0);
    case 'average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'minimum':
      return Math.min(...values);
    case 'maximum':
      return Math.max(...values);
    case 'count':
      return values.length;
  }
}

function dimensionValue(track: { connectionName: string; remoteIp: string; instance: string }, dimension: DimensionName): string {
  return dimension === 'ConnectionName' ? track.connectionName : dimension === 'RemoteIP' ? track.remoteIp : track.instance;
}

/** `A eq 'x' and B eq '*' or B eq 'y'`: the metrics API's filter grammar (ors only within one dimension). */
function parseMetricFilter(filter: string | null): Map<DimensionName, string[]> {
  const result = new Map<DimensionName, string[]>();
  if (!filter?.trim()) return result;
  const tokens = filter.match(/'(?:[^']|'')*'|\S+/g) ?? [];
  let i = 0;
  let lastDimension: DimensionName | undefined;
  while (i < tokens.length) {
    const name = tokens[i];
    const op = tokens[i + 1];
    const raw = tokens[i + 2];
    if (!name || op?.toLowerCase() !== 'eq' || !raw || !/^'.*'$/.test(raw)) throw badRequest('BadRequest', `Invalid $filter '${filter}'.`);
    const dimension = dimensionNames.find((d) => d.toLowerCase() === name.toLowerCase());
    if (!dimension) throw badRequest('BadRequest', `Dimension '${name}' was not found for these metrics. Valid dimensions: ${dimensionNames.join(', ')}.`);
    const value = raw.slice(1, -1).replace(/''/g, "'");
    const connector = tokens[i - 1]?.toLowerCase();
    if (connector === 'or' && lastDimension !== dimension) throw badRequest('BadRequest', `Invalid $filter '${filter}': 'or' can only combine values of one dimension.`);
    result.set(dimension, [...(result.get(dimension) ?? []), value]);
    lastDimension = dimension;
    i += 3;
    if (i < tokens.length) {
      const joiner = tokens[i]?.toLowerCase();
      if (joiner !== 'and' && joiner !== 'or') throw badRequest('BadRequest', `Invalid $filter '${filter}'.`);
      i++;
    }
  }
  return result;
}

function parseTimespan(timespan: string | null, now: Date): { from: Date; to: Date } {
  if (!timespan) return { from: new Date(now.getTime() - 3600000), to: now };
  const [a, b] = timespan.split('/');
  const from = a ? new Date(a) : undefined;
  const to = b ? new Date(b) : undefined;
  if (!from || !to || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
    throw badRequest('BadRequest', `Invalid timespan '${timespan}'; expected 'start/end' in ISO 8601 with start before end.`);
  }
  if (to.getTime() - from.getTime() > 93 * 24 * 3600000) throw badRequest('BadRequest', 'The timespan may cover at most 93 days.');
  return { from, to };
}
