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
} as const satisfies Record<string, { actions: readonly string[]; notActions: readonly string[]; dataActions?: readonly string[] }>;

export type SimRoleName = keyof typeof simRoleDefinitions;

export interface SimRoleAssignment {
  readonly principalId: string;
  readonly role: SimRoleName;
  /** `/subscriptions/{id}`, a resource group id or a resource id. */
  readonly scope: string;
  /** When it was created; Key Vault's data plane sees it only a propagation delay later. Default: always there. */
  readonly createdAt?: Date;
}

/**
 * Per-principal role-based access control over ARM and Log Analytics. Scopes inherit downwards as in Azure: an
 * assignment at a resource group covers every resource in it.
 */
export class SimRbac {
  private readonly assignments: SimRoleAssignment[] = [];

  assign(assignment: SimRoleAssignment): void {
    this.assignments.push({ ...assignment, scope: assignment.scope.replace(/\/$/, '') });
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

  list(principalId?: string): SimRoleAssignment[] {
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

  private covering(principalId: string, scope: string): SimRoleAssignment[] {
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
