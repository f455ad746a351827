import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { infra } from './bicep-cli';
import { grantsOf, linesFor, loadPermissions, roleTable } from './permissions';

const permissions = loadPermissions();
const readme = join(infra, 'README.md');
const START = '<!-- role table: generated from permissions.json by test/infra/permissions.test.ts -->';
const END = '<!-- end of role table -->';

describe('infra/permissions.json', () => {
  it('names only roles it declares, grants no wildcard, and says per line whether it grants actions or data actions', () => {
    for (const line of [...permissions.calls, ...permissions.gatewayReads]) {
      const where = 'call' in line ? line.call : line.read;
      expect(Object.keys(permissions.roles), where).toContain(line.role);
      expect(grantsOf(line).length, `${where} grants nothing`).toBeGreaterThan(0);
      for (const action of grantsOf(line)) expect(action, where).toMatch(/^Microsoft\.[A-Za-z]+\/[A-Za-z/]+$/);
    }
    for (const line of permissions.gatewayReads) expect(permissions.roles[line.role]!.principal).toBe('gateways');
    for (const line of permissions.calls) expect(permissions.roles[line.role]!.principal).toBe('app');
  });

  it('maps a call to its most specific line, and to every role it needs', () => {
    const sub = '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg-hub-network/providers';
    expect(linesFor(permissions.calls, { service: 'keyvault', method: 'GET', path: '/certificates/outbound-paris/versions' }).map((l) => l.call)).toEqual(['keyvault GET /certificates/{name}/versions']);
    expect(linesFor(permissions.calls, { service: 'arm', method: 'put', path: `${sub}/Microsoft.Network/virtualNetworkGateways/vpngw-hub/providers/Microsoft.Insights/diagnosticSettings/x` }).map((l) => l.role)).toEqual([
      'gatewayDiagnosticsWriter',
      'diagnosticsDestination',
    ]);
    expect(linesFor(permissions.calls, { service: 'arm', method: 'DELETE', path: `${sub}/Microsoft.Network/virtualNetworkGateways/vpngw-hub` })).toEqual([]);
  });

  it('is what the role table of infra/README.md says (UPDATE_INFRA_README=1 rewrites it)', () => {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, `infra/README.md has no "${START}" line`).toBeGreaterThanOrEqual(0);
    const expected = `${START}\n${roleTable(permissions)}\n${END}`;
    if (process.env.UPDATE_INFRA_README) writeFileSync(readme, text.slice(0, start) + expected + text.slice(end + END.length));
    else expect(text.slice(start, end + END.length)).toBe(expected);
  });
});
