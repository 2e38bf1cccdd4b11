// The writer's ValidatingAdmissionPolicy (issue 11, finding 4): the rendered objects are valid
// admissionregistration.k8s.io/v1 (kubernetes-models), and their CEL — evaluated by the small
// interpreter of ./cel.ts against hand-built admission requests — lets the writer create,
// update and delete only this installation's EndpointSlices (and ServiceEntries with routing),
// refuses a takeover by relabelling or a give-away, and leaves every other user alone.
// Untested here: the API server's own CEL type check and cost limits (the objects are accepted by
// a real API server ≥ 1.30 only if those pass; the expressions use only map selection, `in`,
// `has`, `==`, `&&`, `||`, `!`, `?:` and string `+`).
import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { describe, expect, it } from 'vitest';
import { admissionObjects, WRITER_USERNAMES } from '../../local/manifests/contributions/writer-admission.ts';
import { renderContext } from '../../local/manifests/render.ts';
import { manifestSettings } from '../../local/cli/commands/manifests.ts';
import { loadConfig, parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { EXAMPLE_CONFIG } from '../infra/synth.ts';
import { CelError, admit, evalCel, parse } from './cel.ts';
import type { AdmissionRequest } from './cel.ts';

const example = loadConfig(EXAMPLE_CONFIG);
const withInstallation = (config: Config, installation: string, routing: 'none' | 'istio' = config.routing): Config => ({ ...config, installation, routing });
const objectsFor = (config: Config) => admissionObjects(renderContext(config, 'clusterOne', manifestSettings()));
type PolicyArg = Parameters<typeof admit>[0];
const policyFor = (config: Config) => objectsFor(config)[0] as unknown as PolicyArg;

const WRITER = WRITER_USERNAMES[0];
const SLICE_MANAGED = 'endpointslice.kubernetes.io/managed-by';
const slice = (labels: Record<string, string> | undefined) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'ns-one', ...(labels ? { labels } : {}) } });
const ours = (installation?: string) => slice({ [SLICE_MANAGED]: 'gns-sync.io', 'gns-sync.io/gns': 'g', ...(installation ? { 'gns-sync.io/installation': installation } : {}) });
const controllers = slice({ [SLICE_MANAGED]: 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': 'db' });
const req = (operation: AdmissionRequest['operation'], object: unknown, oldObject: unknown, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  operation, username: WRITER, group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'ns-one', name: 's', object, oldObject, ...over,
});

describe('the writer admission policy objects', () => {
  it('are valid admissionregistration.k8s.io/v1 objects (kubernetes-models), for every installation and routing mode', () => {
    for (const config of [example, withInstallation(example, 'team-a'), withInstallation(example, 'default', 'istio')]) {
      const [policy, binding] = objectsFor(config);
      expect(() => new ValidatingAdmissionPolicy(policy as never).validate()).not.toThrow();
      expect(() => new ValidatingAdmissionPolicyBinding(binding as never).validate()).not.toThrow();
      expect((binding as unknown as { spec: { policyName: string } }).spec.policyName).toBe(policy?.metadata.name);
    }
    expect(objectsFor(withInstallation(example, 'team-a'))[0]?.metadata.name).toBe('gns-sync-writer-owns-only-team-a');
  });

  it('every expression parses in the subset the harness implements (so none is misread)', () => {
    const { spec } = policyFor(withInstallation(example, 'default', 'istio'));
    const all = [...(spec.matchConditions ?? []), ...(spec.variables ?? []), ...spec.validations.flatMap((v) => [{ expression: v.expression }, ...(v.messageExpression ? [{ expression: v.messageExpression }] : [])])];
    expect(all.length).toBe(8);
    for (const e of all) expect(() => parse(e.expression)).not.toThrow();
  });
});

describe('the harness follows CEL where the policy relies on it', () => {
  it('&& and || absorb an error when the other side decides; otherwise the error stands', () => {
    expect(evalCel("x == null || x.a == 'b'", { x: null })).toBe(true);
    expect(evalCel("x != null && x.a == 'b'", { x: null })).toBe(false);
    expect(evalCel("x.a == 'b' || true", { x: null })).toBe(true);
    expect(() => evalCel("x.a == 'b' || false", { x: null })).toThrow(CelError);
    expect(() => evalCel("m['k'] == 'v'", { m: {} })).toThrow(/no such key/);
    expect(evalCel("'k' in m && m['k'] == 'v'", { m: {} })).toBe(false);
    expect(evalCel('has(o.labels)', { o: {} })).toBe(false);
    expect(() => evalCel('o.labels.x == 1', { o: {} })).toThrow(CelError);
  });

  it('refuses syntax outside the subset', () => {
    expect(() => parse("o.labels.exists(k, k == 'x')")).toThrow(CelError);
    expect(() => parse('size(x) > 1')).toThrow(CelError);
  });
});

describe('what the policy lets the writer do (default installation)', () => {
  const policy = policyFor(example);

  it('creates, updates and deletes its own slices, labelled or (the default installation) written before the label', () => {
    expect(admit(policy, req('CREATE', ours('default'), null))).toEqual({ allowed: true, matched: true });
    expect(admit(policy, req('UPDATE', ours('default'), ours()))).toEqual({ allowed: true, matched: true }); // adds the label
    expect(admit(policy, req('UPDATE', ours('default'), ours('default')))).toEqual({ allowed: true, matched: true });
    expect(admit(policy, req('DELETE', null, ours('default')))).toEqual({ allowed: true, matched: true });
    expect(admit(policy, req('DELETE', null, ours()))).toEqual({ allowed: true, matched: true });
  });

  it("refuses the writer's writes to anyone else's slice, naming the rule", () => {
    const cases: [string, AdmissionRequest][] = [
      ["delete a controller's slice", req('DELETE', null, controllers)],
      ["update a controller's slice", req('UPDATE', controllers, controllers)],
      ['take a slice over by relabelling it', req('UPDATE', ours('default'), controllers)],
      ['give its slice away (drop the managed-by label)', req('UPDATE', controllers, ours('default'))],
      ["delete another installation's slice", req('DELETE', null, ours('team-b'))],
      ["relabel its slice as another installation's", req('UPDATE', ours('team-b'), ours('default'))],
      ['create a slice not labelled as ours', req('CREATE', controllers, null)],
      ["create a slice labelled as another installation's", req('CREATE', ours('team-b'), null)],
      ['delete a slice without labels', req('DELETE', null, slice(undefined))],
      ['create a slice without labels', req('CREATE', slice(undefined), null)],
      ['as the EKS access entry user', req('DELETE', null, controllers, { username: 'gns-sync-writer' })],
    ];
    for (const [what, request] of cases) {
      const verdict = admit(policy, request);
      expect(verdict.allowed, what).toBe(false);
      if (!verdict.allowed) {
        expect(verdict.reason, what).toBe('Forbidden');
        expect(verdict.message, what).toMatch(/^gns-sync-writer may (update or delete|create or update) only EndpointSlices labelled endpointslice.kubernetes.io\/managed-by=gns-sync.io and gns-sync.io\/installation=default/);
      }
    }
    const message = admit(policy, req('DELETE', null, controllers, { namespace: 'ns-one', name: 'db-abcde' }));
    expect(message).toMatchObject({ allowed: false, message: expect.stringContaining('ns-one/db-abcde is not') });
  });

  it('leaves every other user and resource alone', () => {
    expect(admit(policy, req('DELETE', null, controllers, { username: 'system:serviceaccount:kube-system:endpointslice-controller' }))).toEqual({ allowed: true, matched: false });
    expect(admit(policy, req('DELETE', null, controllers, { username: 'system:serviceaccount:gns-sync:gns-sync-agent' }))).toEqual({ allowed: true, matched: false });
    expect(admit(policy, req('DELETE', null, {}, { group: '', resource: 'configmaps' }))).toEqual({ allowed: true, matched: false });
    // Without routing, ServiceEntries are not the policy's business (the writer has no grant on them).
    expect(admit(policy, req('DELETE', null, {}, { group: 'networking.istio.io', resource: 'serviceentries' }))).toEqual({ allowed: true, matched: false });
  });
});

describe('another installation and routing', () => {
  it("team-a: unlabelled slices are the default installation's, not team-a's", () => {
    const policy = policyFor(withInstallation(example, 'team-a'));
    expect(admit(policy, req('CREATE', ours('team-a'), null)).allowed).toBe(true);
    expect(admit(policy, req('DELETE', null, ours('team-a'))).allowed).toBe(true);
    expect(admit(policy, req('DELETE', null, ours())).allowed).toBe(false);
    expect(admit(policy, req('UPDATE', ours('team-a'), ours())).allowed).toBe(false);
    expect(admit(policy, req('DELETE', null, ours('default'))).allowed).toBe(false);
  });

  it('routing: istio — ServiceEntries by their app.kubernetes.io/managed-by label and the installation', () => {
    const policy = policyFor(parseConfig(`
clusters: [{ name: clusterOne }]
routing: istio
globalNamespaces: [{ name: g, members: [{ cluster: clusterOne, namespace: ns-one }] }]
`, 'test'));
    const entry = (labels: Record<string, string>) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'e', namespace: 'ns-one', labels } });
    const se = { group: 'networking.istio.io', resource: 'serviceentries' } as const;
    const mine = entry({ 'app.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/installation': 'default' });
    const meshAdmins = entry({ 'app.kubernetes.io/managed-by': 'helm' });
    expect(admit(policy, req('CREATE', mine, null, se)).allowed).toBe(true);
    expect(admit(policy, req('DELETE', null, mine, se)).allowed).toBe(true);
    expect(admit(policy, req('DELETE', null, meshAdmins, se))).toMatchObject({ allowed: false, message: expect.stringContaining('EndpointSlices and ServiceEntries labelled app.kubernetes.io/managed-by=gns-sync.io') });
    expect(admit(policy, req('UPDATE', mine, meshAdmins, se)).allowed).toBe(false);
    // A slice labelled with the ServiceEntries' managed-by label is not ours.
    expect(admit(policy, req('CREATE', slice({ 'app.kubernetes.io/managed-by': 'gns-sync.io' }), null)).allowed).toBe(false);
  });
});
