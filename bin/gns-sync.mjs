#!/usr/bin/env node
// The gns-sync CLI. Runs the TypeScript sources directly on Node 24 (type stripping; see docs/adr/0001).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`gns-sync needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npx gns-sync, npm start), which uses the project's pinned Node 24.`);
  process.exit(2);
}
const { main } = await import('../local/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
