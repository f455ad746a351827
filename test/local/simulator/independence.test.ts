import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const simulatorDir = join(root, 'local/simulator');
/** The product's own certificate and IKE rules: the simulator is the oracle they are tested against. */
const forbidden = ['core/pki', 'core/ike'];
/**
 * Estates are data the caller hands the simulator (built with the project's certificate factory); the simulator reads
 * only their DER bytes, so imports are not followed into them.
 */
const dataOnly = [join(root, 'local/estate')];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s))
    .map((base) => [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate)) ?? `${base}.ts`);
}

describe('the Azure simulator is an independent oracle', () => {
  it('imports nothing from core/pki or core/ike, directly or through the files it imports', () => {
    const start = tsFiles(simulatorDir);
    expect(start.length).toBeGreaterThan(30);
    const via = new Map<string, string | undefined>(start.map((f) => [f, undefined]));
    const queue = [...start];
    const violations: string[] = [];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      for (const target of importsOf(file)) {
        if (via.has(target) || dataOnly.some((d) => target.startsWith(`${d}/`))) continue;
        via.set(target, file);
        const rel = relative(root, target);
        if (forbidden.some((f) => rel.startsWith(`${f}/`))) {
          const chain = [rel];
          for (let at = via.get(target); at; at = via.get(at)) chain.unshift(relative(root, at));
          violations.push(chain.join(' -> '));
          continue;
        }
        queue.push(target);
      }
    }
    expect(violations).toEqual([]);
  });
});
