import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPorts } from '../../activities/activity-ports';
import { provisionSiteChange } from '../../activities/changes/provision-site-change';
import { applyVaultGrant, grantToRemove, planVaultAccess, removeVaultGrant, waitingForGrant } from '../../activities/changes/provision-vault-access';
import { removeSiteChange } from '../../activities/changes/remove-site-change';
import type { ProvisionSiteRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import { isUserError } from '../../core/errors/user-error';
import { encodeGrant, grantTag } from '../../core/provision/vault-access';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { startTestSimulator } from '../local/simulator/simulator-fixture';
import { recordAppAzureCalls } from '../support/azure-call-log';
import { simulatorPorts } from './simulator-ports';

/**
 * The provisioning's Key Vault access check, grant and removal against the simulator (the real adapters, ARM's
 * Microsoft.KeyVault and Microsoft.Authorization as the simulator serves them, Key Vault's data plane honouring grants
 * after their propagation delay). vpngw-noaccess's identity has no access to kv-vpn-certs (an access-policy vault);
 * kv-vpn-ca is an Azure RBAC vault.
 */
let sim: AzureSimulator;
let ports: ActivityPorts;
const noAccessPid = sandboxNames.noAccessIdentityPrincipalId;

function makePorts(s: AzureSimulator): ActivityPorts {
  return simulatorPorts(s).ports;
}

beforeAll(async () => {
  sim = await startTestSimulator({ logIngestionDelayMs: 0 });
  ports = makePorts(sim);
});
afterAll(async () => {
  // The grants (access policy, role assignments) and their removal are the app's calls too: least privilege must grant them.
  if (sim) recordAppAzureCalls(sim, expect.getState().testPath ?? 'provision vault access');
  await sim?.close();
});

const vault = (name: string) => sim.estateInfo.vaults.find((v) => v.name === name)!;
const gatewayId = (name: string) => sim.estateInfo.gateways.find((g) => g.name === name)!.id;
const romeChain = () => (sim.devices.atIp('203.0.113.50')?.chain ?? []).map((c) => Buffer.from(c.der).toString('base64'));
const rome = (gateway: string): ProvisionSiteRequest => ({ kind: 'provision-site', site: 'site-rome', ip: '203.0.113.50', prefixes: ['10.50.0.0/16'], subject: 'CN=rome-vpn.contoso.example', chain: romeChain(), policy: 'default', outbound: { kind: 'ca' }, gateway });
const gatewayReads = (vaultName: string, principalId: string) => sim.vaults.isAllowed(vaultName, principalId, 'certificates/get') && sim.vaults.isAllowed(vaultName, principalId, 'secrets/get');

async function planError(request: ProvisionSiteRequest) {
  try {
    await provisionSiteChange.plan(request, ports);
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('the plan did not block');
}

describe('access-policy vault (kv-vpn-certs)', () => {
  it('vpngw-hub: its identity has get on certificates and secrets: passed, naming the access policy', async () => {
    const plan = (await provisionSiteChange.plan(rome('vpngw-hub'), ports)) as ChangePlan;
    expect(plan.notes!.find((n) => /Preflight/.test(n.label))!.text).toMatch(/✓ passed: vault access: id-vpngw-kv reads certificates and their secrets in kv-vpn-certs: its access policy has get on certificates/);
    expect(plan.steps!.map((s) => s.title).join('; ')).not.toMatch(/grant/);
  });

  it('vpngw-noaccess, the bot may not change access policies: blocking, with the exact az command for an administrator', async () => {
    const error = await planError(rome('vpngw-noaccess'));
    expect(error.code).toBe('VpnGatewayKeyVaultInaccessibleKeyvault');
    expect(error.findings).toMatch(/✗ blocking: vault access: id-vpngw-noaccess \(object id 7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e\) has no access policy in kv-vpn-certs/);
    expect(error.hint).toContain(`az keyvault set-policy --name kv-vpn-certs --object-id ${noAccessPid} --certificate-permissions get list --secret-permissions get list`);
  });

  it('a new gateway whose identity does have access (no site on it yet) passes: the check asks Azure, not the other sites', async () => {
    sim.vaults.setAccessPolicy(sandboxNames.keyVault, { objectId: noAccessPid, certificates: ['get'], secrets: ['get'], keys: [] });
    try {
      const plan = (await provisionSiteChange.plan(rome('vpngw-noaccess'), ports)) as ChangePlan;
      expect(plan.notes!.find((n) => /Preflight/.test(n.label))!.text).toMatch(/✓ passed: vault access: id-vpngw-noaccess reads certificates and their secrets in kv-vpn-certs/);
    } finally {
      sim.vaults.removeAccessPolicy(sandboxNames.keyVault, noAccessPid);
    }
  });

  it('the bot may write access policies: the plan grants before the connection; the gateway then reads its certificate; Remove takes exactly that away', { timeout: 60_000 }, async () => {
    sim.grantRole(sim.estateInfo.principals.bot!.objectId, 'Key Vault Contributor', vault(sandboxNames.keyVault).id);
    // Something the identity had before the provisioning stays after Remove.
    sim.vaults.setAccessPolicy(sandboxNames.keyVault, { objectId: noAccessPid, certificates: ['list'], secrets: [], keys: [] });
    try {
      const plan = (await provisionSiteChange.plan(rome('vpngw-noaccess'), ports)) as ChangePlan;
      const preflight = plan.notes!.find((n) => /Preflight/.test(n.label))!.text;
      expect(preflight).toMatch(/↻ fixed by the plan: vault access: .* the plan adds an access policy for id-vpngw-noaccess in kv-vpn-certs: get on certificates, get and list on secrets/);
      const titles = plan.steps!.map((s) => s.title);
      expect(titles).toEqual(['create local network gateway lng-site-rome', 'grant id-vpngw-noaccess an access policy in kv-vpn-certs (certificates get; secrets get, list)', 'issue outbound-site-rome from the vault CA', 'create connection cn-site-rome']);
      expect(plan.changes.map((c) => c.field)).toContain('Key Vault access for id-vpngw-noaccess (2, about 5 s; Key Vault honours it within about 10 min, the connection waits for it)');
      expect(gatewayReads(sandboxNames.keyVault, noAccessPid)).toBe(false);

      const applyStarted = sim.clock.now();
      const applied = await provisionSiteChange.apply(plan, ports);
      expect(applied).toMatch(/added to id-vpngw-noaccess's access policy in kv-vpn-certs: certificates get; secrets get, list/);
      expect(applied).toMatch(/created connection cn-site-rome/);
      await sim.advance(120_000);
      expect(gatewayReads(sandboxNames.keyVault, noAccessPid)).toBe(true);
      expect(sim.resources.connections.get(plan.target.connectionId)?.provisioningState).toBe('Succeeded');
      // The device comes up on vpngw-noaccess: the gateway presents the certificate it now may read.
      expect(await provisionSiteChange.verify(plan, ports, applyStarted)).toMatchObject({ ok: true });
      // Applying again finds everything made (the access policy add merges: nothing changes).
      expect(await provisionSiteChange.apply(plan, ports, 1)).toMatch(/added to id-vpngw-noaccess's access policy/);

      const removal = (await removeSiteChange.plan({ kind: 'remove-site', site: 'site-rome' }, ports)) as ChangePlan;
      expect(removal.changes).toContainEqual(expect.objectContaining({ resource: 'kv-vpn-certs', field: `access policy of object ${noAccessPid}`, after: 'certificates get, secrets get, secrets list removed' }));
      expect(await removeSiteChange.apply(removal, ports)).toMatch(/removed certificates get, secrets get, secrets list from the access policy in kv-vpn-certs/);
      expect(await removeSiteChange.verify(removal, ports, sim.clock.now())).toMatchObject({ ok: true });
      const left = sim.vaults.listVaults().find((v) => v.name === sandboxNames.keyVault)!.accessPolicies.find((p) => p.objectId === noAccessPid);
      expect(left).toMatchObject({ certificates: ['list'], secrets: [] });
      expect(gatewayReads(sandboxNames.keyVault, noAccessPid)).toBe(false);
      // Other identities' access is untouched.
      expect(gatewayReads(sandboxNames.keyVault, sandboxNames.identityPrincipalId)).toBe(true);
    } finally {
      sim.rbac.revoke(sim.estateInfo.principals.bot!.objectId, 'Key Vault Contributor');
      sim.vaults.removeAccessPolicy(sandboxNames.keyVault, noAccessPid);
    }
  });
});

describe('the sandbox estate expresses both cases', () => {
  it('as seeded, vpngw-noaccess is blocked; with vaultAccessGrants (ALLOW_VAULT_ACCESS_GRANTS) the plan grants it', async () => {
    const granting = await startTestSimulator({ logIngestionDelayMs: 0, sandboxEstate: { vaultAccessGrants: true } });
    try {
      const p = makePorts(granting);
      const chain = (granting.devices.atIp('203.0.113.50')?.chain ?? []).map((c) => Buffer.from(c.der).toString('base64'));
      const plan = (await provisionSiteChange.plan({ ...rome('vpngw-noaccess'), chain }, p)) as ChangePlan;
      expect(plan.steps!.map((s) => s.title)).toContain('grant id-vpngw-noaccess an access policy in kv-vpn-certs (certificates get, list; secrets get, list)');
      expect((await planError(rome('vpngw-noaccess'))).code).toBe('VpnGatewayKeyVaultInaccessibleKeyvault');
    } finally {
      await granting.close();
    }
  });
});

describe('Azure RBAC vault (kv-vpn-ca)', () => {
  const gateway = async () => ports.network.getGateway(gatewayId(sandboxNames.noAccessGateway));
  const identity = async () => (await gateway()).identity!.userAssignedIdentities[0]!;
  const check = async () => planVaultAccess(ports, { gateway: await gateway(), identity: await identity(), vaultUrl: vault(sandboxNames.caVault).url, vaultName: sandboxNames.caVault });

  it('no role: blocking with both az role assignment lines when the bot may not assign roles', async () => {
    const { check: c, grant } = await check();
    expect(grant).toBeUndefined();
    expect(c).toMatchObject({ status: 'blocking', code: 'VpnGatewayKeyVaultInaccessibleKeyvault' });
    expect(c.fix).toContain(`az role assignment create --assignee-object-id ${noAccessPid} --assignee-principal-type ServicePrincipal --role "Key Vault Certificate User" --scope ${vault(sandboxNames.caVault).id}`);
    expect(c.fix).toContain('--role "Key Vault Secrets User"');
  });

  it("an identity Azure gives no object id for is not guessed at: blocking, saying so", async () => {
    const { check: c } = await planVaultAccess(ports, { gateway: await gateway(), identity: { id: (await identity()).id }, vaultUrl: vault(sandboxNames.caVault).url, vaultName: sandboxNames.caVault });
    expect(c).toMatchObject({ status: 'blocking', code: 'IdentityPrincipalUnknown' });
  });

  it('a role inherited from the resource group counts', async () => {
    const rgScope = `/subscriptions/${sim.estateInfo.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}`;
    sim.grantRole(noAccessPid, 'Key Vault Certificate User', rgScope);
    try {
      expect((await check()).check).toMatchObject({ status: 'passed', detail: expect.stringMatching(/Key Vault Certificate User inherited from resource group rg-hub-network/) });
    } finally {
      sim.rbac.revoke(noAccessPid, 'Key Vault Certificate User', rgScope);
    }
  });

  it('the bot may assign roles: fixed; the grant makes both assignments (named from the provisioning), Key Vault honours them after propagation, Remove deletes only those', async () => {
    const bot = sim.estateInfo.principals.bot!.objectId;
    const caVaultId = vault(sandboxNames.caVault).id;
    sim.grantRole(bot, 'Role Based Access Control Administrator', caVaultId);
    // Someone else's assignment for the identity on the same vault, which Remove must leave.
    sim.grantRole(noAccessPid, 'Key Vault Crypto User', caVaultId);
    try {
      const { check: c, grant } = await check();
      expect(c).toMatchObject({ status: 'fixed', detail: expect.stringMatching(/the plan assigns id-vpngw-noaccess Key Vault Certificate User \+ Key Vault Secrets User on kv-vpn-ca/) });
      const details = { vaultGrant: encodeGrant(grant!), provisionId: 'p0123456789abcde' };
      expect(await applyVaultGrant(ports, details, 'site-x')).toMatch(/assigned Key Vault Certificate User, assigned Key Vault Secrets User/);
      expect(await applyVaultGrant(ports, details, 'site-x')).toMatch(/Key Vault Certificate User already assigned, Key Vault Secrets User already assigned/);
      const made = sim.rbac.list(noAccessPid).filter((a) => a.scope.toLowerCase() === caVaultId.toLowerCase());
      expect(made.map((a) => a.role).sort()).toEqual(['Key Vault Certificate User', 'Key Vault Crypto User', 'Key Vault Secrets User']);
      expect(made.find((a) => a.role === 'Key Vault Secrets User')!.description).toMatch(/provisioning p0123456789abcde of site-x/);
      // Propagation: not yet, then yes.
      expect(gatewayReads(sandboxNames.caVault, noAccessPid)).toBe(false);
      await sim.advance(61_000);
      expect(gatewayReads(sandboxNames.caVault, noAccessPid)).toBe(true);
      expect((await check()).check.status).toBe('passed');

      const removal = await grantToRemove(ports, grantTag(grant!), 'p0123456789abcde');
      expect(removal.rows).toEqual([expect.objectContaining({ resource: 'kv-vpn-ca', before: `Key Vault Certificate User + Key Vault Secrets User for object ${noAccessPid}`, after: 'deleted' })]);
      // Another provisioning's id finds nothing to remove.
      expect((await grantToRemove(ports, grantTag(grant!), 'another')).rows).toEqual([]);
      await removeVaultGrant(ports, removal.encoded, 'p0123456789abcde');
      expect(sim.rbac.list(noAccessPid).filter((a) => a.scope.toLowerCase() === caVaultId.toLowerCase()).map((a) => a.role)).toEqual(['Key Vault Crypto User']);
    } finally {
      sim.rbac.revoke(bot, 'Role Based Access Control Administrator');
      sim.rbac.revoke(noAccessPid);
    }
  });
});

describe('the connection after a fresh grant', () => {
  it('Azure refuses while Key Vault does not honour the grant yet (VpnGatewayKeyVaultInaccessibleKeyvault): created again until it does', { timeout: 60_000 }, async () => {
    const slow = await startTestSimulator({ logIngestionDelayMs: 0, keyVaultAccessPropagationMs: 5 * 60_000 });
    try {
      const p = makePorts(slow);
      const ids = { gateway: slow.estateInfo.gateways.find((g) => g.name === sandboxNames.noAccessGateway)!.id };
      const rg = ids.gateway.replace(/\/providers\/.*$/, '');
      const lngId = `${rg}/providers/Microsoft.Network/localNetworkGateways/lng-x`;
      await p.network.upsertLocalNetworkGateway({ id: lngId, location: slow.estateInfo.location, gatewayIpAddress: '203.0.113.50', addressPrefixes: ['10.50.0.0/16'] });
      slow.vaults.setAccessPolicy(sandboxNames.keyVault, { objectId: noAccessPid, certificates: ['get'], secrets: ['get'], keys: [] });
      const outbound = slow.vaults.certificateIdFor(sandboxNames.keyVault, 'outbound-site-rome');
      const create = () => p.network.upsertCertificateConnection({ id: `${rg}/providers/Microsoft.Network/connections/cn-x`, location: slow.estateInfo.location, gatewayId: ids.gateway, localNetworkGatewayId: lngId, certificate: { outboundCertificateUrl: outbound, inboundSubjectName: 'CN=rome-vpn.contoso.example', inboundChain: (slow.devices.atIp('203.0.113.50')?.chain ?? []).map((c) => Buffer.from(c.der).toString('base64')) } });
      const waits: number[] = [];
      const made = await waitingForGrant(p, { vaultGrant: 'granted' }, create, async (ms) => {
        waits.push(ms);
        await slow.advance(ms);
      });
      expect(made.provisioningState).toBe('Succeeded');
      expect(waits.length).toBeGreaterThan(0);
      // Without a grant in the plan, the same refusal is not waited out.
      slow.vaults.removeAccessPolicy(sandboxNames.keyVault, noAccessPid);
      slow.vaults.setAccessPolicy(sandboxNames.keyVault, { objectId: noAccessPid, certificates: ['get'], secrets: ['get'], keys: [] });
      await expect(waitingForGrant(p, {}, create, async () => expect.fail('no wait without a grant'))).rejects.toMatchObject({ azureCode: 'VpnGatewayKeyVaultInaccessibleKeyvault' });
    } finally {
      await slow.close();
    }
  });
});
