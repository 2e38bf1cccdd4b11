// Bundles one entry point with the shared esbuild options (infra/bundling.ts) and checks that only
// production dependencies went in. Used by agent/Dockerfile's build stage and bench/cloud.bench.ts:
//   node infra/bundle.ts <entry.ts> <outdir>
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from './bundling.ts';

export interface BundleResult {
  readonly file: string;
  readonly bytes: number;
  /** npm packages whose code is in the bundle. */
  readonly packages: readonly string[];
  /** The project's own source files in the bundle, relative to the working directory. */
  readonly sources: readonly string[];
}

/** The npm package of a bundled input path (`node_modules/@scope/name/...` → `@scope/name`). */
export function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

export function packagesIn(metafile: Metafile): string[] {
  return [...new Set(Object.keys(metafile.inputs).map(packageOf).filter((p): p is string => p !== undefined))].sort();
}

/** Direct devDependencies (and not dependencies) of the project that ended up in a bundle. */
export function devOnlyPackages(packages: readonly string[], projectRoot: string): string[] {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const prod = new Set(Object.keys(manifest.dependencies ?? {}));
  return packages.filter((p) => p in (manifest.devDependencies ?? {}) && !prod.has(p));
}

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export async function bundle(entry: string, outdir: string, projectRoot = process.cwd()): Promise<BundleResult> {
  const result = await build(esbuildOptions(resolve(projectRoot, entry), resolve(projectRoot, outdir)));
  const metafile = result.metafile;
  if (!metafile) throw new BundleError(`esbuild returned no metafile for ${entry}`);
  const packages = packagesIn(metafile);
  const devOnly = devOnlyPackages(packages, projectRoot);
  if (devOnly.length > 0) {
    throw new BundleError(`${entry} bundles development-only packages (${devOnly.join(', ')}): move them to dependencies or stop importing them from shipped code`);
  }
  const [file, output] = Object.entries(metafile.outputs).find(([f]) => f.endsWith('.mjs')) ?? [];
  if (!file || !output) throw new BundleError(`esbuild wrote no .mjs for ${entry}`);
  const sources = Object.keys(metafile.inputs).filter((i) => packageOf(i) === undefined).sort();
  return { file: resolve(projectRoot, file), bytes: output.bytes, packages, sources };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    console.error('usage: node infra/bundle.ts <entry.ts> <outdir>');
    process.exit(2);
  }
  try {
    const out = await bundle(entry, outdir);
    console.log(`${out.file}: ${(out.bytes / 1024).toFixed(0)} KB (${out.packages.length} packages)`);
  } catch (error) {
    console.error(`bundle: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
