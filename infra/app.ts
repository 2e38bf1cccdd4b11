// The CDK app (`npx cdk synth`, `npx cdk deploy --all`; cdk.json runs this file on Node 24).
// Synthesizes offline: environment-agnostic stacks unless `gns-sync:account`/`region` are set.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';
import { loadCloudConfig } from './config.ts';
import { readSettings } from './settings.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const app = new App();
try {
  const settings = readSettings(app.node.getAllContext());
  const cloud = loadCloudConfig(resolve(projectRoot, settings.config));
  buildApp({ app, settings, cloud, projectRoot });
} catch (error) {
  // A bad config or setting is one clear line, not a stack trace.
  console.error(`gns-sync infra: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
app.synth();
