// Builds the two stacks into a CDK app: used by infra/app.ts (`npx cdk synth`) and by the tests,
// which synthesize the same app.
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CloudConfig } from './config.ts';
import type { CloudSettings } from './settings.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

export interface BuildAppInput {
  readonly app: App;
  readonly settings: CloudSettings;
  readonly cloud: CloudConfig;
  /** The repository root: function entry points and package-lock.json. */
  readonly projectRoot: string;
}

export interface GnsSyncApp {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function buildApp({ app, settings, cloud, projectRoot }: BuildAppInput): GnsSyncApp {
  const env = settings.account || settings.region
    ? { env: { ...(settings.account ? { account: settings.account } : {}), ...(settings.region ? { region: settings.region } : {}) } }
    : {};
  const stateful = new StatefulStack(app, `${settings.stackPrefix}-stateful`, {
    ...env,
    description: 'gns-sync state: event bus with its policy and the agent roles, archive, state table, queues and dead-letter queues, cluster credentials',
    terminationProtection: true,
    settings,
    // EKS clusters of the config are reached with the functions' role: no credentials secret.
    clusters: cloud.clusters.filter((c) => c.eks === undefined).map((c) => c.name),
    publishers: cloud.clusters,
  });
  const stateless = new StatelessStack(app, `${settings.stackPrefix}-stateless`, {
    ...env,
    description: 'gns-sync functions, rules, schedule and alarms',
    settings,
    state: stateful,
    clusters: cloud.clusters,
    configJson: cloud.json,
    vipPool: cloud.config.vipPool,
    projectRoot,
  });
  stateless.addStackDependency(stateful);
  Tags.of(app).add('app', 'gns-sync');
  // cdk-nag 3 is a CDK policy-validation plugin: violations fail the synth with a report.
  if (settings.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { stateful, stateless };
}
