import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFleetChunk, listFleet, readFleetCertificates } from '../../activities/fleet-activities';
import { UserError } from '../../core/errors/user-error';
import type { StatusCertificates } from '../core/status/status-certificates';
import { statusCertificates } from '../core/status/status-certificates';
import { RG, SUBSCRIPTION, testPorts, VAULT_URL } from './fake-adapters';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const OTHER_SUBSCRIPTION = '7a7a7a7a-1111-4222-8333-444455556666';

describe('listFleet', () => {
  it('lists every certificate connection in scope with its references and the inbound chain\'s soonest expiry', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG, 'rg-eu'] }] });
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info, pki.expiringDeviceIssuing.info] });
    t.network.add({ name: 'cn-site-oslo', resourceGroup: 'rg-eu', tags: { Site: 'oslo-dc' }, inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    const { refs, gaps } = await listFleet({}, t.ports);
    expect(gaps).toEqual([]);
    expect(refs).toEqual([
      {
        site: 'site-paris',
        connectionName: 'cn-site-paris',
        connectionId: t.network.connections[0]!.id,
        subscriptionId: SUBSCRIPTION,
        resourceGroup: RG,
        authenticationType: 'Certificate',
        outboundCertificateId: `${VAULT_URL}/certificates/vpn-out/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b`,
        inboundDays: 12,
      },
      expect.objectContaining({ site: 'oslo-dc', resourceGroup: 'rg-eu', inboundDays: 1500 }),
    ]);
    // One list call per resource group, nothing per connection.
    // The list calls carry every site-to-site connection; a complete listing refreshes the site index.
    expect(t.calls.sort()).toEqual([`listSiteToSite ${SUBSCRIPTION}/rg-eu`, `listSiteToSite ${SUBSCRIPTION}/${RG}`, 'siteIndex.replace']);
  });

  it('leaves pre-shared key connections out of the fleet', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info] });
    t.network.add({ name: 'cn-site-legacy', authenticationType: 'PSK' });
    expect((await listFleet({}, t.ports)).refs.map((r) => r.site)).toEqual(['site-paris']);
  });

  it('flags a missing or unreadable inbound chain on the row', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-a', inboundChain: [] });
    t.network.add({ name: 'cn-b', inboundChain: [pki.deviceRoot.info, 'AAAA'] });
    const { refs } = await listFleet({}, t.ports);
    expect(refs.map((r) => [r.site, r.inboundProblem, r.inboundDays])).toEqual([
      ['a', 'no inbound chain', undefined],
      ['b', 'unreadable inbound certificate', 2800],
    ]);
  });

  it('lists a connection reachable through two scopes once', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION }, { subscriptionId: SUBSCRIPTION, resourceGroups: [RG] }] });
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info] });
    expect((await listFleet({}, t.ports)).refs).toHaveLength(1);
  });

  it('reports a scope it could not list as a gap, and still lists the others', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: SUBSCRIPTION, resourceGroups: [RG] }, { subscriptionId: OTHER_SUBSCRIPTION }] });
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info] });
    t.network.listErrors.set(OTHER_SUBSCRIPTION, new UserError('AzureForbidden', 'The bot has no Reader role there.'));
    const { refs, gaps } = await listFleet({}, t.ports);
    expect(refs.map((r) => r.site)).toEqual(['site-paris']);
    expect(gaps).toEqual([`Could not list connections in subscription ${OTHER_SUBSCRIPTION}: The bot has no Reader role there.`]);
  });

  it('fails on an unexpected list error instead of hiding it in a gap', async () => {
    const t = testPorts();
    t.network.listErrors.set(`${SUBSCRIPTION}/${RG}`, new RangeError('bug'));
    await expect(listFleet({}, t.ports)).rejects.toThrow('bug');
  });
});

describe('inspectFleetChunk', () => {
  it('reads each connection once and makes rows in input order', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-a', status: 'NotConnected' });
    t.network.add({ name: 'cn-b', tunnelsUp: 1 });
    t.network.add({ name: 'cn-c', inboundChain: [pki.deviceRoot.info] });
    const { refs } = await listFleet({}, t.ports);
    t.calls.length = 0;
    const { rows } = await inspectFleetChunk({ refs }, t.ports);
    expect(rows.map((r) => [r.site, r.status, r.tunnelsUp, r.tunnelsTotal, r.authenticationType, r.problem, r.inboundDays])).toEqual([
      ['a', 'NotConnected', 0, 2, 'Certificate', 'no inbound chain', undefined],
      ['b', 'Connected', 1, 2, 'Certificate', 'no inbound chain', undefined],
      ['c', 'Connected', 2, 2, 'Certificate', undefined, 2800],
    ]);
    expect(rows[2]!.outboundCertificateId).toBe(`${VAULT_URL}/certificates/vpn-out/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b`);
    expect(t.calls.sort()).toEqual(['getConnection cn-a', 'getConnection cn-b', 'getConnection cn-c']);
  });

  it('a connection it may not read becomes an Unknown row that says why', async () => {
    const t = testPorts();
    const a = t.network.add({ name: 'cn-a', inboundChain: [pki.deviceRoot.info] });
    t.network.add({ name: 'cn-b', inboundChain: [pki.deviceRoot.info] });
    t.network.getErrors.set(a.id, new UserError('AzureThrottled', 'Azure throttled the request.'));
    const { refs } = await listFleet({}, t.ports);
    const { rows } = await inspectFleetChunk({ refs }, t.ports);
    expect(rows[0]).toMatchObject({ site: 'a', status: 'Unknown', tunnelsUp: 0, tunnelsTotal: 1, problem: 'could not read the connection: Azure throttled the request.' });
    expect(rows[1]).toMatchObject({ site: 'b', status: 'Connected', tunnelsUp: 2 });
    expect(rows[1]).not.toHaveProperty('problem');
  });

  it('fails the chunk on an unexpected error (the orchestration reports the chunk as a gap)', async () => {
    const t = testPorts();
    const a = t.network.add({ name: 'cn-a' });
    t.network.getErrors.set(a.id, new Error('socket hang up'));
    const { refs } = await listFleet({}, t.ports);
    await expect(inspectFleetChunk({ refs }, t.ports)).rejects.toThrow('socket hang up');
  });
});

describe('readFleetCertificates', () => {
  it('reads each distinct certificate once and answers days to expiry, or a problem', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', 'aaaa', pki.outbound.good.info);
    t.keyVault.put('vpn-expired', 'bbbb', pki.outbound.expired.info);
    t.keyVault.getErrors.set('vpn-locked', new UserError('KeyVaultForbidden', 'no access'));
    const ids = [`${VAULT_URL}/certificates/vpn-out/aaaa`, `${VAULT_URL}/certificates/vpn-expired/bbbb`, `${VAULT_URL}/certificates/vpn-locked/cccc`];
    const { certificates } = await readFleetCertificates({ certificateIds: ids }, t.ports);
    expect(certificates).toEqual({ [ids[0]!]: { days: 300 }, [ids[1]!]: { days: -5 }, [ids[2]!]: { problem: 'outbound certificate unreadable' } });
    expect(t.calls.sort()).toEqual(['getCertificate vpn-expired/bbbb', 'getCertificate vpn-locked/cccc', 'getCertificate vpn-out/aaaa']);
  });

  it('a malformed id is a problem for that id only', async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', 'aaaa', pki.outbound.good.info);
    const { certificates } = await readFleetCertificates({ certificateIds: ['not a url', `${VAULT_URL}/certificates/vpn-out/aaaa`] }, t.ports);
    expect(certificates).toEqual({ 'not a url': { problem: 'outbound certificate unreadable' }, [`${VAULT_URL}/certificates/vpn-out/aaaa`]: { days: 300 } });
  });
});
