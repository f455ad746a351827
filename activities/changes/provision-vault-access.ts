import { createHash } from 'node:crypto';
import { isAzureError } from '../../adapters/azure/azure-error';
import type { GatewayInfo } from '../../adapters/azure/network';
import type { PreflightCheck } from '../../core/provision/preflight';
import { decideVaultAccess, decodeGrant, encodeGrant, grantAssignmentName, grantDescription, parseGrantTag, roleNameOf, type VaultGrant } from '../../core/provision/vault-access';
import type { ActivityPorts } from '../activity-ports';

/**
 * The provisioning's Key Vault access: the preflight check (does the gateway's identity read the outbound certificate's
 * vault, as Azure's role assignments or access policies say; if not, may the bot grant it), the apply step that grants
 * it (before the connection is created), and what Remove takes away again (exactly that grant). The decision is pure:
 * core/provision/vault-access.ts; the reads and writes: adapters/azure/vault-access.ts.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

/** How long Azure may take until Key Vault honours a new grant (Microsoft: up to about 10 minutes). */
export const GRANT_PROPAGATION_MS = 10 * 60_000;
/** How long the connection step waits before trying again while the vault still refuses a fresh grant. */
export const GRANT_RETRY_MS = 20_000;

/** Where a provisioning's grant is remembered for Remove: a tag on its local network gateway. */
export const GRANT_TAG = 'provisioned-grant';

/** The vault-access check and, when the plan fixes it, the grant. */
export async function planVaultAccess(
  ports: ActivityPorts,
  input: { readonly gateway: GatewayInfo; readonly identity: { readonly id: string; readonly principalId?: string } | undefined; readonly vaultUrl: string; readonly vaultName: string },
): Promise<{ readonly check: Omit<PreflightCheck, 'check'>; readonly grant?: VaultGrant }> {
  const { gateway, vaultName } = input;
  if (!input.identity) {
    return { check: { status: 'blocking', detail: `${gateway.name} has no identity to read Key Vault ${vaultName} with.`, code: 'ManagedIdentityMissingAtGatewayLevel', fix: `Attach a user-assigned identity with Key Vault Certificate User and Key Vault Secrets User on ${vaultName} to ${gateway.name}.` } };
  }
  const identityName = lastSegment(input.identity.id);
  // Azure puts the identity's object id in the gateway's identity map (userAssignedIdentities[id].principalId).
  const principalId = input.identity.principalId;
  if (!principalId) {
    return { check: { status: 'blocking', detail: `Azure did not say which object id ${identityName} (${gateway.name}'s identity) has, so its access to Key Vault ${vaultName} cannot be checked.`, code: 'IdentityPrincipalUnknown', fix: `Check that ${identityName} still exists, then send provision again.` } };
  }
  const subscriptions = [...ports.scopes.map((s) => s.subscriptionId), /^\/subscriptions\/([^/]+)/i.exec(gateway.id)?.[1] ?? ''].filter(Boolean);
  const vault = await ports.vaultAccess.findVault(input.vaultUrl, subscriptions);
  if (!vault) {
    return {
      check: {
        status: 'blocking',
        detail: `the bot cannot see Key Vault ${vaultName} in the scope's subscriptions, so it cannot tell whether ${identityName} (${gateway.name}'s identity) may read the outbound certificate.`,
        code: 'KeyVaultNotVisible',
        fix: `Give the bot read on ${vaultName} (the deployment's certificateVaultIds, infra/README.md), or keep the vault in a subscription of the scope; then send provision again.`,
      },
    };
  }
  let assignments: Awaited<ReturnType<ActivityPorts['vaultAccess']['listAssignmentsAt']>> = [];
  if (vault.enableRbacAuthorization) {
    try {
      assignments = await ports.vaultAccess.listAssignmentsAt(vault.id, principalId);
    } catch (error) {
      if (isAzureError(error) && error.kind === 'Forbidden') {
        return { check: { status: 'blocking', detail: `the bot may not read the role assignments on ${vault.name}, so it cannot tell whether ${identityName} may read the outbound certificate.`, code: 'AuthorizationFailed', fix: `Give the bot Microsoft.Authorization/roleAssignments/read and roleDefinitions/read on ${vault.name} (infra/README.md); then send provision again.` } };
      }
      throw error;
    }
  }
  // The bot's own permissions decide whether it may grant; not readable means it does not offer to.
  const callerPermissions = await ports.vaultAccess.callerPermissions(vault.id).catch((error: unknown) => {
    if (isAzureError(error) && error.kind === 'Forbidden') return undefined;
    throw error;
  });
  const decision = decideVaultAccess({ vault, identity: { name: identityName, principalId }, assignments, callerPermissions });
  if (decision.status === 'fixed') return { check: { status: 'fixed', detail: decision.detail }, grant: decision.grant };
  return { check: decision };
}

/** The apply step: makes the grant (idempotent: a re-run finds it made). */
export async function applyVaultGrant(ports: ActivityPorts, details: { readonly vaultGrant?: string; readonly provisionId?: string }, site: string): Promise<string> {
  const grant = decodeGrant(details.vaultGrant);
  if (!grant) return 'no Key Vault access to grant';
  const provisionId = details.provisionId ?? '';
  if (grant.model === 'rbac') {
    const done: string[] = [];
    for (const role of grant.roles) {
      const name = grantAssignmentName(provisionId, role.id, sha256);
      const existing = await ports.vaultAccess.getRoleAssignment(grant.vaultId, name);
      if (existing) {
        done.push(`${role.name} already assigned`);
        continue;
      }
      try {
        await ports.vaultAccess.assignRole({ scope: grant.vaultId, name, roleId: role.id, principalId: grant.principalId, description: grantDescription(provisionId, site) });
        done.push(`assigned ${role.name}`);
      } catch (error) {
        // Someone assigned the same role meanwhile: the identity has it; it is not ours to remove later.
        if (isAzureError(error) && error.azureCode === 'RoleAssignmentExists') done.push(`${role.name} was assigned meanwhile (not by this provisioning)`);
        else throw error;
      }
    }
    return `${grant.identityName} on ${grant.vaultName}: ${done.join(', ')} (Key Vault honours new roles within about 10 minutes)`;
  }
  await ports.vaultAccess.addAccessPolicy(grant.vaultId, { tenantId: grant.tenantId, objectId: grant.principalId, certificates: grant.certificates, secrets: grant.secrets });
  return `added to ${grant.identityName}'s access policy in ${grant.vaultName}: ${[grant.certificates.length ? `certificates ${grant.certificates.join(', ')}` : '', grant.secrets.length ? `secrets ${grant.secrets.join(', ')}` : ''].filter(Boolean).join('; ')}`;
}

/**
 * Runs the connection's creation; when the plan granted vault access and Azure answers that the vault refuses the
 * gateway (VpnGatewayKeyVaultInaccessibleKeyvault: the grant has not reached Key Vault yet), tries again every
 * GRANT_RETRY_MS until GRANT_PROPAGATION_MS have passed, instead of failing.
 */
export async function waitingForGrant<T>(ports: ActivityPorts, details: { readonly vaultGrant?: string }, create: () => Promise<T>, wait: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<T> {
  if (!details.vaultGrant) return create();
  const started = ports.now().getTime();
  for (;;) {
    try {
      return await create();
    } catch (error) {
      const refused = isAzureError(error) && error.azureCode === 'VpnGatewayKeyVaultInaccessibleKeyvault';
      if (!refused || ports.now().getTime() - started + GRANT_RETRY_MS > GRANT_PROPAGATION_MS) throw error;
      ports.log.info('provision: the vault does not honour the new grant yet; creating the connection again shortly', { retryInMs: GRANT_RETRY_MS });
      await wait(GRANT_RETRY_MS);
    }
  }
}

/**
 * What Remove takes away: the grant its provisioning made (the tag on its local network gateway), as far as it is
 * still there in Azure: the role assignments with the names derived from the provisioning id, or the access-policy
 * permissions the provisioning added. Nothing else of the identity's access is touched.
 */
export async function grantToRemove(ports: ActivityPorts, tagValue: string | undefined, provisionId: string): Promise<{ readonly rows: { resource: string; field: string; before: string; after: string }[]; readonly encoded: string }> {
  const tag = parseGrantTag(tagValue);
  if (!tag) return { rows: [], encoded: '' };
  const vault = await ports.vaultAccess.findVault(tag.vaultName, ports.scopes.map((s) => s.subscriptionId));
  if (!vault) return { rows: [], encoded: '' };
  if (tag.model === 'rbac') {
    const roles: { id: string; name: string }[] = [];
    let principalId = '';
    for (const id of tag.roleIds) {
      const found = await ports.vaultAccess.getRoleAssignment(vault.id, grantAssignmentName(provisionId, id, sha256));
      if (found) {
        roles.push({ id, name: roleNameOf(id) });
        principalId = found.principalId;
      }
    }
    if (roles.length === 0) return { rows: [], encoded: '' };
    const grant: VaultGrant = { model: 'rbac', vaultId: vault.id, vaultName: vault.name, principalId, identityName: principalId, roles };
    return { rows: [{ resource: vault.name, field: `role assignment${roles.length > 1 ? 's' : ''} made by provisioning ${provisionId}`, before: `${roles.map((r) => r.name).join(' + ')} for object ${principalId}`, after: 'deleted' }], encoded: encodeGrant(grant) };
  }
  const policy = vault.accessPolicies.find((p) => p.objectId.toLowerCase() === tag.objectId.toLowerCase());
  const has = (granted: readonly string[] | undefined, p: string) => (granted ?? []).some((g) => g.toLowerCase() === p.toLowerCase());
  const certificates = tag.certificates.filter((p) => has(policy?.certificates, p));
  const secrets = tag.secrets.filter((p) => has(policy?.secrets, p));
  if (certificates.length === 0 && secrets.length === 0) return { rows: [], encoded: '' };
  const grant: VaultGrant = { model: 'accessPolicies', vaultId: vault.id, vaultName: vault.name, principalId: tag.objectId, identityName: tag.objectId, tenantId: vault.tenantId, certificates, secrets };
  const words = [...certificates.map((p) => `certificates ${p}`), ...secrets.map((p) => `secrets ${p}`)].join(', ');
  return { rows: [{ resource: vault.name, field: `access policy of object ${tag.objectId}`, before: `has ${words} (added by provisioning ${provisionId})`, after: `${words} removed` }], encoded: encodeGrant(grant) };
}

/** Remove's apply: deletes the provisioning's role assignments (by their derived names) or its access-policy permissions. */
export async function removeVaultGrant(ports: ActivityPorts, encoded: string | undefined, provisionId: string): Promise<string[]> {
  const grant = decodeGrant(encoded);
  if (!grant) return [];
  if (grant.model === 'rbac') {
    const done: string[] = [];
    for (const role of grant.roles) {
      await ports.vaultAccess.deleteRoleAssignment(grant.vaultId, grantAssignmentName(provisionId, role.id, sha256));
      done.push(`deleted the ${role.name} assignment on ${grant.vaultName}`);
    }
    return done;
  }
  await ports.vaultAccess.removeAccessPolicy(grant.vaultId, { tenantId: grant.tenantId, objectId: grant.principalId, certificates: grant.certificates, secrets: grant.secrets });
  return [`removed ${[...grant.certificates.map((p) => `certificates ${p}`), ...grant.secrets.map((p) => `secrets ${p}`)].join(', ')} from the access policy in ${grant.vaultName}`];
}

/** Remove's verify: what of the grant is still there. */
export async function grantLeft(ports: ActivityPorts, encoded: string | undefined, provisionId: string): Promise<string[]> {
  const grant = decodeGrant(encoded);
  if (!grant) return [];
  if (grant.model === 'rbac') {
    const left: string[] = [];
    for (const role of grant.roles) if (await ports.vaultAccess.getRoleAssignment(grant.vaultId, grantAssignmentName(provisionId, role.id, sha256))) left.push(role.name);
    // One entry, as the plan has one row for the grant.
    return left.length > 0 ? [`${left.join(' + ')} assignment${left.length > 1 ? 's' : ''} on ${grant.vaultName}`] : [];
  }
  const vault = await ports.vaultAccess.findVault(grant.vaultName, ports.scopes.map((s) => s.subscriptionId));
  const policy = vault?.accessPolicies.find((p) => p.objectId.toLowerCase() === grant.principalId.toLowerCase());
  const has = (granted: readonly string[] | undefined, p: string) => (granted ?? []).some((g) => g.toLowerCase() === p.toLowerCase());
  const left = [...grant.certificates.filter((p) => has(policy?.certificates, p)).map((p) => `certificates ${p}`), ...grant.secrets.filter((p) => has(policy?.secrets, p)).map((p) => `secrets ${p}`)];
  return left.length > 0 ? [`${left.join(', ')} in the access policy in ${grant.vaultName}`] : [];
}
