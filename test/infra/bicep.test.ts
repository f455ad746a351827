import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { BicepDiagnostic } from './bicep-cli';
import { build, describeWithBicep, infra, lintInfra } from './bicep-cli';

/** Every diagnostic is a failure: warnings are fixed, or suppressed where they occur with a comment saying why. */
function describeAll(diagnostics: readonly BicepDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.file}:${d.line} ${d.level} ${d.code}: ${d.message}`);
}

describeWithBicep('infra/ under the real Bicep CLI', () => {
  it('compiles main.bicep with no error and no warning', () => {
    expect(describeAll(build(join(infra, 'main.bicep')).diagnostics)).toEqual([]);
  });

  it('passes bicep lint with every rule of infra/bicepconfig.json, warnings included', () => {
    expect(describeAll(lintInfra())).toEqual([]);
  });

  it('would report an unknown property and an API version it has no types for (so their absence above means something)', () => {
    // BCP089/BCP037: a property Azure's schema does not have; BCP081: a type@version Bicep has no types for.
    const dir = mkdtempSync(join(tmpdir(), 'bicep-canary-'));
    const file = join(dir, 'canary.bicep');
    writeFileSync(
      file,
      [
        "resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {",
        "  name: 'canary'",
        "  location: 'westeurope'",
        "  kind: 'StorageV2'",
        "  sku: { name: 'Standard_LRS' }",
        '  properties: { allowSharedKeyAccesss: false }',
        '}',
        "resource future 'Microsoft.Storage/storageAccounts@2099-01-01' = {",
        "  name: 'future'",
        '}',
        '',
      ].join('\n'),
    );
    const codes = build(file).diagnostics.map((d) => d.code);
    expect(codes).toContain('BCP081');
    expect(codes.some((c) => c === 'BCP089' || c === 'BCP037')).toBe(true);
  });
});
