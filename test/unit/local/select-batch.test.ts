import { describe, expect, it } from 'vitest';
import { selectBatch, type Selectable } from '../../../local/queue/select-batch.ts';

type M = Selectable & { readonly id: string };
const m = (id: string, extra: Partial<M> = {}): M => Object.freeze({ id, sentAt: 0, visibleAt: 0, inFlight: false, receiveCount: 0, ...extra });
const ids = (xs: readonly M[]) => xs.map((x) => x.id);
const std = { fifo: false, batchSize: 2, batchWindowMs: 0, maxReceiveCount: 3 };
const fifo = { ...std, fifo: true, batchSize: 10 };

describe('selectBatch', () => {
  it('standard: up to the batch size of the visible messages, skipping invisible ones (and saying when to wake)', () => {
    const s = selectBatch([m('a'), m('b', { visibleAt: 50 }), m('c'), m('d')], 10, std);
    expect(ids(s.batch)).toEqual(['a', 'c']);
    expect(s.wakeAt).toBe(50);
  });
  it('a partial batch waits for its window; a full one does not', () => {
    expect(selectBatch([m('a', { sentAt: 5 })], 10, { ...std, batchWindowMs: 20 })).toEqual({ batch: [], expired: [], wakeAt: 25 });
    expect(ids(selectBatch([m('a', { sentAt: 5 })], 25, { ...std, batchWindowMs: 20 }).batch)).toEqual(['a']);
    expect(ids(selectBatch([m('a'), m('b')], 1, { ...std, batchWindowMs: 20 }).batch)).toEqual(['a', 'b']);
  });
  it('messages received maxReceiveCount times are expired (dead-lettered), not delivered', () => {
    const s = selectBatch([m('a', { receiveCount: 3 }), m('b', { receiveCount: 2 })], 0, std);
    expect([ids(s.expired), ids(s.batch)]).toEqual([['a'], ['b']]);
  });
  it('FIFO: the unlocked groups in order, several groups a batch (as Lambda mixes them); a group in flight or waiting out a failure is locked', () => {
    const msgs = [m('a1', { groupId: 'A' }), m('b1', { groupId: 'B' }), m('a2', { groupId: 'A' })];
    expect(ids(selectBatch(msgs, 0, fifo).batch)).toEqual(['a1', 'a2', 'b1']);
    expect(ids(selectBatch(msgs, 0, { ...fifo, batchSize: 3 }).batch)).toEqual(['a1', 'a2', 'b1']);
    expect(ids(selectBatch([m('a0', { groupId: 'A', inFlight: true, visibleAt: -1 }), ...msgs], 0, fifo).batch)).toEqual(['b1']);
    expect(ids(selectBatch([m('a0', { groupId: 'A', visibleAt: 9 }), ...msgs], 0, fifo).batch)).toEqual(['b1']);
  });
  it('FIFO: as many messages of one group as it has first (the oldest group), then other groups to fill the batch, each in order, as SQS receives', () => {
    const msgs = [m('a1', { groupId: 'A' }), m('b1', { groupId: 'B' }), m('c1', { groupId: 'C' }), m('a2', { groupId: 'A' }), m('b2', { groupId: 'B' }), m('c2', { groupId: 'C' }), m('a3', { groupId: 'A' })];
    expect(ids(selectBatch(msgs, 0, { ...fifo, batchSize: 3 }).batch)).toEqual(['a1', 'a2', 'a3']);
    expect(ids(selectBatch(msgs, 0, { ...fifo, batchSize: 5 }).batch)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(ids(selectBatch([m('b0', { groupId: 'B', inFlight: true }), ...msgs], 0, { ...fifo, batchSize: 5 }).batch)).toEqual(['a1', 'a2', 'a3', 'c1', 'c2']);
  });
  it('a message in flight past its visibility timeout is neither redelivered nor expired, even at its last receive (its handler may still succeed)', () => {
    for (const options of [fifo, std]) {
      const s = selectBatch([m('a', { groupId: 'A', inFlight: true, visibleAt: 5, receiveCount: 3 }), m('b', { inFlight: true, visibleAt: 5, receiveCount: 1 })], 10, options);
      expect([ids(s.expired), ids(s.batch)]).toEqual([[], []]);
    }
  });
});
