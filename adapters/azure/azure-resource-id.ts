import { UserError } from '../../core/errors/user-error';

/** The parts of an ARM resource id the adapters need to call the SDK (which takes resource group and name). */
export interface AzureResourceId {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** `Microsoft.Network/connections` */
  readonly type: string;
  readonly name: string;
}

/**
 * Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}` and checks its type. Ids come from
 * people (chat) and from Azure, so anything else is a UserError rather than a crash.
 */
export function parseAzureResourceId(id: string, expectedType: string): AzureResourceId {
  const match = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w._()]{1,90})\/providers\/([A-Za-z]+\.[A-Za-z.]+)\/([A-Za-z]+)\/([A-Za-z0-9_.()-]{1,80})\/?$/i.exec(id.trim());
  const [, subscriptionId, resourceGroup, namespace, type, name] = match ?? [];
  if (!subscriptionId || !resourceGroup || !namespace || !type || !name || `${namespace}/${type}`.toLowerCase() !== expectedType.toLowerCase()) {
    throw new UserError('InvalidResourceId', `That is not a ${expectedType.split('/')[1] ?? expectedType} resource id.`, `Use the full id, like /subscriptions/<id>/resourceGroups/<group>/providers/${expectedType}/<name>.`);
  }
  return { id: id.trim().replace(/\/$/, ''), subscriptionId, resourceGroup, type: `${namespace}/${type}`, name };
}

/** The resource group and name parts of any ARM id, when it has them. */
export function resourceGroupOf(id: string | undefined): string | undefined {
  return id ? /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] : undefined;
}
