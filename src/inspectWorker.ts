// Worker thread that reads artifacts for the workspace index (its deep phase), so that HDF5
// metadata, pickles and logs are parsed on other cores than the extension host's. Local files only.
import { parentPort } from 'node:worker_threads';
import { inspectFile } from './core/formats/inspect';
import { NodeFileSource } from './core/io/nodeFileSource';
import type { InspectWorkerReply, InspectWorkerRequest } from './inspectProtocol';

const source = new NodeFileSource();

parentPort?.on('message', (msg: InspectWorkerRequest) => {
  // inspectFile never throws: a file it cannot read comes back as a report with its error
  void inspectFile(msg.path, source, { explicit: false, stat: { ...msg.stat, isDirectory: false } }).then((report) =>
    parentPort?.postMessage({ id: msg.id, report } satisfies InspectWorkerReply),
  );
});
