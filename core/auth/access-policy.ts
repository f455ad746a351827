import type { Role } from '../commands/command-spec';

/**
 * Who may do what. Built from settings (Entra object ids per role and a tenant allow-list) and evaluated only
 * against identity taken from the verified activity, never from data a card sent back.
 */
export interface AccessPolicy {
  readonly allowedTenantIds: ReadonlySet<string>;
  readonly members: Readonly<Record<Role, ReadonlySet<string>>>;
}

/** The caller as the verified Teams activity identifies them. */
export interface Caller {
  /** Entra object id (`from.aadObjectId`); absent for anonymous or non-Teams channels. */
  readonly aadObjectId?: string;
  /** Tenant of the conversation (`conversation.tenantId` / `channelData.tenant.id`). */
  readonly tenantId?: string;
  readonly displayName?: string;
}

export type AccessDecision =
  | { readonly allowed: true; readonly roles: readonly Role[] }
  | { readonly allowed: false; readonly roles: readonly Role[]; readonly reason: 'no-identity' | 'tenant-not-allowed' | 'missing-role'; readonly required: Role };

/**
 * Operators and approvers can also read: they act on what `status` and `diagnose` show them. Nothing else is
 * implied; in particular an operator is not an approver, so nobody approves their own change by having both.
 */
const IMPLIED: Readonly<Record<Role, readonly Role[]>> = { reader: [], operator: ['reader'], approver: ['reader'] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizeId(id: string): string {
  return id.trim().toLowerCase();
}

export function isGuid(id: string): boolean {
  return GUID.test(id.trim());
}

/** Roles the caller holds; none unless their tenant is allowed and they carry an object id listed in settings. */
export function rolesOf(caller: Caller, policy: AccessPolicy): Role[] {
  if (!caller.aadObjectId || !caller.tenantId) return [];
  if (!policy.allowedTenantIds.has(normalizeId(caller.tenantId))) return [];
  const id = normalizeId(caller.aadObjectId);
  return withImpliedRoles((['reader', 'operator', 'approver'] as const).filter((role) => policy.members[role].has(id)));
}

/** The roles that `assigned` grants, with the ones they imply, in a fixed order. */
export function withImpliedRoles(assigned: readonly Role[]): Role[] {
  const roles = new Set<Role>();
  for (const role of assigned) {
    roles.add(role);
    for (const implied of IMPLIED[role]) roles.add(implied);
  }
  return (['reader', 'operator', 'approver'] as const).filter((r) => roles.has(r));
}

export function authorize(caller: Caller, required: Role | 'anyone', policy: AccessPolicy): AccessDecision {
  const roles = rolesOf(caller, policy);
  if (required === 'anyone' || roles.includes(required)) return { allowed: true, roles };
  if (!caller.aadObjectId || !caller.tenantId) return { allowed: false, roles, reason: 'no-identity', required };
  if (!policy.allowedTenantIds.has(normalizeId(caller.tenantId))) return { allowed: false, roles, reason: 'tenant-not-allowed', required };
  return { allowed: false, roles, reason: 'missing-role', required };
}
