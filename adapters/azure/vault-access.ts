import { NetworkManagementClient } from '@azure/arm-network';
import type { AssignmentFacts, CallerPermissions, VaultFacts } from '../../core/provision/vault-access';
import { ArmRequester } from './arm-request';
import { azureCaller, waitOutBusy } from './azure-call';
import { armClientPerSubscription, type AzureSettings } from './azure-settings';

/**
 * Who may read a Key Vault, as ARM says (Microsoft.KeyVault and Microsoft.Authorization REST, through the SDK's
 * pipeline): the vault's permission model and access policies, the role assignments that apply at the vault for a
 * principal (on it or inherited from its resource group, subscription or above) with their roles' data actions, the
 * bot's own permissions there; and the two grants the bot makes for a VPN gateway's identity (a role assignment, an
 * access policy) and their removal. The decision itself is pure: core/provision/vault-access.ts.
 */
export interface VaultAccessAdapter {
  /** The vault served at `vaultUrl` (or named so), found among the vaults of the subscriptions (undefined: none the bot can see). */
  findVault(vaultUrlOrName: string, subscriptionIds: readonly string[]): Promise<VaultFacts | undefined>;
  /** Role assignments of `principalId` that apply at `scope` (`atScope() and assignedTo(...)`), each with its role's data permissions. */
  listAssignmentsAt(scope: string, principalId: string): Promise<AssignmentFacts[]>;
  /** The bot's own effective permissions at `scope`. */
  callerPermissions(scope: string): Promise<CallerPermissions>;
  /** Creates the role assignment `name` at `scope` (a PUT: the same name again is the same assignment). */
  assignRole(input: { readonly scope: string; readonly name: string; readonly roleId: string; readonly principalId: string; readonly description: string }): Promise<void>;
  /** The role assignment `name` at `scope`, or undefined. */
  getRoleAssignment(scope: string, name: string): Promise<{ readonly principalId: string; readonly roleDefinitionId: string; readonly description: string } | undefined>;
  deleteRoleAssignment(scope: string, name: string): Promise<void>;
  /** Adds permissions to the object's access policy (`accessPolicies/add` merges with what it has). */
  addAccessPolicy(vaultId: string, policy: AccessPolicyChange): Promise<void>;
  /** Removes exactly these permissions from the object's access policy (`accessPolicies/remove`). */
  removeAccessPolicy(vaultId: string, policy: AccessPolicyChange): Promise<void>;
}

export interface AccessPolicyChange {
  readonly tenantId: string;
  readonly objectId: string;
  readonly certificates: readonly string[];
  readonly secrets: readonly string[];
}

export const KEY_VAULT_API_VERSION = '2023-07-01';
export const AUTHORIZATION_API_VERSION = '2022-04-01';

interface ArmVault {
  id: string;
  name: string;
  properties?: {
    tenantId?: string;
    vaultUri?: string;
    enableRbacAuthorization?: boolean;
    accessPolicies?: { tenantId?: string; objectId?: string; permissions?: { certificates?: string[]; secrets?: string[] } }[];
  };
}

interface ArmRoleAssignment {
  id: string;
  name: string;
  properties?: { scope?: string; principalId?: string; roleDefinitionId?: string; description?: string | null; condition?: string | null };
}

interface ArmRoleDefinition {
  properties?: { roleName?: string; permissions?: { dataActions?: string[]; notDataActions?: string[] }[] };
}

const subscriptionOf = (id: string) => /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? '';
const origin = (url: string) => {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return '';
  }
};

export function createVaultAccessAdapter(settings: AzureSettings): VaultAccessAdapter {
  const client = armClientPerSubscription(settings, (credential, subscriptionId, options) => new NetworkManagementClient(credential, subscriptionId, options));
  const arm = (subscriptionId: string) => new ArmRequester(client(subscriptionId).pipeline, settings.armEndpoint);
  const { call, deadline } = azureCaller(settings);
  const authorization = (scope: string, what: string) => `${scope.replace(/\/$/, '')}/providers/Microsoft.Authorization/${what}`;

  return {
    findVault: (vaultUrl, subscriptionIds) =>
      call('find the Key Vault of the outbound certificates', async () => {
        for (const subscriptionId of [...new Set(subscriptionIds.map((s) => s.toLowerCase()))]) {
          const vaults = await arm(subscriptionId).list<ArmVault>(`/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/vaults`, KEY_VAULT_API_VERSION, deadline());
          const byUrl = /^https:/i.test(vaultUrl);
          const found = vaults.find((v) => (byUrl ? v.properties?.vaultUri !== undefined && origin(v.properties.vaultUri) === origin(vaultUrl) : v.name.toLowerCase() === vaultUrl.toLowerCase()));
          if (found) return toVaultFacts(found);
        }
        return undefined;
      }),

    listAssignmentsAt: (scope, principalId) =>
      call('read the role assignments on the Key Vault', async () => {
        const filter = encodeURIComponent(`atScope() and assignedTo('${principalId}')`);
        const assignments = await arm(subscriptionOf(scope)).list<ArmRoleAssignment>(`${authorization(scope, 'roleAssignments')}?$filter=${filter}`, AUTHORIZATION_API_VERSION, deadline());
        const definitions = new Map<string, ArmRoleDefinition>();
        // Read at the vault (a role definition can be read at any scope it applies to): the bot's read role is there.
        for (const id of new Set(assignments.map((a) => a.properties?.roleDefinitionId ?? '').filter(Boolean))) {
          definitions.set(id.toLowerCase(), await arm(subscriptionOf(scope)).get<ArmRoleDefinition>(authorization(scope, `roleDefinitions/${id.split('/').pop() ?? ''}`), AUTHORIZATION_API_VERSION, deadline()));
        }
        return assignments.map((a) => {
          const p = a.properties ?? {};
          const definition = definitions.get((p.roleDefinitionId ?? '').toLowerCase());
          return {
            id: a.id,
            name: a.name,
            scope: p.scope ?? '',
            principalId: p.principalId ?? '',
            roleDefinitionId: p.roleDefinitionId ?? '',
            roleName: definition?.properties?.roleName ?? (p.roleDefinitionId ?? '').split('/').pop() ?? '',
            ...(p.condition ? { condition: p.condition } : {}),
            permissions: (definition?.properties?.permissions ?? []).map((x) => ({ dataActions: x.dataActions ?? [], notDataActions: x.notDataActions ?? [] })),
          };
        });
      }),

    callerPermissions: (scope) =>
      call('read what the bot may do on the Key Vault', async () => {
        const entries = await arm(subscriptionOf(scope)).list<{ actions?: string[]; notActions?: string[] }>(authorization(scope, 'permissions'), AUTHORIZATION_API_VERSION, deadline());
        return entries.map((e) => ({ actions: e.actions ?? [], notActions: e.notActions ?? [] }));
      }),

    assignRole: (input) =>
      call(`assign a role on ${input.scope.split('/').pop() ?? 'the vault'}`, async () => {
        const subscriptionId = subscriptionOf(input.scope);
        await waitOutBusy(settings, () => arm(subscriptionId).send('PUT', authorization(input.scope, `roleAssignments/${input.name}`), AUTHORIZATION_API_VERSION, {
          properties: {
            roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${input.roleId}`,
            principalId: input.principalId,
            principalType: 'ServicePrincipal',
            description: input.description,
          },
        }, deadline()));
      }),

    getRoleAssignment: (scope, name) =>
      call('read a role assignment on the Key Vault', async () => {
        try {
          const a = await arm(subscriptionOf(scope)).get<ArmRoleAssignment>(authorization(scope, `roleAssignments/${name}`), AUTHORIZATION_API_VERSION, deadline());
          return { principalId: a.properties?.principalId ?? '', roleDefinitionId: a.properties?.roleDefinitionId ?? '', description: a.properties?.description ?? '' };
        } catch (error) {
          if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
          throw error;
        }
      }),

    deleteRoleAssignment: (scope, name) =>
      call('delete a role assignment on the Key Vault', async () => {
        // 204 when it was already gone: nothing to do.
        await waitOutBusy(settings, () => arm(subscriptionOf(scope)).send('DELETE', authorization(scope, `roleAssignments/${name}`), AUTHORIZATION_API_VERSION, undefined, deadline()));
      }),

    addAccessPolicy: (vaultId, policy) => changePolicy(vaultId, 'add', policy),
    removeAccessPolicy: (vaultId, policy) => changePolicy(vaultId, 'remove', policy),
  };

  function changePolicy(vaultId: string, kind: 'add' | 'remove', policy: AccessPolicyChange): Promise<void> {
    return call(`${kind === 'add' ? 'add to' : 'remove from'} an access policy of Key Vault ${vaultId.split('/').pop() ?? ''}`, async () => {
      // Azure's busy answers (another change of the vault in progress) are waited out.
      await waitOutBusy(settings, () =>
        arm(subscriptionOf(vaultId)).send('PUT', `${vaultId}/accessPolicies/${kind}`, KEY_VAULT_API_VERSION, {
          properties: { accessPolicies: [{ tenantId: policy.tenantId, objectId: policy.objectId, permissions: { certificates: [...policy.certificates], secrets: [...policy.secrets], keys: [] } }] },
        }, deadline()),
      );
    });
  }
}

function toVaultFacts(v: ArmVault): VaultFacts {
  const p = v.properties ?? {};
  return {
    id: v.id,
    name: v.name,
    tenantId: p.tenantId ?? '',
    enableRbacAuthorization: p.enableRbacAuthorization === true,
    accessPolicies: (p.accessPolicies ?? []).map((a) => ({ tenantId: a.tenantId ?? '', objectId: a.objectId ?? '', certificates: a.permissions?.certificates ?? [], secrets: a.permissions?.secrets ?? [] })),
  };
}
