// A local ESLint rule: each layer of the product lists what it MAY import (an allow-list), so a new folder or
// package is refused until someone decides where it belongs. Relative imports are resolved to project paths and
// matched by prefix ("core/" is the folder, "activities/activity-names" one module); package imports are matched by
// name, with "*" at the end for scopes or families ("@azure/arm-*"). Type-only imports count like any other: a layer
// that may not know a module may not know its types either.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function projectPath(file, specifier) {
  return relative(root, resolve(dirname(file), specifier)).replace(/\\/g, '/').replace(/\.(m?[jt]s)$/, '');
}

function matches(value, patterns) {
  return patterns.some((p) => (p.endsWith('*') ? value.startsWith(p.slice(0, -1)) : p.endsWith('/') ? value.startsWith(p) : value === p));
}

/** The package a bare specifier names: `@scope/name` or `name` (subpaths ignored). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export const allowedImportsRule = {
  meta: {
    type: 'problem',
    schema: [{ type: 'object', properties: { layer: { type: 'string' }, modules: { type: 'array', items: { type: 'string' } }, packages: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: {
      module: '{{layer}} may import only {{allowed}}; not {{target}}.',
      package: '{{layer}} may import only the packages {{allowed}}; not {{target}}.',
    },
  },
  create(context) {
    const { layer, modules = [], packages = [] } = context.options[0] ?? {};
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        const target = projectPath(context.filename, specifier);
        if (!matches(target, modules)) context.report({ node, messageId: 'module', data: { layer, allowed: modules.join(', ') || 'nothing', target } });
        return;
      }
      const name = specifier.startsWith('node:') ? specifier : packageOf(specifier);
      if (!matches(name, packages)) context.report({ node, messageId: 'package', data: { layer, allowed: packages.join(', ') || 'none', target: name } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

/**
 * The core/ modules that `entries` reach through relative imports, transitively (type imports included): the
 * determinism rules of orchestrations apply to these too, since their code runs inside the orchestrator.
 */
export function coreModulesImportedBy(entryGlobDir) {
  const seen = new Set();
  const queue = listTs(join(root, entryGlobDir));
  while (queue.length > 0) {
    const file = queue.pop();
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)) {
      const target = resolve(dirname(file), match[1]);
      const path = existsSync(`${target}.ts`) ? `${target}.ts` : existsSync(join(target, 'index.ts')) ? join(target, 'index.ts') : undefined;
      if (!path) continue;
      const rel = relative(root, path).replace(/\\/g, '/');
      if (!rel.startsWith('core/') || seen.has(rel)) continue;
      seen.add(rel);
      queue.push(path);
    }
  }
  return [...seen].sort();
}

function listTs(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}
