import { notFound } from '../sim-http-error';
import type { SimResources, SimUserAssignedIdentity, SimWorkspace } from '../sim-resources';
import type { SimRoute } from '../sim-route';
import { pagedList } from './arm-paging';
import { requireKnownScope } from './network-routes';

export const resourcesApiVersions = ['2024-11-01', '2024-03-01', '2022-09-01', '2021-04-01'] as const;
export const managedIdentityApiVersions = ['2024-11-30', '2023-01-31', '2018-11-30'] as const;
export const operationalInsightsApiVersions = ['2025-02-01', '2023-09-01', '2022-10-01'] as const;

/** Resource groups (Microsoft.Resources), user-assigned identities and Log Analytics workspaces: reads only. */
export function createResourceRoutes(deps: { resources: SimResources; pageSize: () => number }): SimRoute[] {
  const { resources } = deps;
  const identityBase = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities';
  const workspaceBase = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces';
  return [
    {
      service: 'arm',
      method: 'GET',
      template: '/subscriptions/{subscriptionId}/resourcegroups',
      operation: 'Microsoft.Resources/subscriptions/resourceGroups/read',
      resourceType: 'resourceGroups',
      apiVersions: resourcesApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        const visible = resources.resourceGroups.list();
        return pagedList(ctx, visible, deps.pageSize(), (rg) => ({ id: rg.id, name: rg.name, type: 'Microsoft.Resources/resourceGroups', location: rg.location, properties: { provisioningState: 'Succeeded' } }));
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      operation: 'Microsoft.Resources/subscriptions/resourceGroups/read',
      resourceType: 'resourceGroups',
      apiVersions: resourcesApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        const rg = resources.resourceGroup(ctx.params.resourceGroupName ?? '');
        return { status: 200, body: { id: rg?.id, name: rg?.name, type: 'Microsoft.Resources/resourceGroups', location: rg?.location, properties: { provisioningState: 'Succeeded' } } };
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: `${identityBase}/{name}`,
      operation: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
      resourceType: 'userAssignedIdentities',
      apiVersions: managedIdentityApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        const identity = resources.identities.get(`${ctx.path}`.replace(/\/$/, ''));
        if (!identity) throw notFound('Microsoft.ManagedIdentity/userAssignedIdentities', ctx.params.name ?? '', ctx.params.resourceGroupName);
        return { status: 200, body: renderIdentity(identity) };
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: identityBase,
      operation: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
      resourceType: 'userAssignedIdentities',
      apiVersions: managedIdentityApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        const rg = (ctx.params.resourceGroupName ?? '').toLowerCase();
        return pagedList(ctx, resources.identities.list((i) => i.resourceGroup.toLowerCase() === rg), deps.pageSize(), renderIdentity);
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: `${workspaceBase}/{name}`,
      operation: 'Microsoft.OperationalInsights/workspaces/read',
      resourceType: 'workspaces',
      apiVersions: operationalInsightsApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        const workspace = resources.workspaces.get(ctx.path.replace(/\/$/, ''));
        if (!workspace) throw notFound('Microsoft.OperationalInsights/workspaces', ctx.params.name ?? '', ctx.params.resourceGroupName);
        return { status: 200, body: renderWorkspace(workspace) };
      },
    },
  ];
}

export function renderIdentity(identity: SimUserAssignedIdentity): Record<string, unknown> {
  return {
    id: identity.id,
    name: identity.name,
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    location: identity.location,
    tags: identity.tags,
    properties: { tenantId: identity.tenantId, principalId: identity.principalId, clientId: identity.clientId, isolationScope: 'None' },
  };
}

export function renderWorkspace(workspace: SimWorkspace): Record<string, unknown> {
  return {
    id: workspace.id,
    name: workspace.name,
    type: 'Microsoft.OperationalInsights/workspaces',
    location: workspace.location,
    tags: workspace.tags,
    etag: workspace.etag,
    properties: {
      provisioningState: 'Succeeded',
      customerId: workspace.customerId,
      sku: { name: 'PerGB2018' },
      retentionInDays: 30,
      publicNetworkAccessForIngestion: 'Enabled',
      publicNetworkAccessForQuery: 'Enabled',
    },
  };
}
