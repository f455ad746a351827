import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { median } from './bench-stats';
import type { ColdStartSample } from './cold-start-child';

/**
 * Cold start of the deployed package: `npm run build:deploy` into a fresh folder, then, alternating, fresh processes
 * that load the bundle and fresh processes that load the unbundled build (dist/functions/index.js with
 * node_modules), each registering every function. Also the size of what azd ships (deploy/ zipped).
 */
export interface ColdStartVariant {
  readonly samples: readonly ColdStartSample[];
  readonly medianWallMs: number;
  readonly medianCpuMs: number;
}

export interface ColdStartBenchResult {
  readonly runs: number;
  readonly functions: number;
  readonly bundled: ColdStartVariant;
  readonly unbundled: ColdStartVariant;
  /** Each file of deploy/dist and its size. */
  readonly bundleFiles: Readonly<Record<string, number>>;
  /** The package azd uploads: deploy/ (dist/, host.json, package.json) zipped. */
  readonly packageZipBytes: number;
}

function variant(samples: ColdStartSample[]): ColdStartVariant {
  return { samples, medianWallMs: median(samples.map((s) => s.wallMs)), medianCpuMs: median(samples.map((s) => s.cpuMs)) };
}

export function runColdStartBench(root: string, runs = 10): ColdStartBenchResult {
  const out = mkdtempSync(join(tmpdir(), 'cold-start-'));
  execFileSync(process.execPath, [join(root, 'deploy/build.mjs'), out], { cwd: root, stdio: 'pipe' });
  const child = join(root, 'dist/bench/cold-start-child.js');
  const once = (entry: string): ColdStartSample => JSON.parse(execFileSync(process.execPath, ['--no-deprecation', child, entry], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as ColdStartSample;
  const bundled: ColdStartSample[] = [];
  const unbundled: ColdStartSample[] = [];
  for (let i = 0; i < runs; i++) {
    bundled.push(once(join(out, 'dist/index.js')));
    unbundled.push(once(join(root, 'dist/functions/index.js')));
  }
  const counts = new Set([...bundled, ...unbundled].map((s) => s.functions));
  if (counts.size !== 1) throw new Error(`the bundle and dist/ registered different numbers of functions: ${[...counts].join(', ')}`);
  const zip = new AdmZip();
  zip.addLocalFolder(join(out, 'dist'), 'dist');
  zip.addLocalFile(join(out, 'host.json'));
  zip.addFile('package.json', readFileSync(join(root, 'deploy/package.json')));
  const bundleFiles = Object.fromEntries(readdirSync(join(out, 'dist')).map((f) => [f, statSync(join(out, 'dist', f)).size]));
  return { runs, functions: [...counts][0]!, bundled: variant(bundled), unbundled: variant(unbundled), bundleFiles, packageZipBytes: zip.toBuffer().length };
}
