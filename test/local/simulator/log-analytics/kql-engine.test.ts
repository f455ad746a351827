import { describe, expect, it } from 'vitest';
import { ikeDiagnosticsQuery, tunnelDiagnosticsQuery } from '../../../../adapters/azure/logs';
import { executeKql, KqlSemanticError, type KqlRow, type KqlTableSource } from '../../../../local/simulator/log-analytics/kql-engine';
import { KqlSyntaxError, parseKql } from '../../../../local/simulator/log-analytics/kql-parser';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 23, 10, minute));
const rows: KqlRow[] = [
  { TimeGenerated: t(1), Category: 'IKEDiagnosticLog', ResourceId: '/SUBSCRIPTIONS/S/GW', Level: 'Informational', Message: 'SESSION_ID :{A} Remote 203.0.113.10:500: [SEND] hello', remoteIP_s: '203.0.113.10', Count: 3 },
  { TimeGenerated: t(2), Category: 'IKEDiagnosticLog', ResourceId: '/SUBSCRIPTIONS/S/GW', Level: 'Error', Message: 'SESSION_ID :{B} Remote 203.0.113.30:500: [LOCAL] Policy match error', remoteIP_s: '203.0.113.30', Count: 1 },
  { TimeGenerated: t(3), Category: 'TunnelDiagnosticLog', ResourceId: '/SUBSCRIPTIONS/S/GW', Level: 'Informational', Message: 'Tunnel connected', remoteIP_s: '203.0.113.10', Count: 7 },
  { TimeGenerated: t(4), Category: 'IKEDiagnosticLog', ResourceId: '/SUBSCRIPTIONS/S/OTHER', Level: 'Error', Message: 'other gateway', remoteIP_s: '203.0.113.10', Count: 2 },
];
const scans: unknown[] = [];
const table: KqlTableSource = {
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'Category', type: 'string' },
    { name: 'ResourceId', type: 'string' },
    { name: 'Level', type: 'string' },
    { name: 'Message', type: 'string' },
    { name: 'remoteIP_s', type: 'string' },
    { name: 'Count', type: 'long' },
  ],
  scan(hints) {
    scans.push(hints);
    return rows;
  },
};
const tables = new Map([['AzureDiagnostics', table]]);
const day = { from: t(0), to: t(59) };
const run = (query: string, window = day) => executeKql(parseKql(query), tables, window);

describe('KQL subset', () => {
  it('runs the queries the logs adapter sends', () => {
    const ike = parseKql(ikeDiagnosticsQuery({ gatewayResourceId: '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw', from: t(0), to: t(30), limit: 5 }));
    expect(ike.table).toBe('AzureDiagnostics');
    expect(ike.operators.map((o) => o.kind)).toEqual(['where', 'where', 'project', 'order', 'take']);
    expect(ike.operators[4]).toEqual({ kind: 'take', count: 5 });
    const tunnel = parseKql(tunnelDiagnosticsQuery({ gatewayResourceId: '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw', from: t(0), to: t(30), limit: 5, remoteIp: '203.0.113.10' }));
    expect(tunnel.operators.map((o) => o.kind)).toEqual(['where', 'where', 'where', 'project', 'order', 'take']);
  });

  it('filters with ==, =~, in, between, contains and has; orders and takes', () => {
    const result = run('AzureDiagnostics | where ResourceId =~ "/subscriptions/s/gw" and Category in ("IKEDiagnosticLog", "X") | where TimeGenerated between (datetime(2026-11-23T10:00:00Z) .. datetime(2026-11-23 10:02)) | project TimeGenerated, Level | order by TimeGenerated desc | take 5');
    expect(result.rows).toEqual([
      [t(2), 'Error'],
      [t(1), 'Informational'],
    ]);
    expect(run('AzureDiagnostics | where ResourceId == "/subscriptions/s/gw"').rows).toHaveLength(0);
    expect(run('AzureDiagnostics | where Message contains "POLICY MATCH" | project Count').rows).toEqual([[1]]);
    expect(run('AzureDiagnostics | where Message has "203.0.113.1" | project Count').rows).toEqual([]);
    expect(run('AzureDiagnostics | where Message has "match" and not(Level == "Informational") | project Count').rows).toEqual([[1]]);
    expect(run("AzureDiagnostics | where Level != 'Error' or Count >= 2 | order by Count asc | project Count").rows).toEqual([[2], [3], [7]]);
    expect(run('AzureDiagnostics | where remoteIP_s !in ("203.0.113.10") | project Count').rows).toEqual([[1]]);
  });

  it('reads a column that may not exist yet through column_ifexists, in where and in project (name = expression)', () => {
    expect(run('AzureDiagnostics | where column_ifexists("remoteIP_s", "") == "203.0.113.30" | project Count').rows).toEqual([[1]]);
    expect(run('AzureDiagnostics | where column_ifexists("status_s", "") == "Connected" | project Count').rows).toEqual([]);
    const projected = run('AzureDiagnostics | where Count == 7 | project remoteIP_s = column_ifexists("remoteIP_s", ""), status_s = column_ifexists("status_s", "none"), Level');
    expect(projected.columns.map((c) => c.name)).toEqual(['remoteIP_s', 'status_s', 'Level']);
    expect(projected.rows).toEqual([['203.0.113.10', 'none', 'Informational']]);
    expect(() => run('AzureDiagnostics | project status_s')).toThrow("'project' operator: Failed to resolve column or scalar expression named 'status_s'");
  });

  it('summarizes count() by columns', () => {
    const result = run('AzureDiagnostics | summarize n = count() by Category, Level | order by n desc');
    expect(result.columns).toEqual([
      { name: 'Category', type: 'string' },
      { name: 'Level', type: 'string' },
      { name: 'n', type: 'long' },
    ]);
    expect(result.rows[0]).toEqual(['IKEDiagnosticLog', 'Error', 2]);
    expect(run('AzureDiagnostics | summarize count()').rows).toEqual([[4]]);
  });

  it('applies the request timespan on top of the query and hands the narrowest window to the source', () => {
    scans.length = 0;
    expect(run('AzureDiagnostics | where TimeGenerated between (datetime(2026-11-23T10:00:00Z) .. datetime(2026-11-23T11:00:00Z))', { from: t(3), to: t(59) }).rows).toHaveLength(2);
    expect(scans[0]).toMatchObject({ from: t(3), to: new Date('2026-11-23T10:59:00Z') });
    run('AzureDiagnostics | where Category == "TunnelDiagnosticLog" and ResourceId =~ "/X"');
    expect((scans[1] as { equals: Map<string, string[]> }).equals.get('category')).toEqual(['tunneldiagnosticlog']);
  });

  it('reports syntax errors with position, and unknown names as semantic errors', () => {
    const syntax = (q: string) => {
      try {
        parseKql(q);
        return undefined;
      } catch (e) {
        return e instanceof KqlSyntaxError ? { message: e.message, token: e.token } : 'other';
      }
    };
    expect(syntax('AzureDiagnostics | extend x = 1')).toEqual({ message: "Query could not be parsed at 'extend' on line [1,20]", token: 'extend' });
    expect(syntax('AzureDiagnostics | where Level == "Error')).toMatchObject({ token: '"Error' });
    expect(syntax('AzureDiagnostics | where ago(1h) < TimeGenerated')).toMatchObject({ token: '1h' });
    expect(syntax('AzureDiagnostics | where tolower(Level) == "error"')).toMatchObject({ token: 'tolower' });
    expect(syntax('AzureDiagnostics\n| take -1')).toMatchObject({ message: "Query could not be parsed at '-' on line [2,8]" });
    expect(syntax('AzureDiagnostics | where TimeGenerated > datetime(yesterday)')).toMatchObject({ token: 'yesterday' });
    expect(() => run('Heartbeat | take 1')).toThrow(KqlSemanticError);
    expect(() => run('AzureDiagnostics | where Colour == "red"')).toThrow("'where' operator: Failed to resolve column or scalar expression named 'Colour'");
    expect(() => run('AzureDiagnostics | project Level | where Message == "x"')).toThrow(KqlSemanticError);
  });

  it('reads escapes in string literals', () => {
    const q = parseKql('AzureDiagnostics | where Message == "a\\"b\\\\c" and Level == \'it\\\'s\'');
    const where = q.operators[0];
    expect(where?.kind === 'where' && JSON.stringify(where.predicate)).toContain('a\\"b\\\\c');
    expect(JSON.stringify(where)).toContain("it's");
  });
});
