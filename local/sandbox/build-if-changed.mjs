// @ts-check
/**
 * Builds the TypeScript only when a source changed since the last successful build (see run-built.mjs, the runner
 * behind `npm start` and `npm run chat`).
 *
 * "Changed" is decided by a hash of what `tsc -p tsconfig.build.json` reads (the included folders' .ts and .json
 * files, the tsconfig files and the locked dependencies), not by timestamps: a checkout, a stash or an editor that
 * rewrites files without changing them does not force a build, and a changed file always does. Two runs that both
 * find a change build once: the second waits for the first's lock and then finds nothing left to do.
 *
 * Plain JavaScript because it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this was left by a build that died (tsc takes seconds here, not minutes). */
const STALE_LOCK_MS = 5 * 60_000;

/** What tsc compiles for the app, read from tsconfig.build.json itself so the two can't drift apart. */
function sourceFiles(root) {
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => join(root, f)).filter((f) => existsSync(f));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (/\.(ts|mts|cts|json)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  for (const folder of config.include ?? []) {
    const dir = join(root, folder);
    if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir);
  }
  return files.sort();
}

/** A hash of every source the build reads: their paths and contents. */
export function sourcesHash(root) {
  const hash = createHash('sha256');
  for (const file of sourceFiles(root)) {
    hash.update(relative(root, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const stampFile = (root) => join(root, 'dist', '.sources.sha256');
const lockDir = (root) => join(root, 'dist', '.build.lock');

/** Whether `entry` (relative to root) was built from exactly these sources. */
function upToDate(root, hash, entry) {
  return existsSync(join(root, entry)) && existsSync(stampFile(root)) && readFileSync(stampFile(root), 'utf8').trim() === hash;
}

/** Whether the run holding the lock is gone (killed mid-build, e.g. by Ctrl-C) or has held it implausibly long. */
function lockAbandoned(root) {
  try {
    if (Date.now() - statSync(lockDir(root)).mtimeMs > STALE_LOCK_MS) return true;
    process.kill(Number(readFileSync(join(lockDir(root), 'pid'), 'utf8')), 0);
    return false;
  } catch (error) {
    // ESRCH: the holder died. ENOENT: released, or its pid not written yet (then it is alive: wait). EPERM: alive.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH';
  }
}

/** Holds the build lock while `work` runs; waits while another run holds it. */
async function withBuildLock(root, work) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir(root));
      writeFileSync(join(lockDir(root), 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      if (lockAbandoned(root)) rmSync(lockDir(root), { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir(root), { recursive: true, force: true });
  }
}

/**
 * Builds `root` with `tsc -p tsconfig.build.json` unless `entry` was built from the current sources. Resolves to
 * whether it built, how long the check and build took, and tsc's exit status (its errors went to stderr).
 */
export async function buildIfChanged(root, entry, options = {}) {
  const log = options.log ?? ((text) => process.stderr.write(text));
  const started = performance.now();
  if (upToDate(root, sourcesHash(root), entry)) return { built: false, ms: performance.now() - started, status: 0 };
  return withBuildLock(root, async () => {
    // Hashed again under the lock: another run may have just built these very sources.
    const hash = sourcesHash(root);
    if (upToDate(root, hash, entry)) return { built: false, ms: performance.now() - started, status: 0 };
    log('Building (a source changed since the last build)…\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const output = options.tscOutput ?? 'inherit';
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', output, output] });
    if (result.status === 0) writeFileSync(stampFile(root), `${hash}\n`);
    return { built: true, ms: performance.now() - started, status: result.status ?? 1 };
  });
}
