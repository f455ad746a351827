import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../adapters/storage/table-client-factory';
import { loadConfig } from '../../core/config/load-config';
import type { BicepFile, Declaration, Token } from './bicep-lint';
import { closingIndex, decorator, lintBicep, literal, loadBicepFiles, objectEntries } from './bicep-lint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');
const roleTableFile = join(infra, 'modules/role-definitions.bicep');
const files = loadBicepFiles(infra);

function file(relativePath: string): BicepFile {
  const f = files.get(join(infra, relativePath));
  if (!f) throw new Error(`${relativePath} is missing`);
  return f;
}

function declaration(f: BicepFile, kind: Declaration['kind'], name: string): Declaration {
  const d = f.declarations.find((x) => x.kind === kind && x.name === name);
  if (!d) throw new Error(`${kind} ${name} not found in ${f.path}`);
  return d;
}

/** Entries of the object at the start of `tokens` (or of the first object in them). */
function entries(tokens: readonly Token[]): Map<string, Token[]> {
  return objectEntries(tokens, tokens.findIndex((t) => t.text === '{'));
}

/** Follows object keys from a resource or module body. */
function at(tokens: readonly Token[], ...keys: string[]): Token[] {
  let current = [...tokens];
  for (const key of keys) {
    const next = entries(current).get(key);
    if (!next) throw new Error(`no ${key}`);
    current = next;
  }
  return current;
}

/** The body of a child resource declared inside a parent's body (e.g. `resource appSettings 'config' = {…}`). */
function childResource(parent: Declaration, name: string): Token[] {
  const k = parent.value.findIndex((t, i) => t.text === 'resource' && parent.value[i + 1]?.text === name);
  const open = parent.value.findIndex((t, i) => i > k && t.text === '{');
  if (k === -1) throw new Error(`no child resource ${name}`);
  return parent.value.slice(open, closingIndex(parent.value, open) + 1);
}

/** Tokens as compact text, for asserting the shape of short expressions. */
function text(tokens: readonly Token[]): string {
  return tokens
    .filter((t) => t.kind !== 'newline')
    .map((t) => (t.kind === 'string' ? `'${t.text}'` : t.text))
    .join(' ');
}

/** Role names and ids as Microsoft's built-in roles reference lists them (checked 2026-11-23). */
const VERIFIED_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Monitoring Reader': '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  'Log Analytics Reader': '73c42c96-874c-492b-b04d-ab87d138a893',
  'Monitoring Contributor': '749f88d5-cbae-40b8-bcfc-e573ddc772fa',
  'Network Contributor': '4d97b98b-1d4f-4787-a291-c67834d212e7',
  'Key Vault Reader': '21090545-7ca7-4776-b22c-e363652d74d2',
  'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985',
};

describe('infra/ Bicep', () => {
  it('passes the structural checks a compiler would make (modules, params, outputs, names, decorators, scopes)', () => {
    expect(lintBicep(files, { root, roleTableFile })).toEqual([]);
    expect([...files.keys()].map((p) => p.slice(infra.length + 1)).sort()).toEqual([
      'main.bicep',
      'modules/app-resource-roles.bicep',
      'modules/bot.bicep',
      'modules/function-app.bicep',
      'modules/key-vault-roles.bicep',
      'modules/monitoring.bicep',
      'modules/role-definitions.bicep',
      'modules/storage.bicep',
      'modules/user-assigned-identity.bicep',
      'modules/vpn-group-roles.bicep',
      'modules/vpn-subscription-roles.bicep',
      'modules/workspace-roles.bicep',
    ]);
  });

  it('annotates every role id with its role name, and every id is the one Microsoft documents for that name', () => {
    const table = file('modules/role-definitions.bicep');
    const roles = entries(declaration(table, 'var', 'builtInRoles').value);
    expect(roles.size).toBeGreaterThan(0);
    for (const [key, value] of roles) {
      const id = literal(value) as string;
      const comment = table.comments.find((c) => c.line === value[0]!.line);
      expect(comment, `${key} has no role-name comment`).toBeDefined();
      expect(VERIFIED_ROLES[comment!.text], `${key}: ${comment!.text}`).toBe(id);
    }
    // Every role in the table is used, so none is granted by accident later.
    const used = new Set<string>();
    for (const f of files.values()) f.tokens.forEach((t, i) => t.text === 'builtInRoles' && f.tokens[i + 1]?.text === '.' && used.add(f.tokens[i + 2]!.text));
    expect([...used].sort()).toEqual([...roles.keys()].sort());
  });

  it('grants least privilege: reads always, changes only behind parameters that default to off', () => {
    const group = text(declaration(file('modules/vpn-group-roles.bicep'), 'var', 'roleIds').value);
    const subscription = text(declaration(file('modules/vpn-subscription-roles.bicep'), 'var', 'roleIds').value);
    const expected =
      'concat ( [ builtInRoles . reader builtInRoles . monitoringReader ] , allowVpnChanges ? [ builtInRoles . networkContributor ] : [ ] , allowEnableDiagnostics ? [ builtInRoles . monitoringContributor ] : [ ] )';
    expect(group).toBe(expected);
    expect(subscription).toBe(expected);
    expect(text(declaration(file('modules/key-vault-roles.bicep'), 'var', 'roleId').value)).toBe(
      "access == 'manage' ? builtInRoles . keyVaultCertificatesOfficer : builtInRoles . keyVaultReader",
    );
    expect(text(declaration(file('modules/workspace-roles.bicep'), 'var', 'roleIds').value)).toBe(
      'concat ( [ builtInRoles . logAnalyticsReader ] , allowAsDiagnosticsDestination ? [ builtInRoles . monitoringContributor ] : [ ] )',
    );
    const storageRoles = text(declaration(file('modules/app-resource-roles.bicep'), 'var', 'storageRoleIds').value);
    expect(storageRoles).toBe('[ builtInRoles . storageBlobDataOwner builtInRoles . storageQueueDataContributor builtInRoles . storageTableDataContributor ]');

    const main = file('main.bicep');
    expect(literal(declaration(main, 'param', 'allowVpnChanges').value)).toBe(false);
    expect(literal(declaration(main, 'param', 'allowEnableDiagnostics').value)).toBe(false);
    expect(literal(declaration(main, 'param', 'certificateVaultAccess').value)).toBe('read');
  });

  it('scopes data roles to the resources themselves, not to their resource group', () => {
    const appRoles = file('modules/app-resource-roles.bicep');
    expect(text(at(declaration(appRoles, 'resource', 'storageRoles').value, 'scope'))).toBe('storage');
    expect(text(at(declaration(appRoles, 'resource', 'telemetryRole').value, 'scope'))).toBe('applicationInsights');
    expect(text(at(declaration(file('modules/key-vault-roles.bicep'), 'resource', 'assignment').value, 'scope'))).toBe('vault');
    expect(text(at(declaration(file('modules/workspace-roles.bicep'), 'resource', 'assignments').value, 'scope'))).toBe('workspace');
  });

  it('gives the function app exactly the settings the app reads, with no secret, and the app accepts them', () => {
    const functionApp = declaration(file('modules/function-app.bicep'), 'resource', 'functionApp');
    const settings = entries(at(childResource(functionApp, 'appSettings'), 'properties'));
    const names = [...settings.keys()];
    const readByApp = new Set([...readFileSync(join(root, 'core/config/load-config.ts'), 'utf8').matchAll(/(?:get\(|readIdList\(get, )'([A-Za-z_]+)'/g)].map((m) => m[1]!));
    const host = ['AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];
    for (const name of names) expect(host.includes(name) || readByApp.has(name), `${name} is neither a host setting nor read by loadConfig`).toBe(true);
    for (const required of ['MicrosoftAppId', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'ACCESS_ALLOWED_TENANTS', 'ACCESS_READERS', 'ACCESS_OPERATORS', 'ACCESS_APPROVERS', 'STATE_TABLES_ENDPOINT', 'AZURE_CLIENT_ID', 'VPN_SCOPES', 'DIAGNOSTICS_WORKSPACE_ID', 'DURABLE_TASK_HUB', ...host]) {
      expect(names).toContain(required);
    }
    for (const forbidden of ['MicrosoftAppPassword', 'STATE_TABLES_CONNECTION_STRING', 'AZURE_TARGET', 'BOT_AUTHENTICATION', 'AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME']) expect(names).not.toContain(forbidden);
    expect(literal(settings.get('MicrosoftAppType')!)).toBe('UserAssignedMSI');
    expect(literal(settings.get('AzureWebJobsStorage__credential')!)).toBe('managedidentity');
    expect(text(settings.get('AzureWebJobsStorage__clientId')!)).toBe('appIdentityClientId');
    expect(text(settings.get('AZURE_CLIENT_ID')!)).toBe('appIdentityClientId');
    expect(text(settings.get('MicrosoftAppId')!)).toBe('botIdentityClientId');

    // What Azure would put in the non-literal settings, with the optional ones empty as azd leaves them.
    const main = file('main.bicep');
    const deployed: Record<string, string> = {
      MicrosoftAppId: '0b5a3c8e-1f2d-4e6a-9b7c-3d4e5f6a7b8c',
      MicrosoftAppTenantId: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      ACCESS_ALLOWED_TENANTS: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      ACCESS_READERS: '11111111-2222-4333-8444-555555555555,66666666-7777-4888-9999-aaaaaaaaaaaa',
      ACCESS_OPERATORS: '',
      ACCESS_APPROVERS: '',
      STATE_TABLES_ENDPOINT: 'https://stvpncertabc123.table.core.windows.net/',
      AZURE_CLIENT_ID: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
      VPN_SCOPES: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/rg-hub-network',
      DIAGNOSTICS_WORKSPACE_ID: '',
      DURABLE_TASK_HUB: literal(declaration(main, 'param', 'durableTaskHub').value) as string,
      ENVIRONMENT_NAME: literal(declaration(main, 'param', 'appEnvironmentLabel').value) as string,
      AzureWebJobsStorage__accountName: 'stvpncertabc123',
      AzureWebJobsStorage__clientId: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a;Authorization=AAD',
    };
    const env: Record<string, string> = {};
    for (const [name, value] of settings) {
      const fixed = literal(value);
      const v = typeof fixed === 'string' ? fixed : deployed[name];
      expect(v, `no deployed value for ${name}`).toBeDefined();
      env[name] = v!;
    }
    const config = loadConfig(env);
    expect(config.bot).toMatchObject({ authentication: 'enabled', appType: 'UserAssignedMSI', appId: deployed.MicrosoftAppId });
    expect(config.stateStorage).toEqual({ kind: 'managed-identity', tableEndpoint: 'https://stvpncertabc123.table.core.windows.net', clientId: deployed.AZURE_CLIENT_ID });
    expect(config.azure).toEqual({ target: 'azure', managedIdentityClientId: deployed.AZURE_CLIENT_ID });
    expect(config.scopes).toEqual([{ subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d', resourceGroups: ['rg-hub-network'] }]);
    expect(config.environmentName).toBe('production');
  });

  it('runs on Flex Consumption with Node 22 and both identities, deploying with the app identity', () => {
    const functionAppFile = file('modules/function-app.bicep');
    const plan = declaration(functionAppFile, 'resource', 'plan');
    expect(literal(at(plan.value, 'sku', 'tier'))).toBe('FlexConsumption');
    expect(literal(at(plan.value, 'sku', 'name'))).toBe('FC1');
    const app = declaration(functionAppFile, 'resource', 'functionApp');
    expect(literal(at(app.value, 'properties', 'functionAppConfig', 'runtime', 'name'))).toBe('node');
    expect(literal(at(app.value, 'properties', 'functionAppConfig', 'runtime', 'version'))).toBe('22');
    expect(literal(at(app.value, 'properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'type'))).toBe('UserAssignedIdentity');
    expect(literal(at(app.value, 'properties', 'httpsOnly'))).toBe(true);
    expect(literal(at(app.value, 'identity', 'type'))).toBe('UserAssigned');
    expect([...entries(at(app.value, 'identity', 'userAssignedIdentities')).values()]).toHaveLength(2);
    for (const policy of ['scmBasicAuth', 'ftpBasicAuth']) expect(literal(at(childResource(app, policy), 'properties', 'allow'))).toBe(false);
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node).toBe('>=22');
  });

  it('keeps storage and telemetry keyless, and creates the tables the app uses', () => {
    const storage = declaration(file('modules/storage.bicep'), 'resource', 'storage');
    expect(literal(at(storage.value, 'properties', 'allowSharedKeyAccess'))).toBe(false);
    expect(literal(at(storage.value, 'properties', 'allowBlobPublicAccess'))).toBe(false);
    expect(literal(at(storage.value, 'properties', 'minimumTlsVersion'))).toBe('TLS1_2');
    const monitoring = file('modules/monitoring.bicep');
    expect(literal(at(declaration(monitoring, 'resource', 'applicationInsights').value, 'properties', 'DisableLocalAuth'))).toBe(true);
    expect(literal(at(declaration(monitoring, 'resource', 'workspace').value, 'properties', 'features', 'disableLocalAuth'))).toBe(true);
    expect(literal(declaration(file('main.bicep'), 'var', 'stateTableNames').value)).toEqual(Object.values(TABLES));
  });

  it('registers the bot with its own managed identity, the Teams channel and the endpoint the app serves', () => {
    const botFile = file('modules/bot.bicep');
    const bot = declaration(botFile, 'resource', 'bot');
    expect(literal(at(bot.value, 'properties', 'msaAppType'))).toBe('UserAssignedMSI');
    expect(text(at(bot.value, 'properties', 'msaAppId'))).toBe('botIdentityClientId');
    expect(text(at(bot.value, 'properties', 'msaAppMSIResourceId'))).toBe('botIdentityId');
    expect(literal(at(bot.value, 'properties', 'disableLocalAuth'))).toBe(true);
    const teams = declaration(botFile, 'resource', 'teamsChannel');
    expect(literal(at(teams.value, 'properties', 'channelName'))).toBe('MsTeamsChannel');
    expect(literal(at(teams.value, 'properties', 'properties', 'isEnabled'))).toBe(true);

    const main = file('main.bicep');
    const endpoint = at(declaration(main, 'module', 'bot').value, 'params', 'endpoint');
    expect(endpoint).toHaveLength(1);
    expect(endpoint[0]!.text).toBe('https://${…}/api/messages');
    expect(text(endpoint[0]!.kind === 'string' ? endpoint[0]!.interpolations[0]! : [])).toBe('functionApp . outputs . defaultHostName');
    // The app serves POST /api/messages: route 'messages' under the default 'api' prefix.
    expect(readFileSync(join(root, 'functions/messages.ts'), 'utf8')).toMatch(/route: 'messages'/);
    const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: string } } };
    expect(hostJson.extensions?.http?.routePrefix ?? 'api').toBe('api');
  });

  it('takes the same comma-separated values as the app settings, named after them in the azd environment', () => {
    const main = file('main.bicep');
    const parameters = (JSON.parse(readFileSync(join(infra, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> }).parameters;
    const params = main.declarations.filter((d) => d.kind === 'param');
    for (const name of Object.keys(parameters)) expect(params.map((p) => p.name)).toContain(name);
    for (const p of params.filter((x) => x.value.length === 0)) expect(Object.keys(parameters), `required param ${p.name}`).toContain(p.name);
    const sameName: Record<string, string> = {
      vpnScopes: 'VPN_SCOPES',
      accessAllowedTenants: 'ACCESS_ALLOWED_TENANTS',
      accessReaders: 'ACCESS_READERS',
      accessOperators: 'ACCESS_OPERATORS',
      accessApprovers: 'ACCESS_APPROVERS',
      diagnosticsWorkspaceId: 'DIAGNOSTICS_WORKSPACE_ID',
      durableTaskHub: 'DURABLE_TASK_HUB',
    };
    for (const [param, variable] of Object.entries(sameName)) expect(parameters[param]!.value).toMatch(new RegExp(`^\\$\\{${variable}(=[^}]*)?\\}$`));
    // A default written into main.parameters.json must satisfy the parameter's @allowed list.
    for (const [name, { value }] of Object.entries(parameters)) {
      const fallback = /^\$\{[A-Z_]+=([^}]*)\}$/.exec(value)?.[1];
      const allowed = decorator(declaration(main, 'param', name), 'allowed');
      if (fallback !== undefined && allowed) expect(literal(allowed.args) as unknown[], name).toContain(fallback);
    }
  });

  it('is deployed by azd as the function app tagged with the service name of azure.yaml', () => {
    const azureYaml = readFileSync(join(root, 'azure.yaml'), 'utf8');
    const service = /^services:\n {2}([a-z][a-z0-9-]*):\n((?: {4}.*\n)+)/m.exec(azureYaml);
    expect(service).not.toBeNull();
    expect(service![2]).toMatch(/^ {4}host: function$/m);
    expect(service![2]).toMatch(/^ {4}project: \.$/m);
    expect(azureYaml).toMatch(/^ {2}path: infra$/m);
    const main = file('main.bicep');
    expect(literal(declaration(main, 'var', 'serviceName').value)).toBe(service![1]);
    expect(text(at(declaration(main, 'module', 'functionApp').value, 'params', 'serviceName'))).toBe('serviceName');
    const app = declaration(file('modules/function-app.bicep'), 'resource', 'functionApp');
    expect(text(at(app.value, 'tags'))).toBe("union ( tags , { 'azd-service-name' : serviceName } )");
  });
});
