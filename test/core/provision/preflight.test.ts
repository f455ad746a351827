import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';
import type { ProvisionSiteRequest } from '../../../core/change/change-kind';
import { findOverlaps, preflight, type PreflightInput } from '../../../core/provision/preflight';
import { parsePrefix } from '../../../core/provision/ip-rules';

const b64 = (c: IssuedCertificate) => Buffer.from(c.der).toString('base64');
let root: IssuedCertificate;
let issuing: IssuedCertificate;
let device: IssuedCertificate;
const now = new Date();

beforeAll(async () => {
  root = await createRootCa({ subject: 'CN=Rome Device Root CA, O=Contoso Rome' });
  issuing = await issueCertificate(root, { subject: 'CN=Rome Device Issuing CA, O=Contoso Rome', isCa: true, pathLength: 0 });
  device = await issueCertificate(issuing, { subject: 'CN=rome-vpn.contoso.example' });
});

const request = (over: Partial<ProvisionSiteRequest> = {}): ProvisionSiteRequest => ({ kind: 'provision-site', site: 'site-rome', ip: '203.0.113.50', prefixes: ['10.50.0.0/16'], subject: 'CN=rome-vpn.contoso.example', chain: [b64(root), b64(issuing)], policy: 'default', outbound: { kind: 'ca' }, ...over });
const input = (over: Partial<PreflightInput> = {}): PreflightInput => ({
  request: request(),
  gateway: { name: 'vpngw-hub', sku: 'VpnGw2AZ', gatewayType: 'Vpn', vpnType: 'RouteBased', activeActive: true, publicIpAddresses: ['198.51.100.10', '198.51.100.11'], identity: { type: 'UserAssigned', userAssignedIdentities: [{ id: '/x/id-vpngw-kv' }] } },
  virtualNetwork: { name: 'vnet-hub', prefixes: ['10.0.0.0/16'] },
  peeredNetworks: [],
  sites: [{ name: 'site-london', prefixes: ['10.10.0.0/16'], ip: '203.0.113.10' }],
  vaultAccess: { status: 'passed', detail: 'reads' },
  outbound: [],
  now,
  ...over,
});
const blocking = async (over: Partial<PreflightInput>) => (await preflight(input(over))).filter((c) => c.status === 'blocking').map((c) => c.code);

describe('preflight', () => {
  it('passes a good request, each check named', async () => {
    const checks = await preflight(input());
    expect(checks.filter((c) => c.status === 'blocking')).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual(expect.arrayContaining(['route-based', 'gateway SKU', 'site name', 'device address', 'address prefixes', 'inbound chain', 'inbound subject', 'gateway identity', 'vault access']));
  });

  it("blocks what Azure would reject, with Azure's code and a fix", async () => {
    expect(await blocking({ request: request({ prefixes: ['10.0.128.0/20'] }) })).toEqual(['AddressPrefixesOverlap']);
    expect(await blocking({ request: request({ prefixes: ['10.10.0.0/24'] }) })).toEqual(['AddressPrefixesOverlap']);
    expect(await blocking({ peeredNetworks: [{ name: 'vnet-spoke', prefixes: ['10.50.4.0/24'] }] })).toEqual(['AddressPrefixesOverlap']);
    expect(await blocking({ request: request({ chain: [b64(issuing)] }) })).toEqual(['VpnConnectionInBoundAuthenticationCertificateChainDoesNotHaveRootCert']);
    expect(await blocking({ request: request({ chain: [b64(root), b64(issuing), b64(root)] }) })).toContain('VpnConnectionAuthenticationDuplicateRootCertificate');
    expect(await blocking({ request: request({ device: b64(device), subject: 'CN=other.contoso.example' }) })).toEqual(['DeviceCertificateMismatch']);
    expect(await blocking({ gateway: { ...input().gateway, sku: 'Basic', identity: undefined } })).toEqual(['VpnGatewayManagedIdentity']);
    expect(await blocking({ gateway: { ...input().gateway, vpnType: 'PolicyBased' } })).toEqual(['GatewayNotRouteBased']);
    expect(await blocking({ gateway: { ...input().gateway, identity: undefined } })).toEqual(['ManagedIdentityMissingAtGatewayLevel']);
    expect(await blocking({ request: request({ ip: '198.51.100.10' }) })).toEqual(['DeviceIpIsGatewayIp']);
    expect(await blocking({ request: request({ ip: '203.0.113.10' }) })).toEqual(['DuplicateDeviceAddress']);
    expect(await blocking({ nameTakenBy: 'connection cn-site-rome' })).toEqual(['SiteNameTaken']);
    expect(await blocking({ vaultAccess: { status: 'blocking', detail: 'no', code: 'VpnGatewayKeyVaultInaccessibleKeyvault', fix: 'grant' } })).toEqual(['VpnGatewayKeyVaultInaccessibleKeyvault']);
  });

  it('six CA certificates: MaxRootCertificatePublicKeySupported', async () => {
    const extra = await Promise.all([1, 2, 3, 4].map((i) => issueCertificate(root, { subject: `CN=Extra ${i}`, isCa: true })));
    expect(await blocking({ request: request({ chain: [b64(root), b64(issuing), ...extra.map(b64)] }) })).toContain('MaxRootCertificatePublicKeySupported');
  });

  it('a gateway without identity is fixed by the plan when the scope has one to attach', async () => {
    const checks = await preflight(input({ gateway: { ...input().gateway, identity: undefined }, identityToAttach: { id: '/x/id-vpngw-kv', name: 'id-vpngw-kv' } }));
    expect(checks.find((c) => c.check === 'gateway identity')).toMatchObject({ status: 'fixed' });
  });

  it('checks overlaps against 500 sites in well under the 2 s budget', () => {
    const prefix = (text: string) => {
      const parsed = parsePrefix(text);
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.prefix;
    };
    const ranges = Array.from({ length: 500 }, (_, i) => ({ ...prefix(`10.${100 + (i % 150)}.${(i * 8) % 256}.0/21`), text: `p${i}`, owner: `site-${i}` }));
    const wanted = [prefix('10.50.0.0/16'), prefix('10.120.0.0/16')];
    const started = performance.now();
    const found = findOverlaps(wanted, ranges);
    expect(performance.now() - started).toBeLessThan(50);
    expect(found.every((f) => f.wanted === '10.120.0.0/16')).toBe(true);
    expect(found.length).toBeGreaterThan(0);
  });
});
