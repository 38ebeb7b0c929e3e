// The `model-bundles` command line: the core without VS Code, for terminals and CI pipelines.
// Contract: spec/cli-json.md (inspect, check; JSON shapes and exit codes).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkExitCode } from './core/bundles/bundle';
import { ReadError } from './core/io/errors';
import { withoutTemplates } from './core/io/messageTemplate';
import { predict, PREPROCESSING_REFUSALS, type PredictResult } from './core/predict/predict';
import type { BackendPreference } from './core/predict/network';
import { NodeFileSource } from './core/io/nodeFileSource';
import { buildReport, TOOL_VERSION } from './core/report/report';
import { formatBundle, formatReport } from './core/report/textReport';
import { runContract } from './cli/contract';
import { runCheckFormat } from './cli/checkFormat';
import { runCard } from './cli/card';
import { runExport } from './cli/export';
import { runRecoverScaler } from './cli/recover';

const USAGE = `model-bundles ${TOOL_VERSION}: find, validate and summarise trained-model bundles

Usage:
  model-bundles inspect <path...> [--json]   read every model, weights, scaler and log file
  model-bundles check <path...> [--json] [--strict]
                                             validate bundles; exit 1 on errors (--strict: also warnings)
                [--format text|json|github|sarif]   github: workflow annotations; sarif: SARIF 2.1.0
  model-bundles predict <bundle-folder-or-model-file> --input <file.csv|file.json|->
                [--scaler FILE]... [--target-scaler FILE] [--no-scaler] [--no-target-scaler]
                [--backend auto|wasm|cpu] [--json]
                                             run sample predictions: input scaler, network, target scaler
  model-bundles contract <bundle> [--out DIR] [--strict-ranges] [--json]
                                             input contract: JSON Schema of a row and a batch, OpenAPI 3.1 /predict
  model-bundles card <bundle> [--out FILE]    model card (Markdown): parts, sha256, architecture, training, versions
  model-bundles export <bundle> --format onnx|tfjs [--out DIR] [--layout triton] [--name NAME]
                                             one ONNX model with the preprocessing inside (export --help)
  model-bundles recover-scaler <bundle-folder> [--script train.py] [--data data.csv] [--set k=v]
                [--out DIR] [--yes] [--json]      rebuild a lost scaler from the training data, prove it
  model-bundles --help | --version

Paths are files or folders (scanned recursively; node_modules, .git and virtual environments are
skipped). Nothing is ever written into the inspected folders, and nothing in a pickle is executed.
`;

/** Thrown for a bad command line (exit 2). */
class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'contract') return runContract(argv.slice(1));
  if (argv[0] === 'card') return runCard(argv.slice(1));
  if (argv[0] === 'check' && argv.some((a) => a === '--format' || a.startsWith('--format='))) return runCheckFormat(argv.slice(1));
  if (argv[0] === 'export') return runExport(argv.slice(1));
  if (argv[0] === 'recover-scaler') return runRecoverScaler(argv.slice(1));
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          strict: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
          version: { type: 'boolean', short: 'v', default: false },
          input: { type: 'string' },
          scaler: { type: 'string', multiple: true },
          'target-scaler': { type: 'string' },
          'no-scaler': { type: 'boolean', default: false },
          'no-target-scaler': { type: 'boolean', default: false },
          backend: { type: 'string', default: 'auto' },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  })();
  if (values.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'predict') {
    return runPredict(paths, values);
  }
  if (command !== 'inspect' && command !== 'check') throw new UsageError(`unknown command "${command}"`);
  if (paths.length === 0) throw new UsageError(`${command} needs at least one file or folder`);
  if (values.strict && command !== 'check') throw new UsageError('--strict only applies to check');
  const source = new NodeFileSource();
  for (const p of paths) {
    if (!(await source.stat(p))) {
      process.stderr.write(`model-bundles: ${p}: no such file or folder\n`);
      return 2;
    }
  }
  const report = await buildReport(paths, source, { verifyHashes: command === 'check' });
  if (command === 'inspect') {
    process.stdout.write(values.json ? `${JSON.stringify(report, withoutTemplates, 2)}\n` : formatReport(report));
    return 0;
  }
  const code = checkExitCode(report.bundles, values.strict ?? false);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ tool: report.tool, bundles: report.bundles, exitCode: code }, withoutTemplates, 2)}\n`);
  } else {
    const n = report.bundles.reduce((a, b) => a + b.findings.length, 0);
    const lines: string[] = [];
    for (const b of report.bundles) lines.push(...formatBundle(b), '');
    process.stdout.write(lines.join('\n'));
    process.stdout.write(`${report.bundles.length} bundle(s), ${n} finding(s): ${code === 0 ? 'OK' : 'FAILED'}\n`);
  }
  return code;
}

/** Folder holding TensorFlow.js' .wasm files: beside the bundle (dist/), else in node_modules. */
function wasmDir(): string | undefined {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname;
  try {
    return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

function formatPrediction(r: PredictResult): string {
  const lines = [
    `model: ${r.model}`,
    `input scaler: ${r.scaler ? `${r.scaler} (${r.preprocessing.input?.steps.join(' -> ')})` : r.preprocessing.skipped.input ? 'skipped (--no-scaler): raw inputs go to the network' : 'none in this bundle (raw inputs go to the network)'}`,
    `target scaler: ${r.targetScaler ? `${r.targetScaler} (${r.preprocessing.target?.steps.join(' -> ')})` : r.preprocessing.skipped.target ? 'skipped (--no-target-scaler): outputs are the network outputs' : 'none (outputs are the network outputs)'}`,
    ...r.preprocessing.notes.map((n) => `WARNING: ${n}`),
    `backend: ${r.backend}, ${r.rows} row(s) in ${r.inferenceMs.toFixed(1)} ms`,
    '',
  ];
  const width = r.outputs[0]?.length ?? 0;
  const header = ['row', ...Array.from({ length: width }, (_, j) => (width === 1 ? 'output' : `output[${j}]`))];
  const rows = [header, ...r.outputs.map((o, i) => [String(i), ...o.map((v) => String(Number(v.toPrecision(7))))])];
  const widths = header.map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  for (const row of rows) lines.push(row.map((c, j) => c.padStart(widths[j])).join('  '));
  for (const w of r.warnings) lines.push(`warning: row ${w.row}, ${w.feature}: ${w.message}`);
  for (const n of r.notes ?? []) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

type Values = Record<string, string | string[] | boolean | undefined>;

/** `--scaler` once: that file; several times: applied in the order given. */
function scalerOptions(files: string[] | undefined): { scaler?: string; scalers?: string[] } {
  if (!files?.length) return {};
  return files.length === 1 ? { scaler: files[0] } : { scalers: files };
}

async function runPredict(paths: string[], values: Values): Promise<number> {
  if (paths.length !== 1) throw new UsageError('predict takes one bundle folder or model file');
  const input = values.input;
  if (typeof input !== 'string') throw new UsageError('predict needs --input <file.csv|file.json|->');
  const backend = String(values.backend);
  if (!['auto', 'wasm', 'cpu', 'node'].includes(backend)) throw new UsageError(`unknown backend "${backend}"`);
  let text: string;
  try {
    text = input === '-' ? readFileSync(0, 'utf8') : readFileSync(input, 'utf8');
  } catch (e) {
    process.stderr.write(`model-bundles: ${input}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 2;
  }
  try {
    const result = await predict(
      {
        target: paths[0],
        input: { text, name: input === '-' ? 'stdin' : input },
        ...scalerOptions(values.scaler as unknown as string[] | undefined),
        targetScaler: values['target-scaler'] as string | undefined,
        skipScaler: values['no-scaler'] === true,
        skipTargetScaler: values['no-target-scaler'] === true,
        backend: backend as BackendPreference,
        wasmDir: wasmDir(),
      },
      new NodeFileSource(),
    );
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatPrediction(result));
    return 0;
  } catch (e) {
    if (e instanceof ReadError) {
      process.stderr.write(`model-bundles: ${e.message}\n`);
      return PREPROCESSING_REFUSALS.has(e.code) ? 2 : 1;
    }
    throw e;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`model-bundles: ${msg}\n${e instanceof UsageError ? "Run 'model-bundles --help' for usage.\n" : ''}`);
    process.exitCode = 2;
  },
);
