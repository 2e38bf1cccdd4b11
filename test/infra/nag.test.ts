// cdk-nag's AwsSolutions pack runs on the synthesized app (issue 6): no violations, and every
// acknowledged rule carries its reason in code.
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { readSettings } from '../../infra/settings.ts';
import { exampleCloud, synth, templateProjectRoot, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth({ cloud: exampleCloud([{ name: 'clusterThree', awsAccountId: '210987654321' }]), nag: true });
});

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    // The metadata is `{ [ruleId]: reason }` per acknowledgement (aws-cdk-lib Validations).
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason: String(reason ?? '') }))));
}

describe('AwsSolutions checks', () => {
  it('report no violation (errors or warnings) on either stack', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledged rule says why, at length', () => {
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/^AwsSolutions-/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
    }
  });

  it('acknowledges only what cannot be fixed: credentials secrets are rotated by their cluster', () => {
    expect(new Set(acknowledgements(s.app).map((a) => a.id))).toEqual(new Set(['AwsSolutions-SMG4']));
  });

  it('fail the synth when a resource breaks a rule (the checks gate deployment)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const built = buildApp({ app, settings: readSettings({}), cloud: exampleCloud(), projectRoot: templateProjectRoot() });
    new sqs.Queue(built.stateless, 'QueueWithoutDlqOrTls');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4|[Vv]alidation/);
  });
});
