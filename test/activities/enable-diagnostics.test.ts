import { describe, expect, it } from 'vitest';
import { enableDiagnostics } from '../../activities/enable-diagnostics';
import { testPorts, WORKSPACE_ID } from './fake-adapters';

describe('enableDiagnostics', () => {
  it('refuses when no workspace is configured, before touching Azure', async () => {
    const t = testPorts({ diagnosticsWorkspaceId: null });
    t.network.add({ name: 'cn-site-oslo' });
    await expect(enableDiagnostics({ site: 'site-oslo' }, t.ports)).rejects.toMatchObject({ code: 'DiagnosticsWorkspaceNotConfigured', hint: expect.stringContaining('DIAGNOSTICS_WORKSPACE_ID') });
    expect(t.calls).toEqual([]);
  });

  it('changes nothing when the gateway already sends both categories', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-oslo' });
    expect(await enableDiagnostics({ site: 'site-oslo' }, t.ports)).toEqual({ kind: 'enabled', site: 'site-oslo', gatewayName: 'vpngw-hub', workspaceName: 'log-vpn', alreadyEnabled: true });
    expect(t.calls.filter((c) => c.startsWith('enable'))).toEqual([]);
  });

  it('sends the missing categories to the configured workspace', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-oslo' });
    t.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: WORKSPACE_ID };
    expect(await enableDiagnostics({ site: 'site-oslo' }, t.ports)).toEqual({ kind: 'enabled', site: 'site-oslo', gatewayName: 'vpngw-hub', workspaceName: 'log-vpn', alreadyEnabled: false });
    expect(t.calls.filter((c) => c.startsWith('enable'))).toEqual(['enableGatewayDiagnostics vpngw-hub log-vpn']);
    expect(t.monitor.workspaceFor.IKEDiagnosticLog).toBe(WORKSPACE_ID);
  });

  it('an unknown site changes nothing and suggests names', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-oslo' });
    expect(await enableDiagnostics({ site: 'site-olso' }, t.ports)).toEqual({ kind: 'site-not-found', typed: 'site-olso', suggestions: ['site-oslo'] });
    expect(t.calls.filter((c) => !c.startsWith('list'))).toEqual([]);
  });
});
