// `model-bundles export <bundle> --format onnx [--out DIR] [--layout triton] [--name NAME]`: one
// self-contained ONNX model (preprocessing, network, target scaler inverse) or a Triton model
// repository entry. Docs: docs/export.md. Writes only under --out (never into the bundle unless
// --out points there), and never over an existing file without --force.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportOnnx } from '../core/export/exportOnnx';
import { exportTfjs } from '../core/export/exportTfjs';
import { DEFAULT_MAX_BATCH_SIZE, exportFiles, modelName, type ExportFile, type ExportLayout } from '../core/export/layout';
import { ReadError } from '../core/io/errors';
import { NodeFileSource } from '../core/io/nodeFileSource';
import { TOOL_VERSION } from '../core/report/report';

const USAGE = `Usage: model-bundles export <bundle-folder-or-model-file> --format onnx|tfjs [--out DIR]
         [--layout triton] [--name NAME] [--max-batch-size N]
         [--scaler FILE]... [--target-scaler FILE] [--no-scaler] [--no-target-scaler] [--force] [--json]

Writes one ONNX model that takes the raw features and returns outputs in the target's units
(input preprocessing, network, target scaler inverse). --layout triton writes a Triton model
repository entry: DIR/NAME/1/model.onnx and DIR/NAME/config.pbtxt. --format tfjs writes a
TensorFlow.js layers model DIR/NAME/model.json (+ shard) with an affine scaler folded into the
first Dense layer (and the target scaler into a final linear Dense); other cases are refused.
  --out DIR            output folder (default: the current folder, which must not be the bundle)
  --name NAME          model name (default: the bundle folder's name)
  --scaler FILE        input preprocessing, repeatable, applied in the given order (default: the
                       bundle's one scaler; export refuses when there is none or several)
  --no-scaler          export the bare network (recorded in the model's metadata)
  --force              overwrite existing files
`;

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** Where the command writes its messages (the process' stdout / stderr unless a caller captures them). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CommandIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export async function runExport(argv: string[], io: CommandIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'onnx' },
        out: { type: 'string' },
        layout: { type: 'string', default: 'plain' },
        name: { type: 'string' },
        'max-batch-size': { type: 'string' },
        scaler: { type: 'string', multiple: true },
        'target-scaler': { type: 'string' },
        'no-scaler': { type: 'boolean', default: false },
        'no-target-scaler': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err(`model-bundles export: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const usage = (msg: string): number => {
    io.err(`model-bundles export: ${msg}\n${USAGE}`);
    return 2;
  };
  if (positionals.length !== 1) return usage('give one bundle folder or model file');
  if (values.format !== 'onnx' && values.format !== 'tfjs') return usage(`unknown format "${values.format}" (onnx, tfjs)`);
  if (values.format === 'tfjs' && values.layout !== 'plain') return usage('--layout triton takes --format onnx');
  if (values.layout !== 'plain' && values.layout !== 'triton') return usage(`unknown layout "${values.layout}" (triton)`);
  if (values['no-scaler'] && values.scaler?.length) return usage('--scaler and --no-scaler exclude each other');
  if (values['no-target-scaler'] && values['target-scaler']) return usage('--target-scaler and --no-target-scaler exclude each other');
  const maxBatch = values['max-batch-size'] === undefined ? DEFAULT_MAX_BATCH_SIZE : Number(values['max-batch-size']);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) return usage('--max-batch-size takes a positive integer');

  const target = positionals[0].replace(/\/+$/, '') || '/';
  const source = new NodeFileSource();
  const st = await source.stat(target);
  if (!st) {
    io.err(`model-bundles: ${target}: no such file or folder\n`);
    return 2;
  }
  const bundleDir = resolve(st.isDirectory ? target : dirname(target));
  const outDir = resolve(values.out ?? '.');
  if (values.out === undefined && isInside(outDir, bundleDir)) {
    return usage(`the current folder is inside the bundle ${target}: give --out DIR (nothing is written into a bundle unless you ask)`);
  }
  const request = {
    target,
    scalers: values.scaler,
    targetScaler: values['target-scaler'],
    noScaler: values['no-scaler'],
    noTargetScaler: values['no-target-scaler'],
    toolVersion: TOOL_VERSION,
  };
  /** Writes files under outDir unless one exists (and no --force); returns their paths or null. */
  const write = (files: ExportFile[]): string[] | null => {
    const paths = files.map((f) => join(outDir, f.path));
    const existing = paths.filter((p) => existsSync(p));
    if (existing.length && !values.force) {
      io.err(`model-bundles: ${existing.join(', ')} already exist(s); use --force to overwrite\n`);
      return null;
    }
    files.forEach((f, i) => {
      mkdirSync(dirname(paths[i]), { recursive: true });
      writeFileSync(paths[i], f.bytes);
    });
    return paths;
  };
  try {
    const name = modelName(values.name ?? basename(st.isDirectory ? resolve(target) : target));
    if (values.format === 'tfjs') {
      const t = await exportTfjs(request, source, name);
      const paths = write(t.files);
      if (!paths) return 1;
      if (values.json) {
        io.out(
          `${JSON.stringify({ files: paths, inputShape: t.inputShape, preprocessing: t.scalers, targetScaler: t.targetScaler, featureNames: t.featureNames, sources: t.sources, metadata: t.metadata }, null, 2)}\n`,
        );
      } else {
        const lines = [
          ...paths.map((p) => `wrote ${p}`),
          `input: [${t.inputShape.map((d) => d ?? 'batch').join(', ')}]`,
          `preprocessing: ${t.scalers.length ? `${t.scalers.map((s) => `${s.class} (${s.path})`).join(' -> ')}, folded into the first Dense layer` : 'none (--no-scaler): callers must scale the inputs'}`,
          `target scaler: ${t.targetScaler ? `${t.targetScaler.class} inverse (${t.targetScaler.path}), folded into the last Dense layer` : 'none'}`,
        ];
        io.out(`${lines.join('\n')}\n`);
      }
      return 0;
    }
    const result = await exportOnnx(request, source);
    const files = exportFiles(result, name, values.layout as ExportLayout, maxBatch);
    const paths = write(files);
    if (!paths) return 1;
    if (values.json) {
      const doc = {
        files: paths,
        inputs: result.inputs,
        outputs: result.outputs,
        preprocessing: result.scalers,
        targetScaler: result.targetScaler,
        featureNames: result.featureNames,
        sources: result.files,
        metadata: result.metadata,
      };
      io.out(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      const shape = (s: (number | string)[]): string => `[${s.join(', ')}]`;
      const lines = [
        ...paths.map((p) => `wrote ${p}`),
        `inputs: ${result.inputs.map((i) => `${i.name} float32 ${shape(i.shape)}`).join(', ')}`,
        `outputs: ${result.outputs.map((o) => `${o.name} float32 ${shape(o.shape)}`).join(', ')}`,
        `preprocessing: ${result.scalers.length ? result.scalers.map((s) => `${s.class} (${s.path})`).join(' -> ') : 'none (--no-scaler): callers must scale the inputs'}`,
        `target scaler: ${result.targetScaler ? `${result.targetScaler.class} inverse (${result.targetScaler.path})` : 'none'}`,
      ];
      if (result.featureNames) lines.push(`features: ${result.featureNames.join(', ')}`);
      io.out(`${lines.join('\n')}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ReadError) {
      io.err(`model-bundles: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
