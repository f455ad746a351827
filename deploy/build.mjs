// `npm run build:deploy [out-dir]`: the function app as azd deploys it (azure.yaml: service "api", project deploy/).
//
// esbuild bundles the app's entry (functions/index.ts) with its dependencies into dist/index.js, minified, so a cold
// start reads a few files instead of resolving thousands in node_modules. The one external is `@azure/functions-core`,
// which is not a package: the Functions Node worker (or the local host) provides it.
//
// The ARM management SDKs (@azure/arm-network, @azure/arm-monitor) are the largest part and no message needs them
// before its first Azure call, which runs in an activity. Each is bundled into a file of its own (dist/lazy-*.js),
// and the app's import of it becomes a stand-in whose exports require that file on first use, so a cold start does
// not even parse them. host.json is copied beside deploy/package.json, whose "main" is dist/index.js.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'deploy');
const dist = join(outDir, 'dist');
const LOADED_ON_FIRST_USE = ['@azure/arm-network', '@azure/arm-monitor'];
const lazyFile = (name) => `lazy-${name.replace(/^@/, '').replace(/\//g, '-')}.js`;
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, legalComments: 'eof', logLevel: 'warning' };

/** The stand-in for a package loaded on first use: each export forwards to the real one, loaded when first used. */
function standIn(name) {
  const real = createRequire(join(root, 'package.json'))(name);
  const lines = [`let real; const load = () => (real ??= require(${JSON.stringify(`./${lazyFile(name)}`)}));`];
  for (const key of Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k))) {
    lines.push(
      typeof real[key] === 'function'
        ? `export function ${key}(...args) { const f = load().${key}; return new.target ? Reflect.construct(f, args, f) : f(...args); }`
        : `export const ${key} = new Proxy({}, { get: (_, p) => load().${key}[p], has: (_, p) => p in load().${key}, ownKeys: () => Reflect.ownKeys(load().${key}), getOwnPropertyDescriptor: (_, p) => Object.getOwnPropertyDescriptor(load().${key}, p) });`,
    );
  }
  return lines.join('\n');
}

const loadOnFirstUse = {
  name: 'load-on-first-use',
  setup(b) {
    const names = new RegExp(`^(${LOADED_ON_FIRST_USE.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
    // Only the app's own imports: a package inside node_modules that imports one of them gets the real thing.
    b.onResolve({ filter: names }, (args) => (args.importer.includes('node_modules') ? undefined : { path: args.path, namespace: 'load-on-first-use' }));
    b.onResolve({ filter: /^\.\/lazy-/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, (args) => ({ contents: standIn(args.path), resolveDir: root, loader: 'js' }));
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const main = await build({ ...common, entryPoints: [join(root, 'functions/index.ts')], outfile: join(dist, 'index.js'), external: ['@azure/functions-core'], plugins: [loadOnFirstUse] });
const lazy = await Promise.all(
  LOADED_ON_FIRST_USE.map((name) => build({ ...common, stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root }, outfile: join(dist, lazyFile(name)) })),
);
if ([main, ...lazy].some((r) => r.warnings.length > 0)) process.exitCode = 1;
copyFileSync(join(root, 'host.json'), join(outDir, 'host.json'));
const sizes = readdirSync(dist).map((f) => `${f} ${(statSync(join(dist, f)).size / 1024 / 1024).toFixed(2)} MB`);
console.log(`wrote ${relative(process.cwd(), dist)}: ${sizes.join(', ')}`);
