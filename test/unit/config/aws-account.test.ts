// The optional `awsAccountId` of a cluster (the cloud's bus policy, infra/): a quoted 12-digit id.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../shared/config/load.ts';

const withAccount = (value: string) => `clusters:\n  - name: one\n  - name: two\n    awsAccountId: ${value}\n`;

describe('clusters[].awsAccountId', () => {
  it('is optional, and kept when given', () => {
    const config = parseConfig(withAccount('"012345678901"'), 'test.yaml');
    expect(config.clusters[0]).toEqual({ name: 'one', network: 'one', context: 'one' });
    expect(config.clusters[1]).toEqual({ name: 'two', network: 'two', context: 'two', awsAccountId: '012345678901' });
  });

  it.each([
    ['012345678901', /clusters\[1\]\.awsAccountId: expected a 12-digit AWS account id in quotes/],
    ['"1234"', /clusters\[1\]\.awsAccountId: must be a 12-digit AWS account id/],
    ['"12345678901a"', /clusters\[1\]\.awsAccountId: must be a 12-digit AWS account id/],
  ])('rejects %s with one line naming the field', (value, message) => {
    expect(() => parseConfig(withAccount(value), 'test.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(withAccount(value), 'test.yaml')).toThrow(message);
  });
});
