// How long a failed sync waits before its message is delivered again (pure). In AWS the sync
// function sets the failed messages' visibility to this (a SyncRetryScheduler) instead of
// leaving them to the queue's visibility timeout of 6 × the function timeout (docs/adr/0005-queues.md).

export const RETRY_BASE_SECONDS = 5;
export const RETRY_MAX_SECONDS = 300;

/** 5 s × 2^(n−1) for the n-th receive (1 on the first delivery), capped at 5 minutes. */
export function syncRetryDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.min(n - 1, 30));
}
