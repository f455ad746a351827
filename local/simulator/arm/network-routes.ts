import { randomUUID } from 'node:crypto';
import { overlappingPrefixes, parseIpv4, parseIpv4Prefix } from '../ip-prefix';
import { SimHttpError, badRequest, notFound } from '../sim-http-error';
import type { SimLroError, SimLroRegistry } from '../sim-lro';
import type { SimRbac } from '../sim-rbac';
import { newEtag, type SimConnection, type SimConnectionConfig, type SimGateway, type SimLocalNetworkGateway, type SimResources } from '../sim-resources';
import type { SimHandlerContext, SimResponse, SimRoute } from '../sim-route';
import type { SimFaults } from '../sim-faults';
import { pagedList } from './arm-paging';
import type { ConnectionRuntime } from './connection-runtime';
import { parseIpsecPolicies, tunnelsAffected, validateAuthentication } from './connection-validation';
import { renderConnection, renderGateway, renderLocalNetworkGateway, renderPublicIp, renderVirtualNetwork } from './network-render';
import { buildResourceId, parseResourceId, resourceIdKey } from './resource-id';

/** Network RP api-versions the simulator answers: the one the installed SDK sends plus the recent ones with certificate auth. */
export const networkApiVersions = ['2026-01-01', '2025-07-01', '2025-05-01', '2025-03-01', '2025-01-01'] as const;

export interface NetworkRouteDeps {
  readonly resources: SimResources;
  readonly lro: SimLroRegistry;
  readonly runtime: ConnectionRuntime;
  readonly rbac: SimRbac;
  readonly faults: SimFaults;
  readonly pageSize: () => number;
  /**
   * What a resource holds after a failed update: the configuration that was requested (with provisioningState
   * Failed) or the previous one. Azure documents neither; see the README (unverified).
   */
  readonly failedUpdateKeeps: () => 'requested' | 'previous';
}

const rgBase = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network';

/** ARM routes of Microsoft.Network that the product uses, with Azure's validation and long-running behaviour. */
export function createNetworkRoutes(deps: NetworkRouteDeps): SimRoute[] {
  const { resources } = deps;
  const common = { service: 'arm' as const, apiVersions: networkApiVersions };

  const route = (method: SimRoute['method'], template: string, operation: string, resourceType: string, handle: (ctx: SimHandlerContext) => SimResponse, extra: Partial<SimRoute> = {}): SimRoute => ({
    ...common,
    method,
    template,
    operation,
    resourceType,
    throttle: method === 'GET' ? 'reads' : 'writes',
    handle: (ctx) => {
      requireKnownScope(resources, ctx.params);
      return handle(ctx);
    },
    ...extra,
  });

  return [
    // Virtual network gateways
    route('GET', `${rgBase}/virtualNetworkGateways`, 'Microsoft.Network/virtualNetworkGateways/read', 'virtualNetworkGateways', (ctx) =>
      pagedList(ctx, resources.gateways.list((g) => sameRg(g.resourceGroup, ctx.params)), deps.pageSize(), (g) => renderGateway(g, resources)),
    ),
    route('GET', `${rgBase}/virtualNetworkGateways/{name}`, 'Microsoft.Network/virtualNetworkGateways/read', 'virtualNetworkGateways', (ctx) => ({
      status: 200,
      body: renderGateway(mustFind(resources.gateways.get(idOf(ctx, 'virtualNetworkGateways')), 'Microsoft.Network/virtualNetworkGateways', ctx), resources),
    })),
    route('PUT', `${rgBase}/virtualNetworkGateways/{name}`, 'Microsoft.Network/virtualNetworkGateways/write', 'virtualNetworkGateways', (ctx) => putGateway(deps, ctx)),
    route('PATCH', `${rgBase}/virtualNetworkGateways/{name}`, 'Microsoft.Network/virtualNetworkGateways/write', 'virtualNetworkGateways', (ctx) =>
      patchTags(deps, ctx, resources.gateways.get(idOf(ctx, 'virtualNetworkGateways')), 'Microsoft.Network/virtualNetworkGateways', (g) => renderGateway(g, resources)),
    ),

    // Virtual networks and public IPs (read only)
    route('GET', `${rgBase}/virtualNetworks/{name}`, 'Microsoft.Network/virtualNetworks/read', 'virtualNetworks', (ctx) => ({
      status: 200,
      body: renderVirtualNetwork(mustFind(resources.virtualNetworks.get(idOf(ctx, 'virtualNetworks')), 'Microsoft.Network/virtualNetworks', ctx), resources),
    })),
    route('GET', `${rgBase}/publicIPAddresses/{name}`, 'Microsoft.Network/publicIPAddresses/read', 'publicIPAddresses', (ctx) => ({
      status: 200,
      body: renderPublicIp(mustFind(resources.publicIps.get(idOf(ctx, 'publicIPAddresses')), 'Microsoft.Network/publicIPAddresses', ctx), resources),
    })),

    // Local network gateways
    route('GET', `${rgBase}/localNetworkGateways`, 'Microsoft.Network/localNetworkGateways/read', 'localNetworkGateways', (ctx) =>
      pagedList(ctx, resources.localNetworkGateways.list((l) => sameRg(l.resourceGroup, ctx.params)), deps.pageSize(), renderLocalNetworkGateway),
    ),
    route('GET', `${rgBase}/localNetworkGateways/{name}`, 'Microsoft.Network/localNetworkGateways/read', 'localNetworkGateways', (ctx) => ({
      status: 200,
      body: renderLocalNetworkGateway(mustFind(resources.localNetworkGateways.get(idOf(ctx, 'localNetworkGateways')), 'Microsoft.Network/localNetworkGateways', ctx)),
    })),
    route('PUT', `${rgBase}/localNetworkGateways/{name}`, 'Microsoft.Network/localNetworkGateways/write', 'localNetworkGateways', (ctx) => putLocalNetworkGateway(deps, ctx)),
    route('PATCH', `${rgBase}/localNetworkGateways/{name}`, 'Microsoft.Network/localNetworkGateways/write', 'localNetworkGateways', (ctx) =>
      patchTags(deps, ctx, resources.localNetworkGateways.get(idOf(ctx, 'localNetworkGateways')), 'Microsoft.Network/localNetworkGateways', renderLocalNetworkGateway),
    ),
    route('DELETE', `${rgBase}/localNetworkGateways/{name}`, 'Microsoft.Network/localNetworkGateways/delete', 'localNetworkGateways', (ctx) => deleteLocalNetworkGateway(deps, ctx)),

    // Connections
    route('GET', `${rgBase}/connections`, 'Microsoft.Network/connections/read', 'connections', (ctx) =>
      pagedList(ctx, resources.connections.list((c) => sameRg(c.resourceGroup, ctx.params)), deps.pageSize(), (c) =>
        renderConnection(c, deps.runtime.health(c, ctx.now), { includeStatus: false }),
      ),
    ),
    route('GET', `${rgBase}/connections/{name}`, 'Microsoft.Network/connections/read', 'connections', (ctx) => {
      const connection = mustFind(resources.connections.get(idOf(ctx, 'connections')), 'Microsoft.Network/connections', ctx);
      return { status: 200, body: renderConnection(connection, deps.runtime.health(connection, ctx.now), { includeStatus: true }) };
    }),
    route('PUT', `${rgBase}/connections/{name}`, 'Microsoft.Network/connections/write', 'connections', (ctx) => putConnection(deps, ctx)),
    route('PATCH', `${rgBase}/connections/{name}`, 'Microsoft.Network/connections/write', 'connections', (ctx) =>
      patchTags(deps, ctx, resources.connections.get(idOf(ctx, 'connections')), 'Microsoft.Network/connections', (c) => renderConnection(c, deps.runtime.health(c, ctx.now), { includeStatus: true })),
    ),
    route('DELETE', `${rgBase}/connections/{name}`, 'Microsoft.Network/connections/delete', 'connections', (ctx) => deleteConnection(deps, ctx)),
    route('POST', `${rgBase}/connections/{name}/resetconnection`, 'Microsoft.Network/connections/resetconnection/action', 'connections', (ctx) => resetConnection(deps, ctx)),
    route('GET', `${rgBase}/connections/{name}/sharedkey`, 'Microsoft.Network/connections/sharedKey/read', 'connections', (ctx) => {
      const connection = mustFind(resources.connections.get(idOf(ctx, 'connections')), 'Microsoft.Network/connections', ctx);
      if (connection.config.authenticationType === 'Certificate') {
        throw badRequest('PlainTextSharedKeyDoesnotExistCertIsGettingUsedForAuthentication', `Connection ${connection.name} uses certificate authentication; it has no shared key.`);
      }
      return { status: 200, body: { value: connection.config.sharedKey ?? '' } };
    }),

    // Long-running operation status, as polled by the SDK
    {
      service: 'arm',
      method: 'GET',
      template: '/subscriptions/{subscriptionId}/providers/{provider}/locations/{location}/operations/{operationId}',
      operation: 'Microsoft.Network/locations/operations/read',
      action: 'Microsoft.Network/locations/operations/read',
      scope: (p) => `/subscriptions/${p.subscriptionId}`,
      throttle: 'reads',
      handle: (ctx) => {
        const op = deps.lro.poll(ctx.params.operationId ?? '');
        if (!op) throw new SimHttpError(404, 'OperationNotFound', `Operation ${ctx.params.operationId} was not found.`);
        return {
          status: 200,
          headers: op.status === 'InProgress' ? { 'retry-after': String(deps.lro.timing.retryAfterSeconds) } : ({} as Record<string, string>),
          body: {
            id: `/subscriptions/${op.subscriptionId}/providers/${op.provider}/locations/${op.location}/operations/${op.id}`,
            name: op.id,
            status: op.status,
            startTime: op.startedAt.toISOString(),
            ...(op.endedAt ? { endTime: op.endedAt.toISOString() } : {}),
            ...(op.error ? { error: op.error } : {}),
          },
        };
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/subscriptions/{subscriptionId}/providers/{provider}/locations/{location}/operationResults/{operationId}',
      operation: 'Microsoft.Network/locations/operationResults/read',
      action: 'Microsoft.Network/locations/operationResults/read',
      scope: (p) => `/subscriptions/${p.subscriptionId}`,
      throttle: 'reads',
      handle: (ctx) => {
        const op = deps.lro.poll(ctx.params.operationId ?? '');
        if (!op) throw new SimHttpError(404, 'OperationNotFound', `Operation ${ctx.params.operationId} was not found.`);
        if (op.status === 'InProgress') {
          return { status: 202, headers: { location: `${ctx.baseUrl}${ctx.path}?${ctx.query.toString()}`, 'retry-after': String(deps.lro.timing.retryAfterSeconds) } };
        }
        if (op.status === 'Failed') return { status: 400, body: { error: op.error } };
        const result = op.result?.() ?? { status: 204 };
        return { status: result.status, ...(result.body !== undefined ? { body: result.body } : {}) };
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Concurrency: one operation per resource; dependents wait for what they reference

type Busy = { readonly id: string; readonly provisioningState: string };
const busy = (r: Busy | undefined): r is Busy => r !== undefined && (r.provisioningState === 'Updating' || r.provisioningState === 'Deleting');

/** 409 AnotherOperationInProgress: the resource itself is being changed. */
function refuseWhileBusy(deps: NetworkRouteDeps, ctx: SimHandlerContext, resource: Busy | undefined): void {
  if (!busy(resource)) return;
  deps.lro.clientWaits();
  throw new SimHttpError(409, 'AnotherOperationInProgress', `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${ctx.baseUrl}${resource.id}?api-version=${ctx.apiVersion}.`, {
    headers: { 'retry-after': String(deps.lro.timing.retryAfterSeconds) },
  });
}

/**
 * 429 RetryableError: a resource this request needs is Updating (`ReferencedResourceNotProvisioned`), or one that
 * depends on it is (`RetryableErrorDueToAnotherOperation`). The client retries after Retry-After.
 */
function retryLaterWhileBusy(deps: NetworkRouteDeps, ctx: SimHandlerContext, target: string, others: readonly (Busy | undefined)[], detail: 'ReferencedResourceNotProvisioned' | 'RetryableErrorDueToAnotherOperation'): void {
  const other = others.find(busy);
  if (!other) return;
  deps.lro.clientWaits();
  const message =
    detail === 'ReferencedResourceNotProvisioned'
      ? `Cannot proceed with operation because resource ${other.id} used by resource ${target} is not in Succeeded state. Resource is in ${other.provisioningState} state and the last operation that updated/is updating the resource is still running.`
      : `Operation on resource ${target} cannot proceed because another operation on dependent resource ${other.id} is in progress. Retry after the other operation completes.`;
  throw new SimHttpError(429, 'RetryableError', 'A retryable error occurred.', {
    details: [{ code: detail, message }],
    headers: { 'retry-after': String(deps.lro.timing.retryAfterSeconds) },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Gateways

/** The gateway properties the simulator models but cannot change: a PUT must carry them unchanged. */
function unchangeableGatewayProperties(gateway: SimGateway, resources: SimResources): { name: string; expected: unknown; given: (p: Record<string, unknown>) => unknown }[] {
  const publicIps = (p: Record<string, unknown>) =>
    (Array.isArray(p.ipConfigurations) ? p.ipConfigurations : []).map((c) => String(objectOrEmpty(objectOrEmpty(objectOrEmpty(c).properties).publicIPAddress).id ?? '').toLowerCase());
  return [
    { name: 'sku', expected: gateway.sku.toLowerCase(), given: (p) => (typeof objectOrEmpty(p.sku).name === 'string' ? String(objectOrEmpty(p.sku).name).toLowerCase() : undefined) },
    { name: 'gatewayType', expected: gateway.gatewayType, given: (p) => p.gatewayType },
    { name: 'vpnType', expected: gateway.vpnType, given: (p) => p.vpnType },
    { name: 'activeActive', expected: gateway.activeActive, given: (p) => p.activeActive },
    { name: 'vpnGatewayGeneration', expected: gateway.vpnGatewayGeneration, given: (p) => p.vpnGatewayGeneration },
    { name: 'enableBgp', expected: gateway.enableBgp, given: (p) => p.enableBgp },
    { name: 'ipConfigurations', expected: JSON.stringify(gateway.publicIpIds.map((id) => resources.publicIps.get(id)?.id.toLowerCase() ?? id.toLowerCase())), given: (p) => JSON.stringify(publicIps(p)) },
  ];
}

function putGateway(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const id = idOf(ctx, 'virtualNetworkGateways');
  const gateway = resources.gateways.get(id);
  if (!gateway) {
    // Deploying a gateway takes Azure 30-45 minutes and is outside what the product does; the estate creates gateways.
    throw badRequest('GatewayCreationNotSupportedBySimulator', `Virtual network gateway ${ctx.params.name} does not exist; the simulator does not model creating gateways.`);
  }
  const body = objectBody(ctx.body);
  requireLocation(body);
  const properties = requireProperties(body);
  // A PUT replaces the resource: what the simulator cannot change must come back unchanged, so a PUT that would
  // drop configuration (a partial body) fails instead of silently keeping it.
  for (const p of unchangeableGatewayProperties(gateway, resources)) {
    if (p.given(properties) !== p.expected) {
      throw badRequest('GatewayChangeNotSupportedBySimulator', `A PUT replaces gateway ${gateway.name}: send every property as GET returned it (GET, modify, PUT). Property '${p.name}' is missing or changed, and the simulator does not model changing it.`);
    }
  }
  refuseWhileBusy(deps, ctx, gateway);
  const users = resources.connections.list((c) => resourceIdKey(c.config.virtualNetworkGatewayId) === resourceIdKey(gateway.id));
  retryLaterWhileBusy(deps, ctx, gateway.id, users, 'RetryableErrorDueToAnotherOperation');

  const requested = parseGatewayIdentity(body.identity, gateway);
  const currentIds = gateway.identity?.userAssignedIdentityIds ?? [];
  const requestedIds = requested?.userAssignedIdentityIds ?? [];
  const newlyAssigned = requestedIds.filter((i) => !currentIds.some((c) => resourceIdKey(c) === resourceIdKey(i)));
  // ARM checks access to linked resources before the resource provider looks at them.
  if (newlyAssigned.length > 0) {
    deps.rbac.demandLinked(ctx.principal, 'Microsoft.Network/virtualNetworkGateways/write', gateway.id, 'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action', newlyAssigned);
  }
  for (const identityId of requestedIds) {
    if (!resources.identities.get(identityId)) throw badRequest('InvalidIdentityValues', `The user-assigned identity '${identityId}' was not found.`);
  }
  const removed = currentIds.filter((c) => !requestedIds.some((i) => resourceIdKey(c) === resourceIdKey(i)));
  const readingKeyVault = users.filter((c) => c.config.authenticationType === 'Certificate');
  if (removed.length > 0 && readingKeyVault.length > 0) {
    throw badRequest(
      'CannotDeleteManagedIdentity',
      `The managed identity of virtual network gateway ${gateway.name} cannot be removed or replaced: connection(s) ${readingKeyVault.map((c) => c.name).join(', ')} read their outbound certificate from Key Vault with it.`,
    );
  }
  const identity: SimGateway['identity'] = requested ? { type: 'UserAssigned', userAssignedIdentityIds: requestedIds.map((i) => resources.identities.get(i)?.id ?? i) } : undefined;
  const identityChanged = JSON.stringify((identity?.userAssignedIdentityIds ?? []).map(resourceIdKey)) !== JSON.stringify(currentIds.map(resourceIdKey));

  const previous = { identity: gateway.identity, tags: gateway.tags };
  if (identity) gateway.identity = identity;
  else delete gateway.identity;
  gateway.tags = stringRecord(body.tags);
  gateway.provisioningState = 'Updating';
  gateway.etag = newEtag();
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    // Any gateway PUT is a gateway update in Azure (minutes), even one that changes only tags; PATCH of tags is quick.
    kind: 'gateway-update',
    subscriptionId: gateway.subscriptionId,
    provider: 'Microsoft.Network',
    location: gateway.location,
    ...(failure ? { decide: () => lroError(failure) } : {}),
    complete: (outcome, at) => {
      gateway.etag = newEtag();
      if (!outcome.ok) {
        if (deps.failedUpdateKeeps() === 'previous') {
          if (previous.identity) gateway.identity = previous.identity;
          else delete gateway.identity;
          gateway.tags = previous.tags;
        }
        gateway.provisioningState = 'Failed';
        return;
      }
      gateway.provisioningState = 'Succeeded';
      // The outbound certificate is read through the identity: every certificate connection depends on it.
      if (identityChanged) for (const connection of users) deps.runtime.configurationApplied(connection, at, 'dependency');
    },
  });
  return { status: 200, body: renderGateway(gateway, resources), headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, false) };
}

function parseGatewayIdentity(value: unknown, gateway: SimGateway): SimGateway['identity'] {
  if (value === undefined || value === null) return undefined;
  const identity = objectBody(value, 'identity');
  const type = typeof identity.type === 'string' ? identity.type : '';
  if (type.toLowerCase() === 'none') return undefined;
  if (type !== 'UserAssigned') {
    throw badRequest('VpnGatewaySupportsUserAssignedIdentityTypeOnly', `Virtual network gateway ${gateway.name} supports only the 'UserAssigned' managed identity type; '${type}' was requested.`);
  }
  if (gateway.sku.toLowerCase() === 'basic') {
    throw badRequest('VpnGatewayManagedIdentity', `Virtual network gateway ${gateway.name} has the Basic SKU; a managed identity needs VpnGw1 or higher.`);
  }
  const ids = Object.keys(objectOrEmpty(identity.userAssignedIdentities));
  if (ids.length !== 1) {
    throw badRequest('VpnGatewayAllowsOneUserAssignedIdentityOnly', `Virtual network gateway ${gateway.name} allows exactly one user-assigned identity; ${ids.length} were given.`);
  }
  for (const id of ids) {
    const parsed = parseResourceId(id);
    if (!parsed || parsed.fullType.toLowerCase() !== 'microsoft.managedidentity/userassignedidentities') {
      throw badRequest('LinkedInvalidPropertyId', `Property id '${id}' at path 'identity.userAssignedIdentities' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`);
    }
  }
  return { type: 'UserAssigned', userAssignedIdentityIds: ids };
}

// ---------------------------------------------------------------------------------------------------------------
// Local network gateways

function putLocalNetworkGateway(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const id = idOf(ctx, 'localNetworkGateways');
  const body = objectBody(ctx.body);
  const location = requireLocation(body);
  const properties = requireProperties(body);
  const gatewayIpAddress = optionalString(properties.gatewayIpAddress);
  const fqdn = optionalString(properties.fqdn);
  if (!gatewayIpAddress && !fqdn) {
    throw badRequest('LocalNetworkGatewayMustHaveEitherIpAddressOrFqdn', `Local network gateway ${ctx.params.name} must have either a gateway IP address or an FQDN.`);
  }
  if (gatewayIpAddress && parseIpv4(gatewayIpAddress) === undefined) {
    throw badRequest('InvalidIPAddress', `The IP address '${gatewayIpAddress}' in property gatewayIpAddress is not valid.`);
  }
  const addressSpace = objectOrEmpty(properties.localNetworkAddressSpace);
  const prefixes = Array.isArray(addressSpace.addressPrefixes) ? addressSpace.addressPrefixes : [];
  for (const prefix of prefixes) {
    if (typeof prefix !== 'string' || !parseIpv4Prefix(prefix)) {
      throw badRequest('InvalidAddressPrefixFormat', `Address prefix ${String(prefix)} of resource ${id} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.`);
    }
  }
  const addressPrefixes = prefixes as string[];

  const existing = resources.localNetworkGateways.get(id);
  checkIfMatch(ctx, existing?.etag);
  refuseWhileBusy(deps, ctx, existing);
  const users = existing ? connectionsUsing(resources, existing.id) : [];
  retryLaterWhileBusy(deps, ctx, id, users, 'RetryableErrorDueToAnotherOperation');
  // Connections already using this site must keep a disjoint address space from their virtual network.
  for (const connection of users) {
    const gateway = resources.gateways.get(connection.config.virtualNetworkGatewayId);
    const vnet = gateway ? resources.virtualNetworks.get(gateway.virtualNetworkId) : undefined;
    if (vnet && existing) assertNoOverlap(addressPrefixes, vnet.addressPrefixes, existing.name, vnet.name);
  }
  const previous = existing ? { ...existing } : undefined;
  const lng: SimLocalNetworkGateway = existing ?? {
    id: buildResourceId(resources.subscriptionId, rgNameOf(resources, ctx.params), 'Microsoft.Network/localNetworkGateways', ctx.params.name ?? ''),
    name: ctx.params.name ?? '',
    subscriptionId: resources.subscriptionId,
    resourceGroup: rgNameOf(resources, ctx.params),
    location,
    tags: {},
    etag: newEtag(),
    resourceGuid: randomUUID(),
    addressPrefixes: [],
    provisioningState: 'Updating',
  };
  const siteChanged = !previous || previous.gatewayIpAddress !== gatewayIpAddress || previous.fqdn !== fqdn || JSON.stringify(previous.addressPrefixes) !== JSON.stringify(addressPrefixes);
  lng.tags = stringRecord(body.tags);
  lng.addressPrefixes = addressPrefixes;
  if (gatewayIpAddress) lng.gatewayIpAddress = gatewayIpAddress;
  else delete lng.gatewayIpAddress;
  if (fqdn) lng.fqdn = fqdn;
  else delete lng.fqdn;
  lng.provisioningState = 'Updating';
  lng.etag = newEtag();
  resources.localNetworkGateways.set(lng);

  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    kind: !existing ? 'local-network-gateway-create' : siteChanged ? 'local-network-gateway-update' : 'tags-update',
    subscriptionId: lng.subscriptionId,
    provider: 'Microsoft.Network',
    location: lng.location,
    ...(failure ? { decide: () => lroError(failure) } : {}),
    complete: (outcome, at) => {
      lng.etag = newEtag();
      if (!outcome.ok) {
        if (previous && deps.failedUpdateKeeps() === 'previous') Object.assign(lng, previous);
        lng.provisioningState = 'Failed';
        return;
      }
      lng.provisioningState = 'Succeeded';
      if (siteChanged) for (const connection of connectionsUsing(resources, lng.id)) deps.runtime.configurationApplied(connection, at, 'dependency');
    },
  });
  return { status: existing ? 200 : 201, body: renderLocalNetworkGateway(lng), headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, false) };
}

function deleteLocalNetworkGateway(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const lng = resources.localNetworkGateways.get(idOf(ctx, 'localNetworkGateways'));
  if (!lng) return { status: 204 };
  refuseWhileBusy(deps, ctx, lng);
  const users = connectionsUsing(resources, lng.id);
  if (users.length > 0) {
    throw badRequest('InUseLocalNetworkGatewayCannotBeDeleted', `Local network gateway ${lng.id} cannot be deleted since it is still in use by connection(s) ${users.map((c) => c.id).join(', ')}.`);
  }
  lng.provisioningState = 'Deleting';
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    kind: 'local-network-gateway-delete',
    subscriptionId: lng.subscriptionId,
    provider: 'Microsoft.Network',
    location: lng.location,
    ...(failure ? { decide: () => lroError(failure) } : {}),
    complete: (outcome) => {
      if (outcome.ok) resources.localNetworkGateways.delete(lng.id);
      else lng.provisioningState = 'Failed';
    },
  });
  return { status: 202, headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, true) };
}

// ---------------------------------------------------------------------------------------------------------------
// Connections

function putConnection(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const id = idOf(ctx, 'connections');
  const body = objectBody(ctx.body);
  const location = requireLocation(body);
  const properties = requireProperties(body);
  const existing = resources.connections.get(id);
  checkIfMatch(ctx, existing?.etag);
  refuseWhileBusy(deps, ctx, existing);

  const gatewayRef = referencedId(properties.virtualNetworkGateway1, 'properties.virtualNetworkGateway1.id', 'Microsoft.Network/virtualNetworkGateways');
  const gateway = resources.gateways.get(gatewayRef);
  if (!gateway) throw missingReference(gatewayRef, id);
  if (properties.virtualNetworkGateway2 !== undefined && properties.virtualNetworkGateway2 !== null) {
    throw badRequest('ConnectionTypeNotSupportedBySimulator', 'VNet-to-VNet connections are not modelled by the simulator; use a local network gateway.');
  }
  const connectionType = optionalString(properties.connectionType) ?? '';
  if (connectionType === 'ExpressRoute') {
    validateAuthentication(properties, { connectionName: ctx.params.name ?? '', connectionType, protocol: '', gateway, now: ctx.now });
    throw badRequest('ConnectionTypeNotSupportedBySimulator', 'ExpressRoute connections are not modelled by the simulator.');
  }
  const lngRef = referencedId(properties.localNetworkGateway2, 'properties.localNetworkGateway2.id', 'Microsoft.Network/localNetworkGateways');
  const lng = resources.localNetworkGateways.get(lngRef);
  if (!lng) throw missingReference(lngRef, id);
  if (connectionType !== 'IPsec') {
    throw badRequest('InvalidRequestFormat', `Connection type '${connectionType}' is not valid for a connection to local network gateway ${lng.name}; use 'IPsec'.`);
  }
  if (existing && (resourceIdKey(existing.config.virtualNetworkGatewayId) !== resourceIdKey(gateway.id) || resourceIdKey(existing.config.localNetworkGatewayId) !== resourceIdKey(lng.id))) {
    throw badRequest('CannotChangeConnectionEndpoints', `The gateways of connection ${existing.name} cannot be changed; delete and recreate the connection.`);
  }
  if (gateway.gatewayType !== 'Vpn') throw badRequest('InvalidRequestFormat', `Gateway ${gateway.name} is not a VPN gateway.`);
  retryLaterWhileBusy(deps, ctx, id, [gateway, lng], 'ReferencedResourceNotProvisioned');

  const vnet = resources.virtualNetworks.get(gateway.virtualNetworkId);
  if (vnet) assertNoOverlap(lng.addressPrefixes, vnet.addressPrefixes, lng.name, vnet.name);

  const protocol = optionalString(properties.connectionProtocol) ?? 'IKEv2';
  if (protocol !== 'IKEv2' && protocol !== 'IKEv1') throw badRequest('InvalidRequestFormat', `Connection protocol '${protocol}' is not valid; use IKEv2 or IKEv1.`);
  const mode = optionalString(properties.connectionMode) ?? 'Default';
  if (mode !== 'Default' && mode !== 'InitiatorOnly' && mode !== 'ResponderOnly') throw badRequest('InvalidRequestFormat', `Connection mode '${mode}' is not valid.`);
  const dpd = properties.dpdTimeoutSeconds === undefined ? 45 : Number(properties.dpdTimeoutSeconds);
  if (!Number.isInteger(dpd) || dpd < 9 || dpd > 3600) throw badRequest('InvalidRequestFormat', 'dpdTimeoutSeconds must be between 9 and 3600.');
  const auth = validateAuthentication(properties, { connectionName: ctx.params.name ?? '', connectionType, protocol, gateway, now: ctx.now });

  const config: SimConnectionConfig = {
    virtualNetworkGatewayId: gateway.id,
    localNetworkGatewayId: lng.id,
    connectionType: 'IPsec',
    connectionProtocol: protocol,
    connectionMode: mode,
    dpdTimeoutSeconds: dpd,
    routingWeight: Number(properties.routingWeight ?? 0) || 0,
    enableBgp: properties.enableBgp === true,
    usePolicyBasedTrafficSelectors: properties.usePolicyBasedTrafficSelectors === true,
    useLocalAzureIpAddress: properties.useLocalAzureIpAddress === true,
    ipsecPolicies: parseIpsecPolicies(properties.ipsecPolicies),
    ...auth,
  };

  const previous = existing ? { config: existing.config, tags: existing.tags } : undefined;
  const connection: SimConnection = existing ?? {
    id: buildResourceId(resources.subscriptionId, rgNameOf(resources, ctx.params), 'Microsoft.Network/connections', ctx.params.name ?? ''),
    name: ctx.params.name ?? '',
    subscriptionId: resources.subscriptionId,
    resourceGroup: rgNameOf(resources, ctx.params),
    location,
    tags: {},
    etag: newEtag(),
    resourceGuid: randomUUID(),
    config,
    provisioningState: 'Updating',
    createdAt: ctx.now,
  };
  // A PUT on a connection whose last operation failed is provisioned again (Azure re-reads the outbound certificate
  // then, e.g. once a fresh Key Vault grant is honoured), even with the same configuration.
  const affected = !previous || existing?.provisioningState === 'Failed' || tunnelsAffected(previous.config, config);
  connection.config = config;
  connection.tags = stringRecord(body.tags);
  connection.provisioningState = 'Updating';
  connection.etag = newEtag();
  resources.connections.set(connection);

  // Azure applies the outbound certificate asynchronously: the gateway reads it from Key Vault as its identity while
  // the operation runs, so problems with it (and access granted meanwhile) decide how the operation ends.
  const injected = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    kind: !existing ? 'connection-create' : affected ? 'connection-update' : 'tags-update',
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    decide: (at) => (injected ? lroError(injected) : config.authenticationType === 'Certificate' ? deps.runtime.outboundCertificateFailure(config, gateway, at) : undefined),
    complete: (outcome, at) => {
      connection.etag = newEtag();
      if (!outcome.ok && previous && deps.failedUpdateKeeps() === 'previous') {
        connection.config = previous.config;
        connection.tags = previous.tags;
        connection.provisioningState = 'Failed';
        return;
      }
      connection.provisioningState = outcome.ok ? 'Succeeded' : 'Failed';
      if (affected) deps.runtime.configurationApplied(connection, at, existing ? 'updated' : 'created');
    },
  });
  return {
    status: existing ? 200 : 201,
    body: renderConnection(connection, deps.runtime.health(connection, ctx.now), { includeStatus: true }),
    headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, false),
  };
}

/** PATCH with `{ tags }` (the SDK's updateTags): only the tags change, so nothing the tunnels use does. */
function patchTags<T extends { id: string; subscriptionId: string; location: string; tags: Record<string, string>; etag: string; provisioningState: string }>(deps: NetworkRouteDeps, ctx: SimHandlerContext, resource: T | undefined, type: string, render: (r: T) => unknown): SimResponse {
  const found = mustFind(resource, type, ctx);
  const body = objectBody(ctx.body);
  refuseWhileBusy(deps, ctx, found);
  found.tags = stringRecord(body.tags);
  found.etag = newEtag();
  return { status: 200, body: render(found) };
}

function deleteConnection(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const connection = resources.connections.get(idOf(ctx, 'connections'));
  if (!connection) return { status: 204 };
  refuseWhileBusy(deps, ctx, connection);
  connection.provisioningState = 'Deleting';
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    kind: 'connection-delete',
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    ...(failure ? { decide: () => lroError(failure) } : {}),
    complete: (outcome, at) => {
      if (!outcome.ok) {
        connection.provisioningState = 'Failed';
        return;
      }
      deps.runtime.connectionDeleted(connection, at);
      resources.connections.delete(connection.id);
    },
  });
  return { status: 202, headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, true) };
}

function resetConnection(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const connection = mustFind(deps.resources.connections.get(idOf(ctx, 'connections')), 'Microsoft.Network/connections', ctx);
  refuseWhileBusy(deps, ctx, connection);
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    kind: 'connection-reset',
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    ...(failure ? { decide: () => lroError(failure) } : {}),
    result: () => ({ status: 200 }),
    complete: (outcome, at) => {
      if (outcome.ok && deps.resources.connections.get(connection.id)) deps.runtime.configurationApplied(connection, at, 'reset');
    },
  });
  return { status: 202, headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, true) };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

export function requireKnownScope(resources: SimResources, params: Readonly<Record<string, string>>): void {
  const subscriptionId = params.subscriptionId;
  if (subscriptionId !== undefined && subscriptionId.toLowerCase() !== resources.subscriptionId.toLowerCase()) {
    throw new SimHttpError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  }
  const rg = params.resourceGroupName;
  if (rg !== undefined && !resources.resourceGroup(rg)) {
    throw new SimHttpError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
  }
}

/** Optimistic concurrency: `If-Match: <etag>` must name the current version (`*`: any existing one). */
function checkIfMatch(ctx: SimHandlerContext, etag: string | undefined): void {
  const wanted = ctx.headers['if-match'];
  if (wanted === undefined) return;
  if (wanted === '*' ? etag !== undefined : wanted === etag) return;
  throw new SimHttpError(412, 'PreconditionFailed', 'The resource was changed since it was read: the If-Match etag does not match the current one.');
}

function rgNameOf(resources: SimResources, params: Readonly<Record<string, string>>): string {
  return resources.resourceGroup(params.resourceGroupName ?? '')?.name ?? params.resourceGroupName ?? '';
}

function sameRg(rg: string, params: Readonly<Record<string, string>>): boolean {
  return rg.toLowerCase() === (params.resourceGroupName ?? '').toLowerCase();
}

function idOf(ctx: SimHandlerContext, type: string): string {
  return `/subscriptions/${ctx.params.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/Microsoft.Network/${type}/${ctx.params.name}`;
}

function mustFind<T>(item: T | undefined, type: string, ctx: SimHandlerContext): T {
  if (!item) throw notFound(type, ctx.params.name ?? '', ctx.params.resourceGroupName);
  return item;
}

function connectionsUsing(resources: SimResources, lngId: string): SimConnection[] {
  return resources.connections.list((c) => resourceIdKey(c.config.localNetworkGatewayId) === resourceIdKey(lngId));
}

function assertNoOverlap(sitePrefixes: readonly string[], vnetPrefixes: readonly string[], siteName: string, vnetName: string): void {
  const overlaps = overlappingPrefixes(sitePrefixes, vnetPrefixes);
  if (overlaps.length > 0) {
    throw badRequest(
      'LocalNetworkGatewayAddressSpaceOverlapsWithVirtualNetwork',
      `The address space of local network gateway ${siteName} overlaps with the address space of virtual network ${vnetName}: ${overlaps.map(([a, b]) => `${a} and ${b}`).join('; ')}.`,
    );
  }
}

function referencedId(value: unknown, path: string, fullType: string): string {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  const parsed = parseResourceId(id);
  if (!parsed) {
    throw badRequest('LinkedInvalidPropertyId', `Property id '${String(id ?? '')}' at path '${path}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`);
  }
  if (parsed.fullType.toLowerCase() !== fullType.toLowerCase()) {
    throw badRequest('InvalidResourceId', `Resource id '${parsed.id}' at path '${path}' must be of type ${fullType}.`);
  }
  return parsed.id;
}

function missingReference(referenced: string, referencing: string): SimHttpError {
  return badRequest('InvalidResourceReference', `Resource ${referenced} referenced by resource ${referencing} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
}

function requireLocation(body: Record<string, unknown>): string {
  const location = optionalString(body.location);
  if (!location) throw badRequest('LocationRequired', 'The location property is required for this definition.');
  return location;
}

/** A PUT carries the whole resource: without `properties` there is nothing to put. */
function requireProperties(body: Record<string, unknown>): Record<string, unknown> {
  if (body.properties === undefined || body.properties === null) throw badRequest('InvalidRequestFormat', 'Cannot parse the request: the request body has no properties. A PUT replaces the whole resource, so send all of its properties.');
  return objectBody(body.properties, 'properties');
}

function objectBody(value: unknown, path = 'body'): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('InvalidRequestFormat', `Cannot parse the request: '${path}' must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectOrEmpty(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

function lroError(failure: { code: string; message?: string }): SimLroError {
  return { code: failure.code, message: failure.message ?? `The operation failed with ${failure.code}.` };
}
