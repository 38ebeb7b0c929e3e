// Benchmark: listing a large ONNX model (default 512 MB of float32 initializers in 32 tensors) with
// the ONNX reader: wall time, bytes read through the FileSource and the process's memory growth.
// The file is written to a temporary folder and removed afterwards.
// Run: node --expose-gc --import tsx test/bench/onnxListBench.ts   (env: MB=512)
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtoWriter } from '../../src/core/codecs/protobufWriter';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const MB = Number(process.env.MB ?? 512);
const TENSORS = 32;

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mbi-onnx-list-'));
  const path = join(dir, 'large.onnx');
  const side = Math.floor(Math.sqrt((MB * 1024 * 1024) / TENSORS / 4));
  const chunk = new Uint8Array(side * side * 4); // zeros: the values do not matter for listing
  // ModelProto: ir_version, opset, graph { nodes, initializers (header + raw_data streamed), input, output }
  const graphParts: Uint8Array[] = [];
  const nodes = new ProtoWriter();
  for (let i = 0; i < TENSORS; i++)
    nodes.message(
      1,
      new ProtoWriter()
        .string(1, i ? `h${i - 1}` : 'x')
        .string(1, `W${i}`)
        .string(2, `h${i}`)
        .string(3, `mm${i}`)
        .string(4, 'MatMul'),
    );
  graphParts.push(nodes.finish());
  let graphLen = graphParts[0].length;
  const inits: { head: Uint8Array; len: number }[] = [];
  for (let i = 0; i < TENSORS; i++) {
    const head = new ProtoWriter().packedVarints(1, [side, side]).varint(2, 1).string(8, `W${i}`).finish();
    const rawKey = Uint8Array.from([9 * 8 + 2]);
    const tensorLen = head.length + rawKey.length + varint(chunk.length).length + chunk.length;
    const prefix = new Uint8Array([...[5 * 8 + 2], ...varint(tensorLen), ...head, ...rawKey, ...varint(chunk.length)]);
    inits.push({ head: prefix, len: prefix.length + chunk.length });
    graphLen += prefix.length + chunk.length;
  }
  const tail = new ProtoWriter().string(2, 'large').finish();
  graphLen += tail.length;
  const fd = openSync(path, 'w');
  const top = new ProtoWriter().varint(1, 8).message(8, new ProtoWriter().string(1, '').varint(2, 13)).finish();
  writeSync(fd, top);
  writeSync(fd, Uint8Array.from([7 * 8 + 2, ...varint(graphLen)]));
  writeSync(fd, graphParts[0]);
  for (const t of inits) {
    writeSync(fd, t.head);
    writeSync(fd, chunk);
  }
  writeSync(fd, tail);
  closeSync(fd);

  const source = new NodeFileSource();
  let bytesRead = 0;
  const counting = Object.assign(Object.create(source) as NodeFileSource, {
    readRange: async (p: string, o: number, l: number) => {
      const b = await source.readRange(p, o, l);
      bytesRead += b.length;
      return b;
    },
  });
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = await inspectFile(path, counting);
  const ms = performance.now() - t0;
  const rss1 = process.memoryUsage().rss;
  const size = TENSORS * chunk.length;
  console.log(`listed a ${(size / 1e6).toFixed(0)} MB ONNX model (${TENSORS} initializers of [${side}, ${side}]) in ${ms.toFixed(1)} ms`);
  console.log(
    `  error: ${r.error?.code ?? 'none'}, totalParams ${r.model?.totalParams.toLocaleString('en-US')}, bytes read ${bytesRead.toLocaleString('en-US')}, RSS growth ${((rss1 - rss0) / 1e6).toFixed(1)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}

void main();
