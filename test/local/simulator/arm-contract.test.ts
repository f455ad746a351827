import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Der, toPem } from '../../../core/pki/certificate-info';
import { buildSandboxEstate, sandboxNames } from '../../../local/estate/sandbox-estate';
import { createRootCa, issueCertificate, toPkcs12 } from '../../../local/pki/cert-factory';
import { azureOperationDurations } from '../../../local/simulator/sim-lro';
import { azureCodeOf, startLab, type Lab } from './lab-fixture';
import { errorCode, rawRequest, testNow } from './simulator-fixture';

const day = 24 * 3600_000;
const sub = sandboxNames.subscriptionId;
const rg = sandboxNames.resourceGroup;
const api = 'api-version=2026-01-01';
const path = (id: string) => `${id}?${api}`;

/** Azure's codes for the connection object and the inbound chain, answered synchronously to a PUT. */
describe('certificate connection PUT: Azure\'s codes (real @azure/arm-network client unless the SDK cannot send it)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });
  const put = (body: Parameters<Lab['connection']>[0], certificate?: Parameters<Lab['connection']>[1]) =>
    azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(body, certificate), { updateIntervalInMs: 1 }));
  const raw = async (properties: Record<string, unknown>) => {
    const body = lab.connection() as unknown as Record<string, unknown>;
    const { location, ...rest } = body;
    const res = await rawRequest(lab.sim, 'PUT', path(lab.connectionId), { body: { location, properties: { ...rest, virtualNetworkGateway1: { id: lab.gatewayId }, localNetworkGateway2: { id: lab.siteId }, ...properties } } });
    return errorCode(res.body) ?? String(res.status);
  };

  it('checks the authentication object: present for Certificate, absent for PSK, no shared key with a certificate, not both PSK forms', async () => {
    expect(await put({ certificateAuthentication: undefined })).toBe('CertificateAuthenticationObjectIsEmpty');
    expect(await put({ authenticationType: 'PSK', sharedKey: 'abc' })).toBe('InvalidCertificateAuthenticationObject');
    expect(await put({ sharedKey: 'abc' })).toBe('InvalidPskExist');
    // sharedKeyKeyvaultId is in the REST API but not in the SDK: sent raw.
    expect(await raw({ sharedKeyKeyvaultId: 'https://kv-vpn-certs.vault.azure.net/secrets/psk' })).toBe('InvalidPskExist');
    expect(await raw({ authenticationType: 'PSK', certificateAuthentication: null, sharedKey: 'abc', sharedKeyKeyvaultId: 'https://kv-vpn-certs.vault.azure.net/secrets/psk' })).toBe('ConnectionAuthenticationPSKAmbiguity');
    expect(await raw({ connectionType: 'ExpressRoute', localNetworkGateway2: null })).toBe('CannotSetConnectionAuthenticationForExpressRouteConnectionType');
    expect(await put({}, { outboundAuthCertificate: '' })).toBe('OutboundAuthCertificateIsEmpty');
    expect(await put({}, { inboundAuthCertificateSubjectName: '' })).toBe('CertificateSubjectNameIsEmpty');
  });

  it('takes each inbound chain entry only as one continuous base64 DER string', async () => {
    const der = toBase64Der(lab.deviceRoot);
    expect(await put({}, { inboundAuthCertificateChain: [] })).toBe('InboundAuthCertificateChainIsEmpty');
    expect(await put({}, { inboundAuthCertificateChain: [''] })).toBe('VpnConnectionInBoundAuthenticationCertificateChainFault');
    expect(await put({}, { inboundAuthCertificateChain: [toPem(lab.deviceRoot.info)] })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalid');
    expect(await put({}, { inboundAuthCertificateChain: [`${der.slice(0, 64)}\n${der.slice(64)}`] })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalid');
    expect(await put({}, { inboundAuthCertificateChain: [` ${der}`] })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalid');
    expect(await put({}, { inboundAuthCertificateChain: [Buffer.from('not a certificate at all').toString('base64')] })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalid');
    expect(await put({}, { inboundAuthCertificateChain: [Buffer.from(toPkcs12(lab.deviceRoot, [], 'pw')).toString('base64')] })).toBe('VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey');
    expect(await put({}, { inboundAuthCertificateChain: [der] })).toBe('accepted');
  });

  it('checks that the chain is one chain of at most five, with its root, without duplicates or expired certificates', async () => {
    const root = lab.deviceRoot;
    const intermediate = await issueCertificate(root, { subject: 'CN=Lab Device Issuing CA', isCa: true, pathLength: 0 });
    const [other, sameNameOtherKey] = await Promise.all([createRootCa({ subject: 'CN=Other Root' }), createRootCa({ subject: 'CN=Lab Device Root' })]);
    const expired = await createRootCa({ subject: 'CN=Old Root', notBefore: new Date(testNow.getTime() - 900 * day), notAfter: new Date(testNow.getTime() - day) });
    const fiveMore = await Promise.all([1, 2, 3, 4, 5].map((i) => createRootCa({ subject: `CN=Extra ${i}`, keyBits: 1024 })));
    const chain = (...certs: { info: { der: Uint8Array } }[]) => ({ inboundAuthCertificateChain: certs.map((c) => toBase64Der(c.info)) });
    expect(await put({}, chain(root, ...fiveMore))).toBe('MaxRootCertificatePublicKeySupported');
    expect(await put({}, chain(root, root))).toBe('VpnConnectionAuthenticationDuplicateRootCertificate');
    expect(await put({}, chain(expired))).toBe('VpnConnectionAuthenticationRootCertificateIsExpired');
    expect(await put({}, chain(intermediate))).toBe('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert');
    expect(await put({}, chain(root, other))).toBe('VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveAllGivenCerts');
    expect(await put({}, chain(sameNameOtherKey, intermediate))).toBe('VpnConnectionAuthenticationCertChainCreationIssue');
    expect(await put({}, chain(root, intermediate))).toBe('accepted');
  });

  it('needs IKEv2 for certificates (no documented code: the simulator answers a plain BadRequest)', async () => {
    expect(await put({ connectionProtocol: 'IKEv1' })).toBe('BadRequest');
  });

  it('refuses a PUT without location or properties, and drops what a PUT leaves out (a PUT replaces the resource)', async () => {
    const noLocation = await rawRequest(lab.sim, 'PUT', path(lab.connectionId), { body: { properties: {} } });
    expect([noLocation.status, errorCode(noLocation.body)]).toEqual([400, 'LocationRequired']);
    const noProperties = await rawRequest(lab.sim, 'PUT', path(lab.connectionId), { body: { location: 'westeurope' } });
    expect([noProperties.status, errorCode(noProperties.body)]).toEqual([400, 'InvalidRequestFormat']);

    const policy = { saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000, ipsecEncryption: 'GCMAES256', ipsecIntegrity: 'GCMAES256', ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup14', pfsGroup: 'PFS14' };
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({ dpdTimeoutSeconds: 30, ipsecPolicies: [policy], tags: { owner: 'net' } }), { updateIntervalInMs: 1 });
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(), { updateIntervalInMs: 1 });
    const after = await lab.sdk.virtualNetworkGatewayConnections.get(rg, lab.connectionName);
    expect([after.dpdTimeoutSeconds, after.ipsecPolicies, after.tags]).toEqual([45, [], {}]);
  });

  it('refuses a gateway PUT that leaves out what the simulator cannot change, instead of silently keeping it', async () => {
    const gateway = (await rawRequest(lab.sim, 'GET', path(lab.gatewayId))).body as { location: string; properties: Record<string, unknown>; identity: unknown };
    const { ipConfigurations: _dropped, ...partial } = gateway.properties;
    const res = await rawRequest(lab.sim, 'PUT', path(lab.gatewayId), { body: { location: gateway.location, identity: gateway.identity, properties: partial } });
    expect([res.status, errorCode(res.body)]).toEqual([400, 'GatewayChangeNotSupportedBySimulator']);
    expect((res.body as { error: { message: string } }).error.message).toMatch(/'ipConfigurations' is missing or changed/);
  });
});

describe('gateway identity in use', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });

  it('refuses removing or replacing the identity while certificate connections read Key Vault with it (CannotDeleteManagedIdentity)', async () => {
    const gateway = await lab.sdk.virtualNetworkGateways.get(rg, sandboxNames.gateway);
    expect(await azureCodeOf(lab.sdk.virtualNetworkGateways.createOrUpdate(rg, sandboxNames.gateway, { ...gateway, identity: { type: 'None' } }, { updateIntervalInMs: 1 }))).toBe('CannotDeleteManagedIdentity');
    const other = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-other`;
    lab.sim.resources.identities.set({ ...lab.sim.resources.identities.list()[0]!, id: other, name: 'id-other', principalId: '99999999-9999-4999-8999-999999999999', clientId: '99999999-9999-4999-8999-999999999998' });
    lab.sim.rbac.assign({ principalId: sandboxNames.principals.bot.objectId, role: 'Managed Identity Operator', scope: other });
    expect(await azureCodeOf(lab.sdk.virtualNetworkGateways.createOrUpdate(rg, sandboxNames.gateway, { ...gateway, identity: { type: 'UserAssigned', userAssignedIdentities: { [other]: {} } } }, { updateIntervalInMs: 1 }))).toBe('CannotDeleteManagedIdentity');
    // The same identity again (and other tags) is fine.
    expect(await azureCodeOf(lab.sdk.virtualNetworkGateways.createOrUpdate(rg, sandboxNames.gateway, { ...gateway, tags: { team: 'network' } }, { updateIntervalInMs: 1 }))).toBe('accepted');
  });
});

describe('concurrency: one change per resource, dependents wait for what they reference', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });

  it('answers 429 RetryableError with Retry-After while a referenced resource is Updating, and 409 AnotherOperationInProgress for the resource itself', async () => {
    const sim = lab.sim;
    const connectionBody = () => {
      const { location, ...properties } = lab.connection() as unknown as Record<string, unknown>;
      return { location, properties: { ...properties, virtualNetworkGateway1: { id: lab.gatewayId }, localNetworkGateway2: { id: lab.siteId } } };
    };
    // A new local network gateway is Updating for about a minute: a connection to it must wait.
    const newSite = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/localNetworkGateways/lng-busy`;
    await rawRequest(sim, 'PUT', path(newSite), { body: { location: 'westeurope', properties: { gatewayIpAddress: '203.0.113.71', localNetworkAddressSpace: { addressPrefixes: ['10.71.0.0/16'] } } } });
    const body = connectionBody();
    const waiting = await rawRequest(sim, 'PUT', path(lab.connectionId.replace('cn-site-lab', 'cn-busy')), { body: { ...body, properties: { ...body.properties, localNetworkGateway2: { id: newSite } } } });
    expect(waiting.status).toBe(429);
    expect(waiting.body).toMatchObject({ error: { code: 'RetryableError', details: [{ code: 'ReferencedResourceNotProvisioned', message: expect.stringContaining(newSite) }] } });
    expect(waiting.headers['retry-after']).toBeDefined();

    // The connection itself being changed: a second change is refused outright.
    expect((await rawRequest(sim, 'PUT', path(lab.connectionId), { body: connectionBody() })).status).toBe(201);
    const again = await rawRequest(sim, 'PUT', path(lab.connectionId), { body: connectionBody() });
    expect([again.status, errorCode(again.body)]).toEqual([409, 'AnotherOperationInProgress']);
    // ... and the gateway it uses waits for it.
    const gateway = (await rawRequest(sim, 'GET', path(lab.gatewayId))).body as Record<string, unknown>;
    const gatewayPut = await rawRequest(sim, 'PUT', path(lab.gatewayId), { body: gateway });
    expect(gatewayPut.body).toMatchObject({ error: { code: 'RetryableError', details: [{ code: 'RetryableErrorDueToAnotherOperation' }] } });
  });

  it('the network adapter waits out a gateway update and then applies the connection (the product retries as Azure asks)', async () => {
    const sim = lab.sim;
    await sim.advance(10 * 60_000);
    const gateway = (await rawRequest(sim, 'GET', path(lab.gatewayId))).body as Record<string, unknown>;
    // A gateway update (6 minutes) is running; nobody polls it.
    expect((await rawRequest(sim, 'PUT', path(lab.gatewayId), { body: { ...gateway, tags: { change: '1' } } })).status).toBe(200);
    const before = sim.clock.now().getTime();
    const applied = await lab.network.upsertCertificateConnection({ id: lab.connectionId, location: 'westeurope', gatewayId: lab.gatewayId, localNetworkGatewayId: lab.siteId, certificate: { outboundCertificateUrl: lab.goodOutboundId, inboundSubjectName: 'lab-vpn.contoso.example', inboundChain: [toBase64Der(lab.deviceRoot)] } });
    expect(applied.provisioningState).toBe('Succeeded');
    expect(sim.clock.now().getTime() - before).toBeGreaterThanOrEqual(10_000);
  });
});

describe("Azure's operation durations on the virtual clock", () => {
  it('take Azure\'s time by default (the client waits on the virtual clock) and can be set per operation', async () => {
    const lab = await startLab({ lro: { durations: { 'connection-create': 30_000 } } });
    try {
      const before = lab.sim.clock.now().getTime();
      await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(), { updateIntervalInMs: 1 });
      expect(lab.sim.clock.now().getTime() - before).toBe(30_000);
      const gateway = await lab.sdk.virtualNetworkGateways.get(rg, sandboxNames.gateway);
      const identityId = Object.keys(gateway.identity?.userAssignedIdentities ?? {})[0]!;
      const gatewayStart = lab.sim.clock.now().getTime();
      const updated = await lab.network.setGatewayIdentity(lab.gatewayId, identityId);
      expect(updated.provisioningState).toBe('Succeeded');
      // The same identity again is still a PUT of the gateway, which Azure applies as a gateway update: minutes.
      expect(lab.sim.clock.now().getTime() - gatewayStart).toBe(azureOperationDurations['gateway-update']);
    } finally {
      await lab.close();
    }
  });
});

describe('what a change does to the tunnels', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(), { updateIntervalInMs: 1 });
    await lab.sim.advance(60_000);
  });
  afterAll(async () => {
    await lab.close();
  });
  const since = () => lab.sim.inspectTunnels(lab.connectionId).map((t) => [t.status, t.since.toISOString()]);

  it('a tags-only change (PUT or PATCH) leaves both tunnels up, untouched', async () => {
    const before = since();
    expect(before.map(([status]) => status)).toEqual(['Connected', 'Connected']);
    const current = await lab.sdk.virtualNetworkGatewayConnections.get(rg, lab.connectionName);
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, { ...current, tags: { note: 'tags only' } }, { updateIntervalInMs: 1 });
    await lab.sdk.virtualNetworkGatewayConnections.updateTags(rg, lab.connectionName, { tags: { note: 'patched' } }, { updateIntervalInMs: 1 });
    expect(since()).toEqual(before);
    expect((await lab.sdk.virtualNetworkGatewayConnections.get(rg, lab.connectionName)).tags).toEqual({ note: 'patched' });
  });

  it('a new outbound certificate, or a new inbound chain, makes both tunnels renegotiate', async () => {
    const before = since();
    const renewed = lab.importOutbound('outbound-site-lab', await issueCertificate(lab.azureRoot, { subject: 'CN=azure-site-lab.vpn.contoso.example', notBefore: new Date(testNow.getTime() - day) }));
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: renewed }), { updateIntervalInMs: 1 });
    const afterOutbound = since();
    expect(afterOutbound.map(([status]) => status)).toEqual(['Connected', 'Connected']);
    expect(afterOutbound.every(([, at], i) => at !== before[i]?.[1])).toBe(true);

    const intermediate = await issueCertificate(lab.deviceRoot, { subject: 'CN=Lab Device Issuing CA', isCa: true });
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: renewed, inboundAuthCertificateChain: [toBase64Der(lab.deviceRoot), toBase64Der(intermediate)] }), { updateIntervalInMs: 1 });
    expect(since().every(([, at], i) => at !== afterOutbound[i]?.[1])).toBe(true);
  });

  it('the gateway reads the outbound certificate at the version the connection names, not the newest', async () => {
    const pinned = lab.goodOutboundId;
    await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: pinned }), { updateIntervalInMs: 1 });
    // A newer version that Azure would refuse (server-only EKU) does not matter to a connection pinned to the old one.
    lab.importOutbound('outbound-site-lab', await issueCertificate(lab.azureRoot, { subject: 'CN=server-only', extendedKeyUsages: ['1.3.6.1.5.5.7.3.1'] }));
    await lab.sdk.virtualNetworkGatewayConnections.resetConnection(rg, lab.connectionName, { updateIntervalInMs: 1 });
    expect(lab.sim.inspectTunnels(lab.connectionId).map((t) => t.outcome?.kind)).toEqual(['connected', 'connected']);
    // A versionless identifier is accepted and reads the newest enabled version (unverified: see the README).
    const versionless = pinned.replace(/\/[0-9a-f]{32}$/, '');
    expect(await azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: versionless }), { updateIntervalInMs: 1 }))).toBe(
      'VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth',
    );
  });
});

describe('a failed update', () => {
  it('keeps the requested configuration, marked Failed, by default; rolls back when configured to (Azure documents neither)', async () => {
    for (const keeps of ['requested', 'previous'] as const) {
      const lab = await startLab({ failedUpdateKeeps: keeps });
      try {
        await lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(), { updateIntervalInMs: 1 });
        const bad = `${lab.goodOutboundId.replace(/outbound-site-lab\/[0-9a-f]+$/, 'no-such-certificate')}/0123456789abcdef0123456789abcdef`;
        expect(await azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: bad }), { updateIntervalInMs: 1 }))).toBe('VpnGatewayKeyVaultSecretNotFound');
        const after = await lab.sdk.virtualNetworkGatewayConnections.get(rg, lab.connectionName);
        expect([after.provisioningState, after.certificateAuthentication?.outboundAuthCertificate]).toEqual(['Failed', keeps === 'requested' ? bad : lab.goodOutboundId]);
      } finally {
        await lab.close();
      }
    }
  });
});

describe('the outbound certificate as the gateway reads it from Key Vault (the operation fails with the gateway-side code)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });
  const apply = (outbound: string) => azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection({}, { outboundAuthCertificate: outbound }), { updateIntervalInMs: 1 }));

  it('needs the chain up to the root in the secret: not leaf-only, not without its root, each link a real signature', async () => {
    const intermediate = await issueCertificate(lab.azureRoot, { subject: 'CN=Lab Azure Issuing CA', isCa: true });
    const leaf = await issueCertificate(intermediate, { subject: 'CN=azure-lab-2.vpn.contoso.example' });
    expect(await apply(lab.importOutbound('leaf-only', leaf, []))).toBe('VpnConnectionOutBoundAuthenticationCertificateChainFault');
    expect(await apply(lab.importOutbound('no-root', leaf, [intermediate]))).toBe('VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert');
    const impostor = await issueCertificate(await createRootCa({ subject: 'CN=Lab Azure Root' }), { subject: 'CN=Lab Azure Issuing CA', isCa: true });
    expect(await apply(lab.importOutbound('bad-link', leaf, [impostor, lab.azureRoot]))).toBe('VpnConnectionOutBoundAuthenticationCertificateChainCreationIssue');
    expect(await apply(lab.importOutbound('full-chain', leaf, [intermediate, lab.azureRoot]))).toBe('accepted');
  });

  it('needs an exportable RSA key: a certificate whose key stays in the vault has no private key in its secret', async () => {
    const leaf = await issueCertificate(lab.azureRoot, { subject: 'CN=not-exportable' });
    const id = lab.sim.vaults.importCertificate(sandboxNames.keyVault, 'not-exportable', { pem: `${leaf.pem}${lab.azureRoot.pem}${leaf.privateKeyPem}` }, { policy: { key_props: { exportable: false } } }).id;
    expect(await apply(id)).toBe('VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey');
  });

  it('names an empty certificate (a pending request) and an empty or unreadable secret', async () => {
    const pending = await lab.sim.vaults.createCertificate(sandboxNames.keyVault, 'pending-out', { policy: { issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=pending' } } });
    const vaultUrl = lab.sim.estateInfo.vaults[0]!.url;
    expect(await apply(`${vaultUrl}/certificates/pending-out/${pending.pending!.version}`)).toBe('VpnGatewayKeyVaultCertIsEmpty');
    const empty = lab.sim.vaults.setSecret(sandboxNames.keyVault, 'empty-secret', { value: ' ' });
    expect(await apply(`${vaultUrl}/secrets/empty-secret/${empty.version.version}`)).toBe('VpnGatewayKeyVaultSecretIsEmpty');
    const garbage = lab.sim.vaults.setSecret(sandboxNames.keyVault, 'garbage-secret', { value: 'not a pfx', contentType: 'application/x-pkcs12' });
    expect(await apply(`${vaultUrl}/secrets/garbage-secret/${garbage.version.version}`)).toBe('VpnGatewayKeyVaultSecretException');
  });
});

describe('an Azure RBAC vault: the gateway identity reads the certificate and its secret through its roles', () => {
  it('Key Vault Secrets User alone is not enough (VpnGatewayKeyVaultInaccessibleKeyvault); Key Vault Certificate User works once it has propagated', async () => {
    const estate = async () => {
      const sandbox = await buildSandboxEstate({ now: testNow });
      const [certs, ...others] = sandbox.vaults;
      return { ...sandbox, vaults: [{ ...certs!, permissionModel: 'rbac' as const, accessPolicies: [], roleAssignments: [{ principalId: sandboxNames.identityPrincipalId, role: 'Key Vault Secrets User' as const }] }, ...others] };
    };
    const lab = await startLab({ estate, keyVaultAccessPropagationMs: 10 * 60_000 });
    try {
      const apply = () => azureCodeOf(lab.sdk.virtualNetworkGatewayConnections.createOrUpdate(rg, lab.connectionName, lab.connection(), { updateIntervalInMs: 1 }));
      expect(await apply()).toBe('VpnGatewayKeyVaultInaccessibleKeyvault');
      lab.sim.grantRole(sandboxNames.identityPrincipalId, 'Key Vault Certificate User', lab.sim.estateInfo.vaults[0]!.id);
      expect(await apply()).toBe('VpnGatewayKeyVaultInaccessibleKeyvault');
      await lab.sim.advance(10 * 60_000);
      expect(await apply()).toBe('accepted');
      // The same PUT on the Failed connection provisioned it again: the gateway read its certificate, the tunnels negotiate.
      expect(lab.sim.inspectTunnels(lab.connectionId).map((t) => t.outcome?.kind)).toEqual(['connected', 'connected']);
    } finally {
      await lab.close();
    }
  });
});
