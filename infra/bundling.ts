// The one set of esbuild options for everything gns-sync ships as a bundle: the Lambda functions
// (through NodejsFunction, infra/constructs/gns-function.ts), the agent image (agent/Dockerfile,
// through infra/bundle.ts) and the bundle benchmark (bench/cloud.bench.ts). Sharing them means
// the bench measures exactly what is deployed.
import type { BuildOptions } from 'esbuild';

/** Node version targeted by every bundle (Lambda runtime nodejs24.x, node:24-slim image). */
export const NODE_TARGET = 'node24';

/**
 * ESM bundles still meet CommonJS dependencies that `require()` Node built-ins; esbuild's ESM
 * output has no `require`, so every bundle starts by making one.
 */
export const REQUIRE_SHIM = "import{createRequire as __gnsCreateRequire}from'node:module';const require=__gnsCreateRequire(import.meta.url);";

/** The deployable entry points: one folder per function (docs/architecture.md). */
export const FUNCTIONS = ['ingest', 'sync', 'reconcile'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** Which functions talk to Kubernetes (their bundle budget is larger: issue 6). */
// reconcile lists managed slices to remove those of removed members, so it needs the client too.
export const TALKS_TO_KUBERNETES: Readonly<Record<FunctionName, boolean>> = { ingest: false, sync: true, reconcile: true };

/** Bundle budgets in bytes of minified JavaScript (source maps excluded). */
export const BUNDLE_BUDGET_BYTES = { plain: 1024 * 1024, kubernetes: 3 * 1024 * 1024 } as const;

export const functionEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;

/**
 * Options common to every bundle. The AWS SDK is bundled, not taken from the runtime: the
 * deployed code then runs the SDK version the tests ran (docs/adr/0010-lambda-and-agent-packaging.md).
 */
export const COMMON = {
  minify: true,
  sourcemap: true,
  format: 'esm',
  platform: 'node',
  target: NODE_TARGET,
  /** Prefer the ES module builds (the AWS SDK's dist-es tree-shakes far better). */
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  external: [] as string[],
} as const;

/** esbuild API options for one entry point, writing `<outdir>/index.mjs` (+ `.map`). */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    outfile: `${outdir}/index.mjs`,
    minify: COMMON.minify,
    sourcemap: COMMON.sourcemap,
    format: COMMON.format,
    platform: COMMON.platform,
    target: COMMON.target,
    mainFields: [...COMMON.mainFields],
    banner: { js: COMMON.banner },
    external: [...COMMON.external],
    logLevel: 'warning',
    metafile: true,
  };
}
