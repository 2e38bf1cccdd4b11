// The inventory's ConfigMap data (shared/core/inventory.ts): kinds and namespaces round-trip,
// hand edits that name nothing gns-sync could have written are ignored, bad names are refused.
import { describe, expect, it } from 'vitest';
import {
  InventoryError, KIND_ENDPOINTSLICES, KIND_SERVICEENTRIES, formatInventory, inventoryName, parseInventory, withForgotten, withRecorded,
} from '../../../shared/core/inventory.ts';

describe('inventory data', () => {
  it('round-trips, sorted, one namespace per line; a kind left without namespaces disappears', () => {
    let kinds = withRecorded(new Map(), KIND_ENDPOINTSLICES, 'ns-b');
    kinds = withRecorded(kinds, KIND_ENDPOINTSLICES, 'ns-a');
    kinds = withRecorded(kinds, KIND_SERVICEENTRIES, 'ns-a');
    const data = formatInventory(kinds);
    expect(data).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\nns-b\n', [KIND_SERVICEENTRIES]: 'ns-a\n' });
    expect(parseInventory(data)).toEqual(kinds);
    expect(formatInventory(withForgotten(kinds, KIND_SERVICEENTRIES, ['ns-a']))).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\nns-b\n' });
    expect(formatInventory(withForgotten(kinds, KIND_ENDPOINTSLICES, ['ns-b', 'ns-zzz']))).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\n', [KIND_SERVICEENTRIES]: 'ns-a\n' });
  });

  it('ignores keys that are no kind and lines that are no namespace (a hand edit)', () => {
    expect(parseInventory({ [KIND_ENDPOINTSLICES]: 'ns-a\n\n  ns-b  \nNot A Namespace\n../x\n', notes: 'ns-c', 'Pods.core': 'x' })).toEqual(new Map([[KIND_ENDPOINTSLICES, new Set(['ns-a', 'ns-b'])]]));
    expect(parseInventory(undefined)).toEqual(new Map());
  });

  it('refuses to record a malformed kind or namespace', () => {
    expect(() => withRecorded(new Map(), 'EndpointSlices', 'ns-a')).toThrow(InventoryError);
    expect(() => withRecorded(new Map(), KIND_ENDPOINTSLICES, 'Bad_NS')).toThrow(InventoryError);
    expect(() => withRecorded(new Map(), KIND_ENDPOINTSLICES, 'a'.repeat(64))).toThrow(InventoryError);
  });

  it('one ConfigMap per installation', () => {
    expect(inventoryName('default')).toBe('gns-sync-inventory');
    expect(inventoryName('team-a')).toBe('gns-sync-inventory-team-a');
  });
});
