// Messages between the extension host and the prediction worker thread.
import type { PredictRequest, PredictResult } from './core/predict/predict';

/** Host → worker: run one prediction. */
export interface PredictWorkerRequest {
  id: number;
  request: PredictRequest;
}

/** Worker → host: the result, or a clear error. */
export type PredictWorkerReply = { id: number; ok: true; result: PredictResult } | { id: number; ok: false; error: { code: string; message: string } };
