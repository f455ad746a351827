import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { rawRequest, startTestSimulator } from './simulator-fixture';

/** ARM's Microsoft.KeyVault vaults / access policies and Microsoft.Authorization as the simulator serves them. */
let sim: AzureSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(async () => {
  await sim?.close();
});

const kv = () => sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!;
const ca = () => sim.estateInfo.vaults.find((v) => v.name === sandboxNames.caVault)!;
const bot = () => sim.estateInfo.principals.bot!.objectId;
const pid = sandboxNames.noAccessIdentityPrincipalId;
const assignments = (scope: string, name?: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments${name ? `/${name}` : ''}?api-version=2022-04-01`;
const roleDef = (guid: string) => `/subscriptions/${sim.estateInfo.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const certificateUser = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';

describe('Microsoft.KeyVault/vaults', () => {
  it('lists the vaults with their permission model, access policies and vaultUri; someone without read gets AuthorizationFailed', async () => {
    const listed = await rawRequest(sim, 'GET', `/subscriptions/${sim.estateInfo.subscriptionId}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01`);
    expect(listed.status).toBe(200);
    const value = (listed.body as { value: { name: string; properties: { enableRbacAuthorization: boolean; vaultUri: string; accessPolicies: { objectId: string; permissions: { certificates: string[]; secrets: string[] } }[] } }[] }).value;
    const certs = value.find((v) => v.name === sandboxNames.keyVault)!;
    expect(certs.properties.enableRbacAuthorization).toBe(false);
    expect(certs.properties.vaultUri).toBe(`${kv().url}/`);
    expect(certs.properties.accessPolicies).toContainEqual(expect.objectContaining({ objectId: sandboxNames.identityPrincipalId, permissions: expect.objectContaining({ certificates: ['get', 'list'], secrets: ['get', 'list'] }) }));
    expect(value.find((v) => v.name === sandboxNames.caVault)!.properties.enableRbacAuthorization).toBe(true);
    const outsider = await rawRequest(sim, 'GET', `/subscriptions/${sim.estateInfo.subscriptionId}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01`, { principal: 'outsider' });
    expect(outsider.status).toBe(403);
    expect((outsider.body as { error: { code: string } }).error.code).toBe('AuthorizationFailed');
  });

  it('accessPolicies/add needs Microsoft.KeyVault/vaults/accessPolicies/write; Key Vault honours the new policy only after the propagation delay; remove takes exactly those permissions', async () => {
    const body = { properties: { accessPolicies: [{ tenantId: sim.tenantId, objectId: pid, permissions: { certificates: ['get'], secrets: ['get'] } }] } };
    const refused = await rawRequest(sim, 'PUT', `${kv().id}/accessPolicies/add?api-version=2023-07-01`, { body });
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'AuthorizationFailed', message: expect.stringContaining('Microsoft.KeyVault/vaults/accessPolicies/write') });
    sim.grantRole(bot(), 'Key Vault Contributor', kv().id);
    try {
      const added = await rawRequest(sim, 'PUT', `${kv().id}/accessPolicies/add?api-version=2023-07-01`, { body });
      expect(added.status).toBe(200);
      expect(sim.vaults.isAllowed(sandboxNames.keyVault, pid, 'secrets/get')).toBe(false);
      await sim.advance(60_000);
      expect(sim.vaults.isAllowed(sandboxNames.keyVault, pid, 'secrets/get')).toBe(true);
      const wrongTenant = await rawRequest(sim, 'PUT', `${kv().id}/accessPolicies/add?api-version=2023-07-01`, { body: { properties: { accessPolicies: [{ ...body.properties.accessPolicies[0], tenantId: '00000000-0000-4000-8000-000000000000' }] } } });
      expect(wrongTenant.status).toBe(400);
      expect((await rawRequest(sim, 'PUT', `${kv().id}/accessPolicies/remove?api-version=2023-07-01`, { body })).status).toBe(200);
      expect(sim.vaults.isAllowed(sandboxNames.keyVault, pid, 'secrets/get')).toBe(false);
    } finally {
      sim.rbac.revoke(bot(), 'Key Vault Contributor');
    }
  });
});

describe('Microsoft.Authorization', () => {
  it('role assignments at a vault: atScope() and assignedTo() give the principal\'s own and inherited ones only; an unknown filter is refused', async () => {
    const listed = await rawRequest(sim, 'GET', `${ca().id}/providers/Microsoft.Authorization/roleAssignments?$filter=${encodeURIComponent(`atScope() and assignedTo('${bot()}')`)}&api-version=2022-04-01`);
    expect(listed.status).toBe(200);
    const value = (listed.body as { value: { properties: { scope: string; principalId: string; roleDefinitionId: string } }[] }).value;
    expect(value.every((a) => a.properties.principalId === bot())).toBe(true);
    // On the vault (Key Vault Certificate User) and inherited from the subscription (Reader).
    expect(value.map((a) => a.properties.roleDefinitionId)).toEqual(expect.arrayContaining([roleDef(certificateUser), roleDef('acdd72a7-3385-48ef-bd42-f606fba81ae7')]));
    expect(value.some((a) => a.properties.scope === `/subscriptions/${sim.estateInfo.subscriptionId}`)).toBe(true);
    const bad = await rawRequest(sim, 'GET', `${ca().id}/providers/Microsoft.Authorization/roleAssignments?$filter=${encodeURIComponent("roleName eq 'x'")}&api-version=2022-04-01`);
    expect(bad.status).toBe(400);
  });

  it('a role definition carries its data actions', async () => {
    const got = await rawRequest(sim, 'GET', `${roleDef(certificateUser)}?api-version=2022-04-01`);
    expect(got.body).toMatchObject({ name: certificateUser, properties: { roleName: 'Key Vault Certificate User', permissions: [{ dataActions: expect.arrayContaining(['Microsoft.KeyVault/vaults/certificates/read', 'Microsoft.KeyVault/vaults/secrets/getSecret/action']) }] } });
    expect((await rawRequest(sim, 'GET', `${roleDef('00000000-0000-4000-8000-000000000000')}?api-version=2022-04-01`)).status).toBe(404);
  });

  it("the caller's permissions at a scope", async () => {
    const got = await rawRequest(sim, 'GET', `${kv().id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, { principal: 'reader' });
    expect(got.body).toEqual({ value: [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }] });
  });

  it('PUT needs roleAssignments/write; the same name again is the same assignment, the same role under another name is RoleAssignmentExists; DELETE, then 204 and 404', async () => {
    const name = '3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8';
    const body = { properties: { roleDefinitionId: roleDef(certificateUser), principalId: pid, principalType: 'ServicePrincipal', description: 'test' } };
    const refused = await rawRequest(sim, 'PUT', assignments(ca().id, name), { body });
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('AuthorizationFailed');
    sim.grantRole(bot(), 'Role Based Access Control Administrator', ca().id);
    try {
      expect((await rawRequest(sim, 'PUT', assignments(ca().id, 'not-a-guid'), { body })).status).toBe(400);
      const made = await rawRequest(sim, 'PUT', assignments(ca().id, name), { body });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name, properties: { scope: ca().id, principalId: pid, description: 'test' } });
      expect((await rawRequest(sim, 'PUT', assignments(ca().id, name), { body })).status).toBe(201);
      const other = await rawRequest(sim, 'PUT', assignments(ca().id, '4f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8'), { body });
      expect(other.status).toBe(409);
      expect((other.body as { error: { code: string } }).error.code).toBe('RoleAssignmentExists');
      // Key Vault honours it after the propagation delay.
      expect(sim.vaults.isAllowed(sandboxNames.caVault, pid, 'certificates/get')).toBe(false);
      await sim.advance(60_000);
      expect(sim.vaults.isAllowed(sandboxNames.caVault, pid, 'certificates/get')).toBe(true);
      expect((await rawRequest(sim, 'GET', assignments(ca().id, name))).status).toBe(200);
      expect((await rawRequest(sim, 'DELETE', assignments(ca().id, name))).status).toBe(200);
      expect((await rawRequest(sim, 'DELETE', assignments(ca().id, name))).status).toBe(204);
      const gone = await rawRequest(sim, 'GET', assignments(ca().id, name));
      expect(gone.status).toBe(404);
      expect((gone.body as { error: { code: string } }).error.code).toBe('RoleAssignmentNotFound');
      expect(sim.vaults.isAllowed(sandboxNames.caVault, pid, 'certificates/get')).toBe(false);
    } finally {
      sim.rbac.revoke(bot(), 'Role Based Access Control Administrator');
      sim.rbac.revoke(pid);
    }
  });
});
