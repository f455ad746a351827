import type { Role } from '../commands/command-spec';
import { isGuid, normalizeId } from '../auth/access-policy';
import { readApprovalPolicy } from '../change/approval-policy';
import type { AppConfig, AzureTargetConfig, BotConfig, StateStorageConfig, VpnScope } from './app-config';
import { readOutboundRotation } from './outbound-rotation-config';
import { readExpiryConfig } from './expiry-config';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown at start when settings are missing or wrong; its message lists every problem and how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`The function app's settings are incomplete or wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Value that turns Bot Framework authentication off. Deliberately long so nobody sets it by accident. */
export const AUTH_DISABLED_VALUE = 'disabled-for-local-use';

/** Reads and validates every setting once. Collects all problems before failing, so one deploy fixes them all. */
export function loadConfig(env: Environment): AppConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const onAzureHost = azureHostVariables(env);
  const bot = readBot(get, problems, onAzureHost);
  const access = readAccess(get, problems);
  const stateStorage = readStateStorage(get, problems);
  const azure = readAzure(get, problems, onAzureHost);
  const scopes = readScopes(get, problems);
  const durableTaskHub = get('DURABLE_TASK_HUB') ?? 'vpncertops';
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(durableTaskHub)) {
    problems.push('DURABLE_TASK_HUB must be 3-45 letters and digits, starting with a letter (Durable task hub naming rules).');
  }
  const approvals = readApprovalPolicy(get, problems);
  const attachmentHosts = readAttachmentHosts(get, problems);
  const diagnosticsWorkspaceId = get('DIAGNOSTICS_WORKSPACE_ID');
  if (diagnosticsWorkspaceId && !/^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i.test(diagnosticsWorkspaceId)) {
    problems.push('DIAGNOSTICS_WORKSPACE_ID must be a Log Analytics workspace resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>.');
  }
  const outboundRotation = readOutboundRotation(get, problems);
  const expiry = readExpiryConfig(get, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { outboundRotation, expiry, ...(diagnosticsWorkspaceId ? { diagnosticsWorkspaceId } : {}), bot: bot!, access, stateStorage: stateStorage!, azure: azure!, scopes, durableTaskHub, approvals, attachmentHosts, environmentName: get('ENVIRONMENT_NAME') ?? (azure?.target === 'simulator' ? 'sandbox' : 'production') };
}

type Get = (name: string) => string | undefined;

/**
 * The `WEBSITE_*` variables App Service and Azure Functions set in every worker they run (WEBSITE_SITE_NAME,
 * WEBSITE_INSTANCE_ID, WEBSITE_OWNER_NAME...): any of them means the process runs on an Azure host. A local host sets
 * at most WEBSITE_HOSTNAME, to a loopback address (Core Tools `localhost:7071`, the project's local host
 * `127.0.0.1:<port>`), which does not count.
 */
export function azureHostVariables(env: Environment): string[] {
  return Object.keys(env)
    .filter((name) => /^WEBSITE_/i.test(name) && (env[name] ?? '').trim() !== '')
    .filter((name) => !(name.toUpperCase() === 'WEBSITE_HOSTNAME' && /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(env[name]!.trim())))
    .sort();
}

function onAzureHostNote(variables: readonly string[]): string {
  return `${variables.slice(0, 3).join(', ')}${variables.length > 3 ? ', ...' : ''} ${variables.length === 1 ? 'is' : 'are'} set`;
}

function readBot(get: Get, problems: string[], onAzureHost: readonly string[]): BotConfig | undefined {
  const appId = get('MicrosoftAppId');
  const authSetting = get('BOT_AUTHENTICATION');
  if (authSetting !== undefined && authSetting !== AUTH_DISABLED_VALUE && authSetting !== 'enabled') {
    problems.push(`BOT_AUTHENTICATION must be "enabled" (default) or "${AUTH_DISABLED_VALUE}" (local use only).`);
    return undefined;
  }
  if (authSetting === AUTH_DISABLED_VALUE) {
    if (appId) {
      problems.push(`BOT_AUTHENTICATION is "${AUTH_DISABLED_VALUE}" but MicrosoftAppId is set: remove one. Authentication is never off for a registered bot.`);
      return undefined;
    }
    // Off only where nothing but the sandbox can reach the bot: never on an Azure host, never against real Azure.
    if (onAzureHost.length > 0) {
      problems.push(`BOT_AUTHENTICATION is "${AUTH_DISABLED_VALUE}" on an App Service / Functions host (${onAzureHostNote(onAzureHost)}): remove BOT_AUTHENTICATION and set MicrosoftAppId, MicrosoftAppType and MicrosoftAppTenantId. Authentication is never off in Azure.`);
      return undefined;
    }
    if (get('AZURE_TARGET') !== 'simulator') {
      problems.push(`BOT_AUTHENTICATION is "${AUTH_DISABLED_VALUE}", which is accepted only with AZURE_TARGET=simulator (the local sandbox and tests): remove BOT_AUTHENTICATION and set MicrosoftAppId, MicrosoftAppType and MicrosoftAppTenantId.`);
      return undefined;
    }
    return { authentication: AUTH_DISABLED_VALUE };
  }
  const appType = get('MicrosoftAppType');
  const tenantId = get('MicrosoftAppTenantId');
  const before = problems.length;
  if (!appId) problems.push(`MicrosoftAppId is missing: set it to the bot's Entra app (client) id. (Only for local use, set BOT_AUTHENTICATION=${AUTH_DISABLED_VALUE} instead.)`);
  else if (!isGuid(appId)) problems.push('MicrosoftAppId must be a GUID (the bot registration\'s app id).');
  if (appType !== 'UserAssignedMSI' && appType !== 'SingleTenant') {
    problems.push(`MicrosoftAppType is ${appType ? `"${appType}"` : 'missing'}: set it to UserAssignedMSI (recommended) or SingleTenant.`);
  }
  if (!tenantId) problems.push("MicrosoftAppTenantId is missing: set it to your Entra tenant id (the bot's home tenant).");
  else if (!isGuid(tenantId)) problems.push('MicrosoftAppTenantId must be a GUID.');
  const appPassword = get('MicrosoftAppPassword');
  if (appType === 'SingleTenant' && !appPassword) {
    problems.push('MicrosoftAppPassword is missing: SingleTenant bots need the app secret (use a Key Vault reference), or switch MicrosoftAppType to UserAssignedMSI.');
  }
  if (problems.length > before) return undefined;
  return {
    authentication: 'enabled',
    appId: appId!,
    appType: appType as 'UserAssignedMSI' | 'SingleTenant',
    tenantId: tenantId!,
    ...(appType === 'SingleTenant' ? { appPassword: appPassword! } : {}),
  };
}

function readIdList(get: Get, name: string, problems: string[]): Set<string> {
  const raw = get(name);
  const ids = new Set<string>();
  if (!raw) return ids;
  for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
    if (!isGuid(part)) {
      problems.push(`${name} has "${part.slice(0, 40)}", which is not an Entra object id (GUID). List GUIDs separated by commas.`);
      continue;
    }
    ids.add(normalizeId(part));
  }
  return ids;
}

function readAccess(get: Get, problems: string[]): AppConfig['access'] {
  // Missing role settings grant nothing: an empty set, never "everyone".
  const members: Record<Role, Set<string>> = {
    reader: readIdList(get, 'ACCESS_READERS', problems),
    operator: readIdList(get, 'ACCESS_OPERATORS', problems),
    approver: readIdList(get, 'ACCESS_APPROVERS', problems),
  };
  const allowedTenantIds = readIdList(get, 'ACCESS_ALLOWED_TENANTS', problems);
  if (allowedTenantIds.size === 0) {
    problems.push('ACCESS_ALLOWED_TENANTS is missing: list the Entra tenant ids whose users may use the bot (GUIDs, comma-separated).');
  }
  return { allowedTenantIds, members };
}

function readStateStorage(get: Get, problems: string[]): StateStorageConfig | undefined {
  const connectionString = get('STATE_TABLES_CONNECTION_STRING');
  const endpoint = get('STATE_TABLES_ENDPOINT');
  if (connectionString && endpoint) {
    problems.push('Set only one of STATE_TABLES_CONNECTION_STRING (local/Azurite) and STATE_TABLES_ENDPOINT (managed identity).');
    return undefined;
  }
  if (connectionString) return { kind: 'connection-string', connectionString };
  if (endpoint) {
    if (!/^https:\/\/[^/\s]+\/?$/.test(endpoint)) {
      problems.push('STATE_TABLES_ENDPOINT must be the table endpoint, e.g. https://<account>.table.core.windows.net');
      return undefined;
    }
    const clientId = get('AZURE_CLIENT_ID');
    return { kind: 'managed-identity', tableEndpoint: endpoint.replace(/\/$/, ''), ...(clientId ? { clientId } : {}) };
  }
  problems.push('STATE_TABLES_ENDPOINT is missing: set it to the storage account table endpoint (https://<account>.table.core.windows.net) the app reaches with its managed identity.');
  return undefined;
}

function readAzure(get: Get, problems: string[], onAzureHost: readonly string[]): AzureTargetConfig | undefined {
  const target = get('AZURE_TARGET') ?? 'azure';
  if (target === 'azure') {
    const clientId = get('AZURE_CLIENT_ID');
    return { target: 'azure', ...(clientId ? { managedIdentityClientId: clientId } : {}) };
  }
  if (target !== 'simulator') {
    problems.push(`AZURE_TARGET must be "azure" (default) or "simulator" (local sandbox and tests), not "${target.slice(0, 20)}".`);
    return undefined;
  }
  if (onAzureHost.length > 0) {
    problems.push(`AZURE_TARGET is "simulator" on an App Service / Functions host (${onAzureHostNote(onAzureHost)}): remove AZURE_TARGET (the simulator is for the local sandbox only).`);
    return undefined;
  }
  const url = get('AZURE_SIMULATOR_URL');
  const caPem = get('AZURE_SIMULATOR_CA_PEM');
  const principalId = get('AZURE_SIMULATOR_PRINCIPAL_ID');
  const tenantId = get('AZURE_SIMULATOR_TENANT_ID');
  const before = problems.length;
  if (!url || !/^https:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) problems.push('AZURE_SIMULATOR_URL must be https://127.0.0.1:<port> (the simulator only runs on loopback).');
  if (!caPem || !caPem.includes('BEGIN CERTIFICATE')) problems.push("AZURE_SIMULATOR_CA_PEM must hold the simulator's CA certificate (PEM).");
  if (!principalId || !isGuid(principalId)) problems.push('AZURE_SIMULATOR_PRINCIPAL_ID must be the GUID the app authenticates as in the simulator.');
  if (!tenantId || !isGuid(tenantId)) problems.push('AZURE_SIMULATOR_TENANT_ID must be a GUID.');
  const keyVaults = readSimulatorKeyVaults(get('AZURE_SIMULATOR_KEY_VAULTS'), problems);
  if (problems.length > before) return undefined;
  return { target: 'simulator', url: url!.replace(/\/$/, ''), caPem: caPem!, principalId: principalId!, tenantId: tenantId!, ...(keyVaults.length > 0 ? { keyVaults } : {}) };
}

/** `kv-vpn-certs=https://127.0.0.1:40011,...`: which simulator listener serves which vault (optional). */
function readSimulatorKeyVaults(raw: string | undefined, problems: string[]): { name: string; url: string }[] {
  const vaults: { name: string; url: string }[] = [];
  for (const part of (raw ?? '').split(/[,;\s]+/).filter(Boolean)) {
    const at = part.indexOf('=');
    const name = at > 0 ? part.slice(0, at) : '';
    const url = part.slice(at + 1);
    // Key Vault names: 3-24 letters, digits and hyphens, starting with a letter.
    if (!/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name) || !/^https:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) {
      problems.push(`AZURE_SIMULATOR_KEY_VAULTS entry "${part.slice(0, 80)}" is not <vault name>=https://127.0.0.1:<port>.`);
      continue;
    }
    vaults.push({ name, url: url.replace(/\/$/, '') });
  }
  return vaults;
}

/** Where Teams stores files a person attaches: SharePoint and OneDrive, in the public and government clouds. */
export const DEFAULT_ATTACHMENT_HOSTS: readonly string[] = ['*.sharepoint.com', '*.sharepoint.us', '*.sharepoint-mil.us', '*.sharepoint.cn'];

/** `ATTACHMENT_HOSTS`: host names or `*.suffix` patterns, comma-separated; Teams' file hosts when unset. */
function readAttachmentHosts(get: Get, problems: string[]): string[] {
  const raw = get('ATTACHMENT_HOSTS');
  if (!raw) return [...DEFAULT_ATTACHMENT_HOSTS];
  const hosts: string[] = [];
  for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
    // A bare `*` or a pattern on a public suffix alone (`*.com`) would allow anything.
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i.test(part) || (part.startsWith('*.') && part.split('.').length < 3)) {
      problems.push(`ATTACHMENT_HOSTS entry "${part.slice(0, 80)}" is not a host name or a *.domain pattern with at least two labels (e.g. *.sharepoint.com).`);
      continue;
    }
    hosts.push(part.toLowerCase());
  }
  return hosts;
}

function readScopes(get: Get, problems: string[]): VpnScope[] {
  const raw = get('VPN_SCOPES');
  if (!raw) {
    problems.push('VPN_SCOPES is missing: list where the VPN connections live as <subscription-id> or <subscription-id>/<resource-group>, comma-separated.');
    return [];
  }
  const bySubscription = new Map<string, Set<string> | 'all'>();
  for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
    const [subscriptionId, resourceGroup, extra] = part.split('/');
    if (!subscriptionId || !isGuid(subscriptionId) || extra !== undefined || (resourceGroup !== undefined && !/^[-\w._()]{1,90}$/.test(resourceGroup))) {
      problems.push(`VPN_SCOPES entry "${part.slice(0, 80)}" is not <subscription-id> or <subscription-id>/<resource-group>.`);
      continue;
    }
    const key = normalizeId(subscriptionId);
    const existing = bySubscription.get(key);
    if (resourceGroup === undefined) bySubscription.set(key, 'all');
    else if (existing !== 'all') bySubscription.set(key, (existing ?? new Set<string>()).add(resourceGroup));
  }
  return [...bySubscription].map(([subscriptionId, groups]) => (groups === 'all' ? { subscriptionId } : { subscriptionId, resourceGroups: [...groups] }));
}
