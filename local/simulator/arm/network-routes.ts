import { randomUUID } from 'node:crypto';
import { overlappingPrefixes, parseIpv4, parseIpv4Prefix } from '../ip-prefix';
import { SimHttpError, badRequest, notFound } from '../sim-http-error';
import type { SimLroError, SimLroRegistry } from '../sim-lro';
import type { SimRbac } from '../sim-rbac';
import {
  newEtag,
  type SimConnection,
  type SimConnectionConfig,
  type SimGateway,
  type SimIpsecPolicy,
  type SimLocalNetworkGateway,
  type SimResources,
} from '../sim-resources';
import type { SimHandlerContext, SimResponse, SimRoute } from '../sim-route';
import type { SimFaults } from '../sim-faults';
import { pagedList } from './arm-paging';
import type { ConnectionRuntime } from './connection-runtime';
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
}

const rgBase = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network';
const maxInboundChain = 5;

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
// Gateways

function putGateway(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const id = idOf(ctx, 'virtualNetworkGateways');
  const gateway = resources.gateways.get(id);
  if (!gateway) {
    // Deploying a gateway takes Azure 30-45 minutes and is outside what the product does; the estate creates gateways.
    throw badRequest('GatewayCreationNotSupportedBySimulator', `Virtual network gateway ${ctx.params.name} does not exist; the simulator does not model creating gateways.`);
  }
  const body = objectBody(ctx.body);
  const properties = objectOrEmpty(body.properties);
  // A PUT replaces the resource: the simulator only models identity and tag changes, and refuses silently dropping others.
  const sku = objectOrEmpty(properties.sku);
  if ((typeof sku.name === 'string' && sku.name.toLowerCase() !== gateway.sku.toLowerCase()) || (typeof properties.activeActive === 'boolean' && properties.activeActive !== gateway.activeActive)) {
    throw badRequest('GatewayChangeNotSupportedBySimulator', 'Changing the SKU or active-active mode of a gateway is not modelled by the simulator.');
  }

  const requested = parseGatewayIdentity(body.identity, gateway);
  const newlyAssigned = (requested?.userAssignedIdentityIds ?? []).filter((i) => !(gateway.identity?.userAssignedIdentityIds ?? []).some((c) => resourceIdKey(c) === resourceIdKey(i)));
  // ARM checks access to linked resources before the resource provider looks at them.
  if (newlyAssigned.length > 0) {
    deps.rbac.demandLinked(ctx.principal, 'Microsoft.Network/virtualNetworkGateways/write', gateway.id, 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action', newlyAssigned);
  }
  for (const id of requested?.userAssignedIdentityIds ?? []) {
    if (!resources.identities.get(id)) throw badRequest('InvalidIdentityValues', `The user-assigned identity '${id}' was not found.`);
  }
  const identity: SimGateway['identity'] = requested ? { type: 'UserAssigned', userAssignedIdentityIds: requested.userAssignedIdentityIds.map((i) => resources.identities.get(i)?.id ?? i) } : undefined;

  const previous = { identity: gateway.identity, tags: gateway.tags };
  if (identity) gateway.identity = identity;
  else delete gateway.identity;
  gateway.tags = stringRecord(body.tags);
  gateway.provisioningState = 'Updating';
  gateway.etag = newEtag();
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    subscriptionId: gateway.subscriptionId,
    provider: 'Microsoft.Network',
    location: gateway.location,
    ...(failure ? { failure: lroError(failure) } : {}),
    complete: (outcome, at) => {
      gateway.etag = newEtag();
      if (!outcome.ok) {
        if (previous.identity) gateway.identity = previous.identity;
        else delete gateway.identity;
        gateway.tags = previous.tags;
        gateway.provisioningState = 'Failed';
        return;
      }
      gateway.provisioningState = 'Succeeded';
      // The outbound certificate is read through the identity: every certificate connection depends on it.
      for (const connection of resources.connections.list((c) => resourceIdKey(c.config.virtualNetworkGatewayId) === resourceIdKey(gateway.id))) {
        deps.runtime.configurationApplied(connection, at, 'dependency');
      }
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
    throw badRequest('VpnGatewayManagedIdentityNotSupportedForBasicSku', `Virtual network gateway ${gateway.name} has the Basic SKU; managed identities need VpnGw1 or higher.`);
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
  const properties = objectOrEmpty(body.properties);
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
  if (existing) {
    // Connections already using this site must keep a disjoint address space from their virtual network.
    for (const connection of connectionsUsing(resources, existing.id)) {
      const gateway = resources.gateways.get(connection.config.virtualNetworkGatewayId);
      const vnet = gateway ? resources.virtualNetworks.get(gateway.virtualNetworkId) : undefined;
      if (vnet) assertNoOverlap(addressPrefixes, vnet.addressPrefixes, existing.name, vnet.name);
    }
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
    subscriptionId: lng.subscriptionId,
    provider: 'Microsoft.Network',
    location: lng.location,
    ...(failure ? { failure: lroError(failure) } : {}),
    complete: (outcome, at) => {
      lng.etag = newEtag();
      if (!outcome.ok) {
        if (previous) Object.assign(lng, previous);
        lng.provisioningState = 'Failed';
        return;
      }
      lng.provisioningState = 'Succeeded';
      for (const connection of connectionsUsing(resources, lng.id)) deps.runtime.configurationApplied(connection, at, 'dependency');
    },
  });
  return { status: existing ? 200 : 201, body: renderLocalNetworkGateway(lng), headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, false) };
}

function deleteLocalNetworkGateway(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const lng = resources.localNetworkGateways.get(idOf(ctx, 'localNetworkGateways'));
  if (!lng) return { status: 204 };
  const users = connectionsUsing(resources, lng.id);
  if (users.length > 0) {
    throw badRequest('InUseLocalNetworkGatewayCannotBeDeleted', `Local network gateway ${lng.id} cannot be deleted since it is still in use by connection(s) ${users.map((c) => c.id).join(', ')}.`);
  }
  lng.provisioningState = 'Deleting';
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    subscriptionId: lng.subscriptionId,
    provider: 'Microsoft.Network',
    location: lng.location,
    ...(failure ? { failure: lroError(failure) } : {}),
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
  const properties = objectBody(body.properties, 'properties');
  const existing = resources.connections.get(id);
  checkIfMatch(ctx, existing?.etag);

  const gatewayRef = referencedId(properties.virtualNetworkGateway1, 'properties.virtualNetworkGateway1.id', 'Microsoft.Network/virtualNetworkGateways');
  const gateway = resources.gateways.get(gatewayRef);
  if (!gateway) throw missingReference(gatewayRef, id);
  if (properties.virtualNetworkGateway2 !== undefined && properties.virtualNetworkGateway2 !== null) {
    throw badRequest('ConnectionTypeNotSupportedBySimulator', 'VNet-to-VNet connections are not modelled by the simulator; use a local network gateway.');
  }
  const lngRef = referencedId(properties.localNetworkGateway2, 'properties.localNetworkGateway2.id', 'Microsoft.Network/localNetworkGateways');
  const lng = resources.localNetworkGateways.get(lngRef);
  if (!lng) throw missingReference(lngRef, id);

  const connectionType = optionalString(properties.connectionType);
  if (connectionType !== 'IPsec') {
    throw badRequest('InvalidConnectionType', `Connection type '${connectionType ?? ''}' is not valid for a connection to local network gateway ${lng.name}; use 'IPsec'.`);
  }
  if (existing && (resourceIdKey(existing.config.virtualNetworkGatewayId) !== resourceIdKey(gateway.id) || resourceIdKey(existing.config.localNetworkGatewayId) !== resourceIdKey(lng.id))) {
    throw badRequest('CannotChangeConnectionEndpoints', `The gateways of connection ${existing.name} cannot be changed; delete and recreate the connection.`);
  }
  if (gateway.gatewayType !== 'Vpn') throw badRequest('InvalidGatewayType', `Gateway ${gateway.name} is not a VPN gateway.`);

  const vnet = resources.virtualNetworks.get(gateway.virtualNetworkId);
  if (vnet) assertNoOverlap(lng.addressPrefixes, vnet.addressPrefixes, lng.name, vnet.name);

  const protocol = optionalString(properties.connectionProtocol) ?? 'IKEv2';
  if (protocol !== 'IKEv2' && protocol !== 'IKEv1') throw badRequest('InvalidConnectionProtocol', `Connection protocol '${protocol}' is not valid; use IKEv2 or IKEv1.`);
  const mode = optionalString(properties.connectionMode) ?? 'Default';
  if (mode !== 'Default' && mode !== 'InitiatorOnly' && mode !== 'ResponderOnly') throw badRequest('InvalidConnectionMode', `Connection mode '${mode}' is not valid.`);
  const dpd = properties.dpdTimeoutSeconds === undefined ? 45 : Number(properties.dpdTimeoutSeconds);
  if (!Number.isInteger(dpd) || dpd < 9 || dpd > 3600) throw badRequest('InvalidDpdTimeout', 'dpdTimeoutSeconds must be between 9 and 3600.');

  const authenticationType = optionalString(properties.authenticationType) ?? 'PSK';
  if (authenticationType !== 'PSK' && authenticationType !== 'Certificate') {
    throw badRequest('InvalidAuthenticationType', `Authentication type '${authenticationType}' is not valid; use 'PSK' or 'Certificate'.`);
  }
  const sharedKey = optionalString(properties.sharedKey);
  const certAuth = properties.certificateAuthentication === undefined || properties.certificateAuthentication === null ? undefined : objectBody(properties.certificateAuthentication, 'properties.certificateAuthentication');

  let certificateAuthentication: SimConnectionConfig['certificateAuthentication'];
  if (authenticationType === 'Certificate') {
    if (sharedKey) throw badRequest('InvalidPskExist', `Connection ${ctx.params.name} uses certificate authentication, so it must not have a shared key.`);
    if (gateway.sku.toLowerCase() === 'basic') {
      throw badRequest('CertificateAuthenticationNotSupportedForBasicSku', `Gateway ${gateway.name} has the Basic SKU; certificate authentication needs VpnGw1 or higher.`);
    }
    if (protocol !== 'IKEv2') throw badRequest('CertificateAuthenticationRequiresIkev2', 'Certificate authentication requires the IKEv2 connection protocol.');
    const outbound = optionalString(certAuth?.outboundAuthCertificate);
    if (!outbound) throw badRequest('OutboundAuthCertificateIsEmpty', 'The outbound authentication certificate (a Key Vault certificate identifier) must be provided.');
    if (!isKeyVaultCertificateId(outbound)) {
      throw badRequest('InvalidOutboundAuthCertificate', `The outbound authentication certificate '${outbound}' is not a Key Vault certificate identifier (https://<vault>/certificates/<name>/<version>).`);
    }
    const subject = optionalString(certAuth?.inboundAuthCertificateSubjectName);
    if (!subject?.trim()) throw badRequest('CertificateSubjectNameIsEmpty', 'The inbound authentication certificate subject name must be provided.');
    const rawChain = certAuth?.inboundAuthCertificateChain;
    const chain = Array.isArray(rawChain) ? rawChain.filter((c): c is string => typeof c === 'string' && c.trim().length > 0) : [];
    if (chain.length === 0) throw badRequest('InboundAuthCertificateChainIsEmpty', 'The inbound authentication certificate chain must contain at least one certificate.');
    if (chain.length > maxInboundChain) {
      throw badRequest('MaxRootCertificatePublicKeySupported', `The inbound authentication certificate chain has ${chain.length} certificates; at most ${maxInboundChain} are supported.`);
    }
    const violations = deps.runtime.inboundChainViolations(chain, ctx.now);
    const first = violations[0];
    if (first) throw badRequest(first.code, first.message, violations.length > 1 ? violations.map((v) => ({ code: v.code, message: v.message })) : undefined);
    certificateAuthentication = { outboundAuthCertificate: outbound, inboundAuthCertificateSubjectName: subject, inboundAuthCertificateChain: chain };
  } else if (certAuth && Object.values(certAuth).some((v) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))) {
    throw badRequest('CertificateAuthenticationRequiresCertificateAuthenticationType', "certificateAuthentication is set but authenticationType is not 'Certificate'.");
  }

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
    authenticationType,
    ...(sharedKey && authenticationType === 'PSK' ? { sharedKey } : {}),
    ...(certificateAuthentication ? { certificateAuthentication } : {}),
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
  connection.config = config;
  connection.tags = stringRecord(body.tags);
  connection.provisioningState = 'Updating';
  connection.etag = newEtag();
  resources.connections.set(connection);

  // Azure applies the outbound certificate asynchronously: the gateway reads it from Key Vault as its identity,
  // so problems with it fail the operation rather than the request.
  const injected = deps.faults.takeLroFailure(ctx.facts);
  const failure = injected ? lroError(injected) : authenticationType === 'Certificate' ? deps.runtime.outboundCertificateFailure(config, gateway, ctx.now) : undefined;
  const op = deps.lro.start({
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    ...(failure ? { failure } : {}),
    complete: (outcome, at) => {
      connection.etag = newEtag();
      if (!outcome.ok) {
        if (previous) {
          connection.config = previous.config;
          connection.tags = previous.tags;
        }
        connection.provisioningState = 'Failed';
        return;
      }
      connection.provisioningState = 'Succeeded';
      deps.runtime.configurationApplied(connection, at, existing ? 'updated' : 'created');
    },
  });
  return {
    status: existing ? 200 : 201,
    body: renderConnection(connection, deps.runtime.health(connection, ctx.now), { includeStatus: true }),
    headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, false),
  };
}

function deleteConnection(deps: NetworkRouteDeps, ctx: SimHandlerContext): SimResponse {
  const { resources } = deps;
  const connection = resources.connections.get(idOf(ctx, 'connections'));
  if (!connection) return { status: 204 };
  connection.provisioningState = 'Deleting';
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    ...(failure ? { failure: lroError(failure) } : {}),
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
  if (connection.provisioningState === 'Updating' || connection.provisioningState === 'Deleting') {
    throw new SimHttpError(409, 'AnotherOperationInProgress', `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${ctx.baseUrl}${connection.id}.`);
  }
  const failure = deps.faults.takeLroFailure(ctx.facts);
  const op = deps.lro.start({
    subscriptionId: connection.subscriptionId,
    provider: 'Microsoft.Network',
    location: connection.location,
    ...(failure ? { failure: lroError(failure) } : {}),
    result: () => ({ status: 200 }),
    complete: (outcome, at) => {
      if (outcome.ok && deps.resources.connections.get(connection.id)) deps.runtime.configurationApplied(connection, at, 'reset');
    },
  });
  return { status: 202, headers: deps.lro.headers(op, ctx.baseUrl, ctx.apiVersion, true) };
}

function parseIpsecPolicies(value: unknown): SimIpsecPolicy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('InvalidRequestFormat', 'ipsecPolicies must be an array.');
  if (value.length > 1) throw badRequest('OnlyOneIpsecPolicySupported', 'Only one IPsec/IKE policy is supported per connection.');
  return value.map((raw) => {
    const p = objectBody(raw, 'ipsecPolicies[]');
    const field = (name: string) => {
      const v = p[name];
      if (typeof v !== 'string' || !v) throw badRequest('InvalidIpsecPolicy', `IPsec policy field '${name}' is required.`);
      return v;
    };
    return {
      saLifeTimeSeconds: Number(p.saLifeTimeSeconds ?? 27000),
      saDataSizeKilobytes: Number(p.saDataSizeKilobytes ?? 102400000),
      ipsecEncryption: field('ipsecEncryption'),
      ipsecIntegrity: field('ipsecIntegrity'),
      ikeEncryption: field('ikeEncryption'),
      ikeIntegrity: field('ikeIntegrity'),
      dhGroup: field('dhGroup'),
      pfsGroup: field('pfsGroup'),
    };
  });
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

function isKeyVaultCertificateId(value: string): boolean {
  try {
    const url = new URL(value);
    const segments = url.pathname.split('/').filter(Boolean);
    return url.protocol === 'https:' && (segments.length === 2 || segments.length === 3) && segments[0]?.toLowerCase() === 'certificates';
  } catch {
    return false;
  }
}

function requireLocation(body: Record<string, unknown>): string {
  const location = optionalString(body.location);
  if (!location) throw badRequest('LocationRequired', 'The location property is required for this definition.');
  return location;
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
