import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { readRecordedAzureCalls } from '../support/azure-call-log';
import type { RecordedAzureCall } from '../support/azure-call-log';
import type { Snapshot } from './bicep-cli';
import { build, deployment, describeWithBicep, infra, root, snapshot } from './bicep-cli';
import type { CallLine } from './permissions';
import { grantsOf, linesFor, loadPermissions } from './permissions';

/**
 * Least privilege, derived from what the code does. This file runs after every other test file of the run
 * (vitest.config.mts, project "derived"): the end-to-end tests drive the bot through the Playground against the Azure
 * simulator, and their sandboxes record each Azure call the app made. Each call must be a line of
 * infra/permissions.json, each line must be needed by some call, and the custom roles the compiled template would
 * create must grant exactly what those lines say, nothing more.
 */

const permissions = loadPermissions();
const describeCall = (c: RecordedAzureCall) => `${c.service} ${c.method} ${c.path} (${relative(root, c.source)})`;

/** The test files that chat with a sandbox (test/e2e/sandbox-fixture.ts records their calls) or record the app's calls themselves. */
function endToEndFiles(dir = join(root, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return endToEndFiles(path);
    return entry.name.endsWith('.test.ts') && /\bstartChat\(|\brecordAppAzureCalls\(/.test(readFileSync(path, 'utf8')) ? [relative(root, path)] : [];
  });
}

const logs = readRecordedAzureCalls();
const ran = new Set(logs.map((l) => relative(root, l.source)));
const notRun = endToEndFiles().filter((f) => !ran.has(f));

if (notRun.length > 0 && !process.env.CI) {
  process.stderr.write(`\n*** SKIPPED: the least-privilege check needs the whole end-to-end suite in the same run (npm test); not run now: ${notRun.join(', ')}\n\n`);
}

describeWithBicep('least privilege: the custom roles grant exactly the Azure calls the end-to-end suite made', () => {
  const calls = logs.flatMap((l) => l.calls);
  let deployed: Snapshot;

  beforeAll(() => {
    const { dir } = build(join(infra, 'main.bicep'));
    // Every switch on and every kind of scope named, so every role that any line needs is created.
    const id = (rg: string, type: string, name: string) => `/subscriptions/${deployment.subscriptionId}/resourceGroups/${rg}/providers/${type}/${name}`;
    deployed = snapshot(dir, {
      environmentName: 'prod',
      location: deployment.location,
      vpnScopes: `${deployment.subscriptionId}/rg-hub-network`,
      diagnosticsWorkspaceId: id('rg-monitoring', 'Microsoft.OperationalInsights/workspaces', 'log-vpn'),
      certificateVaultIds: id('rg-certs', 'Microsoft.KeyVault/vaults', 'kv-vpn-certs'),
      caKeyId: id('rg-certs', 'Microsoft.KeyVault/vaults', 'kv-vpn-ca') + '/keys/ca',
      gatewayIdentityPrincipalIds: '9a9a9a9a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
      allowEnableDiagnostics: true,
      allowVaultAccessGrants: true,
      allowVpnChanges: true,
      certificateVaultAccess: 'manage',
    });
  });

  it.skipIf(notRun.length > 0 && !process.env.CI)('ran after the whole end-to-end suite, which called Azure', () => {
    expect(notRun, 'end-to-end files that did not run before this check (run the whole suite: npm test)').toEqual([]);
    expect(calls.length).toBeGreaterThan(0);
  });

  it.skipIf(notRun.length > 0 && !process.env.CI)('knows every Azure call the app made: each is a line of infra/permissions.json', () => {
    const unknown = [...new Set(calls.filter((c) => linesFor(permissions.calls, c).length === 0).map(describeCall))];
    expect(
      unknown,
      'The app made Azure calls infra/permissions.json does not list. Add one line per call to "calls": { "call": "<service> <METHOD> <path with {name} segments>", "role": "<role>", "actions" or "dataActions": [<the RBAC action Azure checks>] } (infra/README.md, "Roles")',
    ).toEqual([]);
  });

  it.skipIf(notRun.length > 0 && !process.env.CI)('grants nothing no call needed: every line of infra/permissions.json is used', () => {
    const used = new Set<CallLine>(calls.flatMap((c) => linesFor(permissions.calls, c)));
    const unused = permissions.calls.filter((line) => !used.has(line)).map((line) => `${line.role}: ${grantsOf(line).join(', ')} for "${line.call}"`);
    expect(unused, 'These lines grant actions no end-to-end test made the app perform: remove them, or add the test that needs them').toEqual([]);
  });

  it('creates each custom role with exactly the actions of its lines, and no wildcard', () => {
    const expected = new Map<string, Set<string>>();
    for (const line of [...permissions.calls, ...permissions.gatewayReads]) {
      for (const action of grantsOf(line)) expected.set(line.role, (expected.get(line.role) ?? new Set()).add(action));
    }
    const actual = new Map<string, Set<string>>();
    for (const d of deployed.predictedResources.filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions')) {
      const name = String(d.properties!.roleName).replace(/ \([a-z0-9]+\)$/, '');
      const key = Object.entries(permissions.roles).find(([, role]) => role.roleName === name)?.[0];
      expect(key, `role definition ${name} is not a role of infra/permissions.json`).toBeDefined();
      const [permission] = d.properties!.permissions as { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
      actual.set(key!, new Set([...permission!.actions, ...permission!.dataActions]));
      for (const action of [...permission!.actions, ...permission!.dataActions]) expect(action, `${name} grants a wildcard`).not.toMatch(/\*/);
    }
    const describe = (m: Map<string, Set<string>>) => [...m].flatMap(([role, actions]) => [...actions].map((a) => `${role}: ${a}`)).sort();
    expect(describe(actual)).toEqual(describe(expected));
  });
});
