import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../local/sandbox/project-root';
import { ConfigError, loadConfig } from '../../../core/config/load-config';

const TENANT = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const SUB = '33333333-3333-3333-3333-333333333333';

const production = {
  MicrosoftAppId: APP,
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: TENANT,
  ACCESS_ALLOWED_TENANTS: TENANT,
  ACCESS_READERS: 'aaaaaaaa-0000-0000-0000-000000000001',
  STATE_TABLES_ENDPOINT: 'https://stvpnops.table.core.windows.net',
  VPN_SCOPES: `${SUB}/rg-hub-network,${SUB}/rg-branch`,
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads a complete production configuration', () => {
    const config = loadConfig(production);
    expect(config.bot).toEqual({ authentication: 'enabled', appId: APP, appType: 'UserAssignedMSI', tenantId: TENANT });
    expect(config.scopes).toEqual([{ subscriptionId: SUB, resourceGroups: ['rg-hub-network', 'rg-branch'] }]);
    expect(config.azure).toEqual({ target: 'azure' });
    expect(config.environmentName).toBe('production');
  });

  it('names the missing setting of a half-configured bot', () => {
    const { MicrosoftAppTenantId: _omit, ...rest } = production;
    const problems = problemsOf(rest);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MicrosoftAppTenantId is missing/);
  });

  it('lists every problem at once, each saying how to fix it', () => {
    const problems = problemsOf({ MicrosoftAppId: 'not-a-guid', MicrosoftAppType: 'MultiTenant' });
    expect(problems.join('\n')).toMatch(/MicrosoftAppId must be a GUID/);
    expect(problems.join('\n')).toMatch(/MicrosoftAppType is "MultiTenant": set it to UserAssignedMSI/);
    expect(problems.join('\n')).toMatch(/ACCESS_ALLOWED_TENANTS is missing/);
    expect(problems.join('\n')).toMatch(/STATE_TABLES_ENDPOINT is missing/);
    expect(problems.join('\n')).toMatch(/VPN_SCOPES is missing/);
  });

  describe('turning Bot Framework authentication off', () => {
    const { MicrosoftAppId: _a, MicrosoftAppType: _b, MicrosoftAppTenantId: _c, ...unregistered } = production;
    const simulator = {
      AZURE_TARGET: 'simulator',
      AZURE_SIMULATOR_URL: 'https://127.0.0.1:45165',
      AZURE_SIMULATOR_CA_PEM: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      AZURE_SIMULATOR_PRINCIPAL_ID: 'aaaaaaaa-0000-0000-0000-0000000000b0',
      AZURE_SIMULATOR_TENANT_ID: TENANT,
    };
    const local = { ...unregistered, ...simulator, BOT_AUTHENTICATION: 'disabled-for-local-use' };

    it('is accepted when explicitly asked, with the simulator target, without an app id, on a local host', () => {
      expect(loadConfig(local).bot).toEqual({ authentication: 'disabled-for-local-use' });
      // Core Tools and the project's local host set WEBSITE_HOSTNAME to a loopback address: still local.
      expect(loadConfig({ ...local, WEBSITE_HOSTNAME: 'localhost:7071' }).bot).toEqual({ authentication: 'disabled-for-local-use' });
      expect(loadConfig({ ...local, WEBSITE_HOSTNAME: '127.0.0.1:3978' }).bot).toEqual({ authentication: 'disabled-for-local-use' });
    });

    it('is refused, naming the setting, with an app id, with a wrong value, or when it is missing', () => {
      expect(problemsOf({ ...local, MicrosoftAppId: APP })[0]).toMatch(/^BOT_AUTHENTICATION .*remove one/);
      expect(problemsOf({ ...local, BOT_AUTHENTICATION: 'off' })[0]).toMatch(/^BOT_AUTHENTICATION must be "enabled"/);
      expect(problemsOf(unregistered)[0]).toMatch(/MicrosoftAppId is missing/);
    });

    it('is refused against real Azure: only the simulator target may run without authentication', () => {
      for (const target of [{}, { AZURE_TARGET: 'azure' }] as Record<string, string>[]) {
        const problems = problemsOf({ ...unregistered, ...target, BOT_AUTHENTICATION: 'disabled-for-local-use' });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^BOT_AUTHENTICATION is "disabled-for-local-use", which is accepted only with AZURE_TARGET=simulator/);
      }
    });

    it('is refused on an App Service / Functions host (its WEBSITE_* variables), even with the simulator target', () => {
      const azureHosts: Record<string, string>[] = [
        { WEBSITE_SITE_NAME: 'func-vpnops-prod' },
        { WEBSITE_INSTANCE_ID: 'a1b2c3d4e5f6' },
        { WEBSITE_HOSTNAME: 'func-vpnops-prod.azurewebsites.net' },
        { website_owner_name: 'sub+rg-westeurope' },
      ];
      for (const host of azureHosts) {
        const problems = problemsOf({ ...local, ...host });
        expect(problems[0]).toMatch(/^BOT_AUTHENTICATION is "disabled-for-local-use" on an App Service \/ Functions host \(\w+ is set\): remove BOT_AUTHENTICATION/);
        // The simulator target is refused there too, so nothing local-only runs in Azure.
        expect(problems.some((p) => /^AZURE_TARGET is "simulator" on an App Service \/ Functions host/.test(p))).toBe(true);
      }
      // An empty variable is not a host.
      expect(loadConfig({ ...local, WEBSITE_SITE_NAME: ' ' }).bot).toEqual({ authentication: 'disabled-for-local-use' });
    });
  });

  it("downloads attachments from Teams' file hosts unless ATTACHMENT_HOSTS names others; refuses patterns that allow anything", () => {
    expect(loadConfig(production).attachmentHosts).toEqual(['*.sharepoint.com', '*.sharepoint.us', '*.sharepoint-mil.us', '*.sharepoint.cn']);
    expect(loadConfig({ ...production, ATTACHMENT_HOSTS: '*.sharepoint.com, Files.Contoso.example' }).attachmentHosts).toEqual(['*.sharepoint.com', 'files.contoso.example']);
    for (const bad of ['*', '*.com', 'https://contoso.sharepoint.com', '10.0.0.1', 'contoso.sharepoint.com/path']) {
      expect(problemsOf({ ...production, ATTACHMENT_HOSTS: bad })[0]).toMatch(/^ATTACHMENT_HOSTS entry/);
    }
  });

  it('requires the app secret for SingleTenant bots', () => {
    expect(problemsOf({ ...production, MicrosoftAppType: 'SingleTenant' })[0]).toMatch(/MicrosoftAppPassword is missing/);
  });

  it('rejects role lists that are not GUIDs instead of ignoring them', () => {
    expect(problemsOf({ ...production, ACCESS_OPERATORS: 'alice@contoso.com' })[0]).toMatch(/ACCESS_OPERATORS has "alice@contoso.com"/);
  });

  it('merges scopes per subscription; a whole subscription wins over its groups', () => {
    expect(loadConfig({ ...production, VPN_SCOPES: `${SUB}/rg-a ${SUB}` }).scopes).toEqual([{ subscriptionId: SUB }]);
    expect(problemsOf({ ...production, VPN_SCOPES: 'sub/rg/extra' })[0]).toMatch(/VPN_SCOPES entry/);
  });

  it('validates the simulator target for the sandbox', () => {
    expect(problemsOf({ ...production, AZURE_TARGET: 'simulator', AZURE_SIMULATOR_URL: 'https://example.com' }).join('\n')).toMatch(/loopback/);
    expect(problemsOf({ ...production, AZURE_TARGET: 'cloud' })[0]).toMatch(/AZURE_TARGET must be/);
  });

  it('approval policy: every change kind needs approval by default, for 24 h, with personal cards when no channel is set', () => {
    const { approvals } = loadConfig(production);
    expect(approvals).toEqual({ required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 24 });
  });

  it('approval policy: enable-diagnostics may be exempted, with another timeout and an approvals channel', () => {
    const { approvals } = loadConfig({ ...production, CHANGES_WITHOUT_APPROVAL: 'Enable-Diagnostics', APPROVAL_TIMEOUT_HOURS: '8', APPROVALS_CHANNEL_ID: '19:abc@thread.tacv2' });
    expect(approvals).toEqual({ required: { 'enable-diagnostics': false, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 8, channelId: '19:abc@thread.tacv2' });
  });

  it('approval policy: rotate and provision cannot be exempted, and bad values name the setting', () => {
    expect(problemsOf({ ...production, CHANGES_WITHOUT_APPROVAL: 'rotate-certificate,provision-site,reboot', APPROVAL_TIMEOUT_HOURS: '0', APPROVALS_CHANNEL_ID: 'a/b' })).toEqual([
      'CHANGES_WITHOUT_APPROVAL lists rotate-certificate, which always needs approval: remove it.',
      'CHANGES_WITHOUT_APPROVAL lists provision-site, which always needs approval: remove it.',
      'CHANGES_WITHOUT_APPROVAL lists "reboot", which is not a change kind (enable-diagnostics, rotate-certificate, provision-site, set-ipsec-policy, remove-site).',
      'APPROVAL_TIMEOUT_HOURS must be a number of hours above 0 and at most 336 (default 24).',
      'APPROVALS_CHANNEL_ID must be the Teams channel id (e.g. 19:abc…@thread.tacv2), without spaces or slashes.',
    ]);
  });

  it('reads which simulator listener serves which vault, so cards name the vault as in Azure', () => {
    const simulator = { ...production, AZURE_TARGET: 'simulator', AZURE_SIMULATOR_URL: 'https://127.0.0.1:40000', AZURE_SIMULATOR_CA_PEM: '-----BEGIN CERTIFICATE-----x', AZURE_SIMULATOR_PRINCIPAL_ID: SUB, AZURE_SIMULATOR_TENANT_ID: SUB };
    expect(loadConfig({ ...simulator, AZURE_SIMULATOR_KEY_VAULTS: 'kv-vpn-certs=https://127.0.0.1:40011, kv-two=https://127.0.0.1:40012/' }).azure).toMatchObject({
      target: 'simulator',
      keyVaults: [
        { name: 'kv-vpn-certs', url: 'https://127.0.0.1:40011' },
        { name: 'kv-two', url: 'https://127.0.0.1:40012' },
      ],
    });
    expect(loadConfig(simulator).azure).not.toHaveProperty('keyVaults');
    expect(problemsOf({ ...simulator, AZURE_SIMULATOR_KEY_VAULTS: 'https://127.0.0.1:40011' })[0]).toMatch(/AZURE_SIMULATOR_KEY_VAULTS entry "https:\/\/127\.0\.0\.1:40011" is not <vault name>=https:\/\/127\.0\.0\.1:<port>/);
    expect(problemsOf({ ...simulator, AZURE_SIMULATOR_KEY_VAULTS: 'kv=https://vault.example.com' })).toHaveLength(1);
  });

  it('local.settings.sample.json, filled in, runs locally against a real bot registration (SingleTenant, Azurite, developer sign-in)', () => {
    const sample = JSON.parse(readFileSync(join(projectRoot(), 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    // Every placeholder is one the README explains; filled with the kind of value it asks for.
    const fill: Record<string, string> = {
      "<bot registration's app (client) id>": 'f2d4b6a8-1c3e-4a5f-9b7d-3e5a7c9f1b2d',
      '<a client secret of that app registration>': 'not-a-real-secret',
      '<your Entra tenant id>': 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      '<Entra object ids, comma-separated>': '4e6a8c1d-3f5b-4d7e-9a2c-6b8d0f2e4a1c,6a1c3e5f-7b9d-4f2a-8c4e-1d3f5a7b9c2e',
      '<subscription id>': SUB,
      '<resource group>': 'rg-hub-network',
      '<workspace name>': 'log-vpn',
      '<Teams channel id for approval requests, 19:...@thread.tacv2; leave out for personal cards>': '19:a1b2c3@thread.tacv2',
    };
    const values = Object.fromEntries(Object.entries(sample.Values).map(([k, v]) => [k, v.replace(/<[^>]+>/g, (placeholder) => fill[placeholder] ?? placeholder)]));
    expect(Object.values(values).filter((v) => v.includes('<'))).toEqual([]);
    const config = loadConfig(values);
    expect(config.bot).toMatchObject({ authentication: 'enabled', appType: 'SingleTenant', appPassword: 'not-a-real-secret' });
    expect(config.stateStorage).toEqual({ kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' });
    expect(config.azure).toEqual({ target: 'azure' });
    // In Azure the app runs as its managed identity instead: no secret, tables through the identity.
    const azure = { ...values, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppPassword: '', STATE_TABLES_CONNECTION_STRING: '', STATE_TABLES_ENDPOINT: 'https://stvpnops.table.core.windows.net', AZURE_CLIENT_ID: '3e9a1d5b-2c4f-4a6e-9b8d-7f0c2e1a5d4b' };
    expect(loadConfig(azure)).toMatchObject({ bot: { appType: 'UserAssignedMSI' }, stateStorage: { kind: 'managed-identity' }, azure: { target: 'azure', managedIdentityClientId: '3e9a1d5b-2c4f-4a6e-9b8d-7f0c2e1a5d4b' } });
  });
});

