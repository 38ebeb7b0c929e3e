// Runs predictions in a worker thread (started on first use, reused after, models cached there by
// file identity), so a large model never blocks the extension host.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PredictRequest, PredictResult } from './core/predict/predict';
import type { PredictWorkerReply, PredictWorkerRequest } from './predictProtocol';

/** A prediction that failed, with the core's error code. */
export class PredictionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Client of the prediction worker (dist/predictWorker.js beside dist/extension.js). */
export class PredictClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: PredictResult) => void; reject: (e: Error) => void }>();

  constructor(private readonly distDir: string) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(join(this.distDir, 'predictWorker.js'));
    w.on('message', (reply: PredictWorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) w.unref(); // idle: do not keep the process alive
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new PredictionError(reply.error.code, reply.error.message));
    });
    w.on('error', (e) => this.failAll(e));
    w.on('exit', () => {
      this.worker = null;
      this.failAll(new Error('the prediction worker stopped'));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Runs one prediction; the wasm files are looked up beside the worker. */
  predict(request: PredictRequest): Promise<PredictResult> {
    const id = this.nextId++;
    const msg: PredictWorkerRequest = { id, request: { wasmDir: this.distDir, ...request } };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const w = this.ensureWorker();
      w.ref(); // a request is pending: keep the process alive until it answers
      w.postMessage(msg);
    });
  }

  /** Stops the worker. */
  dispose(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
