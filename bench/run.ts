// `npm run bench [-- --json [FILE]] [-- --only PREFIX]`: runs every bench/*.bench.ts and prints
// its figures; with --json, also writes them as one flat JSON object of named numbers (to FILE,
// or without one as the last line of the output).
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Bench {
  /** Figures by name, e.g. `core.desired_us_per_endpoint`. */
  run(log: (line: string) => void): Promise<Record<string, number>>;
}

const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`bench: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}
const jsonIndex = args.indexOf('--json');
const jsonAlone = jsonIndex >= 0 && (args[jsonIndex + 1] === undefined || args[jsonIndex + 1]!.startsWith('--'));
const jsonFile = jsonAlone ? undefined : flag('--json');
const only = flag('--only');

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.startsWith(only))).sort();
const figures: Record<string, number> = {};
for (const file of files) {
  console.log(`\n## ${file}`);
  const bench = (await import(join(here, file))) as Bench;
  const result = await bench.run((line) => console.log(`  ${line}`));
  for (const [key, value] of Object.entries(result)) {
    figures[key] = value;
    console.log(`${key.padEnd(44)} ${Number.isInteger(value) ? value : value.toFixed(3)}`);
  }
}
if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\nwrote ${Object.keys(figures).length} figures to ${jsonFile}`);
} else if (jsonAlone) {
  console.log(JSON.stringify(figures));
}
