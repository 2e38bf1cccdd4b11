// A coalescing work queue for the in-process controllers: keys added while a key waits are
// merged, work runs on the next turn of the event loop, and a failed key is retried shortly.
import { ApiError } from '../api/status.ts';

export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly work: (key: string) => void;
  private readonly onError: (key: string, error: unknown) => void;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(work: (key: string) => void, onError: (key: string, error: unknown) => void = () => {}) {
    this.work = work;
    this.onError = onError;
  }

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, ms);
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.work(key);
      } catch (error) {
        // Conflicts and races with users' writes: look again in a moment.
        if (error instanceof ApiError && (error.code === 409 || error.code === 404)) this.addAfter(key, 10);
        else {
          this.onError(key, error);
          this.addAfter(key, 200);
        }
      }
    }
  }
}
