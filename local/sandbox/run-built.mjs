// @ts-check
/**
 * `npm start` and `npm run chat` start here: the TypeScript is compiled only when a source changed since the last
 * build (build-if-changed.mjs), then the compiled entry point runs in this same process (no second Node start).
 *
 *   node local/sandbox/run-built.mjs start|chat [arguments...]
 *
 * Plain JavaScript because it runs before anything is compiled.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { buildIfChanged } from './build-if-changed.mjs';

const ENTRIES = { start: 'dist/local/sandbox/start.js', chat: 'dist/local/sandbox/chat.js' };
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const [command, ...args] = process.argv.slice(2);
const entry = ENTRIES[/** @type {keyof typeof ENTRIES} */ (command)];
if (!entry) {
  process.stderr.write(`Usage: node local/sandbox/run-built.mjs ${Object.keys(ENTRIES).join('|')} [arguments]\n`);
  process.exit(2);
}
const { status, ...build } = await buildIfChanged(root, entry);
if (status !== 0) {
  process.stderr.write('The build failed: fix the errors above and run it again.\n');
  process.exit(status);
}
const program = createRequire(import.meta.url)(join(root, entry));
// Timed from this process's start: npm's own start-up before it runs this file is not included.
await program.main(args, { startedAt: performance.timeOrigin, build });
