// `model-bundles recover-scaler <bundle> [--script train.py] [--data data.csv] [--set k=v]...
//  [--out DIR] [--yes] [--force] [--json]`: rebuilds a lost scaler from the training data and the
// script's recipe, proves it against the training log, and writes it only where asked.
// Exit codes: 0 proven, 1 recovered without proof or proof failed, 2 cannot recover.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NodeFileSource } from '../core/io/nodeFileSource';
import { predict } from '../core/predict/predict';
import { recoverScaler, type RecoverResult } from '../core/recover/recover';
import { TOOL_VERSION } from '../core/report/report';
import type { Scaler } from '../core/types';

export const RECOVER_USAGE = `Usage: model-bundles recover-scaler <bundle-folder> [--script train.py] [--data data.csv]
         [--set random_state=42] [--set test_size=0.2] [--set scaler=MinMaxScaler] [--set loss=mse]
         [--out DIR] [--yes] [--force] [--json]

Reads the training script's recipe (never runs it), reproduces train_test_split and the scaler's
fit on the data file, runs the model on the reproduced validation data and compares the loss with
the log's last val_loss. Writes <scaler>.pkl and <scaler>.recovery.json only into --out DIR, or
into the bundle folder with --yes; otherwise prints what it would write. A failed proof writes
nothing unless --force.
Exit: 0 proven, 1 recovered without proof (or the proof failed), 2 cannot recover.
`;

function wasmDir(): string | undefined {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname;
  try {
    return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

function num(v: number): string {
  return String(Number(v.toPrecision(7)));
}

function scalerLines(label: string, s: Scaler | null): string[] {
  if (!s) return [];
  const out = [`${label}: ${s.class}, ${s.nFeaturesIn ?? '?'} feature(s)${s.featureNames ? ` (${s.featureNames.join(', ')})` : ''}`];
  for (const [k, v] of Object.entries(s.params)) out.push(`  ${k.padEnd(16)} ${Array.isArray(v) ? `[${v.map(num).join(', ')}]` : num(v)}`);
  return out;
}

function formatText(r: RecoverResult, written: string[], pending: string[], why: string | null): string {
  const lines: string[] = [];
  const rc = r.recipe;
  if (r.script) lines.push(`script: ${r.script}`);
  if (rc) {
    const d = rc.data;
    if (d)
      lines.push(
        `data: ${r.data ?? d.path ?? '?'} (${d.reader}${d.sep !== null ? `, sep '${d.sep}'` : ', whitespace'}${d.header === null ? ', no header' : ''})${r.rows !== null ? `: ${r.rows} rows` : ''}${r.dataSha256 ? `, sha256 ${r.dataSha256.slice(0, 12)}…` : ''}`,
      );
    const sp = rc.split;
    if (sp) {
      const size = (s: { kind: string; value: number } | null): string => (s ? String(s.value) : 'None');
      lines.push(
        `split: train_test_split(test_size=${size(sp.testSize)}, train_size=${size(sp.trainSize)}, random_state=${sp.randomState ?? 'None'}, shuffle=${sp.shuffle ? 'True' : 'False'})${sp.nTrain !== undefined ? `: ${sp.nTrain} train / ${sp.nTest} test rows` : ''}`,
      );
    }
    if (rc.scaler)
      lines.push(
        `scaler: ${rc.scaler.class}(${Object.entries(rc.scaler.args)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')}) fitted on ${rc.scaler.fittedOn}${rc.scaler.fittedRows !== undefined ? ` (${rc.scaler.fittedRows} rows)` : ''}`,
      );
    if (rc.targetScaler) lines.push(`target scaler: ${rc.targetScaler.class} fitted on ${rc.targetScaler.fittedOn}`);
    lines.push(`validation: ${rc.validation ?? 'none'}; loss: ${rc.loss ?? 'from the model file'}`);
  }
  for (const b of r.blanks) lines.push(`blank (${b.field}): ${b.reason}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(...scalerLines('recovered', r.scaler), ...scalerLines('recovered target scaler', r.targetScaler));
  if (r.proof) {
    const verdict = { proven: 'PROVEN', close: 'NOT PROVEN', failed: 'FAILED', missing: 'NO PROOF' }[r.proof.status];
    lines.push(`proof: ${r.proof.message} [${verdict}]`);
    for (const c of r.proof.check) lines.push(`  check: ${c}`);
  }
  if (r.error) lines.push(`cannot recover: ${r.error}`);
  for (const w of written) lines.push(`wrote ${w}`);
  if (pending.length) {
    lines.push(why ?? 'would write (pass --yes to write into the bundle folder, or --out DIR):');
    for (const p of pending) lines.push(`  ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where the command prints (tests capture it). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const STDIO: CliIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

/** Runs `recover-scaler`; returns the exit code. */
export async function runRecoverScaler(argv: string[], io: CliIo = STDIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        script: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        set: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err(`model-bundles recover-scaler: ${(e as Error).message}\n${RECOVER_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(RECOVER_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`model-bundles recover-scaler: give one bundle folder\n${RECOVER_USAGE}`);
    return 2;
  }
  const set: Record<string, string> = {};
  for (const kv of values.set ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) {
      io.err(`model-bundles recover-scaler: --set ${kv}: expected name=value\n`);
      return 2;
    }
    set[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const source = new NodeFileSource();
  const wasm = wasmDir();
  const r = await recoverScaler(
    {
      bundle: positionals[0],
      script: values.script,
      data: values.data,
      set,
      toolVersion: TOOL_VERSION,
      runModel: (req) => predict({ ...req, wasmDir: wasm }, source),
    },
    source,
  );
  const targets = r.files.map((f) => ({ ...f, dest: values.out ? join(values.out, basename(f.path)) : f.path }));
  const proofBad = r.proof?.status === 'failed' || r.proof?.status === 'close';
  let why: string | null = null;
  const written: string[] = [];
  let mayWrite = values.out !== undefined || values.yes === true;
  if (targets.length && proofBad && !values.force) {
    mayWrite = false;
    why = 'not written, the proof did not confirm the recipe (fix it with --set / --script / --data, or pass --force):';
  }
  if (mayWrite && targets.length) {
    try {
      if (values.out) mkdirSync(values.out, { recursive: true });
      for (const t of targets) {
        writeFileSync(t.dest, t.bytes);
        written.push(t.dest);
      }
    } catch (e) {
      io.err(`model-bundles recover-scaler: cannot write: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const pending = written.length ? [] : targets.map((t) => t.dest);
  if (values.json) {
    const doc = {
      ...r,
      files: targets.map((t) => ({ path: t.dest, role: t.role, bytes: t.bytes.length, written: written.includes(t.dest) })),
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    io.out(formatText(r, written, pending, why));
  }
  return r.exitCode;
}
