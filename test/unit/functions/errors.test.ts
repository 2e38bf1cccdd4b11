import { describe, expect, it } from 'vitest';
import { ConflictError, FinalError, GnsSyncError, PoolExhaustedError, RetryableError, describeError, isRetryable } from '../../../shared/errors.ts';

describe('shared/errors', () => {
  it('each class sets its name, keeps the cause and is a GnsSyncError', () => {
    const cause = new Error('socket hang up');
    for (const [E, name] of [[RetryableError, 'RetryableError'], [FinalError, 'FinalError'], [ConflictError, 'ConflictError']] as const) {
      const e = new E('what happened; what happens next', { cause });
      expect(e.name).toBe(name);
      expect(e.cause).toBe(cause);
      expect(e).toBeInstanceOf(GnsSyncError);
      expect(e).toBeInstanceOf(Error);
    }
    expect(new RetryableError('x')).not.toHaveProperty('cause');
  });

  it('PoolExhaustedError says what happens next and carries the pool and the count', () => {
    const e = new PoolExhaustedError('240.240.0.0/30', 2);
    expect(e.name).toBe('PoolExhaustedError');
    expect(e).toMatchObject({ pool: '240.240.0.0/30', missing: 2 });
    expect(e.message).toMatch(/exhausted.*existing endpoints are kept.*widen vipPool/);
  });

  it('retryable means: redeliver (retryable or a conflict that ran out of re-reads)', () => {
    expect(isRetryable(new RetryableError('x'))).toBe(true);
    expect(isRetryable(new ConflictError('x'))).toBe(true);
    expect(isRetryable(new FinalError('x'))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });

  it('describeError is one line', () => {
    expect(describeError(new FinalError('a\n  b'))).toBe('FinalError: a b');
    expect(describeError('plain')).toBe('plain');
  });
});
