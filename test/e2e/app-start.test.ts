import { expect, it } from 'vitest';
import { startLocalHost } from '../../local/host';
import { projectRoot } from '../../local/sandbox/project-root';

/**
 * Loading the function app validates configuration at start: a half-configured production bot stops there with a
 * message naming the missing setting, instead of failing the first message. (Its own file: one app per process.)
 */
it('refuses to start with a half-configured production setting and names what is missing', async () => {
  const production = {
    MicrosoftAppId: '22222222-2222-4222-8222-222222222222',
    MicrosoftAppType: 'UserAssignedMSI',
    ACCESS_ALLOWED_TENANTS: '11111111-1111-4111-8111-111111111111',
    STATE_TABLES_ENDPOINT: 'https://stvpnops.table.core.windows.net',
    VPN_SCOPES: '33333333-3333-4333-8333-333333333333/rg-hub-network',
    DURABLE_TASK_HUB: 'vpncertops',
  };
  for (const key of Object.keys(process.env)) if (/^(Microsoft|ACCESS_|STATE_|VPN_|AZURE_|BOT_)/.test(key)) delete process.env[key];
  Object.assign(process.env, production);
  const started = startLocalHost({ appRoot: projectRoot(), loadApp: () => import('../../functions/index'), log: 'quiet' });
  await expect(started).rejects.toThrow(/MicrosoftAppTenantId is missing: set it to your Entra tenant id/);
});
