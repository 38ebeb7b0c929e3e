// A pool of worker threads (dist/inspectWorker.js) that read artifacts for the workspace index,
// each request to the least busy worker. Started on first use; idle workers do not keep the
// process alive. A worker that dies fails its requests, and the caller reads those files itself.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileReport } from './core/types';
import type { InspectWorkerReply, InspectWorkerRequest } from './inspectProtocol';

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: FileReport) => void; reject: (e: Error) => void; path: string; timer: ReturnType<typeof setTimeout> }>;
  /** No new requests: the worker is stopped when its pending ones are answered. */
  retiring?: boolean;
}

/** Longest time one file may take in a worker before the worker is stopped (default). */
export const INSPECT_TIMEOUT_MS = 60_000;

/**
 * True for a report whose HDF5 reading hit a trap inside the C library: that WebAssembly instance
 * may be left inconsistent (the fuzz campaign saw later files hang in it, docs/fuzzing.md), so the
 * worker is replaced by a fresh one.
 */
function trapped(r: FileReport): boolean {
  return r.error !== null && /stopped the HDF5 library/.test(r.error.message);
}

/** Worker threads reading files for the index. */
export class InspectPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private disposed = false;

  /** `size` workers (default: the cores, at most 4: each holds its own h5wasm heap). */
  constructor(
    private readonly distDir: string,
    readonly size = Math.max(1, Math.min(4, availableParallelism())),
    /** A file not answered within this is reported as `read-timeout` and its worker stopped. */
    readonly timeoutMs = INSPECT_TIMEOUT_MS,
  ) {}

  private retire(slot: Slot): void {
    slot.retiring = true;
    this.slots = this.slots.filter((s) => s !== slot);
    if (slot.pending.size === 0) void slot.worker.terminate();
  }

  private start(): Slot {
    const worker = new Worker(join(this.distDir, 'inspectWorker.js'));
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: InspectWorkerReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (slot.pending.size === 0) worker.unref();
      if (trapped(reply.report)) this.retire(slot);
      else if (slot.retiring && slot.pending.size === 0) void worker.terminate();
      p.resolve(reply.report);
    });
    const fail = (e: Error): void => {
      this.slots = this.slots.filter((s) => s !== slot);
      for (const p of slot.pending.values()) {
        clearTimeout(p.timer);
        p.reject(e);
      }
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the inspect worker stopped (exit code ${code})`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /** Reads one local file in a worker. */
  inspect(path: string, stat: { size: number; mtimeMs: number }): Promise<FileReport> {
    if (this.disposed) return Promise.reject(new Error('the inspect pool is closed'));
    let slot = this.slots.length < this.size ? this.start() : this.slots[0];
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    const msg: InspectWorkerRequest = { id, path, stat: { size: stat.size, mtimeMs: stat.mtimeMs } };
    return new Promise((resolve, reject) => {
      // A file that never answers (a loop inside the HDF5 library cannot be interrupted) is
      // reported as unreadable, not read again here: its worker is stopped, its other files fail
      // over to the caller as for a dead worker.
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        resolve({
          path,
          role: 'other',
          format: 'unknown',
          error: {
            code: 'read-timeout',
            message: `${path}: reading took longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped (a malformed file can make a decoder loop)`,
          },
          size: stat.size,
          mtimeMs: stat.mtimeMs,
        });
        this.slots = this.slots.filter((s) => s !== slot);
        void slot.worker.terminate();
      }, this.timeoutMs);
      slot.pending.set(id, { resolve, reject, path, timer });
      slot.worker.ref(); // a request is pending: keep the process alive until it answers
      slot.worker.postMessage(msg);
    });
  }

  /** Stops every worker. */
  dispose(): void {
    this.disposed = true;
    for (const s of this.slots) void s.worker.terminate();
    this.slots = [];
  }
}
