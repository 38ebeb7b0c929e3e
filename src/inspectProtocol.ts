// Messages between the inspect pool (src/inspectPool.ts) and its workers (src/inspectWorker.ts).
import type { FileReport } from './core/types';

/** Read one file (its stat as the index took it). */
export interface InspectWorkerRequest {
  id: number;
  path: string;
  stat: { size: number; mtimeMs: number };
}

/** The file's report. */
export interface InspectWorkerReply {
  id: number;
  report: FileReport;
}
