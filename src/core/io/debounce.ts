// Batching of file-change events: a training run that rewrites its log every epoch must not make
// the index re-read the weights each time. Changes are collected per path and flushed once no new
// event has arrived for `delayMs` (trailing debounce), or at the latest after `maxWaitMs` so a file
// rewritten forever still gets re-read now and then. Pure: the clock and timers are injected.

/** What happened to a path, as the batch reports it. */
export type ChangeKind = 'changed' | 'deleted';

/** One flushed batch: paths to re-read and paths to forget (disjoint, each sorted). */
export interface ChangeBatch {
  changed: string[];
  deleted: string[];
}

/** Timer functions (setTimeout/clearTimeout in production, a fake clock in tests). */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Options of a ChangeBatcher. */
export interface ChangeBatcherOptions {
  /** Quiet time after the last event before a flush (ms). */
  delayMs?: number;
  /** Longest time the first pending event may wait while events keep arriving (ms). */
  maxWaitMs?: number;
  /** Timers; defaults to the global ones. */
  timers?: TimerApi;
  /** Called when a flush throws (the batcher goes on with later events). */
  onError?: (error: unknown) => void;
}

/** Default quiet time: 500 ms. */
export const DEFAULT_DEBOUNCE_MS = 500;
/** Default longest wait: 5 s. */
export const DEFAULT_MAX_WAIT_MS = 5000;

const globalTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * Collects create/change/delete events per path and hands them to `flush` in batches. The last
 * event for a path wins (changed then deleted = deleted; deleted then created = changed). A flush
 * never runs while the previous one is still running: events arriving meanwhile wait for it.
 */
export class ChangeBatcher {
  private readonly pending = new Map<string, ChangeKind>();
  private timer: unknown = null;
  private firstPendingAt: number | null = null;
  private running: Promise<void> | null = null;
  private disposed = false;
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly timers: TimerApi;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly flush: (batch: ChangeBatch) => Promise<void> | void,
    options: ChangeBatcherOptions = {},
  ) {
    this.delayMs = options.delayMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxWaitMs = Math.max(options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, this.delayMs);
    this.timers = options.timers ?? globalTimers;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Records an event for a path and (re)arms the timer. */
  add(path: string, kind: ChangeKind): void {
    if (this.disposed) return;
    this.pending.set(path, kind);
    const now = this.timers.now();
    if (this.firstPendingAt === null) this.firstPendingAt = now;
    this.arm(now);
  }

  /** Number of paths waiting for the next flush. */
  get size(): number {
    return this.pending.size;
  }

  /** Flushes what is pending now (e.g. on an explicit refresh); resolves when the flush is done. */
  async flushNow(): Promise<void> {
    this.clear();
    await this.run();
  }

  /** Drops pending events and stops the timer; later events are ignored. */
  dispose(): void {
    this.disposed = true;
    this.clear();
    this.pending.clear();
  }

  private arm(now: number): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const first = this.firstPendingAt ?? now;
    const wait = Math.max(0, Math.min(this.delayMs, first + this.maxWaitMs - now));
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, wait);
  }

  private clear(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.running) {
      await this.running;
      // Events that arrived during the previous flush have their own timer; honour it.
      if (this.timer !== null || this.pending.size === 0) return;
    }
    if (this.pending.size === 0) {
      this.firstPendingAt = null;
      return;
    }
    const batch = takeBatch(this.pending);
    this.firstPendingAt = null;
    this.running = (async () => {
      try {
        await this.flush(batch);
      } catch (e) {
        this.onError(e);
      } finally {
        this.running = null;
      }
    })();
    await this.running;
  }
}

/** Splits and empties a pending map into a sorted batch. */
function takeBatch(pending: Map<string, ChangeKind>): ChangeBatch {
  const changed: string[] = [];
  const deleted: string[] = [];
  for (const [path, kind] of pending) (kind === 'deleted' ? deleted : changed).push(path);
  pending.clear();
  changed.sort();
  deleted.sort();
  return { changed, deleted };
}
