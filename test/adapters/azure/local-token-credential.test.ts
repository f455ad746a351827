import { describe, expect, it } from 'vitest';
import { createAzureSettings } from '../../../adapters/azure/azure-settings';
import { LocalTokenCredential } from '../../../adapters/azure/local-token-credential';

const principal = { objectId: '6a1c3e5f-7b9d-4f2a-8c4e-1d3f5a7b9c2e', tenantId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', appId: 'f2d4b6a8-1c3e-4a5f-9b7d-3e5a7c9f1b2d' };

describe('LocalTokenCredential', () => {
  it('mints an unsigned JWT with the principal and the scope\'s audience', async () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const token = await new LocalTokenCredential(principal, { now: () => now, lifetimeMs: 3600_000 }).getToken('https://api.loganalytics.io/.default');
    const [header, payload, signature] = token.token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'none' });
    expect(signature).toBe('');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toMatchObject({ aud: 'https://api.loganalytics.io', oid: principal.objectId, tid: principal.tenantId, appid: principal.appId, exp: now.getTime() / 1000 + 3600 });
    expect(token.expiresOnTimestamp).toBe(now.getTime() + 3600_000);
  });
});

describe('createAzureSettings', () => {
  it('points the simulator mode at loopback only, trusting its CA for these clients', () => {
    const settings = createAzureSettings({ mode: 'simulator', simulatorUrl: 'https://127.0.0.1:4443', caPem: 'PEM', principal });
    expect(settings).toMatchObject({ armEndpoint: 'https://127.0.0.1:4443', logAnalyticsEndpoint: 'https://127.0.0.1:4443/v1', trustedCaPem: 'PEM', keyVaultVerifyChallengeResource: false });
    expect(() => createAzureSettings({ mode: 'simulator', simulatorUrl: 'https://management.azure.com', caPem: 'PEM', principal })).toThrow(/127\.0\.0\.1/);
    expect(() => createAzureSettings({ mode: 'simulator', simulatorUrl: 'http://127.0.0.1:4443', caPem: 'PEM', principal })).toThrow(/https/);
  });

  it('uses public endpoints and full checks in Azure mode, and validates the managed identity client id', () => {
    const settings = createAzureSettings({ mode: 'azure', managedIdentityClientId: '3e9a1d5b-2c4f-4a6e-9b8d-7f0c2e1a5d4b' });
    expect(settings).toMatchObject({ armEndpoint: 'https://management.azure.com', logAnalyticsEndpoint: 'https://api.loganalytics.io/v1', keyVaultVerifyChallengeResource: true });
    expect(settings.trustedCaPem).toBeUndefined();
    expect(() => createAzureSettings({ mode: 'azure', managedIdentityClientId: 'my-identity' })).toThrow(/AZURE_CLIENT_ID/);
  });
});
