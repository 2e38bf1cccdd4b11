// What `gns-sync local` prints (issue 14): human lines by default, JSON with --log-format json;
// a repeating warning printed once with the cluster and its URL, then counted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentLogLines, RepeatFolder } from '../../../local/runner/log-lines.ts';
import { formatSyncLine, syncJson } from '../../../local/runner/runtime.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const cluster = { name: 'clusterTwo', server: 'https://127.0.0.1:6443' };

describe('agent lines, human', () => {
  it('a warning repeated 30 times: one line naming the cluster and its URL, then one line with the count after the window', () => {
    const lines: string[] = [];
    const folder = new RepeatFolder(60_000, (l) => void lines.push(l));
    const logger = agentLogLines(cluster, folder, { format: 'human', write: (l) => void lines.push(l) });
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      logger.warn('informer stopped on an error; restarting it', { informer: 'ns-one/pods', error: 'connect ECONNREFUSED 127.0.0.1:6443', attempt });
    }
    expect(lines).toEqual([
      'warning cluster clusterTwo (https://127.0.0.1:6443): informer stopped on an error; restarting it: informer=ns-one/pods, error=connect ECONNREFUSED 127.0.0.1:6443, attempt=1',
    ]);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`${lines[0]} (repeated 29 more times in 60 s)`);
    logger.warn('informer stopped on an error; restarting it', { attempt: 31 });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('attempt=31');
  });

  it('different messages and clusters are not folded together; info lines only when verbose', () => {
    const lines: string[] = [];
    const folder = new RepeatFolder(60_000, (l) => void lines.push(l));
    const one = agentLogLines({ name: 'clusterOne' }, folder, { format: 'human', write: (l) => void lines.push(l) });
    const two = agentLogLines(cluster, folder, { format: 'human', write: (l) => void lines.push(l) });
    one.warn('event bus unreachable');
    two.warn('event bus unreachable');
    two.error('event buffer full');
    one.info('snapshot published', { namespace: 'ns-one' });
    expect(lines).toEqual([
      'warning cluster clusterOne: event bus unreachable',
      'warning cluster clusterTwo (https://127.0.0.1:6443): event bus unreachable',
      'error cluster clusterTwo (https://127.0.0.1:6443): event buffer full',
    ]);
    const verbose = agentLogLines({ name: 'clusterOne' }, folder, { format: 'human', write: (l) => void lines.push(l), verbose: true });
    verbose.info('snapshot published', { namespace: 'ns-one' });
    expect(lines.at(-1)).toBe('info cluster clusterOne: snapshot published: namespace=ns-one');
  });

  it('flush prints the pending counts (at stop)', () => {
    const lines: string[] = [];
    const folder = new RepeatFolder(60_000, (l) => void lines.push(l));
    folder.note('k', 'x');
    folder.note('k', 'x');
    folder.flush();
    expect(lines).toEqual(['x', 'x (repeated 1 more time in 60 s)']);
  });
});

describe('--log-format json', () => {
  it('agent warnings are one JSON object per line with the cluster and its server, folded the same way', () => {
    const lines: string[] = [];
    const folder = new RepeatFolder(60_000, (l) => void lines.push(l));
    const logger = agentLogLines(cluster, folder, { format: 'json', write: (l) => void lines.push(l), now: () => 0 });
    logger.warn('informer stopped on an error; restarting it', { attempt: 1 });
    logger.warn('informer stopped on an error; restarting it', { attempt: 2 });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { level: 'WARN', time: '1970-01-01T00:00:00.000Z', component: 'agent', cluster: 'clusterTwo', server: 'https://127.0.0.1:6443', message: 'informer stopped on an error; restarting it', attempt: 1 },
    ]);
  });

  it('a sync line: the same fields as the human line', () => {
    const target = { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' };
    const ok = { target, endpoints: 3, writes: 1, ms: 12 };
    expect(formatSyncLine(ok)).toBe('sync clusterTwo/ns-one/kafka-headless (kafka-gns): 3 endpoints, 1 writes, 12 ms');
    expect(JSON.parse(syncJson(ok))).toMatchObject({ level: 'INFO', message: 'sync', gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', service: 'kafka-headless', endpoints: 3, writes: 1, ms: 12 });
    expect(JSON.parse(syncJson({ ...ok, error: 'ECONNREFUSED' }))).toMatchObject({ level: 'WARN', message: 'sync failed, retried', error: 'ECONNREFUSED' });
  });
});

describe('failed syncs become sync lines', () => {
  it('whether the queue retries them (warn) or not (a final error such as a 403: error)', async () => {
    const { runnerLog } = await import('../../../local/runner/pipeline.ts');
    const seen: [string, string][] = [];
    const { log } = runnerLog('gns-sync-sync', 'SILENT', (target, error) => void seen.push([target, error]));
    log.warn('sync failed; the queue will retry', { target: 'kafka-gns/clusterTwo/ns-one/kafka-headless', error: 'connect ECONNREFUSED 127.0.0.1:6443' });
    log.error('sync failed; not retried', { target: 'kafka-gns/clusterTwo/ns-one/kafka-headless', error: 'endpointslices is forbidden' });
    log.error('something else', { target: 'kafka-gns/clusterTwo/ns-one/kafka-headless', error: 'x' });
    expect(seen).toEqual([
      ['kafka-gns/clusterTwo/ns-one/kafka-headless', 'connect ECONNREFUSED 127.0.0.1:6443'],
      ['kafka-gns/clusterTwo/ns-one/kafka-headless', 'endpointslices is forbidden'],
    ]);
  });
});
