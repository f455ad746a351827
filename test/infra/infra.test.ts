import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../adapters/storage/table-client-factory';
import { DEFAULT_APPROVAL_TIMEOUT_HOURS, MAX_APPROVAL_TIMEOUT_HOURS } from '../../core/change/approval-policy';
import { loadConfig } from '../../core/config/load-config';
import type { ArmTemplate, PredictedResource, Snapshot } from './bicep-cli';
import { build, deployment, describeWithBicep, infra, root, snapshot } from './bicep-cli';

/** Role names and ids as Microsoft's built-in roles reference lists them (checked 2026-11-23). */
const VERIFIED_BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
};

const sub = deployment.subscriptionId;
const vpnGroup = `${sub}/rg-hub-network`;
const workspaceId = `/subscriptions/${sub}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-vpn`;
const vaultId = `/subscriptions/${sub}/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-vpn-certs`;
const gatewayPrincipal = '9a9a9a9a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';

/** The least an administrator sets: the required values, every switch at its default. */
const minimal = { environmentName: 'prod', location: 'westeurope', vpnScopes: vpnGroup };

let template: ArmTemplate;
let templateDir: string;
let deployed: Snapshot;

function resources(s: Snapshot, type: string): PredictedResource[] {
  return s.predictedResources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

function one(s: Snapshot, type: string): PredictedResource {
  const found = resources(s, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

/** What Azure would put where the snapshot still has a runtime ARM expression (an identity's ids, an endpoint). */
const runtime = { appClientId: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a', botClientId: '0b5a3c8e-1f2d-4e6a-9b7c-3d4e5f6a7b8c', tenantId: deployment.tenantId };
function deployedValue(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  if (!value.startsWith('[')) return value;
  const clientId = (expr: string) => (/id-vpncert-app-/.test(expr) ? runtime.appClientId : /id-vpncert-bot-/.test(expr) ? runtime.botClientId : undefined);
  let m = /^\[reference\('([^']+)', '[^']+'\)\.(clientId|tenantId|ConnectionString|primaryEndpoints\.table)\]$/.exec(value);
  if (m) {
    if (m[2] === 'clientId' && clientId(m[1]!)) return clientId(m[1]!)!;
    if (m[2] === 'tenantId') return runtime.tenantId;
    if (m[2] === 'ConnectionString') return 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
    if (m[2] === 'primaryEndpoints.table') return `https://${m[1]!.split('/').pop()}.table.core.windows.net/`;
  }
  m = /^\[format\('ClientId=\{0\};Authorization=AAD', reference\('([^']+)', '[^']+'\)\.clientId\)\]$/.exec(value);
  if (m && clientId(m[1]!)) return `ClientId=${clientId(m[1]!)};Authorization=AAD`;
  throw new Error(`infra.test.ts does not know what Azure puts in ${value}; add it to deployedValue()`);
}

/** The function app's settings as Azure would hold them. */
function appSettings(s: Snapshot): Record<string, string> {
  const settings = one(s, 'Microsoft.Web/sites/config').properties as Record<string, unknown>;
  return Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, deployedValue(value)]));
}

describeWithBicep('infra/ as compiled (main.json) and as it would deploy (bicep snapshot)', () => {
  beforeAll(() => {
    ({ template, dir: templateDir } = build(join(infra, 'main.bicep')));
    deployed = snapshot(templateDir, minimal);
  });

  describe('parameters', () => {
    it('takes the same comma-separated values as the app settings, named after them in the azd environment', () => {
      const parameters = (JSON.parse(readFileSync(join(infra, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> }).parameters;
      for (const name of Object.keys(parameters)) expect(Object.keys(template.parameters), `main.parameters.json sets ${name}`).toContain(name);
      for (const [name, p] of Object.entries(template.parameters)) if (p.defaultValue === undefined) expect(Object.keys(parameters), `required parameter ${name}`).toContain(name);
      const sameName: Record<string, string> = {
        vpnScopes: 'VPN_SCOPES',
        accessAllowedTenants: 'ACCESS_ALLOWED_TENANTS',
        accessReaders: 'ACCESS_READERS',
        accessOperators: 'ACCESS_OPERATORS',
        accessApprovers: 'ACCESS_APPROVERS',
        diagnosticsWorkspaceId: 'DIAGNOSTICS_WORKSPACE_ID',
        approvalsChannelId: 'APPROVALS_CHANNEL_ID',
        approvalTimeoutHours: 'APPROVAL_TIMEOUT_HOURS',
        changesWithoutApproval: 'CHANGES_WITHOUT_APPROVAL',
        durableTaskHub: 'DURABLE_TASK_HUB',
      };
      for (const [param, variable] of Object.entries(sameName)) expect(parameters[param]!.value).toMatch(new RegExp(`^\\$\\{${variable}(=[^}]*)?\\}$`));
      // A default written into main.parameters.json must be one the template accepts.
      for (const [name, { value }] of Object.entries(parameters)) {
        const fallback = /^\$\{[A-Z_]+=([^}]*)\}$/.exec(value)?.[1];
        const allowed = template.parameters[name]!.allowedValues;
        if (fallback !== undefined && allowed) expect(allowed.map(String), name).toContain(fallback);
      }
      for (const [name, p] of Object.entries(template.parameters)) expect(p.metadata?.description, `${name} has a description`).toBeTruthy();
    });

    it('changes nothing in Azure by default: every write switch is off', () => {
      expect(template.parameters.allowVpnChanges!.defaultValue).toBe(false);
      expect(template.parameters.allowEnableDiagnostics!.defaultValue).toBe(false);
      expect(template.parameters.certificateVaultAccess!.defaultValue).toBe('read');
    });

    it('gives azd the outputs the Teams package and the README name', () => {
      expect(Object.keys(template.outputs).sort()).toEqual(
        ['APP_IDENTITY_CLIENT_ID', 'AZURE_FUNCTION_APP_NAME', 'AZURE_LOCATION', 'AZURE_RESOURCE_GROUP', 'AZURE_TENANT_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT', 'BOT_ID', 'BOT_SERVICE_NAME', 'STATE_TABLES_ENDPOINT'].sort(),
      );
      expect(deployedValue(deployed.outputs.BOT_ID)).toBe(runtime.botClientId);
      expect(String(deployed.outputs.BOT_ENDPOINT)).toMatch(/^\[format\('https:\/\/\{0\}\/api\/messages', reference\('[^']+\/Microsoft\.Web\/sites\/func-vpncert-[a-z0-9]+', '[^']+'\)\.defaultHostName\)\]$/);
    });
  });

  describe('the function app', () => {
    it('gets exactly the settings the app reads, with no secret, and the app accepts them', () => {
      const settings = one(deployed, 'Microsoft.Web/sites/config').properties as Record<string, unknown>;
      const env = Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, deployedValue(value)]));
      const read = new Set<string>();
      const config = loadConfig(new Proxy(env, { get: (target, name: string) => (read.add(name), target[name]) }));
      const host = ['AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];
      for (const name of Object.keys(env)) expect(host.includes(name) || read.has(name), `${name} is neither a host setting nor read by loadConfig`).toBe(true);
      for (const forbidden of ['MicrosoftAppPassword', 'STATE_TABLES_CONNECTION_STRING', 'AZURE_TARGET', 'BOT_AUTHENTICATION', 'AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME']) expect(Object.keys(env)).not.toContain(forbidden);
      expect(env).toMatchObject({ MicrosoftAppType: 'UserAssignedMSI', AzureWebJobsStorage__credential: 'managedidentity', AzureWebJobsStorage__clientId: runtime.appClientId, AZURE_CLIENT_ID: runtime.appClientId, MicrosoftAppId: runtime.botClientId });
      expect(config.bot).toMatchObject({ authentication: 'enabled', appType: 'UserAssignedMSI', appId: runtime.botClientId });
      expect(config.stateStorage).toMatchObject({ kind: 'managed-identity', clientId: runtime.appClientId });
      expect(config.azure).toEqual({ target: 'azure', managedIdentityClientId: runtime.appClientId });
      expect(config.scopes).toEqual([{ subscriptionId: sub, resourceGroups: ['rg-hub-network'] }]);
      expect(config.access.allowedTenantIds.has(deployment.tenantId)).toBe(true);
      expect(config.environmentName).toBe('production');
    });

    it('carries the approval policy to the app: by default every change is approved within 24 h, by personal cards', () => {
      const env = appSettings(deployed);
      expect(env).toMatchObject({ APPROVALS_CHANNEL_ID: '', APPROVAL_TIMEOUT_HOURS: '24', CHANGES_WITHOUT_APPROVAL: '' });
      expect(loadConfig(env).approvals).toEqual({ required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: DEFAULT_APPROVAL_TIMEOUT_HOURS });
      // The template's bounds are the app's.
      expect(template.parameters.approvalTimeoutHours).toMatchObject({ type: 'int', defaultValue: DEFAULT_APPROVAL_TIMEOUT_HOURS, minValue: 1, maxValue: MAX_APPROVAL_TIMEOUT_HOURS });
    });

    it('sets the approvals channel, the timeout and the kinds that skip approval as given, and the app refuses a kind that may not skip it', () => {
      const channel = '19:0a1b2c3d4e5f@thread.tacv2';
      const configured = snapshot(templateDir, { ...minimal, approvalsChannelId: channel, approvalTimeoutHours: 8, changesWithoutApproval: 'enable-diagnostics' });
      const env = appSettings(configured);
      expect(env).toMatchObject({ APPROVALS_CHANNEL_ID: channel, APPROVAL_TIMEOUT_HOURS: '8', CHANGES_WITHOUT_APPROVAL: 'enable-diagnostics' });
      expect(loadConfig(env).approvals).toEqual({ required: { 'enable-diagnostics': false, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 8, channelId: channel });
      const refused = appSettings(snapshot(templateDir, { ...minimal, changesWithoutApproval: 'rotate-certificate' }));
      expect(() => loadConfig(refused)).toThrow(/CHANGES_WITHOUT_APPROVAL lists rotate-certificate, which always needs approval: remove it\./);
    });

    it('runs on Flex Consumption with Node 22 and both identities, deploying with the app identity, without basic auth', () => {
      const plan = one(deployed, 'Microsoft.Web/serverfarms') as PredictedResource & { sku: { name: string; tier: string } };
      expect(plan.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
      const site = one(deployed, 'Microsoft.Web/sites') as PredictedResource & { identity: { type: string; userAssignedIdentities: Record<string, unknown> } };
      const config = site.properties!.functionAppConfig as { runtime: unknown; deployment: { storage: { authentication: { type: string } } } };
      expect(config.runtime).toEqual({ name: 'node', version: '22' });
      expect(config.deployment.storage.authentication.type).toBe('UserAssignedIdentity');
      expect(site.properties!.httpsOnly).toBe(true);
      expect(site.identity.type).toBe('UserAssigned');
      expect(Object.keys(site.identity.userAssignedIdentities).map((id) => id.split('/').pop()!.replace(/-[a-z0-9]+$/, ''))).toEqual(['id-vpncert-app', 'id-vpncert-bot']);
      expect(resources(deployed, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies').map((p) => p.properties!.allow)).toEqual([false, false]);
      expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node).toBe('>=22');
    });

    it('is the service azd deploys: tagged with the service name of azure.yaml', () => {
      const azureYaml = readFileSync(join(root, 'azure.yaml'), 'utf8');
      const service = /^services:\n {2}([a-z][a-z0-9-]*):\n((?: {4}.*\n)+)/m.exec(azureYaml);
      expect(service).not.toBeNull();
      expect(service![2]).toMatch(/^ {4}host: function$/m);
      // azd ships the bundle of npm run build:deploy (test/deploy/bundle.test.ts runs it on the local host).
      expect(service![2]).toMatch(/^ {4}project: \.\/deploy$/m);
      expect(azureYaml).toMatch(/^ {2}path: infra$/m);
      expect((one(deployed, 'Microsoft.Web/sites').tags as Record<string, string>)['azd-service-name']).toBe(service![1]);
    });
  });

  it('keeps storage and telemetry keyless, and creates the tables the app uses', () => {
    const storage = one(deployed, 'Microsoft.Storage/storageAccounts').properties!;
    expect(storage).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
    expect(one(deployed, 'Microsoft.Insights/components').properties!.DisableLocalAuth).toBe(true);
    expect((one(deployed, 'Microsoft.OperationalInsights/workspaces').properties!.features as { disableLocalAuth: boolean }).disableLocalAuth).toBe(true);
    expect(resources(deployed, 'Microsoft.Storage/storageAccounts/tableServices/tables').map((t) => t.name.split('/').pop()).sort()).toEqual(Object.values(TABLES).sort());
  });

  it('registers the bot with its own managed identity, the Teams channel and the endpoint the app serves', () => {
    const bot = one(deployed, 'Microsoft.BotService/botServices').properties!;
    expect(bot).toMatchObject({ msaAppType: 'UserAssignedMSI', disableLocalAuth: true });
    expect(deployedValue(bot.msaAppId)).toBe(runtime.botClientId);
    expect(String(bot.msaAppMSIResourceId)).toMatch(/\/userAssignedIdentities\/id-vpncert-bot-/);
    expect(bot.endpoint).toBe(deployed.outputs.BOT_ENDPOINT);
    expect(one(deployed, 'Microsoft.BotService/botServices/channels').properties).toMatchObject({ channelName: 'MsTeamsChannel', properties: { isEnabled: true } });
    // The app serves POST /api/messages: route 'messages' under the default 'api' prefix.
    expect(readFileSync(join(root, 'functions/messages.ts'), 'utf8')).toMatch(/route: 'messages'/);
    const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: string } } };
    expect(hostJson.extensions?.http?.routePrefix ?? 'api').toBe('api');
  });

  describe('Key Vault certificate events (immediate alerts)', () => {
    const otherVaultId = `/subscriptions/${sub}/resourceGroups/rg-certs-2/providers/Microsoft.KeyVault/vaults/kv-vpn-certs-2`;

    it('by default subscribes nothing: Azure accepts the subscription only once the function exists', () => {
      expect(template.parameters.keyVaultEvents!.defaultValue).toBe(false);
      const named = snapshot(templateDir, { ...minimal, certificateVaultIds: vaultId });
      expect(resources(named, 'Microsoft.EventGrid/systemTopics')).toEqual([]);
      expect(resources(named, 'Microsoft.EventGrid/systemTopics/eventSubscriptions')).toEqual([]);
    });

    it('on each certificate vault, a system topic and a subscription delivering the two expiry events to keyVaultCertificateEvents, retried, undeliverable ones kept', () => {
      const withEvents = snapshot(templateDir, { ...minimal, keyVaultEvents: true, certificateVaultIds: `${vaultId},${otherVaultId}` });
      const topics = resources(withEvents, 'Microsoft.EventGrid/systemTopics') as (PredictedResource & { identity: { type: string } })[];
      expect(topics.map((t) => String(t.properties!.source).toLowerCase()).sort()).toEqual([vaultId.toLowerCase(), otherVaultId.toLowerCase()].sort());
      for (const topic of topics) {
        expect(topic.properties!.topicType).toBe('Microsoft.KeyVault.vaults');
        // In the vault's own resource group, and its region (known to Azure only: the vault's location).
        expect(topic.id.toLowerCase().startsWith(`${String(topic.properties!.source).toLowerCase().replace(/\/providers\/.*$/, '')}/providers/microsoft.eventgrid/systemtopics/`)).toBe(true);
        expect(String(topic.location)).toMatch(/reference\(.*Microsoft\.KeyVault\/vaults.*\)\.location|^\[.*location/i);
        expect(topic.identity.type).toBe('SystemAssigned');
      }
      const subscriptions = resources(withEvents, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
      expect(subscriptions).toHaveLength(2);
      const functionName = /app\.eventGrid\('([A-Za-z]+)'/.exec(readFileSync(join(root, 'functions/key-vault-events.ts'), 'utf8'))![1]!;
      expect(functionName).toBe('keyVaultCertificateEvents');
      for (const subscription of subscriptions) {
        expect(topics.some((t) => subscription.id.startsWith(`${t.id}/`))).toBe(true);
        const p = subscription.properties as {
          destination: { endpointType: string; properties: { resourceId: string; maxEventsPerBatch: number } };
          filter: { includedEventTypes: string[] };
          retryPolicy: { maxDeliveryAttempts: number; eventTimeToLiveInMinutes: number };
          deadLetterWithResourceIdentity: { identity: { type: string }; deadLetterDestination: { endpointType: string; properties: { resourceId: string; blobContainerName: string } } };
          eventDeliverySchema: string;
        };
        expect(p.filter.includedEventTypes.sort()).toEqual(['Microsoft.KeyVault.CertificateExpired', 'Microsoft.KeyVault.CertificateNearExpiry']);
        expect(p.destination.endpointType).toBe('AzureFunction');
        expect(p.destination.properties.resourceId).toMatch(new RegExp(`^/subscriptions/${sub}/resourceGroups/rg-prod/providers/Microsoft\\.Web/sites/func-vpncert-[a-z0-9]+/functions/${functionName}$`));
        expect(p.destination.properties.maxEventsPerBatch).toBe(1);
        expect(p.eventDeliverySchema).toBe('EventGridSchema');
        expect(p.retryPolicy.maxDeliveryAttempts).toBeGreaterThan(1);
        expect(p.retryPolicy.eventTimeToLiveInMinutes).toBeGreaterThan(0);
        expect(p.deadLetterWithResourceIdentity.identity.type).toBe('SystemAssigned');
        expect(p.deadLetterWithResourceIdentity.deadLetterDestination.endpointType).toBe('StorageBlob');
        expect(p.deadLetterWithResourceIdentity.deadLetterDestination.properties.resourceId).toBe(one(withEvents, 'Microsoft.Storage/storageAccounts').id);
      }
      // The dead-letter container exists, and each topic's identity may write there (and nowhere else in the account).
      const container = (subscriptions[0]!.properties as { deadLetterWithResourceIdentity: { deadLetterDestination: { properties: { blobContainerName: string } } } }).deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName;
      expect(resources(withEvents, 'Microsoft.Storage/storageAccounts/blobServices/containers').map((c) => c.name.split('/').pop())).toContain(container);
      const writers = resources(withEvents, 'Microsoft.Authorization/roleAssignments').filter((a) => String(a.properties!.roleDefinitionId).endsWith(VERIFIED_BUILT_IN_ROLES['Storage Blob Data Contributor']!));
      expect(writers).toHaveLength(2);
      for (const w of writers) expect(w.id).toMatch(new RegExp(`/storageAccounts/[^/]+/blobServices/default/containers/${container}/providers/Microsoft\\.Authorization/roleAssignments/`));
    });
  });

  describe('role assignments', () => {
    it('uses built-in roles only for the app\'s own storage and telemetry, each id the one Microsoft documents', () => {
      const builtIn = Object.values(VERIFIED_BUILT_IN_ROLES);
      const assignments = resources(deployed, 'Microsoft.Authorization/roleAssignments');
      const custom = new Set(resources(deployed, 'Microsoft.Authorization/roleDefinitions').map((d) => d.name));
      for (const a of assignments) {
        const roleId = String(a.properties!.roleDefinitionId).split('/').pop()!;
        expect(builtIn.includes(roleId) || custom.has(roleId), `${a.id} assigns ${roleId}, neither a verified built-in role nor one of ours`).toBe(true);
        if (builtIn.includes(roleId)) expect(a.id).toMatch(/\/resourceGroups\/rg-prod\/providers\/Microsoft\.(Storage\/storageAccounts|Insights\/components)\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments\//);
      }
      expect(assignments.filter((a) => builtIn.some((id) => String(a.properties!.roleDefinitionId).endsWith(id)))).toHaveLength(4);
    });

    it('by default assigns only reading roles: on the VPN scopes, and nothing on workspaces or vaults nobody named', () => {
      const definitions = resources(deployed, 'Microsoft.Authorization/roleDefinitions');
      expect(definitions.map((d) => (d.properties!.roleName as string).replace(/ \([a-z0-9]+\)$/, ''))).toEqual(['VPN Cert Ops VPN reader']);
      const vpn = resources(deployed, 'Microsoft.Authorization/roleAssignments').filter((a) => a.id.includes('/rg-hub-network/'));
      expect(vpn).toHaveLength(1);
      expect(vpn[0]!.id).toMatch(new RegExp(`^/subscriptions/${sub}/resourceGroups/rg-hub-network/providers/Microsoft\\.Authorization/roleAssignments/`));
    });

    it('backs "Enable diagnostics" with diagnostic-settings write on the VPN scopes and sharedKeys on the one workspace, not Monitoring Contributor', () => {
      const withDiagnostics = snapshot(templateDir, { ...minimal, diagnosticsWorkspaceId: workspaceId, allowEnableDiagnostics: true });
      const monitoringContributor = '749f88d5-cbae-40b8-bcfc-e573ddc772fa';
      for (const a of resources(withDiagnostics, 'Microsoft.Authorization/roleAssignments')) expect(String(a.properties!.roleDefinitionId)).not.toContain(monitoringContributor);
      const grants = Object.fromEntries(
        resources(withDiagnostics, 'Microsoft.Authorization/roleDefinitions').map((d) => {
          const [p] = d.properties!.permissions as { actions: string[]; dataActions: string[] }[];
          return [(d.properties!.roleName as string).replace(/ \([a-z0-9]+\)$/, ''), [...p!.actions, ...p!.dataActions]];
        }),
      );
      expect(grants['VPN Cert Ops gateway diagnostics writer']).toEqual(['Microsoft.Insights/diagnosticSettings/write', 'Microsoft.Insights/diagnosticSettings/delete']);
      expect(grants['VPN Cert Ops diagnostics destination']).toEqual(['Microsoft.OperationalInsights/workspaces/sharedKeys/action']);
    });

    it('with every switch on, assigns each role at its narrowest scope, to the principal it is for', () => {
      const all = snapshot(templateDir, {
        ...minimal,
        vpnScopes: `${vpnGroup},${sub.replace(/^5d/, '6e')}`,
        diagnosticsWorkspaceId: workspaceId,
        certificateVaultIds: vaultId,
        gatewayIdentityPrincipalIds: gatewayPrincipal,
        allowEnableDiagnostics: true,
        allowVpnChanges: true,
        certificateVaultAccess: 'manage',
      });
      const roleName = new Map(resources(all, 'Microsoft.Authorization/roleDefinitions').map((d) => [d.name, (d.properties!.roleName as string).replace(/^VPN Cert Ops | \([a-z0-9]+\)$/g, '')]));
      const where = resources(all, 'Microsoft.Authorization/roleAssignments')
        .map((a) => ({ role: roleName.get(String(a.properties!.roleDefinitionId).split('/').pop()!), scope: a.id.replace(/\/providers\/Microsoft\.Authorization\/roleAssignments\/.*$/, ''), principal: String(a.properties!.principalId) }))
        .filter((a) => a.role !== undefined)
        .map((a) => `${a.role} @ ${a.scope.toLowerCase()} for ${a.principal === gatewayPrincipal ? 'gateway' : /id-vpncert-app-/.test(a.principal) ? 'app' : a.principal}`);
      const rg = `/subscriptions/${sub}/resourcegroups/rg-hub-network`;
      const otherSub = `/subscriptions/${sub.replace(/^5d/, '6e')}`;
      expect(where.sort()).toEqual(
        [
          `VPN reader @ ${rg} for app`,
          `VPN reader @ ${otherSub} for app`,
          `VPN changer @ ${rg} for app`,
          `VPN changer @ ${otherSub} for app`,
          `certificate changer @ ${vaultId.toLowerCase()} for app`,
          `gateway diagnostics writer @ ${rg} for app`,
          `gateway diagnostics writer @ ${otherSub} for app`,
          `gateway log reader @ ${workspaceId.toLowerCase()} for app`,
          `diagnostics destination @ ${workspaceId.toLowerCase()} for app`,
          `certificate reader @ ${vaultId.toLowerCase()} for app`,
          `gateway certificate reader @ ${vaultId.toLowerCase()} for gateway`,
        ].sort(),
      );
      // Each custom role may only be assigned where it is: its assignable scopes are those resource groups or subscriptions.
      for (const d of resources(all, 'Microsoft.Authorization/roleDefinitions')) {
        const scopes = (d.properties!.assignableScopes as string[]).map((s) => s.toLowerCase());
        expect(scopes.every((s) => /^\/subscriptions\/[^/]+(\/resourcegroups\/[^/]+)?$/.test(s)), `${String(d.properties!.roleName)}: ${scopes.join(', ')}`).toBe(true);
      }
    });
  });
});
