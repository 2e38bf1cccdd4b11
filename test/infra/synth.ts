// Synthesizes the gns-sync CDK app for the assertion tests, once per test file. Bundling is
// skipped (`aws:cdk:bundling-stacks: []`, CDK's own switch) so template tests take seconds;
// test/infra/bundles.test.ts bundles for real. Until the functions' entry points exist, a stub
// project root stands in for them (the template does not depend on their content).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { FUNCTIONS, functionEntry } from '../../infra/bundling.ts';
import { buildApp, type GnsSyncApp } from '../../infra/build-app.ts';
import { loadCloudConfig, type CloudConfig } from '../../infra/config.ts';
import { readSettings } from '../../infra/settings.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

const made: string[] = [];
/** A temporary directory, removed after the test file that asked for it. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
export const EXAMPLE_CONFIG = join(PROJECT_ROOT, 'examples/kafka-gns.yaml');

export const functionsExist = (): boolean => FUNCTIONS.every((f) => existsSync(join(PROJECT_ROOT, functionEntry(f))));

/** The real root when the handlers exist, else a temporary root with stub handlers. */
export function templateProjectRoot(): string {
  if (functionsExist()) return PROJECT_ROOT;
  const root = tempDir('gns-infra-');
  for (const f of FUNCTIONS) {
    mkdirSync(join(root, 'functions', f), { recursive: true });
    writeFileSync(join(root, functionEntry(f)), 'export const handler = async () => ({});\n');
  }
  copyFileSync(join(PROJECT_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
  return root;
}

/** The example topology plus a cluster in another AWS account (bus policy cases). */
export function exampleCloud(extra: CloudConfig['clusters'] = []): CloudConfig {
  const base = loadCloudConfig(EXAMPLE_CONFIG);
  return { ...base, clusters: [...base.clusters, ...extra] };
}

export interface Synthesized extends GnsSyncApp {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  readonly outdir: string;
}

/** The context of cdk.json (feature flags and defaults), so tests synthesize what `npx cdk synth` does. */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * `nag`: run cdk-nag during the synth, as `npx cdk synth` does (default off here: nag.test.ts
 * checks it; the templates are the same either way, and the other files synthesize faster).
 */
export function synth(options: { cloud?: CloudConfig; context?: Record<string, unknown>; bundle?: boolean; projectRoot?: string; nag?: boolean } = {}): Synthesized {
  const outdir = tempDir('gns-cdk-out-');
  const context = {
    ...CDK_JSON_CONTEXT,
    'gns-sync:nag': options.nag ?? false,
    ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    ...options.context,
  };
  const app = new App({ outdir, context });
  const settings = readSettings(app.node.getAllContext());
  const built = buildApp({
    app,
    settings,
    cloud: options.cloud ?? exampleCloud(),
    projectRoot: options.projectRoot ?? (options.bundle ? PROJECT_ROOT : templateProjectRoot()),
  });
  app.synth();
  return {
    ...built,
    app,
    outdir,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
/** The resources of a template of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The statements of the bus's own resource policy (AWS::Events::EventBus `Policy`, in the stateful stack). */
export function busPolicyStatements(template: Template): Record<string, unknown>[] {
  const buses = Object.values(resourcesOf(template, 'AWS::Events::EventBus'));
  if (buses.length !== 1) throw new Error(`expected one event bus, found ${buses.length}`);
  return (buses[0]?.Properties?.Policy as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? [];
}

/** Every IAM statement of every policy (and inline role policy) of a template. */
export function iamStatements(template: Template): { policy: string; statement: Record<string, unknown> }[] {
  const out: { policy: string; statement: Record<string, unknown> }[] = [];
  for (const [id, r] of Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const doc = r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    for (const s of doc.Statement) out.push({ policy: id, statement: s });
  }
  return out;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
