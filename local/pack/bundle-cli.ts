// `npm pack` runs this first (the `prepack` script): the CLI as one JavaScript bundle,
// dist/gns-sync.mjs, so the installed package runs without TypeScript sources — Node does not
// strip types under node_modules (docs/adr/0001). What cannot be bundled stays a dependency:
// dynalite, whose storage (level) loads a native addon.
//   node local/pack/bundle-cli.ts [outdir]     (prepack)
//   node local/pack/bundle-cli.ts --clean      (postpack: the repository runs its sources, not dist/)
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { COMMON } from '../../infra/bundling.ts';

/** Packages the bundle imports at run time from the installed package's dependencies. */
export const CLI_EXTERNAL = ['dynalite'] as const;
export const CLI_BUNDLE = 'gns-sync.mjs';

export async function bundleCli(root: string, outdir = join(root, 'dist')): Promise<{ file: string; bytes: number }> {
  rmSync(outdir, { recursive: true, force: true });
  const file = join(outdir, CLI_BUNDLE);
  const result = await build({
    entryPoints: [join(root, 'local/cli/main.ts')],
    bundle: true,
    outfile: file,
    minify: true,
    sourcemap: false,
    format: COMMON.format,
    platform: COMMON.platform,
    target: COMMON.target,
    mainFields: [...COMMON.mainFields],
    banner: { js: COMMON.banner },
    external: [...CLI_EXTERNAL],
    logLevel: 'warning',
    metafile: true,
  });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  return { file, bytes: output?.bytes ?? 0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '../..');
  if (process.argv[2] === '--clean') {
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    process.exit(0);
  }
  const out = await bundleCli(root, process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
  console.log(`${out.file}: ${(out.bytes / 1024).toFixed(0)} KiB`);
}
