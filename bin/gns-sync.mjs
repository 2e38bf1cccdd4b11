#!/usr/bin/env node
// The gns-sync CLI. In the repository it runs the TypeScript sources on Node 24 (type stripping;
// docs/adr/0001). Installed from the npm tarball it runs dist/gns-sync.mjs, the bundle `npm pack`
// builds (Node does not strip types under node_modules). Either needs Node 24 or newer: on an
// older Node it re-runs itself on the Node 24 the package carries (its `node` dependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  // The `node` package's binary, where npm installs a dependency (beside or above this package).
  const carried = [join(here, '../node_modules/node/bin/node'), join(here, '../../node/bin/node')].find((p) => existsSync(p));
  if (carried === undefined || process.env.GNS_SYNC_REEXEC === '1') {
    console.error(`gns-sync needs Node.js 24 or newer (this is ${process.version}), and the Node 24 it carries is not installed. Reinstall gns-sync with npm (its dependency "node" brings Node 24), or run it on Node 24.`);
    process.exit(2);
  }
  const run = spawnSync(carried, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, GNS_SYNC_REEXEC: '1' } });
  process.exit(run.status ?? 1);
}
const sources = join(here, '../local/cli/main.ts');
const entry = existsSync(sources) ? sources : join(here, '../dist/gns-sync.mjs');
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
