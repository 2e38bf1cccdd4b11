// Keys given twice in a JSON body: JSON.parse keeps the last silently; the simulated API server
// reports them as the strict decoder (sigs.k8s.io/json) does, so it must find each with its path.
import { describe, expect, it } from 'vitest';
import { duplicateKeys } from '../../../local/sim/api/json-duplicates.ts';

describe('keys given twice in JSON text', () => {
  it('names each repeated key with its path, in document order, through arrays and escaped strings', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":"x\\"}","c":2,"c":3},"l":[{},{"k":[1,"]"],"k":{}}],"a":null}')).toEqual(['b.c', 'b.c', 'l[1].k', 'a']);
    expect(duplicateKeys('{"a":{"b":1},"c":[]}')).toEqual([]);
  });
});
