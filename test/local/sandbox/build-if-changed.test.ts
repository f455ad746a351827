import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIfChanged, sourcesHash } from '../../../local/sandbox/build-if-changed.mjs';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A tiny project laid out like this one: tsconfig.build.json includes src/, which compiles to dist/src/. */
function project(): string {
  root = mkdtempSync(join(tmpdir(), 'build-if-changed-'));
  writeFileSync(join(root, 'tsconfig.build.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'commonjs', target: 'ES2022', strict: true, types: [] }, include: ['src'] }));
  mkdirSync(join(root, 'src', 'nested'), { recursive: true });
  writeFileSync(join(root, 'src', 'main.ts'), 'export const answer: number = 42;\n');
  writeFileSync(join(root, 'src', 'nested', 'data.json'), '{"a":1}\n');
  return root;
}

const quiet = { log: () => undefined, tscOutput: 'ignore' as const };
const ENTRY = 'dist/src/main.js';

describe('sourcesHash: what the build reads, by content', () => {
  it('changes with a source, not with its timestamp; test files and dist/ do not count', () => {
    const dir = project();
    const before = sourcesHash(dir);
    utimesSync(join(dir, 'src', 'main.ts'), new Date(), new Date(Date.now() + 60_000));
    writeFileSync(join(dir, 'src', 'nested', 'data.json'), '{"a":1}\n');
    expect(sourcesHash(dir)).toBe(before);
    writeFileSync(join(dir, 'src', 'main.test.ts'), 'export {};\n');
    mkdirSync(join(dir, 'src', 'dist'));
    writeFileSync(join(dir, 'src', 'dist', 'x.ts'), 'export {};\n');
    expect(sourcesHash(dir)).toBe(before);
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    expect(sourcesHash(dir)).not.toBe(before);
  });

  it('changes when a source is added or removed, or the build settings change', () => {
    const dir = project();
    const before = sourcesHash(dir);
    writeFileSync(join(dir, 'src', 'more.ts'), 'export {};\n');
    const added = sourcesHash(dir);
    expect(added).not.toBe(before);
    rmSync(join(dir, 'src', 'more.ts'));
    expect(sourcesHash(dir)).toBe(before);
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    expect(sourcesHash(dir)).not.toBe(before);
  });
});

describe('buildIfChanged', () => {
  it('builds the first time (taking over a lock a killed build left), not again while nothing changed, and again after a change', async () => {
    const dir = project();
    mkdirSync(join(dir, 'dist', '.build.lock'), { recursive: true });
    // A pid no process has (far above the kernel's pid limit).
    writeFileSync(join(dir, 'dist', '.build.lock', 'pid'), '2147483646');
    expect(await buildIfChanged(dir, ENTRY, quiet)).toMatchObject({ built: true, status: 0 });
    expect(readFileSync(join(dir, ENTRY), 'utf8')).toContain('42');
    expect(await buildIfChanged(dir, ENTRY, quiet)).toMatchObject({ built: false, status: 0 });
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    expect(await buildIfChanged(dir, ENTRY, quiet)).toMatchObject({ built: true, status: 0 });
    expect(readFileSync(join(dir, ENTRY), 'utf8')).toContain('43');
    // The compiled entry point gone (dist cleaned by hand): built again although no source changed.
    rmSync(join(dir, ENTRY));
    expect(await buildIfChanged(dir, ENTRY, quiet)).toMatchObject({ built: true, status: 0 });
  }, 60_000);

  it('two runs that find the same change build once', async () => {
    const dir = project();
    const results = await Promise.all([buildIfChanged(dir, ENTRY, quiet), buildIfChanged(dir, ENTRY, quiet)]);
    expect(results.map((r) => r.built).sort()).toEqual([false, true]);
    expect(existsSync(join(dir, 'dist', '.build.lock'))).toBe(false);
  }, 60_000);

  it('a failed build reports tsc\'s status, remembers nothing and leaves no lock, so the next run tries again', async () => {
    const dir = project();
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = "forty-two";\n');
    const failed = await buildIfChanged(dir, ENTRY, quiet);
    expect(failed.built).toBe(true);
    expect(failed.status).not.toBe(0);
    expect(existsSync(join(dir, 'dist', '.build.lock'))).toBe(false);
    expect(existsSync(join(dir, 'dist', '.sources.sha256'))).toBe(false);
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = 42;\n');
    expect(await buildIfChanged(dir, ENTRY, quiet)).toMatchObject({ built: true, status: 0 });
  }, 60_000);
});
