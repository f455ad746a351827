import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json and host.json, from source (vitest) or from dist/ (compiled). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No host.json above ${from}`);
    dir = parent;
  }
}
