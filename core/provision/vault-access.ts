/**
 * Whether a VPN gateway's user-assigned identity may read the outbound certificate in Key Vault, decided from what
 * Azure says (pure: the activity reads the vault, the identity's role assignments and the bot's own permissions, and
 * hands them in). The gateway reads the certificate and its secret (the private key and chain): in an Azure RBAC vault
 * the data actions `certificates/read` and `secrets/getSecret/action` (Microsoft's guide grants Key Vault Certificate
 * User and Key Vault Secrets User), in an access-policy vault `get` on certificates and on secrets (Microsoft's CLI
 * grants get and list on both). When access is missing, the plan grants it if the bot's own permissions on the vault
 * allow it (`Microsoft.Authorization/roleAssignments/write`, or `Microsoft.KeyVault/vaults/accessPolicies/write`),
 * else the check blocks with the exact grant an administrator makes.
 */

/** What the gateway does in the vault (Microsoft's Key Vault RBAC guide maps the operations to these data actions). */
export const GATEWAY_DATA_ACTIONS = ['Microsoft.KeyVault/vaults/certificates/read', 'Microsoft.KeyVault/vaults/secrets/getSecret/action'] as const;

/** The built-in roles the plan assigns (Azure's fixed role definition ids). */
export const KEY_VAULT_ROLES = {
  certificateUser: { id: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', name: 'Key Vault Certificate User' },
  secretsUser: { id: '4633458b-17de-408a-b874-0445c86b69e6', name: 'Key Vault Secrets User' },
} as const;

/** Access-policy permissions the gateway needs, and what the plan grants (Microsoft's `az keyvault set-policy` line). */
export const GATEWAY_POLICY_NEEDS = { certificates: ['get'], secrets: ['get'] } as const;
export const GATEWAY_POLICY_GRANT = { certificates: ['get', 'list'], secrets: ['get', 'list'] } as const;

/** The control-plane action that lets the bot grant, per permission model. */
export const GRANT_ACTIONS = { rbac: 'Microsoft.Authorization/roleAssignments/write', accessPolicies: 'Microsoft.KeyVault/vaults/accessPolicies/write' } as const;

export interface VaultFacts {
  /** ARM id of the vault. */
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  /** `properties.enableRbacAuthorization`. */
  readonly enableRbacAuthorization: boolean;
  readonly accessPolicies: readonly { readonly tenantId: string; readonly objectId: string; readonly certificates: readonly string[]; readonly secrets: readonly string[] }[];
}

/** One role assignment that applies at the vault (on it or inherited from above), with its role's data permissions. */
export interface AssignmentFacts {
  readonly id: string;
  readonly name: string;
  readonly scope: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  readonly roleName: string;
  /** `condition` of the assignment (ABAC): such an assignment may grant less than its role; not counted. */
  readonly condition?: string;
  readonly permissions: readonly { readonly dataActions: readonly string[]; readonly notDataActions: readonly string[] }[];
}

/** The caller's effective permissions at a scope (`Microsoft.Authorization/permissions`). */
export type CallerPermissions = readonly { readonly actions: readonly string[]; readonly notActions: readonly string[] }[];

export interface IdentityFacts {
  readonly name: string;
  readonly principalId: string;
}

/** A grant the plan makes. `roles`: RBAC vault; `policy`: access-policy vault (only the permissions missing). */
export type VaultGrant =
  | { readonly model: 'rbac'; readonly vaultId: string; readonly vaultName: string; readonly principalId: string; readonly identityName: string; readonly roles: readonly { readonly id: string; readonly name: string }[] }
  | { readonly model: 'accessPolicies'; readonly vaultId: string; readonly vaultName: string; readonly principalId: string; readonly identityName: string; readonly tenantId: string; readonly certificates: readonly string[]; readonly secrets: readonly string[] };

export type VaultAccessDecision =
  | { readonly status: 'passed'; readonly detail: string }
  | { readonly status: 'fixed'; readonly detail: string; readonly grant: VaultGrant }
  | { readonly status: 'blocking'; readonly detail: string; readonly code: string; readonly fix: string };

/** Azure's action pattern match: `*` matches any run of characters, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

/** Whether one of the permission entries allows `action` (its actions match and its own notActions do not). */
export function allowsAction(permissions: CallerPermissions, action: string): boolean {
  return permissions.some((p) => p.actions.some((a) => actionMatches(a, action)) && !p.notActions.some((a) => actionMatches(a, action)));
}

function allowsDataAction(assignment: AssignmentFacts, dataAction: string): boolean {
  return assignment.permissions.some((p) => p.dataActions.some((a) => actionMatches(a, dataAction)) && !p.notDataActions.some((a) => actionMatches(a, dataAction)));
}

const within = (scope: string, vaultId: string) => {
  const s = scope.replace(/\/$/, '').toLowerCase();
  const v = vaultId.toLowerCase();
  return s === '' || v === s || v.startsWith(`${s}/`);
};

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

function whereAssigned(scope: string, vaultId: string): string {
  const s = scope.replace(/\/$/, '');
  if (s.toLowerCase() === vaultId.toLowerCase()) return 'on the vault';
  if (/\/resourceGroups\/[^/]+$/i.test(s)) return `inherited from resource group ${lastSegment(s)}`;
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return `inherited from subscription ${lastSegment(s)}`;
  if (s === '' || s === '/') return 'inherited from the root scope';
  return `inherited from ${s}`;
}

const hasPermission = (granted: readonly string[], wanted: string) => granted.some((g) => g.toLowerCase() === wanted || g.toLowerCase() === 'all');

/** The az CLI line(s) an administrator runs to give the identity what the gateway needs. */
export function adminGrantCommand(vault: Pick<VaultFacts, 'id' | 'name' | 'enableRbacAuthorization'>, identity: IdentityFacts, roles: readonly { readonly name: string }[] = [KEY_VAULT_ROLES.certificateUser, KEY_VAULT_ROLES.secretsUser]): string {
  if (vault.enableRbacAuthorization) {
    return roles
      .map((r) => `az role assignment create --assignee-object-id ${identity.principalId} --assignee-principal-type ServicePrincipal --role "${r.name}" --scope ${vault.id}`)
      .join(' ; ');
  }
  return `az keyvault set-policy --name ${vault.name} --object-id ${identity.principalId} --certificate-permissions get list --secret-permissions get list`;
}

/**
 * The decision. `callerPermissions` undefined: the bot could not read its own permissions on the vault (then it does
 * not offer to grant).
 */
export function decideVaultAccess(input: { readonly vault: VaultFacts; readonly identity: IdentityFacts; readonly assignments: readonly AssignmentFacts[]; readonly callerPermissions: CallerPermissions | undefined }): VaultAccessDecision {
  const { vault, identity } = input;
  const who = `${identity.name} (object id ${identity.principalId})`;
  if (vault.enableRbacAuthorization) {
    const counted = input.assignments.filter((a) => a.principalId.toLowerCase() === identity.principalId.toLowerCase() && within(a.scope, vault.id) && !a.condition);
    const missing = GATEWAY_DATA_ACTIONS.filter((action) => !counted.some((a) => allowsDataAction(a, action)));
    if (missing.length === 0) {
      const giving = counted.filter((a) => GATEWAY_DATA_ACTIONS.some((action) => allowsDataAction(a, action)));
      return { status: 'passed', detail: `${identity.name} reads certificates and their secrets in ${vault.name} (Azure RBAC vault): ${giving.map((a) => `${a.roleName} ${whereAssigned(a.scope, vault.id)}`).join(', ')}` };
    }
    const roles = [
      ...(missing.includes(GATEWAY_DATA_ACTIONS[0]) ? [KEY_VAULT_ROLES.certificateUser] : []),
      ...(missing.includes(GATEWAY_DATA_ACTIONS[1]) ? [KEY_VAULT_ROLES.secretsUser] : []),
    ];
    const roleWords = roles.map((r) => r.name).join(' + ');
    const conditional = input.assignments.some((a) => a.principalId.toLowerCase() === identity.principalId.toLowerCase() && a.condition) ? ' (assignments with a condition are not counted)' : '';
    const lacking = `${who} has no role on ${vault.name} (Azure RBAC vault) that allows ${missing.join(' and ')}${conditional}`;
    if (input.callerPermissions && allowsAction(input.callerPermissions, GRANT_ACTIONS.rbac)) {
      return { status: 'fixed', detail: `${lacking}: the plan assigns ${identity.name} ${roleWords} on ${vault.name}`, grant: { model: 'rbac', vaultId: vault.id, vaultName: vault.name, principalId: identity.principalId, identityName: identity.name, roles } };
    }
    return {
      status: 'blocking',
      detail: `${lacking}: Azure would answer VpnGatewayKeyVaultInaccessibleKeyvault and the gateway could not present its certificate. The bot may not assign roles on ${vault.name} (no ${GRANT_ACTIONS.rbac} there).`,
      code: 'VpnGatewayKeyVaultInaccessibleKeyvault',
      fix: `An administrator assigns ${identity.name} ${roleWords} on ${vault.name}: ${adminGrantCommand(vault, identity, roles)} — then send provision again.`,
    };
  }
  const policy = vault.accessPolicies.find((p) => p.objectId.toLowerCase() === identity.principalId.toLowerCase() && (!p.tenantId || !vault.tenantId || p.tenantId.toLowerCase() === vault.tenantId.toLowerCase()));
  const certificates = GATEWAY_POLICY_NEEDS.certificates.filter((p) => !hasPermission(policy?.certificates ?? [], p));
  const secrets = GATEWAY_POLICY_NEEDS.secrets.filter((p) => !hasPermission(policy?.secrets ?? [], p));
  if (certificates.length === 0 && secrets.length === 0) {
    return { status: 'passed', detail: `${identity.name} reads certificates and their secrets in ${vault.name}: its access policy has get on certificates (${policy!.certificates.join(', ')}) and secrets (${policy!.secrets.join(', ')})` };
  }
  const lacking = `${who} ${policy ? `has an access policy in ${vault.name} without get on ${[...(certificates.length ? ['certificates'] : []), ...(secrets.length ? ['secrets'] : [])].join(' and ')}` : `has no access policy in ${vault.name}`} (access-policy vault)`;
  // Grant only what it lacks of get/list, so Remove takes away exactly that.
  const grantCertificates = GATEWAY_POLICY_GRANT.certificates.filter((p) => !hasPermission(policy?.certificates ?? [], p));
  const grantSecrets = GATEWAY_POLICY_GRANT.secrets.filter((p) => !hasPermission(policy?.secrets ?? [], p));
  const words = `${grantCertificates.length ? `${grantCertificates.join(' and ')} on certificates` : ''}${grantCertificates.length && grantSecrets.length ? ', ' : ''}${grantSecrets.length ? `${grantSecrets.join(' and ')} on secrets` : ''}`;
  if (input.callerPermissions && allowsAction(input.callerPermissions, GRANT_ACTIONS.accessPolicies)) {
    return {
      status: 'fixed',
      detail: `${lacking}: the plan adds an access policy for ${identity.name} in ${vault.name}: ${words}`,
      grant: { model: 'accessPolicies', vaultId: vault.id, vaultName: vault.name, principalId: identity.principalId, identityName: identity.name, tenantId: vault.tenantId, certificates: grantCertificates, secrets: grantSecrets },
    };
  }
  return {
    status: 'blocking',
    detail: `${lacking}: Azure would answer VpnGatewayKeyVaultInaccessibleKeyvault and the gateway could not present its certificate. The bot may not change ${vault.name}'s access policies (no ${GRANT_ACTIONS.accessPolicies} there).`,
    code: 'VpnGatewayKeyVaultInaccessibleKeyvault',
    fix: `An administrator gives ${identity.name} get and list on certificates and secrets in ${vault.name}: ${adminGrantCommand(vault, identity)} — then send provision again.`,
  };
}

/** The plan step's title for a grant. */
export function grantTitle(grant: VaultGrant): string {
  return grant.model === 'rbac' ? `grant ${grant.identityName} ${grant.roles.map((r) => r.name).join(' + ')} on ${grant.vaultName}` : `grant ${grant.identityName} an access policy in ${grant.vaultName} (${grant.certificates.length ? `certificates ${grant.certificates.join(', ')}` : ''}${grant.certificates.length && grant.secrets.length ? '; ' : ''}${grant.secrets.length ? `secrets ${grant.secrets.join(', ')}` : ''})`;
}

/**
 * The name of a role assignment a provisioning makes: a GUID derived from the provisioning id and the role, so a re-run
 * makes the same one and Remove finds exactly it. `hash` is SHA-256 (the caller's, to keep this module pure).
 */
export function grantAssignmentName(provisionId: string, roleId: string, hash: (text: string) => string): string {
  const h = hash(`vpn-cert-ops/provision/${provisionId}/${roleId.toLowerCase()}`);
  // RFC 4122 layout, version 8 (custom), variant 10.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The description a provisioning writes on its role assignments (Azure shows it in the portal). */
export const grantDescription = (provisionId: string, site: string) => `VPN Cert Ops: provisioning ${provisionId} of ${site} (the gateway reads its outbound certificate); Remove deletes it`;

/** A grant as one plan-details string, and back (plan details are strings). */
export function encodeGrant(grant: VaultGrant): string {
  return JSON.stringify(grant);
}

export function decodeGrant(text: string | undefined): VaultGrant | undefined {
  if (!text) return undefined;
  const parsed = JSON.parse(text) as VaultGrant;
  return parsed.model === 'rbac' || parsed.model === 'accessPolicies' ? parsed : undefined;
}

/**
 * The grant as a tag value (Azure allows 256 characters): `rbac <vault> <role id>,...` or
 * `accessPolicies <vault> <object id> certificates=get,list secrets=get,list`. Remove reads it back from the
 * provisioning's local network gateway; the rest (the vault's id, the assignments) it reads from Azure.
 */
export function grantTag(grant: VaultGrant): string {
  return grant.model === 'rbac'
    ? `rbac ${grant.vaultName} ${grant.roles.map((r) => r.id).join(',')}`
    : `accessPolicies ${grant.vaultName} ${grant.principalId} certificates=${grant.certificates.join(',')} secrets=${grant.secrets.join(',')}`;
}

export type GrantTag = { readonly model: 'rbac'; readonly vaultName: string; readonly roleIds: readonly string[] } | { readonly model: 'accessPolicies'; readonly vaultName: string; readonly objectId: string; readonly certificates: readonly string[]; readonly secrets: readonly string[] };

export function parseGrantTag(tag: string | undefined): GrantTag | undefined {
  const parts = (tag ?? '').trim().split(/\s+/);
  const list = (prefix: string, text: string | undefined) => (text?.startsWith(`${prefix}=`) ? text.slice(prefix.length + 1).split(',').filter(Boolean) : undefined);
  if (parts[0] === 'rbac' && parts.length === 3) return { model: 'rbac', vaultName: parts[1]!, roleIds: parts[2]!.split(',').filter(Boolean) };
  if (parts[0] === 'accessPolicies' && parts.length === 5) {
    const certificates = list('certificates', parts[3]);
    const secrets = list('secrets', parts[4]);
    if (certificates && secrets) return { model: 'accessPolicies', vaultName: parts[1]!, objectId: parts[2]!, certificates, secrets };
  }
  return undefined;
}

/** The built-in role name of an id the plan assigns (for words), else the id. */
export const roleNameOf = (id: string) => Object.values(KEY_VAULT_ROLES).find((r) => r.id === id.toLowerCase())?.name ?? id;
