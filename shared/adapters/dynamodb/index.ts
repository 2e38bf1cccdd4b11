// The DynamoDB adapters: what the function handlers and the local runner wire up.
export { DynamoStateStore } from './state-store.ts';
export type { DynamoStateStoreOptions } from './state-store.ts';
export { DynamoVipAllocator, VipInputError, DEFAULT_ORPHAN_AFTER_MS } from './vip-allocator.ts';
export type { DynamoVipAllocatorOptions } from './vip-allocator.ts';
export { DynamoTargetStatusStore } from './target-status-store.ts';
export type { DynamoTargetStatusStoreOptions } from './target-status-store.ts';
export { DynamoIncarnationStore } from './incarnation-store.ts';
export type { DynamoIncarnationStoreOptions } from './incarnation-store.ts';
export { DynamoPublishedVipsStore } from './published-vips-store.ts';
export type { DynamoPublishedVipsStoreOptions } from './published-vips-store.ts';
export { countOps } from './op-counter.ts';
export type { OpCounter } from './op-counter.ts';
export { TABLE } from './table.ts';
