// The installed package's root (where package.json is), from the source tree or from the
// bundled CLI (dist/), so files shipped with the package — deploy/base, examples/ — are found
// wherever it runs from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let found: string | undefined;

export function packageRoot(): string {
  if (found !== undefined) return found;
  let dir = import.meta.dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'gns-sync') return (found = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`gns-sync: cannot find its package.json above ${import.meta.dirname}`);
    dir = parent;
  }
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
