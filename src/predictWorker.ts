// Worker thread that runs predictions off the extension host's main thread. It reads files from
// the local disk only (the extension runs where the files are: extensionKind "workspace").
import { parentPort } from 'node:worker_threads';
import { NodeFileSource } from './core/io/nodeFileSource';
import { predict, type PredictRequest } from './core/predict/predict';
import { toFileError } from './core/io/errors';
import type { PredictWorkerReply, PredictWorkerRequest } from './predictProtocol';

const source = new NodeFileSource();

parentPort?.on('message', (msg: PredictWorkerRequest) => {
  const req: PredictRequest = msg.request;
  predict(req, source).then(
    (result) => parentPort?.postMessage({ id: msg.id, ok: true, result } satisfies PredictWorkerReply),
    (e: unknown) => parentPort?.postMessage({ id: msg.id, ok: false, error: toFileError(e) } satisfies PredictWorkerReply),
  );
});
