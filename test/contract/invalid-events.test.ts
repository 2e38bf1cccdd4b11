// Every invalid event is rejected with a one-line reason naming the field; nothing is thrown
// and the input is left as it was (the ingest function dead-letters it and moves on).
import { describe, expect, it } from 'vitest';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { deepFreeze, EVENT_FIXTURES, INVALID_EVENT_FIXTURES, jsonFiles, readJson } from './helpers.ts';

/** Fixture → the start of the reason it must be rejected with. */
const EXPECTED: Readonly<Record<string, string>> = {
  'bad-hlc.json': 'detail.v: must be an HLC timestamp like 001764366000123.000004 (got "1764363600000")',
  'bad-namespace.json': 'detail.namespace: must be a DNS-1123 label (lower case letters, digits, -) (got "nsOne")',
  'bad-pod-ip.json': 'detail.pod.ips[0]: must be an IPv4 or IPv6 address (got "10.244.1.999")',
  'bad-port.json': 'detail.pod.ports[0].containerPort: must be a port number from 1 to 65535 (got 70000)',
  'detail-not-object.json': 'detail: expected an object, got "{\\"cluster\\":\\"clusterOne\\"}"',
  'foreign-source.json': 'source: "aws.ec2" is not an agent source (expected gns-sync.io/cluster/<cluster>)',
  'missing-id.json': 'id: is required (string)',
  'missing-pod-uid.json': 'detail.pod.uid: is required (string)',
  'snapshot-part-beyond-parts.json': 'detail.part: part must not exceed parts',
  'snapshot-record-newer-than-snapshot.json': "detail.v: a record's version must not be newer than its snapshot",
  'source-speaks-for-another-cluster.json': 'source: "gns-sync.io/cluster/clusterTwo" may not speak for cluster "clusterOne" (detail.cluster)',
  'unknown-detail-field.json': 'detail.pod.phase: unknown key',
  'unknown-detail-type.json': 'detail-type: unknown detail type "gns-sync.pod.upsert.v9" (expected one of gns-sync.pod.upsert.v2, ',
};

const files = jsonFiles(INVALID_EVENT_FIXTURES);

function reasonOf(raw: unknown): string {
  const result = parseBusEvent(raw);
  if (result.ok) throw new Error('expected the event to be rejected');
  expect(result.reason).not.toMatch(/\n/);
  return result.reason;
}

describe('invalid event fixtures', () => {
  it('every fixture has an expected reason, and every reason a fixture', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s is rejected with its reason, the input untouched', (file) => {
    const raw = deepFreeze(readJson(INVALID_EVENT_FIXTURES, file));
    const before = JSON.stringify(raw);
    expect(reasonOf(raw).startsWith(EXPECTED[file] ?? '<missing>')).toBe(true);
    expect(JSON.stringify(raw)).toBe(before);
  });
});

describe('parseBusEvent: other bad input', () => {
  const good = readJson(EVENT_FIXTURES, 'pod-upsert.json');

  it.each([
    ['undefined', undefined, 'event: expected an EventBridge event object, got undefined'],
    ['null', null, 'event: expected an EventBridge event object, got null'],
    ['an array', [good], 'event: expected an EventBridge event object, got an array'],
    ['a number', 42, 'event: expected an EventBridge event object, got 42'],
    ['text that is not JSON', '{"id": ', 'event: not valid JSON'],
    ['JSON text of a string', '"hello"', 'event: expected an EventBridge event object, got "hello"'],
    ['no detail', { ...good, detail: undefined }, 'detail: expected an object, got nothing'],
    ['a detail array', { ...good, detail: [] }, 'detail: expected an object, got an array'],
    ['an empty source', { ...good, source: '' }, 'source: '],
    ['a numeric detail-type', { ...good, 'detail-type': 7 }, 'detail-type: expected string, got 7'],
    ['a non-string replay-name', { ...good, 'replay-name': 1 }, 'replay-name: expected string, got 1'],
    ['a pod delete body under the upsert type', { ...good, detail: readJson(EVENT_FIXTURES, 'pod-delete.json').detail }, 'detail.name: unknown key'],
  ])('%s → a reason', (_case, raw, reason) => {
    expect(reasonOf(raw)).toContain(reason);
  });

  it('a cluster that is not a label value is reported on detail.cluster', () => {
    const raw = { ...good, source: 'gns-sync.io/cluster/bad name', detail: { ...(good.detail as object), cluster: 'bad name' } };
    expect(reasonOf(raw)).toContain('detail.cluster: must be a Kubernetes label value');
  });

  it('a huge bad value is described briefly, not echoed', () => {
    const raw = { ...good, 'detail-type': 'x'.repeat(100_000) };
    expect(reasonOf(raw).length).toBeLessThan(400);
  });
});
