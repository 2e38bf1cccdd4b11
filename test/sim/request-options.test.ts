// Request options refused as a real server refuses them (Kubernetes v1.33 apiserver:
// ValidateCreateOptions/UpdateOptions/PatchOptions/DeleteOptions → 422 for a dryRun other than
// "All"; BeforeCreate → 400 "resourceVersion should not be set on objects to be created").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http } from './helpers.ts';

let fleet: SimFleet;
let base: string;
beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], events: false });
  base = fleet.cluster('clusterOne').url;
});
afterAll(async () => fleet?.stop());

const cms = '/api/v1/namespaces/default/configmaps';

describe('request options', () => {
  it('refuses a resourceVersion on a create with 400, and stores nothing', async () => {
    const r = await http(base, 'POST', cms, { metadata: { name: 'rv', resourceVersion: '5' }, data: {} });
    expect(r.status).toBe(400);
    expect((r.body as { message: string }).message).toBe('resourceVersion should not be set on objects to be created');
    expect(fleet.cluster('clusterOne').get(`${cms}/rv`)).toBeUndefined();
  });

  it('refuses a dryRun other than All with 422 (create, patch, delete); dryRun=All writes nothing', async () => {
    const bad = await http(base, 'POST', `${cms}?dryRun=true`, { metadata: { name: 'd' }, data: {} });
    expect(bad.status).toBe(422);
    expect((bad.body as { message: string }).message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"');
    expect(fleet.cluster('clusterOne').get(`${cms}/d`)).toBeUndefined();
    expect((await http(base, 'POST', `${cms}?dryRun=All`, { metadata: { name: 'd' }, data: {} })).status).toBe(201);
    expect(fleet.cluster('clusterOne').get(`${cms}/d`)).toBeUndefined();
    expect((await http(base, 'POST', cms, { metadata: { name: 'd' }, data: {} })).status).toBe(201);
    expect((await http(base, 'PATCH', `${cms}/d?dryRun=Server`, { data: { a: 'b' } }, 'application/merge-patch+json')).status).toBe(422);
    expect((await http(base, 'DELETE', `${cms}/d?dryRun=x`)).status).toBe(422);
    expect(fleet.cluster('clusterOne').get(`${cms}/d`)).toBeDefined();
  });
});
