// The demo's config: the shipped example with `routing: istio` as its one changed line, so the
// demo routes its VIPs on `sim --istio` while the example itself stays `routing: none`.
import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG, DEMO_CONFIG_YAML, DEMO_ROUTED_CONFIG, DEMO_ROUTED_CONFIG_YAML, routedConfigYaml } from '../../../local/demo/scenario.ts';

describe('the demo config', () => {
  it('is the example with routing: istio, nothing else changed', () => {
    expect(DEMO_CONFIG.routing).toBe('none');
    expect(DEMO_ROUTED_CONFIG).toEqual({ ...DEMO_CONFIG, routing: 'istio' });
    const changed = DEMO_ROUTED_CONFIG_YAML.split('\n').filter((l, i) => l !== DEMO_CONFIG_YAML.split('\n')[i]);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^routing: istio\b/);
  });

  it('an example without a `routing: none` line is an error, not a demo silently without routing', () => {
    expect(() => routedConfigYaml('clusters: []\n')).toThrow(/routing: none/);
  });
});
