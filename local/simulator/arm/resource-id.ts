/** A parsed ARM resource id: `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}]`. */
export interface ResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly provider: string;
  /** Type path without the namespace, e.g. `connections` or `virtualNetworks/subnets`. */
  readonly types: readonly string[];
  readonly names: readonly string[];
  /** `Microsoft.Network/connections` */
  readonly fullType: string;
  /** Last name segment. */
  readonly name: string;
  /** The id as given, without a trailing slash. */
  readonly id: string;
}

const nameSegment = /^[A-Za-z0-9_.()-]{1,80}$/;

/**
 * Parses an ARM resource id strictly, the way ARM validates ids referenced from a request body: the segment
 * keywords are case-insensitive, every name must be non-empty, and type/name segments must pair up.
 * Returns undefined for anything malformed.
 */
export function parseResourceId(id: unknown): ResourceId | undefined {
  if (typeof id !== 'string' || !id.startsWith('/')) return undefined;
  const trimmed = id.endsWith('/') ? id.slice(0, -1) : id;
  const parts = trimmed.split('/').slice(1);
  if (parts.length < 8 || (parts.length - 6) % 2 !== 0) return undefined;
  const [subscriptions, subscriptionId, resourceGroups, resourceGroup, providers, provider, ...rest] = parts;
  if (subscriptions?.toLowerCase() !== 'subscriptions' || resourceGroups?.toLowerCase() !== 'resourcegroups' || providers?.toLowerCase() !== 'providers') return undefined;
  if (!subscriptionId || !/^[0-9a-fA-F-]{36}$/.test(subscriptionId)) return undefined;
  if (!resourceGroup || !/^[-\w._()]{1,90}$/.test(resourceGroup)) return undefined;
  if (!provider || !/^[A-Za-z]+\.[A-Za-z.]+$/.test(provider)) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const type = rest[i];
    const name = rest[i + 1];
    if (!type || !name || !/^[A-Za-z]+$/.test(type) || !nameSegment.test(name)) return undefined;
    types.push(type);
    names.push(name);
  }
  const name = names[names.length - 1];
  if (!name) return undefined;
  return { subscriptionId, resourceGroup, provider, types, names, fullType: `${provider}/${types.join('/')}`, name, id: trimmed };
}

/** True when `id` parses and has the given full type (case-insensitive), e.g. `Microsoft.Network/localNetworkGateways`. */
export function resourceIdKey(id: string): string {
  return id.replace(/\/$/, '').toLowerCase();
}

export function buildResourceId(subscriptionId: string, resourceGroup: string, fullType: string, ...names: string[]): string {
  const [provider, ...types] = fullType.split('/');
  if (!provider || types.length !== names.length) throw new Error(`Resource type ${fullType} needs ${types.length} name(s).`);
  const typed = types.map((type, i) => `${type}/${names[i]}`).join('/');
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${typed}`;
}
