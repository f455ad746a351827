import { beforeAll, describe, expect, it } from 'vitest';
import { inspectSite } from '../../activities/inspect-site';
import type { InspectSiteOutput } from '../../activities/activity-names';
import { UserError } from '../../core/errors/user-error';
import type { StatusCertificates } from '../core/status/status-certificates';
import { statusCertificates } from '../core/status/status-certificates';
import type { FakeLogger } from '../bot/bot-fakes';
import { RG, SUBSCRIPTION, testPorts, VAULT_URL } from './fake-adapters';
import type { TestPorts } from './fake-adapters';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const V1 = '4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b';
const V2 = '9d8c7b6a5f4e3d2c1b0a998877665544';

/** site-paris (outbound expiring in 10 days), site-berlin and a tagged site, in one resource group. */
function estate(): TestPorts {
  const t = testPorts();
  t.keyVault.put('vpn-out', V1, pki.outbound.expiring.info);
  t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
  t.network.add({ name: 'cn-site-berlin', status: 'NotConnected', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
  t.network.add({ name: 'cn-0042', tags: { site: 'london-hq' }, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
  return t;
}

function found(output: InspectSiteOutput) {
  if (output.kind !== 'found') throw new Error(`expected found, got ${JSON.stringify(output)}`);
  return output.status;
}

describe('inspectSite', () => {
  it('reads one site (connection, gateway, device, outbound certificate and its versions) and judges it', async () => {
    const t = estate();
    const status = found(await inspectSite({ site: 'SITE-PARIS' }, t.ports));
    expect(status).toMatchObject({ site: 'site-paris', connectionName: 'cn-site-paris', resourceGroup: RG, subscriptionId: SUBSCRIPTION, gatewayName: 'vpngw-hub', activeActive: true, status: 'Connected', device: { ip: '198.51.100.20', prefixes: ['10.20.0.0/16'] } });
    expect(status.tunnels[0]).toEqual({ name: 'GatewayTenantWorker_IN_0', gatewayIp: '20.50.1.10', status: 'Connected', ingressBytes: 1000, egressBytes: 500, lastConnectedAt: '2026-06-01T11:00:00.000Z' });
    expect(status.outbound).toMatchObject({ vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: V1, usesLatestEnabledVersion: true, certificate: { daysUntilExpiry: 10 } });
    expect(status.inbound.chain.map((c) => c.subject)).toEqual(['CN=Paris Device Root CA, O=Contoso Paris', 'CN=Paris Issuing CA, O=Contoso Paris']);
    expect(status.warnings.map((w) => w.code)).toEqual(['OutboundCertificateExpiresSoon']);
    // No site index yet: the scope is listed (which fills the index), then the site's own reads.
    expect(t.calls.sort()).toEqual(['getConnection cn-site-paris', 'getGateway vpngw-hub', 'getLocalNetworkGateway lng-cn-site-paris', 'getCertificate vpn-out/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b', 'listCertificateVersions vpn-out', `listSiteToSite ${SUBSCRIPTION}/${RG}`, 'siteIndex.read', 'siteIndex.replace'].sort());
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });

  it('finds a site by connection name or by its site tag', async () => {
    expect(found(await inspectSite({ site: 'cn-site-berlin' }, estate().ports)).site).toBe('site-berlin');
    expect(found(await inspectSite({ site: 'London-HQ' }, estate().ports)).connectionName).toBe('cn-0042');
  });

  it('warns when Key Vault has a newer enabled version than the connection uses', async () => {
    const t = estate();
    t.keyVault.put('vpn-out', V2, pki.outbound.good.info);
    const status = found(await inspectSite({ site: 'site-paris' }, t.ports));
    expect(status.outbound).toMatchObject({ version: V1, latestEnabledVersion: V2, usesLatestEnabledVersion: false });
    expect(status.warnings.map((w) => w.code)).toContain('OutboundNotLatestVersion');
  });

  it('a Key Vault refusal becomes a problem on the card, not a failed job', async () => {
    const t = estate();
    t.keyVault.getErrors.set('vpn-out', new UserError('KeyVaultForbidden', 'The bot may not read certificates in kv-vpn-certs.'));
    const status = found(await inspectSite({ site: 'site-paris' }, t.ports));
    expect(status.outbound).toEqual({ vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: V1, problem: 'Key Vault: The bot may not read certificates in kv-vpn-certs.' });
    expect(status.warnings[0]).toEqual({ code: 'OutboundCertificateUnreadable', severity: 'error', text: 'Key Vault: The bot may not read certificates in kv-vpn-certs.' });
  });

  it('an unexpected Key Vault failure fails the activity (the host turns it into a reference)', async () => {
    const t = estate();
    t.keyVault.getErrors.set('vpn-out', new TypeError('boom'));
    await expect(inspectSite({ site: 'site-paris' }, t.ports)).rejects.toThrow('boom');
  });

  it('does not judge the version when the versions cannot be listed', async () => {
    const t = estate();
    t.keyVault.listError = new UserError('KeyVaultForbidden', 'no list');
    const status = found(await inspectSite({ site: 'site-paris' }, t.ports));
    expect(status.outbound && 'usesLatestEnabledVersion' in status.outbound).toBe(false);
    expect(status.warnings.map((w) => w.code)).toEqual(['OutboundCertificateExpiresSoon']);
  });

  it('an outbound reference that is not a Key Vault certificate id is a problem on the card', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-rome', outboundCertificateUrl: 'http://example.com/not-a-vault', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    const status = found(await inspectSite({ site: 'site-rome' }, t.ports));
    expect(status.outbound).toMatchObject({ vaultName: 'unknown', problem: expect.stringContaining('That is not a Key Vault certificate identifier') });
    expect(status.warnings[0]!.code).toBe('OutboundCertificateUnreadable');
  });

  it('counts inbound chain entries it cannot read', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', V1, pki.outbound.good.info);
    t.network.add({ name: 'cn-site-rome', inboundChain: [pki.deviceRoot.info, 'bm90IGEgY2VydGlmaWNhdGU=', pki.deviceIssuing.info] });
    const status = found(await inspectSite({ site: 'site-rome' }, t.ports));
    expect(status.inbound.chain).toHaveLength(2);
    expect(status.warnings).toContainEqual({ code: 'InvalidCertificate', severity: 'error', text: '1 certificate(s) of the inbound chain could not be read.' });
  });

  it('a site without a local network gateway shows an unknown device', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', V1, pki.outbound.good.info);
    t.network.add({ name: 'cn-site-rome', localNetworkGateway: null, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    expect(found(await inspectSite({ site: 'site-rome' }, t.ports)).device).toEqual({ prefixes: [] });
  });

  it('finds a site whose connection uses a pre-shared key, and says so', async () => {
    const t = estate();
    t.network.add({ name: 'cn-site-legacy', authenticationType: 'PSK' });
    const status = found(await inspectSite({ site: 'site-legacy' }, t.ports));
    expect(status.warnings).toEqual([{ code: 'CertificateAuthNotUsed', severity: 'warning', text: 'This connection authenticates with PSK, not certificates.' }]);
    expect(status.outbound).toBeUndefined();
  });

  it('an unknown site answers with suggestions', async () => {
    expect(await inspectSite({ site: 'site-pari' }, estate().ports)).toEqual({ kind: 'site-not-found', typed: 'site-pari', suggestions: ['site-paris'] });
  });

  it('an unknown site while part of the scope could not be read is an error that says so', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG, 'rg-spoke'] }] });
    t.network.add({ name: 'cn-site-paris' });
    t.network.listErrors.set(`${SUBSCRIPTION}/rg-spoke`, new UserError('AzureForbidden', 'The bot may not read rg-spoke.'));
    await expect(inspectSite({ site: 'site-rome' }, t.ports)).rejects.toMatchObject({ code: 'ScopeUnreadable', safeMessage: 'I could not find site-rome, and part of the scope could not be read: Could not list connections in rg-spoke (5d6f3a2e…): The bot may not read rg-spoke.' });
  });

  it('a name that matches connections in two resource groups is ambiguous, naming the groups', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION }] });
    t.network.add({ name: 'cn-site-paris' });
    t.network.add({ name: 'cn-site-paris', resourceGroup: 'rg-eu' });
    await expect(inspectSite({ site: 'site-paris' }, t.ports)).rejects.toMatchObject({ code: 'AmbiguousSite', safeMessage: `2 connections are called site-paris (in ${RG}, rg-eu).` });
  });

  it('the vault name of a real Key Vault URL is its first host label', async () => {
    const t = estate();
    const status = found(await inspectSite({ site: 'site-paris' }, t.ports));
    expect(VAULT_URL).toBe('https://kv-vpn-certs.vault.azure.net');
    expect(status.outbound?.vaultName).toBe('kv-vpn-certs');
  });
});

describe('finding the site (every command that names a site finds it this way)', () => {
  it('a short name only one site has finds it (paris is site-paris)', async () => {
    const status = found(await inspectSite({ site: 'Paris' }, estate().ports));
    expect(status.site).toBe('site-paris');
    expect(status.connectionName).toBe('cn-site-paris');
  });

  it('a short name of several sites lists them, to pick one', async () => {
    const t = estate();
    t.network.add({ name: 'cn-dc-paris', resourceGroup: RG });
    expect(await inspectSite({ site: 'paris' }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'paris', suggestions: ['site-paris', 'dc-paris'], ambiguous: true });
  });

  it('a near miss of a short name suggests the site', async () => {
    expect(await inspectSite({ site: 'berlim' }, estate().ports)).toEqual({ kind: 'site-not-found', typed: 'berlim', suggestions: ['site-berlin'] });
  });

  it('a site whose outbound certificate waits in Key Vault, named as the fleet names them, is waiting to be provisioned', async () => {
    const t = testPorts();
    t.keyVault.put('outbound-site-paris', V1, pki.outbound.good.info);
    t.keyVault.put('outbound-site-rome', V2, pki.outbound.good.info);
    t.network.add({ name: 'cn-site-paris', outboundCertificateUrl: `${VAULT_URL}/certificates/outbound-site-paris/${V1}`, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    const pending = { site: 'site-rome', vaultName: 'kv-vpn-certs', certificateName: 'outbound-site-rome' };
    expect(await inspectSite({ site: 'site-rome' }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'site-rome', suggestions: [], pending });
    expect(await inspectSite({ site: 'rome' }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'rome', suggestions: [], pending });
    expect(t.calls).toContain('listCertificates kv-vpn-certs');
  });

  it('a vault that cannot be listed only leaves out that hint', async () => {
    const t = estate();
    t.keyVault.listError = new UserError('AzureForbidden', 'The bot may not list certificates in kv-vpn-certs.');
    expect(await inspectSite({ site: 'site-rome' }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'site-rome', suggestions: [] });
    expect((t.ports.log as FakeLogger).entries.some((e) => e.level === 'warn' && /waiting to be provisioned/.test(e.message))).toBe(true);
  });
});

