/**
 * Who may do what in a simulated vault, in both of Key Vault's permission models: vault access policies (permission
 * names per object kind) and Azure RBAC (data actions of role assignments on the vault or above). Every REST
 * operation maps to one access-policy permission and one data action, as Microsoft's Key Vault RBAC guide lists them.
 * Grants take effect a propagation delay after they were made, as in Azure; revocations at once.
 */

export type PermissionKind = 'certificates' | 'secrets' | 'keys';

export interface KeyVaultOperation {
  readonly kind: PermissionKind;
  /** Access-policy permission name (`get`, `list`, `create`, ...). */
  readonly permission: string;
  /** The RBAC data action. */
  readonly dataAction: string;
}

const kv = 'Microsoft.KeyVault/vaults';
const op = (kind: PermissionKind, permission: string, dataAction: string): KeyVaultOperation => ({ kind, permission, dataAction: `${kv}/${dataAction}` });

/** The operations the simulated data plane authorises, by `<kind>/<permission>`. */
export const keyVaultOperations = {
  'certificates/get': op('certificates', 'get', 'certificates/read'),
  'certificates/list': op('certificates', 'list', 'certificates/read'),
  'certificates/create': op('certificates', 'create', 'certificates/create/action'),
  'certificates/import': op('certificates', 'import', 'certificates/import/action'),
  'certificates/update': op('certificates', 'update', 'certificates/update/action'),
  'certificates/delete': op('certificates', 'delete', 'certificates/delete'),
  'certificates/recover': op('certificates', 'recover', 'certificates/recover/action'),
  'certificates/purge': op('certificates', 'purge', 'certificates/purge/action'),
  'secrets/get': op('secrets', 'get', 'secrets/getSecret/action'),
  'secrets/list': op('secrets', 'list', 'secrets/readMetadata/action'),
  'secrets/set': op('secrets', 'set', 'secrets/setSecret/action'),
  'keys/get': op('keys', 'get', 'keys/read'),
  'keys/list': op('keys', 'list', 'keys/read'),
  'keys/create': op('keys', 'create', 'keys/create/action'),
  'keys/update': op('keys', 'update', 'keys/update/action'),
  'keys/sign': op('keys', 'sign', 'keys/sign/action'),
  'keys/verify': op('keys', 'verify', 'keys/verify/action'),
} as const satisfies Record<string, KeyVaultOperation>;

export type KeyVaultOperationName = keyof typeof keyVaultOperations;

export interface AccessPolicy {
  readonly objectId: string;
  /** Key Vault permission names (`get`, `list`, `import`, `create`, `update`, `delete`, ... or `all`), any case. */
  readonly certificates: readonly string[];
  readonly secrets: readonly string[];
  readonly keys: readonly string[];
}

/** Role assignments as the Key Vault data plane sees them (the simulator's RBAC store implements it). */
export interface DataActionAuthority {
  isDataActionAllowed(principalId: string, dataAction: string, scope: string, at: Date, propagationMs: number): boolean;
}

/** One vault's access policies, each permission remembered with when it was granted. */
export class AccessPolicyTable {
  private readonly grants = new Map<string, Map<string, Date>>();

  /** Replaces the principal's policy: permissions it keeps keep their grant time, new ones are granted `at`. */
  set(policy: AccessPolicy, at: Date): void {
    const key = policy.objectId.toLowerCase();
    const before = this.grants.get(key) ?? new Map<string, Date>();
    const next = new Map<string, Date>();
    for (const kind of ['certificates', 'secrets', 'keys'] as const) {
      for (const permission of policy[kind]) {
        const name = `${kind}/${permission.toLowerCase()}`;
        next.set(name, before.get(name) ?? at);
      }
    }
    this.grants.set(key, next);
  }

  remove(objectId: string): void {
    this.grants.delete(objectId.toLowerCase());
  }

  /** ARM's `accessPolicies/add`: the permissions are merged into the principal's policy (new ones granted `at`). */
  add(policy: AccessPolicy, at: Date): void {
    const key = policy.objectId.toLowerCase();
    const grants = this.grants.get(key) ?? new Map<string, Date>();
    for (const kind of ['certificates', 'secrets', 'keys'] as const) {
      for (const permission of policy[kind]) {
        const name = `${kind}/${permission.toLowerCase()}`;
        if (!grants.has(name)) grants.set(name, at);
      }
    }
    this.grants.set(key, grants);
  }

  /** ARM's `accessPolicies/remove`: the permissions are taken away (at once); a policy left empty is deleted. */
  subtract(policy: AccessPolicy): void {
    const key = policy.objectId.toLowerCase();
    const grants = this.grants.get(key);
    if (!grants) return;
    for (const kind of ['certificates', 'secrets', 'keys'] as const) for (const permission of policy[kind]) grants.delete(`${kind}/${permission.toLowerCase()}`);
    if (grants.size === 0) this.grants.delete(key);
  }

  /** Every policy, as ARM shows it (permission names as granted, lower case). */
  list(): AccessPolicy[] {
    return [...this.grants.entries()].map(([objectId, grants]) => {
      const of = (kind: PermissionKind) => [...grants.keys()].filter((k) => k.startsWith(`${kind}/`)).map((k) => k.slice(kind.length + 1));
      return { objectId, certificates: of('certificates'), secrets: of('secrets'), keys: of('keys') };
    });
  }

  allows(objectId: string, operation: KeyVaultOperation, at: Date, propagationMs: number): boolean {
    const granted = this.grants.get(objectId.toLowerCase());
    const since = granted?.get(`${operation.kind}/${operation.permission}`) ?? granted?.get(`${operation.kind}/all`);
    return since !== undefined && since.getTime() + propagationMs <= at.getTime();
  }
}
