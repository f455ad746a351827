import type { AccessPolicy } from '../key-vault/key-vault-access';
import type { KeyVaultStore } from '../key-vault/key-vault-store';
import { SimHttpError } from '../sim-http-error';
import { simRoleById, simRoleDefinitionIds, simRoleDefinitions, type SimRbac, type SimStoredRoleAssignment } from '../sim-rbac';
import type { SimResources } from '../sim-resources';
import type { SimRoute } from '../sim-route';
import { pagedList } from './arm-paging';
import { requireKnownScope } from './network-routes';

export const keyVaultApiVersions = ['2024-11-01', '2023-07-01', '2023-02-01', '2022-07-01', '2021-10-01', '2019-09-01'] as const;
export const authorizationApiVersions = ['2022-04-01', '2020-10-01-preview', '2020-04-01-preview', '2018-01-01-preview', '2015-07-01'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type PolicyKind = 'keys' | 'secrets' | 'certificates';

/**
 * Microsoft.KeyVault vaults as ARM shows them (list, get, `accessPolicies/{add|replace|remove}`) and
 * Microsoft.Authorization: role assignments at any scope (list with `atScope()` / `assignedTo()` / `principalId eq`,
 * get, PUT, DELETE), built-in role definitions, and the caller's own permissions at a scope. A role assignment or
 * access policy made here reaches Key Vault's data plane after the store's propagation delay, as in Azure.
 */
export function createAuthorizationRoutes(deps: { resources: SimResources; rbac: SimRbac; vaults: KeyVaultStore; location: () => string; pageSize: () => number }): SimRoute[] {
  const { resources, rbac, vaults } = deps;
  const sub = () => resources.subscriptionId;
  const vaultBase = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}';

  const renderVault = (v: ReturnType<KeyVaultStore['listVaults']>[number]) => ({
    id: v.resourceId,
    name: v.name,
    type: 'Microsoft.KeyVault/vaults',
    location: deps.location(),
    tags: {},
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: v.tenantId,
      accessPolicies: v.accessPolicies.map((p) => ({ tenantId: v.tenantId, objectId: p.objectId, permissions: { keys: p.keys, secrets: p.secrets, certificates: p.certificates } })),
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: v.permissionModel === 'rbac',
      vaultUri: v.vaultUri,
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
    },
  });
  const vaultAt = (path: string, params: Readonly<Record<string, string>>) => {
    requireKnownScope(resources, params);
    const id = path.replace(/\/accessPolicies\/[^/]+\/?$/i, '').replace(/\/$/, '').toLowerCase();
    const found = vaults.listVaults().find((v) => v.resourceId.toLowerCase() === id);
    if (!found) throw new SimHttpError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/vaults/${params.vaultName ?? ''}' under resource group '${params.resourceGroupName ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    return found;
  };

  const roleDefinitionId = (guid: string) => `/subscriptions/${sub()}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const renderAssignment = (a: SimStoredRoleAssignment) => ({
    id: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
    name: a.name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: roleDefinitionId(simRoleDefinitionIds[a.role]),
      principalId: a.principalId,
      principalType: 'ServicePrincipal',
      scope: a.scope,
      condition: null,
      conditionVersion: null,
      createdOn: (a.createdAt ?? new Date(0)).toISOString(),
      updatedOn: (a.createdAt ?? new Date(0)).toISOString(),
      createdBy: a.createdBy ?? null,
      updatedBy: a.createdBy ?? null,
      delegatedManagedIdentityResourceId: null,
      description: a.description ?? null,
    },
  });
  const scopeOf = (params: Readonly<Record<string, string>>) => `/${params.scope ?? ''}`.replace(/\/$/, '');

  return [
    {
      service: 'arm',
      method: 'GET',
      template: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/vaults',
      operation: 'Microsoft.KeyVault/vaults/read',
      resourceType: 'vaults',
      apiVersions: keyVaultApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        requireKnownScope(resources, ctx.params);
        // ARM lists only the vaults the caller may read.
        const visible = vaults.listVaults().filter((v) => rbac.isAllowed(ctx.principal.objectId, 'Microsoft.KeyVault/vaults/read', v.resourceId));
        return pagedList(ctx, visible, deps.pageSize(), renderVault);
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: vaultBase,
      operation: 'Microsoft.KeyVault/vaults/read',
      resourceType: 'vaults',
      apiVersions: keyVaultApiVersions,
      throttle: 'reads',
      handle: (ctx) => ({ status: 200, body: renderVault(vaultAt(ctx.path, ctx.params)) }),
    },
    {
      service: 'arm',
      method: 'PUT',
      template: `${vaultBase}/accessPolicies/{operationKind}`,
      operation: 'Microsoft.KeyVault/vaults/accessPolicies/write',
      scope: (p, path) => path.replace(/\/accessPolicies\/[^/]+\/?$/i, ''),
      resourceType: 'vaults/accessPolicies',
      apiVersions: keyVaultApiVersions,
      throttle: 'writes',
      handle: (ctx) => {
        const vault = vaultAt(ctx.path, ctx.params);
        const kind = (ctx.params.operationKind ?? '').toLowerCase();
        if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') throw new SimHttpError(400, 'BadRequest', `The operation kind '${ctx.params.operationKind ?? ''}' is not valid: use add, replace or remove.`);
        const policies = (ctx.body as { properties?: { accessPolicies?: unknown } } | undefined)?.properties?.accessPolicies;
        if (!Array.isArray(policies) || policies.length === 0) throw new SimHttpError(400, 'BadRequest', 'The parameter accessPolicies is missing or empty.');
        const parsed: AccessPolicy[] = policies.map((raw: unknown) => {
          const p = raw as { tenantId?: unknown; objectId?: unknown; permissions?: Record<string, unknown> };
          if (typeof p.objectId !== 'string' || !GUID.test(p.objectId)) throw new SimHttpError(400, 'BadRequest', "An access policy entry's objectId is not a valid GUID.");
          if (typeof p.tenantId !== 'string' || p.tenantId.toLowerCase() !== vault.tenantId.toLowerCase()) throw new SimHttpError(400, 'BadRequest', `The access policy's tenantId must be the vault's tenant '${vault.tenantId}'.`);
          const of = (k: PolicyKind) => {
            const list = p.permissions?.[k] ?? [];
            if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new SimHttpError(400, 'BadRequest', `permissions.${k} must be a list of permission names.`);
            return (list as string[]).map((x) => x.toLowerCase());
          };
          return { objectId: p.objectId.toLowerCase(), keys: of('keys'), secrets: of('secrets'), certificates: of('certificates') };
        });
        for (const p of parsed) {
          if (kind === 'replace') vaults.removeAccessPolicy(vault.name, p.objectId);
          vaults.changeAccessPolicy(vault.name, kind === 'remove' ? 'remove' : 'add', p);
        }
        const after = vaults.listVaults().find((v) => v.name === vault.name)!;
        return {
          status: 200,
          body: {
            id: `${vault.resourceId}/accessPolicies/`,
            type: 'Microsoft.KeyVault/vaults/accessPolicies',
            properties: { accessPolicies: after.accessPolicies.filter((a) => parsed.some((p) => p.objectId === a.objectId)).map((a) => ({ tenantId: vault.tenantId, objectId: a.objectId, permissions: { keys: a.keys, secrets: a.secrets, certificates: a.certificates } })) },
          },
        };
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/{scope+}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}',
      operation: 'Microsoft.Authorization/roleDefinitions/read',
      apiVersions: authorizationApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        const role = simRoleById(ctx.params.roleDefinitionId ?? '');
        if (!role) throw new SimHttpError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition with ID \'' + (ctx.params.roleDefinitionId ?? '') + "' does not exist.");
        const d = simRoleDefinitions[role] as { readonly actions: readonly string[]; readonly notActions: readonly string[]; readonly dataActions?: readonly string[] };
        return {
          status: 200,
          body: {
            id: roleDefinitionId(simRoleDefinitionIds[role]),
            name: simRoleDefinitionIds[role],
            type: 'Microsoft.Authorization/roleDefinitions',
            properties: { roleName: role, type: 'BuiltInRole', description: role, assignableScopes: ['/'], permissions: [{ actions: [...d.actions], notActions: [...d.notActions], dataActions: [...(d.dataActions ?? [])], notDataActions: [] }] },
          },
        };
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/{scope+}/providers/Microsoft.Authorization/permissions',
      operation: 'Microsoft.Authorization/permissions/read',
      apiVersions: authorizationApiVersions,
      throttle: 'reads',
      handle: (ctx) => ({ status: 200, body: { value: rbac.permissionsAt(ctx.principal.objectId, scopeOf(ctx.params)) } }),
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/{scope+}/providers/Microsoft.Authorization/roleAssignments',
      operation: 'Microsoft.Authorization/roleAssignments/read',
      apiVersions: authorizationApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        const scope = scopeOf(ctx.params);
        const filter = parseFilter(ctx.query.get('$filter') ?? '');
        const below = (a: SimStoredRoleAssignment) => a.scope.toLowerCase().startsWith(`${scope.toLowerCase()}/`);
        const all = [...rbac.atScope(scope), ...(filter.atScope ? [] : rbac.list().filter(below))];
        const matching = all.filter((a) => filter.principalId === undefined || a.principalId.toLowerCase() === filter.principalId.toLowerCase());
        return pagedList(ctx, matching, deps.pageSize(), renderAssignment);
      },
    },
    {
      service: 'arm',
      method: 'GET',
      template: '/{scope+}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}',
      operation: 'Microsoft.Authorization/roleAssignments/read',
      apiVersions: authorizationApiVersions,
      throttle: 'reads',
      handle: (ctx) => {
        const found = rbac.named(scopeOf(ctx.params), ctx.params.roleAssignmentName ?? '');
        if (!found) throw new SimHttpError(404, 'RoleAssignmentNotFound', `The role assignment '${ctx.params.roleAssignmentName ?? ''}' is not found.`);
        return { status: 200, body: renderAssignment(found) };
      },
    },
    {
      service: 'arm',
      method: 'PUT',
      template: '/{scope+}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}',
      operation: 'Microsoft.Authorization/roleAssignments/write',
      apiVersions: authorizationApiVersions,
      throttle: 'writes',
      handle: (ctx) => {
        const scope = scopeOf(ctx.params);
        const name = ctx.params.roleAssignmentName ?? '';
        if (!GUID.test(name)) throw new SimHttpError(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
        const p = (ctx.body as { properties?: { roleDefinitionId?: unknown; principalId?: unknown; description?: unknown } } | undefined)?.properties;
        if (typeof p?.roleDefinitionId !== 'string' || typeof p.principalId !== 'string') throw new SimHttpError(400, 'InvalidRequestContent', 'The request content must carry properties.roleDefinitionId and properties.principalId.');
        const role = simRoleById(p.roleDefinitionId);
        if (!role) throw new SimHttpError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${p.roleDefinitionId.split('/').pop() ?? ''}' does not exist.`);
        const principalId = p.principalId.toLowerCase();
        const existing = rbac.anyNamed(name);
        if (existing) {
          if (existing.scope.toLowerCase() !== scope.toLowerCase() || existing.role !== role || existing.principalId.toLowerCase() !== principalId) {
            throw new SimHttpError(400, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
          }
          return { status: 201, body: renderAssignment(existing) };
        }
        const duplicate = rbac.list(principalId).find((a) => a.role === role && a.scope.toLowerCase() === scope.toLowerCase());
        if (duplicate) throw new SimHttpError(409, 'RoleAssignmentExists', `The role assignment already exists. The ID of the existing role assignment is ${duplicate.name}.`);
        const made = rbac.assign({ principalId, role, scope, createdAt: ctx.now, name, createdBy: ctx.principal.objectId, ...(typeof p.description === 'string' ? { description: p.description } : {}) });
        return { status: 201, body: renderAssignment(made) };
      },
    },
    {
      service: 'arm',
      method: 'DELETE',
      template: '/{scope+}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}',
      operation: 'Microsoft.Authorization/roleAssignments/delete',
      apiVersions: authorizationApiVersions,
      throttle: 'writes',
      handle: (ctx) => {
        const removed = rbac.remove(scopeOf(ctx.params), ctx.params.roleAssignmentName ?? '');
        return removed ? { status: 200, body: renderAssignment(removed) } : { status: 204 };
      },
    },
  ];
}

/** ARM's role assignment filters: `atScope()`, `assignedTo('{id}')`, `principalId eq '{id}'`, joined by `and`. */
function parseFilter(filter: string): { atScope: boolean; principalId?: string } {
  if (!filter.trim()) return { atScope: false };
  let atScope = false;
  let principalId: string | undefined;
  for (const part of filter.split(/\s+and\s+/i)) {
    const p = part.trim();
    const assigned = /^assignedTo\('([^']+)'\)$/i.exec(p) ?? /^principalId\s+eq\s+'([^']+)'$/i.exec(p);
    if (/^atScope\(\)$/i.test(p)) atScope = true;
    else if (assigned?.[1]) principalId = assigned[1];
    else throw new SimHttpError(400, 'UnsupportedQuery', `The filter '${filter}' is not supported. Supported filters are atScope(), assignedTo('{objectId}') and principalId eq '{objectId}'.`);
  }
  return { atScope, ...(principalId !== undefined ? { principalId } : {}) };
}
