import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { actionMatches, allowsAction, decideVaultAccess, grantAssignmentName, grantTag, parseGrantTag, type AssignmentFacts, type VaultFacts } from '../../../core/provision/vault-access';

const sub = '/subscriptions/11111111-2222-4333-8444-555555555555';
const rg = `${sub}/resourceGroups/rg-certs`;
const vaultId = `${rg}/providers/Microsoft.KeyVault/vaults/kv-certs`;
const pid = '7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e';
const identity = { name: 'id-gw', principalId: pid };
const rbacVault: VaultFacts = { id: vaultId, name: 'kv-certs', tenantId: 't', enableRbacAuthorization: true, accessPolicies: [] };
const policyVault = (policies: VaultFacts['accessPolicies']): VaultFacts => ({ ...rbacVault, enableRbacAuthorization: false, accessPolicies: policies });

const assignment = (roleName: string, dataActions: string[], scope = vaultId, extra: Partial<AssignmentFacts> = {}): AssignmentFacts => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
  name: 'x',
  scope,
  principalId: pid,
  roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/r`,
  roleName,
  permissions: [{ dataActions, notDataActions: [] }],
  ...extra,
});
const certificateUser = ['Microsoft.KeyVault/vaults/certificates/read', 'Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action', 'Microsoft.KeyVault/vaults/keys/read'];
const secretsUser = ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'];
const reader = [{ actions: ['*/read'], notActions: [] }];
const owner = [{ actions: ['*'], notActions: [] }];
const contributor = [{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'] }];

describe('Azure action patterns', () => {
  it('wildcards match any run of characters, case-insensitively; notActions take away', () => {
    expect(actionMatches('Microsoft.KeyVault/vaults/*', 'Microsoft.KeyVault/vaults/certificates/read')).toBe(true);
    expect(actionMatches('*/read', 'Microsoft.KeyVault/vaults/read')).toBe(true);
    expect(actionMatches('*/read', 'Microsoft.KeyVault/vaults/accessPolicies/write')).toBe(false);
    expect(actionMatches('microsoft.keyvault/*', 'Microsoft.KeyVault/vaults/accessPolicies/write')).toBe(true);
    expect(allowsAction(owner, 'Microsoft.Authorization/roleAssignments/write')).toBe(true);
    // Contributor: * minus Microsoft.Authorization/*/Write.
    expect(allowsAction(contributor, 'Microsoft.Authorization/roleAssignments/write')).toBe(false);
    expect(allowsAction(contributor, 'Microsoft.KeyVault/vaults/accessPolicies/write')).toBe(true);
    // A notAction of one role does not take away what another role grants.
    expect(allowsAction([...contributor, { actions: ['Microsoft.Authorization/roleAssignments/*'], notActions: [] }], 'Microsoft.Authorization/roleAssignments/write')).toBe(true);
  });
});

describe('RBAC vault', () => {
  it('Key Vault Certificate User on the vault is enough (certificates/read and getSecret)', () => {
    const d = decideVaultAccess({ vault: rbacVault, identity, assignments: [assignment('Key Vault Certificate User', certificateUser)], callerPermissions: reader });
    expect(d).toMatchObject({ status: 'passed', detail: expect.stringMatching(/Key Vault Certificate User on the vault/) });
  });

  it('inherited from the resource group or subscription counts, and is named so', () => {
    const d = decideVaultAccess({ vault: rbacVault, identity, assignments: [assignment('Key Vault Administrator', ['Microsoft.KeyVault/vaults/*'], rg)], callerPermissions: reader });
    expect(d).toMatchObject({ status: 'passed', detail: expect.stringMatching(/Key Vault Administrator inherited from resource group rg-certs/) });
    const s = decideVaultAccess({ vault: rbacVault, identity, assignments: [assignment('Key Vault Certificates Officer', ['Microsoft.KeyVault/vaults/certificates/*'], sub), assignment('Key Vault Secrets Officer', ['Microsoft.KeyVault/vaults/secrets/*'], sub)], callerPermissions: reader });
    expect(s).toMatchObject({ status: 'passed', detail: expect.stringMatching(/inherited from subscription/) });
  });

  it('Secrets User alone lacks certificates/read; a conditional assignment, another principal or a scope below the vault do not count', () => {
    const secretsOnly = decideVaultAccess({ vault: rbacVault, identity, assignments: [assignment('Key Vault Secrets User', secretsUser)], callerPermissions: reader });
    expect(secretsOnly).toMatchObject({ status: 'blocking', code: 'VpnGatewayKeyVaultInaccessibleKeyvault', detail: expect.stringMatching(/certificates\/read/) });
    expect(secretsOnly.status === 'blocking' && secretsOnly.fix).toMatch(/--role "Key Vault Certificate User" --scope \/subscriptions\/.*kv-certs/);
    expect(secretsOnly.status === 'blocking' && secretsOnly.fix).not.toMatch(/Secrets User/);
    for (const a of [
      assignment('Key Vault Certificate User', certificateUser, vaultId, { condition: "@Resource[...] StringEquals 'x'" }),
      assignment('Key Vault Certificate User', certificateUser, vaultId, { principalId: '00000000-0000-4000-8000-000000000000' }),
      assignment('Key Vault Certificate User', certificateUser, `${vaultId}/secrets/other`),
    ]) {
      expect(decideVaultAccess({ vault: rbacVault, identity, assignments: [a], callerPermissions: reader }).status).toBe('blocking');
    }
  });

  it('a notDataAction of the role takes the data action away', () => {
    const a = { ...assignment('custom', ['Microsoft.KeyVault/vaults/*']), permissions: [{ dataActions: ['Microsoft.KeyVault/vaults/*'], notDataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'] }] };
    expect(decideVaultAccess({ vault: rbacVault, identity, assignments: [a], callerPermissions: reader }).status).toBe('blocking');
  });

  it('no access: blocking with both roles and the az lines when the bot may not assign roles; fixed by the plan when it may', () => {
    const blocked = decideVaultAccess({ vault: rbacVault, identity, assignments: [], callerPermissions: contributor });
    expect(blocked.status).toBe('blocking');
    if (blocked.status !== 'blocking') return;
    expect(blocked.fix).toContain(`az role assignment create --assignee-object-id ${pid} --assignee-principal-type ServicePrincipal --role "Key Vault Certificate User" --scope ${vaultId}`);
    expect(blocked.fix).toContain('--role "Key Vault Secrets User"');
    expect(blocked.detail).toMatch(/may not assign roles on kv-certs \(no Microsoft.Authorization\/roleAssignments\/write/);
    const fixed = decideVaultAccess({ vault: rbacVault, identity, assignments: [], callerPermissions: owner });
    expect(fixed).toMatchObject({ status: 'fixed', grant: { model: 'rbac', vaultId, principalId: pid, roles: [{ id: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba' }, { id: '4633458b-17de-408a-b874-0445c86b69e6' }] } });
    // Permissions unreadable: the bot does not offer to grant.
    expect(decideVaultAccess({ vault: rbacVault, identity, assignments: [], callerPermissions: undefined }).status).toBe('blocking');
  });
});

describe('access-policy vault', () => {
  it('get on certificates and secrets passes (also all); list alone does not', () => {
    expect(decideVaultAccess({ vault: policyVault([{ tenantId: 't', objectId: pid.toUpperCase(), certificates: ['Get', 'List'], secrets: ['get'] }]), identity, assignments: [], callerPermissions: reader }).status).toBe('passed');
    expect(decideVaultAccess({ vault: policyVault([{ tenantId: 't', objectId: pid, certificates: ['all'], secrets: ['all'] }]), identity, assignments: [], callerPermissions: reader }).status).toBe('passed');
    const listOnly = decideVaultAccess({ vault: policyVault([{ tenantId: 't', objectId: pid, certificates: ['list'], secrets: ['get'] }]), identity, assignments: [], callerPermissions: reader });
    expect(listOnly).toMatchObject({ status: 'blocking', detail: expect.stringMatching(/without get on certificates/) });
  });

  it('role assignments do not count in an access-policy vault', () => {
    expect(decideVaultAccess({ vault: policyVault([]), identity, assignments: [assignment('Key Vault Administrator', ['Microsoft.KeyVault/vaults/*'])], callerPermissions: reader }).status).toBe('blocking');
  });

  it('no policy: blocking with the az keyvault set-policy line, or fixed (adding only what is missing) when the bot may write access policies', () => {
    const blocked = decideVaultAccess({ vault: policyVault([]), identity, assignments: [], callerPermissions: reader });
    expect(blocked).toMatchObject({ status: 'blocking', fix: expect.stringContaining(`az keyvault set-policy --name kv-certs --object-id ${pid} --certificate-permissions get list --secret-permissions get list`) });
    const fixed = decideVaultAccess({ vault: policyVault([{ tenantId: 't', objectId: pid, certificates: ['list'], secrets: [] }]), identity, assignments: [], callerPermissions: [{ actions: ['Microsoft.KeyVault/*'], notActions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action'] }] });
    expect(fixed).toMatchObject({ status: 'fixed', grant: { model: 'accessPolicies', certificates: ['get'], secrets: ['get', 'list'] } });
  });
});

describe('the grant, remembered', () => {
  const hash = (t: string) => createHash('sha256').update(t).digest('hex');
  it('a role assignment name is a GUID derived from the provisioning and the role: the same on a re-run, another for another provisioning', () => {
    const a = grantAssignmentName('abc', 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', hash);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(grantAssignmentName('abc', 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', hash)).toBe(a);
    expect(grantAssignmentName('abd', 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', hash)).not.toBe(a);
    expect(grantAssignmentName('abc', '4633458b-17de-408a-b874-0445c86b69e6', hash)).not.toBe(a);
  });

  it('the tag fits Azure\'s 256 characters and reads back', () => {
    const rbac = grantTag({ model: 'rbac', vaultId, vaultName: 'kv-certs-with-a-long-nm', principalId: pid, identityName: 'id', roles: [{ id: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', name: 'a' }, { id: '4633458b-17de-408a-b874-0445c86b69e6', name: 'b' }] });
    const policy = grantTag({ model: 'accessPolicies', vaultId, vaultName: 'kv-certs-with-a-long-nm', principalId: pid, identityName: 'id', tenantId: 't', certificates: ['get', 'list'], secrets: ['get', 'list'] });
    expect(rbac.length).toBeLessThanOrEqual(256);
    expect(policy.length).toBeLessThanOrEqual(256);
    expect(parseGrantTag(rbac)).toEqual({ model: 'rbac', vaultName: 'kv-certs-with-a-long-nm', roleIds: ['db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', '4633458b-17de-408a-b874-0445c86b69e6'] });
    expect(parseGrantTag(policy)).toEqual({ model: 'accessPolicies', vaultName: 'kv-certs-with-a-long-nm', objectId: pid, certificates: ['get', 'list'], secrets: ['get', 'list'] });
    expect(parseGrantTag('something else')).toBeUndefined();
  });
});
