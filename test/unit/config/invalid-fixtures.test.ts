// Every invalid config under test/fixtures/config is rejected with one line naming the field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { CONFIG_FIXTURES, EXPECTED } from '../../fixtures/config/expected.ts';

const fixtures = readdirSync(CONFIG_FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid config fixtures', () => {
  it('every fixture has an expected error, and every expected error a fixture', () => {
    expect(fixtures).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(fixtures)('%s is rejected with one line naming the field', (file) => {
    const path = join(CONFIG_FIXTURES, file);
    const before = readFileSync(path, 'utf8');
    let error: unknown;
    try {
      loadConfig(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.startsWith(path)).toBe(true);
    expect(message).toContain(EXPECTED[file]);
    expect(message).not.toMatch(/\n/);
    expect((error as ConfigError).name).toBe('ConfigError');
    // Reading a config changes nothing.
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
