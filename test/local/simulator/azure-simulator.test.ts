import { NetworkManagementClient } from '@azure/arm-network';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClientOptions } from '../../../adapters/azure/azure-settings';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { createRootCa } from '../../../local/pki/cert-factory';
import type { Estate } from '../../../local/estate/estate';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import { createManualClock, startAzureSimulator, type AzureSimulator } from '../../../local/simulator/azure-simulator';
import { azureOperationDurations } from '../../../local/simulator/sim-lro';
import { errorCode, rawRequest, startTestSimulator, testNow } from './simulator-fixture';

const sub = sandboxNames.subscriptionId;
const rg = sandboxNames.resourceGroup;
const base = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network`;
const api = 'api-version=2026-01-01';

describe('the simulator answers like ARM', () => {
  let sim: AzureSimulator;
  let sdk: NetworkManagementClient;

  beforeAll(async () => {
    sim = await startTestSimulator();
    const settings = sim.settingsFor('bot');
    sdk = new NetworkManagementClient(settings.credential, sub, { ...sdkClientOptions(settings), endpoint: settings.armEndpoint });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('authenticates every call: no token, a token for another service, an unknown principal', async () => {
    const noToken = await rawRequest(sim, 'GET', `${base}/connections?${api}`, { principal: null });
    expect(noToken.status).toBe(401);
    expect(errorCode(noToken.body)).toBe('AuthenticationFailed');
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer authorization_uri=/);

    const wrongAudience = await rawRequest(sim, 'GET', `${base}/connections?${api}`, { audience: 'https://vault.azure.net/.default' });
    expect([wrongAudience.status, errorCode(wrongAudience.body)]).toEqual([401, 'InvalidAuthenticationTokenAudience']);

    const outsider = await rawRequest(sim, 'GET', `${base}/connections?${api}`, { principal: 'outsider' });
    expect(outsider.status).toBe(403);
    expect(outsider.body).toEqual({
      error: {
        code: 'AuthorizationFailed',
        message: `The client '${sandboxNames.principals.outsider.objectId}' with object id '${sandboxNames.principals.outsider.objectId}' does not have authorization to perform action 'Microsoft.Network/connections/read' over scope '${base}/connections' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });

    const vault = sim.estateInfo.vaults[0]?.url ?? '';
    const vaultChallenge = await rawRequest(sim, 'GET', '/certificates?api-version=7.6', { principal: null, baseUrl: vault });
    expect(vaultChallenge.status).toBe(401);
    expect(vaultChallenge.headers['www-authenticate']).toMatch(/resource="https:\/\/vault\.azure\.net"/);
  });

  it('checks api-version like a resource provider', async () => {
    const missing = await rawRequest(sim, 'GET', `${base}/connections`);
    expect([missing.status, errorCode(missing.body)]).toEqual([400, 'MissingApiVersionParameter']);
    const unknown = await rawRequest(sim, 'GET', `${base}/connections?api-version=2019-01-01`);
    expect([unknown.status, errorCode(unknown.body)]).toEqual([400, 'NoRegisteredProviderFound']);
    const missingGroup = await rawRequest(sim, 'GET', `/subscriptions/${sub}/resourceGroups/rg-nope/providers/Microsoft.Network/connections?${api}`);
    expect([missingGroup.status, errorCode(missingGroup.body)]).toEqual([404, 'ResourceGroupNotFound']);
    const otherSubscription = await rawRequest(sim, 'GET', `/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/${rg}/providers/Microsoft.Network/connections?${api}`);
    expect(errorCode(otherSubscription.body)).toBe('SubscriptionNotFound');
  });

  it('runs a PUT as a long-running operation that can be watched: Updating, InProgress, then Succeeded, taking Azure\'s time on the virtual clock', async () => {
    const body = { location: 'westeurope', properties: { gatewayIpAddress: '203.0.113.99', localNetworkAddressSpace: { addressPrefixes: ['10.99.0.0/16'] } } };
    const started = sim.clock.now().getTime();
    const put = await rawRequest(sim, 'PUT', `${base}/localNetworkGateways/lng-watch?${api}`, { body });
    expect(put.status).toBe(201);
    expect((put.body as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Updating');
    const operation = String(put.headers['azure-asyncoperation']);
    expect(operation).toMatch(new RegExp(`^${sim.url}/subscriptions/${sub}/providers/Microsoft.Network/locations/westeurope/operations/[0-9a-f-]{36}\\?api-version=2026-01-01$`));

    const during = await rawRequest(sim, 'GET', `${base}/localNetworkGateways/lng-watch?${api}`);
    expect((during.body as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Updating');
    // Each InProgress answer stands for the client waiting Azure's 10 s Retry-After on the virtual clock.
    const statuses: string[] = [];
    for (let i = 0; i < 20 && statuses.at(-1) !== 'Succeeded'; i++) statuses.push(((await rawRequest(sim, 'GET', operation)).body as { status: string }).status);
    expect(statuses.slice(0, -1).every((s) => s === 'InProgress')).toBe(true);
    expect(statuses.at(-1)).toBe('Succeeded');
    expect(sim.clock.now().getTime() - started).toBe(azureOperationDurations['local-network-gateway-create']);
    const after = await rawRequest(sim, 'GET', `${base}/localNetworkGateways/lng-watch?${api}`);
    expect((after.body as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Succeeded');

    const del = await rawRequest(sim, 'DELETE', `${base}/localNetworkGateways/lng-watch?${api}`);
    expect(del.status).toBe(202);
    expect(del.headers.location).toMatch(/\/operationResults\//);
    let result = await rawRequest(sim, 'GET', String(del.headers.location));
    for (let i = 0; i < 10 && result.status === 202; i++) result = await rawRequest(sim, 'GET', String(del.headers.location));
    expect(result.status).toBe(204);
    expect((await rawRequest(sim, 'GET', `${base}/localNetworkGateways/lng-watch?${api}`)).status).toBe(404);
  });

  it('validates certificate connections with Azure\'s codes (through the SDK client)', async () => {
    const london = await sdk.virtualNetworkGatewayConnections.get(rg, 'cn-site-london');
    const cert = london.certificateAuthentication ?? {};
    const attempt = async (changes: Record<string, unknown>) => {
      try {
        await sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, 'cn-site-london', { ...london, ...changes } as typeof london, { updateIntervalInMs: 1 });
        return 'accepted';
      } catch (error) {
        // Synchronous validation is a RestError with the code; a failed long-running operation names it in the message.
        return (error as { code?: string }).code ?? /has failed\. (\w+)\./.exec((error as Error).message)?.[1];
      }
    };
    expect(await attempt({ sharedKey: 'not-with-certificates' })).toBe('InvalidPskExist');
    expect(await attempt({ certificateAuthentication: { ...cert, inboundAuthCertificateSubjectName: ' ' } })).toBe('CertificateSubjectNameIsEmpty');
    expect(await attempt({ certificateAuthentication: { ...cert, inboundAuthCertificateChain: [] } })).toBe('InboundAuthCertificateChainIsEmpty');
    expect(await attempt({ certificateAuthentication: { ...cert, outboundAuthCertificate: undefined } })).toBe('OutboundAuthCertificateIsEmpty');
    expect(await attempt({ certificateAuthentication: { ...cert, inboundAuthCertificateChain: ['bm90IGEgY2VydGlmaWNhdGU='] } })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalid');
    expect(await attempt({ localNetworkGateway2: { id: `${base}/localNetworkGateways` } })).toBe('LinkedInvalidPropertyId');
    expect(await attempt({ virtualNetworkGateway1: { id: `${base}/localNetworkGateways/lng-site-paris` } })).toBe('InvalidResourceId');
    expect(await attempt({ certificateAuthentication: { ...cert, outboundAuthCertificate: 'https://kv-unknown.vault.azure.net/certificates/x/0123' } })).toBe('VpnGatewayKeyVaultNameResolutionFailure');
    expect(await attempt({ certificateAuthentication: { ...cert, outboundAuthCertificate: `${sim.estateInfo.vaults[0]?.url}/certificates/no-such-cert/0123` } })).toBe('VpnGatewayKeyVaultSecretNotFound');

    const sharedKey = await rawRequest(sim, 'GET', `${base}/connections/cn-site-london/sharedkey?${api}`);
    expect(errorCode(sharedKey.body)).toBe('PlainTextSharedKeyDoesnotExistCertIsGettingUsedForAuthentication');
  });

  it('validates the gateway identity: user-assigned only, exactly one', async () => {
    const gateway = await sdk.virtualNetworkGateways.get(rg, sandboxNames.gateway);
    const identityId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${sandboxNames.identity}`;
    const attempt = async (identity: unknown) => {
      try {
        await sdk.virtualNetworkGateways.createOrUpdate(rg, sandboxNames.gateway, { ...gateway, identity } as typeof gateway, { updateIntervalInMs: 1 });
        return 'accepted';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(await attempt({ type: 'SystemAssigned' })).toBe('VpnGatewaySupportsUserAssignedIdentityTypeOnly');
    expect(await attempt({ type: 'UserAssigned', userAssignedIdentities: { [identityId]: {}, [`${identityId}2`]: {} } })).toBe('VpnGatewayAllowsOneUserAssignedIdentityOnly');
    expect(await attempt({ type: 'UserAssigned', userAssignedIdentities: { 'not-an-id': {} } })).toBe('LinkedInvalidPropertyId');
    expect(await attempt({ type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } })).toBe('accepted');
  });

  it('validates diagnostic settings and metrics requests', async () => {
    const gateway = `${base}/virtualNetworkGateways/${sandboxNames.gateway}`;
    const workspaceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${sandboxNames.workspace}`;
    const setting = (logs: unknown[]) => ({ properties: { workspaceId, logs } });
    const unknownCategory = await rawRequest(sim, 'PUT', `${gateway}/providers/Microsoft.Insights/diagnosticSettings/second?api-version=2021-05-01-preview`, { body: setting([{ category: 'FlowLogs', enabled: true }]) });
    expect(unknownCategory.status).toBe(400);
    const duplicate = await rawRequest(sim, 'PUT', `${gateway}/providers/Microsoft.Insights/diagnosticSettings/second?api-version=2021-05-01-preview`, { body: setting([{ category: 'IKEDiagnosticLog', enabled: true }]) });
    expect(duplicate.status).toBe(400);
    expect((duplicate.body as { error: { message: string } }).error.message).toMatch(/already used in diagnostic setting 'diag-vpngw-hub' for category 'IKEDiagnosticLog'/);
    const other = await rawRequest(sim, 'PUT', `${gateway}/providers/Microsoft.Insights/diagnosticSettings/second?api-version=2021-05-01-preview`, { body: setting([{ category: 'RouteDiagnosticLog', enabled: true }]) });
    expect(other.status).toBe(200);

    const metrics = (query: string) => rawRequest(sim, 'GET', `${gateway}/providers/Microsoft.Insights/metrics?api-version=2024-02-01&${query}`);
    expect((await metrics('metricnames=TunnelIngressBytes&interval=PT1M')).status).toBe(400);
    expect((await metrics('metricnames=NoSuchMetric')).status).toBe(400);
    expect((await metrics("metricnames=TunnelIngressBytes&$filter=Colour eq 'red'")).status).toBe(400);
    const ok = await metrics(`metricnames=TunnelIngressBytes,MmsaCount&interval=PT15M&timespan=${new Date(testNow.getTime() - 3600_000).toISOString()}/${testNow.toISOString()}`);
    expect(ok.status).toBe(200);
    expect((ok.body as { value: { timeseries: { data: unknown[] }[] }[] }).value.map((m) => m.timeseries[0]?.data.length)).toEqual([4, 4]);
  });

});

function miniEstate(): Estate {
  return {
    subscriptionId: sub,
    tenantId: sandboxNames.tenantId,
    location: 'westeurope',
    resourceGroups: [rg],
    principals: [
      { key: 'bot', objectId: sandboxNames.principals.bot.objectId, appId: sandboxNames.principals.bot.appId, displayName: 'bot', roles: [{ role: 'Owner', scope: `/subscriptions/${sub}` }] },
      { key: 'reader', objectId: sandboxNames.principals.reader.objectId, appId: sandboxNames.principals.reader.appId, displayName: 'reader', roles: [{ role: 'Reader', scope: `/subscriptions/${sub}` }] },
    ],
    identities: [{ name: 'id-basic', resourceGroup: rg, principalId: '11111111-2222-4333-8444-555555555555', clientId: '66666666-7777-4888-9999-000000000000' }],
    virtualNetworks: [{ name: 'vnet-hub', resourceGroup: rg, addressPrefixes: ['10.1.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }] }],
    gateways: [{ name: 'vpngw-basic', resourceGroup: rg, sku: 'Basic', activeActive: false, virtualNetwork: 'vnet-hub', publicIps: [{ name: 'pip-basic', ipAddress: '198.51.100.20' }], privateIps: ['10.1.255.4'] }],
    workspaces: [],
    diagnosticSettings: [],
    vaults: [],
    sites: [],
  };
}

describe('ARM throttling', () => {
  let sim: AzureSimulator;
  beforeAll(async () => {
    sim = await startAzureSimulator({ estate: miniEstate(), clock: createManualClock(testNow), throttling: { reads: { capacity: 5, refillPerSecond: 1 } } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('throttles reads per principal with a token bucket and says how many remain', async () => {
    const read = () => rawRequest(sim, 'GET', `${base}/virtualNetworks/vnet-hub?${api}`, { principal: 'reader' });
    const first = await read();
    expect(first.headers['x-ms-ratelimit-remaining-subscription-reads']).toBe('4');
    for (let i = 0; i < 4; i++) await read();
    const throttled = await read();
    expect(throttled.status).toBe(429);
    expect(errorCode(throttled.body)).toBe('SubscriptionRequestsThrottled');
    expect(throttled.headers['retry-after']).toBe('1');
    // Another principal has its own bucket; time refills this one.
    expect((await rawRequest(sim, 'GET', `${base}/virtualNetworks/vnet-hub?${api}`, { principal: 'bot' })).status).toBe(200);
    await sim.advance(2000);
    expect((await read()).status).toBe(200);
    expect(sim.stats.snapshot().throttled).toBe(1);
  });

  it("limits Key Vault's reads per vault, every caller together, and says when to come back", async () => {
    const kv = await startTestSimulator({ throttling: true, keyVaultReadLimits: { capacity: 3, refillPerSecond: 1 } });
    try {
      const [first, second] = kv.estateInfo.vaults;
      const list = (vault: typeof first, principal: string) => rawRequest(kv, 'GET', '/certificates?api-version=7.6', { principal, baseUrl: vault!.url, audience: 'https://vault.azure.net/.default' });
      expect((await list(first, 'bot')).status).toBe(200);
      expect((await list(first, 'reader')).status).not.toBe(429);
      expect((await list(first, 'bot')).status).toBe(200);
      const throttled = await list(first, 'bot');
      expect([throttled.status, errorCode(throttled.body), throttled.headers['retry-after']]).toEqual([429, 'Throttled', '1']);
      // Another principal shares the vault's limit; another vault has its own.
      expect((await list(first, 'reader')).status).toBe(429);
      expect((await list(second, 'bot')).status).toBe(200);
      await kv.advance(1000);
      expect((await list(first, 'bot')).status).toBe(200);
    } finally {
      await kv.close();
    }
  });
});

describe('a Basic SKU gateway', () => {
  it('cannot have a managed identity (VpnGatewayManagedIdentity), so a certificate connection finds none (ManagedIdentityMissingAtGatewayLevel)', async () => {
    const sim = await startAzureSimulator({ estate: miniEstate(), clock: createManualClock(testNow) });
    try {
      const network = new NetworkManagementClient(sim.settingsFor('bot').credential, sub, { ...sdkClientOptions(sim.settingsFor('bot')), endpoint: sim.url });
      await network.localNetworkGateways.createOrUpdate(rg, 'lng-a', { location: 'westeurope', gatewayIpAddress: '203.0.113.1', localNetworkAddressSpace: { addressPrefixes: ['10.2.0.0/16'] } }, { updateIntervalInMs: 1 });
      const root = await createRootCa({ subject: 'CN=Basic Root' });
      const connection = await rawRequest(sim, 'PUT', `${base}/connections/cn-a?${api}`, {
        body: {
          location: 'westeurope',
          properties: {
            virtualNetworkGateway1: { id: `${base}/virtualNetworkGateways/vpngw-basic` },
            localNetworkGateway2: { id: `${base}/localNetworkGateways/lng-a` },
            connectionType: 'IPsec',
            connectionProtocol: 'IKEv2',
            authenticationType: 'Certificate',
            certificateAuthentication: { outboundAuthCertificate: 'https://kv.vault.azure.net/certificates/a/1', inboundAuthCertificateSubjectName: 'CN=a', inboundAuthCertificateChain: [toBase64Der(root.info)] },
          },
        },
      });
      expect([connection.status, errorCode(connection.body)]).toEqual([400, 'ManagedIdentityMissingAtGatewayLevel']);
      const gateway = (await rawRequest(sim, 'GET', `${base}/virtualNetworkGateways/vpngw-basic?${api}`)).body as Record<string, unknown>;
      const identity = await rawRequest(sim, 'PUT', `${base}/virtualNetworkGateways/vpngw-basic?${api}`, {
        body: { ...gateway, identity: { type: 'UserAssigned', userAssignedIdentities: { [`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-basic`]: {} } } },
      });
      expect([identity.status, errorCode(identity.body)]).toEqual([400, 'VpnGatewayManagedIdentity']);
    } finally {
      await sim.close();
    }
  });
});
