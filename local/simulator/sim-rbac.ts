import { randomUUID } from 'node:crypto';
import { SimHttpError } from './sim-http-error';
import type { SimPrincipal } from './sim-principals';

/**
 * Built-in roles the simulator knows, with the action (control plane) and data action (Key Vault data plane) patterns of
 * Azure's definitions that matter here.
 */
export const simRoleDefinitions = {
  Owner: { actions: ['*'], notActions: [] },
  Contributor: { actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'] },
  Reader: { actions: ['*/read'], notActions: [] },
  'Network Contributor': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Network/*', 'Microsoft.ResourceHealth/availabilityStatuses/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: [],
  },
  'Monitoring Reader': { actions: ['*/read', 'Microsoft.OperationalInsights/workspaces/search/action', 'Microsoft.Support/*'], notActions: [] },
  'Monitoring Contributor': {
    actions: ['*/read', 'Microsoft.Insights/diagnosticSettings/*', 'Microsoft.Insights/metricAlerts/*', 'Microsoft.Insights/actionGroups/*', 'Microsoft.OperationalInsights/workspaces/search/action', 'Microsoft.OperationalInsights/workspaces/sharedKeys/action', 'Microsoft.Support/*'],
    notActions: [],
  },
  'Log Analytics Reader': { actions: ['*/read', 'Microsoft.OperationalInsights/workspaces/analytics/query/action', 'Microsoft.OperationalInsights/workspaces/search/action', 'Microsoft.Support/*'], notActions: ['Microsoft.OperationalInsights/workspaces/sharedKeys/read'] },
  'Managed Identity Operator': {
    actions: ['Microsoft.ManagedIdentity/userAssignedIdentities/*/read', 'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action', 'Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Support/*'],
    notActions: [],
  },
  'Key Vault Administrator': { actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/*'] },
  'Key Vault Certificates Officer': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/certificatecas/*', 'Microsoft.KeyVault/vaults/certificates/*', 'Microsoft.KeyVault/vaults/certificatecontacts/write'],
  },
  'Key Vault Certificate User': { actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/certificates/read', 'Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action', 'Microsoft.KeyVault/vaults/keys/read'] },
  'Key Vault Crypto Officer': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/keys/*', 'Microsoft.KeyVault/vaults/keyrotationpolicies/*'],
  },
  'Key Vault Crypto User': {
    actions: [],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/update/action', 'Microsoft.KeyVault/vaults/keys/backup/action', 'Microsoft.KeyVault/vaults/keys/encrypt/action', 'Microsoft.KeyVault/vaults/keys/decrypt/action', 'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action', 'Microsoft.KeyVault/vaults/keys/sign/action', 'Microsoft.KeyVault/vaults/keys/verify/action'],
  },
  'Key Vault Reader': { actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read'], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'] },
  'Key Vault Secrets Officer': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  },
  'Key Vault Secrets User': { actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'] },
  /** Manages vaults (and so their access policies), no data access in an RBAC vault. */
  'Key Vault Contributor': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.KeyVault/*', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action', 'Microsoft.KeyVault/hsmPools/*', 'Microsoft.KeyVault/managedHsms/*'],
  },
  'User Access Administrator': { actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'], notActions: [] },
  'Role Based Access Control Administrator': {
    actions: ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'],
    notActions: [],
  },
} as const satisfies Record<string, { actions: readonly string[]; notActions: readonly string[]; dataActions?: readonly string[] }>;

export type SimRoleName = keyof typeof simRoleDefinitions;

/** Azure's ids of the built-in role definitions (the same in every tenant). */
export const simRoleDefinitionIds: Readonly<Record<SimRoleName, string>> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Network Contributor': '4d97b98b-1d4f-4787-a291-c67834d212e7',
  'Monitoring Reader': '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  'Monitoring Contributor': '749f88d5-cbae-40b8-bcfc-e573ddc772fa',
  'Log Analytics Reader': '73c42c96-874c-492b-b04d-ab87d138a893',
  'Managed Identity Operator': 'f1a07417-d97a-45cb-824c-7a7467783830',
  'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985',
  'Key Vault Certificate User': 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  'Key Vault Crypto Officer': '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  'Key Vault Crypto User': '12338af0-0e69-4776-bea7-57ae8d297424',
  'Key Vault Reader': '21090545-7ca7-4776-b22c-e363652d74d2',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Contributor': 'f25e0fa2-a7c8-4377-a976-54943a77a395',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c4a72b9d',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};

/** The built-in role with this definition id (a GUID, or a full `.../roleDefinitions/<guid>` id). */
export function simRoleById(id: string): SimRoleName | undefined {
  const guid = (id.split('/').pop() ?? '').toLowerCase();
  return (Object.keys(simRoleDefinitionIds) as SimRoleName[]).find((r) => simRoleDefinitionIds[r] === guid);
}

export interface SimRoleAssignment {
  readonly principalId: string;
  readonly role: SimRoleName;
  /** `/subscriptions/{id}`, a resource group id or a resource id. */
  readonly scope: string;
  /** When it was created; Key Vault's data plane sees it only a propagation delay later. Default: always there. */
  readonly createdAt?: Date;
  /** The assignment's name (a GUID); one is made up when absent. */
  readonly name?: string;
  readonly description?: string;
  /** Who made it (object id), for `createdBy`. */
  readonly createdBy?: string;
}

/** An assignment as stored: always named. */
export type SimStoredRoleAssignment = SimRoleAssignment & { readonly name: string };

/**
 * Per-principal role-based access control over ARM and Log Analytics. Scopes inherit downwards as in Azure: an
 * assignment at a resource group covers every resource in it.
 */
export class SimRbac {
  private readonly assignments: SimStoredRoleAssignment[] = [];

  assign(assignment: SimRoleAssignment): SimStoredRoleAssignment {
    const stored = { ...assignment, scope: assignment.scope.replace(/\/$/, ''), name: (assignment.name ?? randomUUID()).toLowerCase() };
    this.assignments.push(stored);
    return stored;
  }

  /** The assignment named `name` at exactly `scope`. */
  named(scope: string, name: string): SimStoredRoleAssignment | undefined {
    const s = scope.replace(/\/$/, '').toLowerCase();
    return this.assignments.find((a) => a.scope.toLowerCase() === s && a.name === name.toLowerCase());
  }

  /** Any assignment with this name, wherever it is (names are unique in a tenant). */
  anyNamed(name: string): SimStoredRoleAssignment | undefined {
    return this.assignments.find((a) => a.name === name.toLowerCase());
  }

  /** Deletes the assignment named `name` at `scope`; what it was, or undefined. */
  remove(scope: string, name: string): SimStoredRoleAssignment | undefined {
    const found = this.named(scope, name);
    if (found) this.assignments.splice(this.assignments.indexOf(found), 1);
    return found;
  }

  /** Assignments that apply at `scope`: on it or on a scope above it (ARM's `atScope()`). */
  atScope(scope: string): SimStoredRoleAssignment[] {
    const target = scope.replace(/\/$/, '').toLowerCase();
    return this.assignments.filter((a) => {
      const assigned = a.scope.toLowerCase();
      return assigned === '' || target === assigned || target.startsWith(`${assigned}/`);
    });
  }

  /** The principal's effective permissions at `scope`: one entry per role that applies (what `Microsoft.Authorization/permissions` answers). */
  permissionsAt(principalId: string, scope: string): { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[] {
    return this.covering(principalId, scope).map((a) => {
      const d = simRoleDefinitions[a.role] as { readonly actions: readonly string[]; readonly notActions: readonly string[]; readonly dataActions?: readonly string[] };
      return { actions: [...d.actions], notActions: [...d.notActions], dataActions: [...(d.dataActions ?? [])], notDataActions: [] };
    });
  }

  /** Removes every assignment of `principalId` (optionally only of `role`), so tests can take a permission away. */
  revoke(principalId: string, role?: SimRoleName, scope?: string): number {
    let removed = 0;
    for (let i = this.assignments.length - 1; i >= 0; i--) {
      const a = this.assignments[i];
      if (a && a.principalId === principalId && (!role || a.role === role) && (!scope || a.scope.toLowerCase() === scope.toLowerCase())) {
        this.assignments.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  list(principalId?: string): SimStoredRoleAssignment[] {
    return this.assignments.filter((a) => !principalId || a.principalId === principalId);
  }

  isAllowed(principalId: string, action: string, scope: string): boolean {
    return this.covering(principalId, scope).some((a) => {
      const definition = simRoleDefinitions[a.role];
      return definition.actions.some((p) => matchesAction(p, action)) && !definition.notActions.some((p) => matchesAction(p, action));
    });
  }

  /**
   * Whether an assignment covering `scope` grants the data action, counting only assignments made at least
   * `propagationMs` before `at` (Key Vault honours new role assignments after a delay).
   */
  isDataActionAllowed(principalId: string, dataAction: string, scope: string, at: Date, propagationMs: number): boolean {
    return this.covering(principalId, scope).some((a) => {
      if (a.createdAt && a.createdAt.getTime() + propagationMs > at.getTime()) return false;
      const definition = simRoleDefinitions[a.role] as { readonly dataActions?: readonly string[] };
      return (definition.dataActions ?? []).some((p) => matchesAction(p, dataAction));
    });
  }

  private covering(principalId: string, scope: string): SimStoredRoleAssignment[] {
    const target = scope.toLowerCase();
    return this.assignments.filter((a) => {
      if (a.principalId !== principalId) return false;
      const assigned = a.scope.toLowerCase();
      return target === assigned || target.startsWith(`${assigned}/`);
    });
  }

  /** Throws ARM's 403 AuthorizationFailed when the principal may not perform `action` on `scope`. */
  demand(principal: SimPrincipal, action: string, scope: string): void {
    if (this.isAllowed(principal.objectId, action, scope)) return;
    throw new SimHttpError(
      403,
      'AuthorizationFailed',
      `The client '${principal.objectId}' with object id '${principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }

  /** ARM's linked-access check (e.g. assigning a managed identity to a resource needs `assign/action` on the identity). */
  demandLinked(principal: SimPrincipal, primaryAction: string, primaryScope: string, linkedAction: string, linkedScopes: string[]): void {
    const denied = linkedScopes.filter((scope) => !this.isAllowed(principal.objectId, linkedAction, scope));
    if (denied.length === 0) return;
    throw new SimHttpError(
      403,
      'LinkedAuthorizationFailed',
      `The client '${principal.objectId}' with object id '${principal.objectId}' has permission to perform action '${primaryAction}' on scope '${primaryScope}'; however, it does not have permission to perform action(s) '${linkedAction}' on the linked scope(s) '${denied.join(',')}' (respectively) or the linked scope(s) are invalid.`,
    );
  }
}

function matchesAction(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}
