// One construct carries the house defaults of every gns-sync Lambda function: Node 24 on ARM64,
// an esbuild ESM bundle (minified, source maps, local esbuild: no Docker), a log group with a
// retention, and a role that can write only to that log group until grants are added.
import { join } from 'node:path';
import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { COMMON, functionEntry, type FunctionName } from '../bundling.ts';

export interface GnsFunctionProps {
  readonly name: FunctionName;
  /** The repository root: entry points, package-lock.json and node_modules live there. */
  readonly projectRoot: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly description: string;
}

export class GnsFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GnsFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No AWSLambdaBasicExecutionRole: it allows writing to every log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `gns-sync ${props.name} function`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    }));

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(props.projectRoot, functionEntry(props.name)),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `gns-sync-${props.name}`,
        ...props.environment,
      },
      bundling: {
        minify: COMMON.minify,
        sourceMap: COMMON.sourcemap,
        format: OutputFormat.ESM,
        target: COMMON.target,
        mainFields: [...COMMON.mainFields],
        banner: COMMON.banner,
        externalModules: [...COMMON.external],
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }
}
