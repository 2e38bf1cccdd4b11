// Pure pieces of the simulator: patches (merge, JSON, strategic with kubectl's directives),
// selectors, IP checks and allocation, ages as kubectl prints them, protobuf bodies.
import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../local/sim/api/patch.ts';
import { decodeProtobufObject } from '../../local/sim/api/protobuf.ts';
import { matchesLabels, parseLabelSelector } from '../../local/sim/api/selectors.ts';
import { ApiError } from '../../local/sim/api/status.ts';
import { humanDuration } from '../../local/sim/api/table.ts';
import { canonicalIpv6, checkIp, Ipv4Allocator } from '../../local/sim/ip.ts';

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
};

describe('patches', () => {
  const pod = deepFreeze({
    metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
    spec: { containers: [{ name: 'c', image: 'i:1', ports: [{ containerPort: 80, name: 'web' }], env: [{ name: 'A', value: '1' }] }, { name: 'd', image: 'j:1' }] },
  });

  it('merge patch: sets, deletes with null, replaces lists; never touches its target', () => {
    expect(mergePatch(pod, { metadata: { labels: { a: null, c: '3' } }, spec: { containers: [] } })).toEqual({
      metadata: { name: 'p', labels: { b: '2', c: '3' }, finalizers: ['x'] }, spec: { containers: [] },
    });
  });

  it('JSON patch: add, replace, remove, test, move; a failed test or missing path is refused', () => {
    const out = jsonPatch(pod, [
      { op: 'add', path: '/metadata/labels/c', value: '3' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'i:2' },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'move', from: '/metadata/labels/b', path: '/metadata/labels/d' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'y' },
    ]) as typeof pod;
    expect(out.metadata.labels).toEqual({ c: '3', d: '2' });
    expect(out.spec.containers[0]!.image).toBe('i:2');
    expect(out.metadata.finalizers).toEqual(['x', 'y']);
    expect(() => jsonPatch(pod, [{ op: 'test', path: '/metadata/name', value: 'q' }])).toThrow(ApiError);
    expect(() => jsonPatch(pod, [{ op: 'remove', path: '/metadata/nope' }])).toThrow(/missing path/);
    expect(() => jsonPatch(pod, { op: 'add' })).toThrow(ApiError);
  });

  it('strategic merge: lists merged by key, $patch delete/replace, $setElementOrder, $retainKeys, $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch(pod, {
      metadata: { finalizers: ['y'], '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'd' }, { name: 'c' }],
        containers: [
          { name: 'c', ports: [{ containerPort: 81, name: 'alt' }], env: [{ name: 'A', $patch: 'delete' }] },
          { name: 'd', image: 'j:2' },
        ],
      },
    }, 'Pod') as typeof pod;
    expect(out.spec.containers.map((c) => c.name)).toEqual(['d', 'c']);
    const c = out.spec.containers.find((x) => x.name === 'c')!;
    expect(c.image).toBe('i:1');
    expect(c.ports!.map((p) => p.containerPort)).toEqual([80, 81]);
    expect(c.env).toEqual([]);
    expect(out.spec.containers.find((x) => x.name === 'd')!.image).toBe('j:2');
    expect(out.metadata.finalizers).toEqual(['y']);
    const replaced = strategicMergePatch(pod, { spec: { containers: [{ name: 'z', image: 'z:1' }, { $patch: 'replace' }] } }, 'Pod') as typeof pod;
    expect(replaced.spec.containers).toEqual([{ name: 'z', image: 'z:1' }]);
    const retained = strategicMergePatch({ spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, 'Deployment');
    expect(retained).toEqual({ spec: { strategy: { type: 'Recreate' } } });
    // Service ports merge by port.
    const svc = strategicMergePatch({ spec: { ports: [{ port: 80, name: 'http' }] } }, { spec: { ports: [{ port: 443, name: 'https' }] } }, 'Service');
    expect(svc).toEqual({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } });
  });
});

describe('label selectors', () => {
  it.each([
    ['a=1', { a: '1' }, true], ['a==1', { a: '2' }, false], ['a!=1', {}, true], ['a', { a: '' }, true], ['!a', { a: 'x' }, false],
    ['a in (1,2),b notin (3)', { a: '2', b: '4' }, true], ['a in (1,2),b notin (3)', { a: '2', b: '3' }, false],
  ])('%s on %j is %s', (sel, labels, expected) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(expected);
  });

  it('refuses what it cannot parse', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(/unable to parse requirement/);
  });
});

describe('IP addresses', () => {
  it('canonicalizes IPv6 as RFC 5952 and checks the forms Kubernetes refuses', () => {
    expect(canonicalIpv6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIpv6('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIpv6('fe80:0:0:1::')).toBe('fe80:0:0:1::');
    expect(checkIp('10.1.0.1', 4)).toBeUndefined();
    expect(checkIp('010.1.0.1', 4)).toBe('must not have leading 0s');
    expect(checkIp('10.1.0', 4)).toBe('must be a valid IPv4 address');
    expect(checkIp('::ffff:10.1.0.1', 6)).toBe('must not be an IPv4-mapped IPv6 address');
    expect(checkIp('2001:db8::1', 6)).toBeUndefined();
  });

  it('allocates without reusing an address in use, and moves on after a release', () => {
    const a = new Ipv4Allocator('10.1.0.0/29', 2);
    const got = [a.allocate(), a.allocate(), a.allocate()];
    expect(got).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    a.release('10.1.0.3');
    expect(a.allocate()).toBe('10.1.0.5');
    expect(a.allocate()).toBe('10.1.0.6');
    expect(a.allocate()).toBe('10.1.0.3');
    expect(() => a.allocate()).toThrow(/exhausted/);
    expect(() => new Ipv4Allocator('10.1.0.0/33')).toThrow(/not an IPv4 CIDR/);
  });
});

describe('ages', () => {
  it.each([[5_000, '5s'], [119_000, '119s'], [150_000, '2m30s'], [600_000, '10m'], [4 * 3600_000 + 60_000, '4h1m'], [30 * 3600_000, '30h'], [3 * 86400_000, '3d'], [-5000, '<invalid>']])('%i ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('protobuf bodies', () => {
  const bytes = (...parts: (number | string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.isBuffer(p) ? p : Buffer.from(p))));
  const field = (n: number, body: Buffer): Buffer => bytes((n << 3) | 2, body.length, body);

  it('reads a Namespace as kubectl create namespace sends it', () => {
    const meta = field(1, Buffer.from('ns-one'));
    const ns = field(1, meta);
    const typeMeta = bytes(field(1, Buffer.from('v1')), field(2, Buffer.from('Namespace')));
    const body = bytes('k8s\0', field(1, typeMeta), field(2, ns));
    expect(decodeProtobufObject(body)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' }, spec: {} });
  });

  it('refuses other kinds and bodies without the envelope', () => {
    const typeMeta = bytes(field(1, Buffer.from('v1')), field(2, Buffer.from('Pod')));
    expect(() => decodeProtobufObject(bytes('k8s\0', field(1, typeMeta), field(2, Buffer.alloc(0))))).toThrow(/decodes protobuf bodies only for Namespace, ConfigMap, Secret, ServiceAccount, Service/);
    expect(() => decodeProtobufObject(Buffer.from('{}'))).toThrow(/envelope/);
  });
});
