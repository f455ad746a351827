import { beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseSiteOutput } from '../../activities/activity-names';
import { diagnoseSite, MAX_DIAGNOSE_ROWS } from '../../activities/diagnose-site';
import type { IkeDiagnosticRow } from '../../adapters/azure/logs';
import { parseCharonLog } from '../../core/ike/parse-charon-log';
import { charonFixture } from '../core/ike/ike-fixtures';
import type { StatusCertificates } from '../core/status/status-certificates';
import { STATUS_NOW, statusCertificates } from '../core/status/status-certificates';
import { GATEWAY_ID, testPorts, WORKSPACE_ID } from './fake-adapters';
import type { TestPorts } from './fake-adapters';

let pki: StatusCertificates;
beforeAll(async () => {
  pki = await statusCertificates();
});

const HOUR = 3_600_000;

/**
 * Azure IKEDiagnosticLog rows for one failed attempt where Azure rejects the device's certificate chain.
 * The certificate lines are MODELLED (see test/fixtures/ike/README.md): Microsoft shows no verbatim line for this; it has the shape the simulator's IKE log writer uses.
 */
function untrustedRows(): IkeDiagnosticRow[] {
  const lines = [
    '[SEND][SA_INIT] Sending IKE SA_INIT message',
    '[RECEIVED][SA_INIT] Received IKE SA_INIT message',
    '[RECEIVED][SA_AUTH] Received IKE AUTH message',
    '[RECEIVED][SA_AUTH] Received peer certificate subject "CN=paris-vpn.contoso.example" issuer "CN=Unknown Device Root CA"',
    '[LOCAL][SA_AUTH] Peer certificate chain validation failed: [ErrorCode] 0x800B0109 [ErrorMessage] A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.',
    '[SEND][NOTIFY] Sending Notify Message - Authentication failed',
  ];
  return lines.map((line, i) => ({
    at: new Date(STATUS_NOW.getTime() - HOUR + i * 10),
    gateway: 'VPNGW-HUB',
    instance: 'GatewayTenantWorker_IN_0',
    level: 'Informational',
    message: `SESSION_ID :{5b0e6a51-3c1d-4e2f-9a8b-0c1d2e3f4a5b} Remote 198.51.100.20:500: Local 20.50.1.10:500: ${line}`,
  }));
}

function estate(): TestPorts {
  const t = testPorts();
  t.keyVault.put('vpn-out', '4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b', pki.outbound.good.info);
  t.network.add({ name: 'cn-site-paris', status: 'NotConnected', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
  return t;
}

function outcome(result: DiagnoseSiteOutput) {
  if (result.kind === 'site-not-found') throw new Error('site not found');
  return result;
}

describe('diagnoseSite', () => {
  it('diagnostics off: says which categories the gateway does not send, and reads no logs', async () => {
    const t = estate();
    t.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: WORKSPACE_ID };
    expect(await diagnoseSite({ site: 'site-paris', hours: 24 }, t.ports)).toEqual({ kind: 'diagnostics-off', site: 'site-paris', gatewayName: 'vpngw-hub', missing: ['IKEDiagnosticLog'], status: 'NotConnected' });
    expect(t.logs.queries).toEqual([]);
  });

  it('no log entries in the window: names the workspace and the window', async () => {
    const t = estate();
    expect(await diagnoseSite({ site: 'site-paris', hours: 6 }, t.ports)).toEqual({ kind: 'no-logs', site: 'site-paris', connectionName: 'cn-site-paris', status: 'NotConnected', hours: 6, workspaceName: 'log-vpn' });
  });

  it('diagnosed: reads the window\'s rows for this device, the metrics and configuration, and concludes', async () => {
    const t = estate();
    t.logs.ike = untrustedRows();
    t.logs.tunnel = [{ at: new Date(STATUS_NOW.getTime() - HOUR / 2), gateway: 'VPNGW-HUB', instance: 'GatewayTenantWorker_IN_0', remoteIp: '198.51.100.20', status: 'Disconnected', reason: 'IKE authentication failed' }];
    const result = outcome(await diagnoseSite({ site: 'site-paris', hours: 24 }, t.ports));
    expect(result).toMatchObject({ kind: 'diagnosed', site: 'site-paris', connectionName: 'cn-site-paris', status: 'NotConnected', hours: 24, from: '2026-05-31T12:00:00.000Z', to: '2026-06-01T12:00:00.000Z', counts: { ike: 6, tunnel: 1 } });
    if (result.kind !== 'diagnosed') throw new Error('expected a diagnosis');
    expect(result.diagnosis.cause).toBe('inbound-untrusted');
    expect(result.diagnosis.rejectedBy).toBe('azure');
    expect(result.counts).not.toHaveProperty('device');
    const ikeQuery = t.logs.queries.find((q) => q.table === 'ike')!;
    expect(ikeQuery).toEqual({ table: 'ike', workspace: WORKSPACE_ID, query: { gatewayResourceId: GATEWAY_ID, from: new Date('2026-05-31T12:00:00.000Z'), to: STATUS_NOW, limit: MAX_DIAGNOSE_ROWS, remoteIp: '198.51.100.20' } });
    expect(t.monitor.metricQueries[0]).toMatchObject({ interval: 'PT5M', connectionName: 'cn-site-paris' });
    // The result crosses into durable history: compact and JSON-safe.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(JSON.stringify(result).length).toBeLessThan(8_000);
  });

  it("shows the site's other open warnings as notes with their fix: a healthy site whose outbound certificate expires soon", async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', '4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b', pki.outbound.expiring.info);
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    t.logs.tunnel = [{ at: new Date(STATUS_NOW.getTime() - HOUR), gateway: 'VPNGW-HUB', instance: 'GatewayTenantWorker_IN_0', remoteIp: '198.51.100.20', status: 'Connected', reason: 'IKE and IPsec security associations established' }];
    const result = outcome(await diagnoseSite({ site: 'paris', hours: 24 }, t.ports));
    if (result.kind !== 'diagnosed') throw new Error('expected a diagnosis');
    expect(result.diagnosis.cause).toBe('healthy');
    expect(result.siteNotes).toEqual([
      expect.objectContaining({ code: 'OutboundCertificateExpiresSoon', severity: 'warning', text: expect.stringMatching(/expires on .* \(in 10 days\)/), fix: expect.stringMatching(/^To rotate: Rotate \(or rotate site-paris outbound\) adds a new version of vpn-out in Key Vault kv-vpn-certs/), actions: [{ title: 'Rotate', command: 'rotate site-paris outbound', rotateOutbound: { drift: false } }, { title: 'Status', command: 'status site-paris' }] }),
    ]);
    // Without logs to read, the note still comes with the answer.
    t.logs.tunnel = [];
    expect(await diagnoseSite({ site: 'site-paris', hours: 24 }, t.ports)).toMatchObject({ kind: 'no-logs', siteNotes: [{ code: 'OutboundCertificateExpiresSoon' }] });
  });

  it('reads hourly metrics for windows over two days', async () => {
    const t = estate();
    t.logs.ike = untrustedRows();
    await diagnoseSite({ site: 'site-paris', hours: 72 }, t.ports);
    expect(t.monitor.metricQueries[0]!.interval).toBe('PT1H');
  });

  it("says when a log reached the row cap: only the newest rows were read, from the oldest one's time on", async () => {
    const t = estate();
    const retries = Array.from({ length: MAX_DIAGNOSE_ROWS / 5 }, () => untrustedRows().slice(0, 5)).flat();
    // Oldest first, as the adapter returns them: one attempt every 20 s over the last ~5.5 hours.
    t.logs.ike = retries.map((row, i) => ({ ...row, at: new Date(STATUS_NOW.getTime() - (retries.length - i) * 20_000) }));
    const result = outcome(await diagnoseSite({ site: 'site-paris', hours: 168 }, t.ports));
    if (result.kind !== 'diagnosed') throw new Error('expected a diagnosis');
    expect(result.counts.ike).toBe(MAX_DIAGNOSE_ROWS);
    expect(result.truncated).toEqual({ limit: MAX_DIAGNOSE_ROWS, logs: ['ike'], oldestRead: new Date(STATUS_NOW.getTime() - MAX_DIAGNOSE_ROWS * 20_000).toISOString() });

    const few = estate();
    few.logs.ike = untrustedRows();
    expect(outcome(await diagnoseSite({ site: 'site-paris', hours: 168 }, few.ports))).not.toHaveProperty('truncated');
  });

  it("checks a pasted device log against the gateway's public IPs: a log of another peer is named, not used, and its finding still told", async () => {
    const t = testPorts();
    t.keyVault.put('vpn-out', '4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b', pki.outbound.good.info);
    t.network.add({ name: 'cn-site-paris', inboundChain: [pki.deviceRoot.info, pki.deviceIssuing.info] });
    const device = parseCharonLog(charonFixture('wrong-root', 'initiator')).filter((e) => e.kind !== 'other');
    const result = outcome(await diagnoseSite({ site: 'site-paris', hours: 24, deviceEvents: device, deviceLines: 46 }, t.ports));
    if (result.kind !== 'diagnosed') throw new Error('expected a diagnosis');
    expect(result.diagnosis.cause).toBe('healthy');
    const notes = (result.diagnosis.notes ?? []).map((n) => n.text);
    expect(notes[0]).toMatch(/^The attached device log talks to 10\.99\.0\.2, not this gateway \(20\.50\.1\.10, 20\.50\.1\.11\)/);
    expect(notes[1]).toMatch(/the device does not trust the gateway's certificate/);
    // Compact: the notes quote single lines, never the pasted log.
    expect(JSON.stringify(result).length).toBeLessThan(8_000);
    expect(JSON.stringify(result)).not.toContain('SIGTERM');
  });

  it('device only: with diagnostics off, the pasted device log is diagnosed on its own', async () => {
    const t = estate();
    t.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: undefined };
    // The fixture's daemons talked over 10.99.0.x: as this site's device log, its peer is the gateway's public IP.
    const device = parseCharonLog(charonFixture('proposal-mismatch', 'initiator').replaceAll('10.99.0.2', '20.50.1.10')).filter((e) => e.kind !== 'other');
    const result = outcome(await diagnoseSite({ site: 'site-paris', hours: 24, deviceEvents: device, deviceLines: 40 }, t.ports));
    if (result.kind !== 'diagnosed') throw new Error(`expected a diagnosis, got ${result.kind}`);
    expect(result.diagnosis.cause).toBe('proposal-mismatch');
    expect(result.diagnosis.notes).toBeUndefined();
    expect(result.counts).toEqual({ ike: 0, tunnel: 0, device: device.length });
    expect(t.logs.queries).toEqual([]);
  });

  it('an unknown site answers with suggestions and reads nothing else', async () => {
    const t = estate();
    expect(await diagnoseSite({ site: 'site-pariss', hours: 24 }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'site-pariss', suggestions: ['site-paris'] });
    expect(t.calls.every((c) => c.startsWith('list') || c.startsWith('siteIndex.'))).toBe(true);
  });

  it('an ambiguous name is an error that says what to type instead', async () => {
    const t = testPorts({ scopes: [{ subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d' }] });
    t.network.add({ name: 'cn-site-paris' });
    t.network.add({ name: 'cn-site-paris', resourceGroup: 'rg-eu' });
    await expect(diagnoseSite({ site: 'site-paris', hours: 24 }, t.ports)).rejects.toMatchObject({ code: 'AmbiguousSite', hint: 'Give the connection name instead.' });
  });
});
