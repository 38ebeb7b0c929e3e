// Recovers a lost scaler: finds the training script, reads its recipe, reproduces the split and
// the fit on the data file, proves the result against the training log, and prepares the files
// to write (the scaler pickle and its `<name>.recovery.json`). Writes nothing itself: the CLI and
// the extension write `files` only after the user confirms.
// Size: the orchestration of one command (script and data discovery, blanks and overrides, the
// proof's checklist, the recovery record).
import { sha256Hex } from '../bundles/bundle';
import { ReadError } from '../io/errors';
import { baseName, dirName, joinPath, type FileSource } from '../io/fileSource';
import { inspectPaths } from '../formats/inspect';
import type { FileReport, Scaler } from '../types';
import { readTable, type DataTable } from './csvData';
import { FITTABLE, type FittableClass } from './fitScaler';
import { pickleScaler } from './pickleWriter';
import { loggedValLoss, prove, type ModelRunner, type Proof } from './proof';
import { pyJson, type PyOut } from './pyValues';
import { lossName, readRecipe, symText, type Blank, type Recipe } from './recipe';
import { Reproduction, toRows, type Block } from './reproduce';
import { splitSizes, SplitError, type SplitSize } from './split';
import { FitError } from './fitScaler';

/** The sidecar that marks a scaler file as recovered (`scaler.pkl` → `scaler.recovery.json`). */
export const RECOVERY_SUFFIX = '.recovery.json';

/** What to recover and the user's answers to blanks. */
export interface RecoverRequest {
  /** The bundle folder (or a file in it). */
  bundle: string;
  script?: string;
  data?: string;
  /** Blanks filled in: random_state, test_size, train_size, shuffle, scaler, loss, validation_split. */
  set?: Record<string, string>;
  /** For the record (tests pass a fixed date). */
  now?: Date;
  toolVersion?: string;
  /** Runs the bundle's model for the proof. */
  runModel: ModelRunner;
}

/** A file to write. */
export interface RecoveredFile {
  path: string;
  bytes: Uint8Array;
  role: 'scaler' | 'target-scaler' | 'record';
}

/** The outcome. exitCode: 0 proven, 1 recovered without proof or proof failed, 2 cannot. */
export interface RecoverResult {
  status: 'proven' | 'unproven' | 'failed' | 'cannot';
  exitCode: 0 | 1 | 2;
  bundle: string;
  script: string | null;
  data: string | null;
  dataSha256: string | null;
  rows: number | null;
  recipe: RecipeSummary | null;
  blanks: Blank[];
  notes: string[];
  scaler: Scaler | null;
  targetScaler: Scaler | null;
  proof: Proof | null;
  files: RecoveredFile[];
  error: string | null;
}

/** The recipe as the user reads it (and as the recovery record keeps it). */
export interface RecipeSummary {
  script: string | null;
  data: Recipe['data'];
  split: {
    testSize: SplitSize | null;
    trainSize: SplitSize | null;
    randomState: number | null;
    shuffle: boolean;
    stratify: boolean;
    nTrain?: number;
    nTest?: number;
  } | null;
  scaler: { class: string; args: Record<string, unknown>; fittedOn: string; fittedRows?: number; variable: string | null } | null;
  targetScaler: { class: string; args: Record<string, unknown>; fittedOn: string; fittedRows?: number; variable: string | null } | null;
  validation: string | null;
  loss: string | null;
}

const SCRIPT_EXT = /\.(py|ipynb)$/i;

async function readText(source: FileSource, path: string): Promise<string> {
  return new TextDecoder().decode(await source.readFile(path));
}

/** Finds the training script: the one in the bundle folder (or its parent) that fits a scaler. */
async function findScript(source: FileSource, dir: string): Promise<{ path: string; recipe: Recipe } | null> {
  const candidates: { path: string; recipe: Recipe; score: number }[] = [];
  for (const d of [dir, dirName(dir)]) {
    let entries: { name: string; isDirectory: boolean }[];
    try {
      entries = await source.readDir(d);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory || !SCRIPT_EXT.test(e.name)) continue;
      const path = joinPath(d, e.name);
      const st = await source.stat(path);
      if (!st || st.size > 4 * 1024 * 1024) continue;
      const recipe = readRecipe(await readText(source, path), path);
      if (!recipe.scalers.some((s) => s.fitOn)) continue;
      const score = (recipe.data ? 2 : 0) + (recipe.fit ? 2 : 0) + (recipe.validation ? 1 : 0) + (d === dir ? 1 : 0);
      candidates.push({ path, recipe, score });
    }
    if (candidates.length) break;
  }
  candidates.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  return candidates[0] ?? null;
}

function parseSize(v: string): SplitSize {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ReadError('bad-value', `'${v}' is not a number`);
  return /[.eE]/.test(v) ? { kind: 'fraction', value: n } : { kind: 'count', value: n };
}

/** Applies the user's answers to the recipe's blanks (and lets them correct read values). */
function applyAnswers(r: Recipe, set: Record<string, string>): void {
  const clear = (field: Blank['field']): void => {
    r.blanks = r.blanks.filter((b) => b.field !== field);
  };
  for (const [k, v] of Object.entries(set)) {
    r.answered = [...(r.answered ?? []), k];
    switch (k) {
      case 'random_state': {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new ReadError('bad-value', `random_state=${v} is not an integer`);
        if (!r.split) r.splits.unshift((r.split = { testSize: null, trainSize: null, randomState: null, shuffle: true, stratify: false, line: -1 }));
        r.split.randomState = n;
        clear('random_state');
        break;
      }
      case 'test_size':
      case 'train_size': {
        if (!r.split) r.splits.unshift((r.split = { testSize: null, trainSize: null, randomState: null, shuffle: true, stratify: false, line: -1 }));
        r.split[k === 'test_size' ? 'testSize' : 'trainSize'] = parseSize(v);
        clear('test_size');
        break;
      }
      case 'shuffle':
        if (r.split) r.split.shuffle = !/^(false|0|no)$/i.test(v);
        break;
      case 'loss': {
        const l = lossName(v);
        if (!l) throw new ReadError('bad-value', `loss=${v}: use mse, mae, binary_crossentropy or categorical_crossentropy`);
        r.loss = l;
        clear('loss');
        break;
      }
      case 'scaler': {
        if (!(FITTABLE as readonly string[]).includes(v)) throw new ReadError('bad-value', `scaler=${v}: use ${FITTABLE.join(', ')}`);
        const s = r.inputScaler !== null ? r.scalers[r.inputScaler] : null;
        if (!s) throw new ReadError('bad-value', 'scaler=: the script fits no scaler whose class could be replaced');
        s.cls = v as FittableClass;
        s.writtenClass = v;
        clear('scaler');
        break;
      }
      default:
        throw new ReadError('bad-value', `unknown answer '${k}' (use random_state, test_size, train_size, shuffle, scaler, loss)`);
    }
  }
}

function scalerSummary(r: Recipe, id: number | null, rep: Reproduction | null): RecipeSummary['scaler'] {
  if (id === null) return null;
  const s = r.scalers[id];
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.args)) args[k] = pyJson(v);
  let fittedRows: number | undefined;
  try {
    fittedRows = rep ? rep.fit(id).rows : undefined;
  } catch {
    fittedRows = undefined;
  }
  return { class: s.writtenClass, args, fittedOn: s.fitText ?? 'never fitted', fittedRows, variable: s.variable };
}

function summarize(r: Recipe, rep: Reproduction | null): RecipeSummary {
  let sizes: { nTrain?: number; nTest?: number } = {};
  const n = rep?.splitRows() ?? null;
  if (r.split && n !== null) {
    try {
      const s = splitSizes(n, r.split.testSize, r.split.trainSize);
      sizes = { nTrain: s.nTrain, nTest: s.nTest };
    } catch {
      sizes = {};
    }
  }
  return {
    script: r.script,
    data: r.data,
    split: r.split
      ? {
          testSize: r.split.testSize,
          trainSize: r.split.trainSize,
          randomState: r.split.randomState,
          shuffle: r.split.shuffle,
          stratify: r.split.stratify,
          ...sizes,
        }
      : null,
    scaler: scalerSummary(r, r.inputScaler, rep),
    targetScaler: scalerSummary(r, r.targetScaler, rep),
    validation: r.validation ? r.validation.text : null,
    loss: r.loss,
  };
}

/** What to check when the proof fails, from the recipe. */
function checklist(r: Recipe, dataPath: string | null, sha: string | null): string[] {
  const out: string[] = [];
  const where = (line: number | undefined): string => (line !== undefined && line >= 0 && r.script ? ` (${baseName(r.script)} line ${line + 1})` : '');
  const given = (k: string, line: number): string => (r.answered?.includes(k) ? ' (given, not from the script)' : where(line));
  if (r.split) {
    out.push(`random_state=${r.split.randomState ?? 'None'}${given('random_state', r.split.line)}: the seed of the split`);
    const ts = r.split.testSize;
    out.push(`test_size=${ts ? ts.value : 'default 0.25'}${r.split.trainSize ? `, train_size=${r.split.trainSize.value}` : ''}: the size of the split`);
    for (const s of r.splits.slice(1))
      out.push(`the further split${where(s.line)}: random_state=${s.randomState ?? 'None'}, test_size=${s.testSize?.value ?? 'default'}`);
  }
  const s = r.inputScaler !== null ? r.scalers[r.inputScaler] : null;
  if (s) {
    out.push(`${s.writtenClass} fitted on ${s.fitText ?? '?'}${where(s.line)}: which rows and columns it saw (${symText(s.fitOn)})`);
  }
  if (dataPath) out.push(`the data file ${dataPath}${sha ? ` (sha256 ${sha.slice(0, 12)}…)` : ''}: is it the file the model was trained on, unchanged?`);
  out.push(`the loss ${r.loss ?? '(from the model file)'} and the validation data ${r.validation?.text ?? '?'}`);
  return out;
}

function numericRows(rep: Reproduction, b: Block, what: string): number[][] {
  const cols = rep.numeric(b, { k: 'unknown', why: what });
  return toRows(cols);
}

function cannot(base: Partial<RecoverResult> & { bundle: string }, error: string): RecoverResult {
  return {
    status: 'cannot',
    exitCode: 2,
    script: null,
    data: null,
    dataSha256: null,
    rows: null,
    recipe: null,
    blanks: [],
    notes: [],
    scaler: null,
    targetScaler: null,
    proof: null,
    files: [],
    ...base,
    error,
  };
}

/** `_sklearn_version` to write: the bundle's other pickles', else a pin in requirements.txt, else 1.2.1. */
async function sklearnVersionOf(reports: FileReport[], source: FileSource, dir: string): Promise<string> {
  for (const r of reports) {
    const v = r.scaler?.sklearnVersion;
    if (v) return v;
  }
  for (const d of [dir, dirName(dir), dirName(dirName(dir))]) {
    const p = joinPath(d, 'requirements.txt');
    const st = await source.stat(p);
    if (!st || st.isDirectory || st.size > 1024 * 1024) continue;
    const m = /^\s*scikit[-_]learn\s*==\s*([0-9][0-9A-Za-z.+-]*)/im.exec(await readText(source, p));
    if (m) return m[1];
  }
  return '1.2.1';
}

function freeName(reports: FileReport[], dir: string, stem: string): string {
  const taken = new Set(reports.map((r) => r.path));
  let name = `${stem}.pkl`;
  for (let k = 1; taken.has(joinPath(dir, name)); k++) name = `${stem}.recovered${k > 1 ? k : ''}.pkl`;
  return joinPath(dir, name);
}

/** Recovers the bundle's scaler. Never throws for bad input: the result says what went wrong. */
export async function recoverScaler(req: RecoverRequest, source: FileSource): Promise<RecoverResult> {
  const st = await source.stat(req.bundle);
  if (!st) return cannot({ bundle: req.bundle }, `${req.bundle}: no such file or folder`);
  const dir = st.isDirectory ? req.bundle : dirName(req.bundle);
  const reports = await inspectPaths([dir], source);
  let recipe: Recipe;
  let script: string | null = null;
  try {
    if (req.script) {
      script = req.script;
      recipe = readRecipe(await readText(source, req.script), req.script);
    } else {
      const found = await findScript(source, dir);
      if (!found) {
        return cannot({ bundle: dir }, `no training script (.py / .ipynb) that fits a scaler was found in ${dir} or its parent: give it with --script`);
      }
      script = found.path;
      recipe = found.recipe;
    }
    applyAnswers(recipe, req.set ?? {});
  } catch (e) {
    return cannot({ bundle: dir, script }, e instanceof Error ? e.message : String(e));
  }

  // The data file: --data, else the script's path from the script's folder, then the bundle's.
  let dataPath: string | null = req.data ?? null;
  if (!dataPath && recipe.data?.path) {
    const p = recipe.data.path;
    const sd = dirName(script ?? dir);
    const tries = p.startsWith('/') ? [p] : [...new Set([joinPath(sd, p), joinPath(dir, p), joinPath(dirName(sd), p)])];
    for (const t of tries) {
      if ((await source.stat(t))?.isDirectory === false) {
        dataPath = t;
        break;
      }
    }
    if (!dataPath)
      recipe.blanks.push({ field: 'data', reason: `the script reads '${p}', which is not in ${tries.map(dirName).join(' or ')}: give the file with --data` });
  }
  if (dataPath) recipe.blanks = recipe.blanks.filter((b) => b.field !== 'data' || !/path|--data/.test(b.reason));
  if (!recipe.data && dataPath) {
    recipe.data = { reader: 'read_csv', path: dataPath, sep: ',', header: 0, skiprows: null, usecols: null, naValues: [], indexCol: null, line: -1 };
  }
  const base = { bundle: dir, script, blanks: recipe.blanks, notes: recipe.notes };
  if (recipe.blanks.length || !dataPath) {
    return cannot(
      { ...base, recipe: summarize(recipe, null) },
      `the recipe has blanks to fill: ${recipe.blanks.map((b) => b.reason).join('; ') || 'the data file is unknown'}`,
    );
  }

  let table: DataTable;
  let sha: string;
  try {
    let bytes: Uint8Array;
    try {
      bytes = await source.readFile(dataPath);
    } catch (e) {
      throw new ReadError('not-found', `cannot read the data file ${dataPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    sha = await sha256Hex(bytes);
    const d = recipe.data!;
    table = readTable(new TextDecoder().decode(bytes), dataPath, {
      sep: d.sep,
      header: d.header,
      skiprows: d.skiprows,
      usecols: d.usecols,
      naValues: d.naValues,
      comment: d.reader === 'read_csv' ? null : '#',
      names: d.names ?? null,
    });
  } catch (e) {
    return cannot({ ...base, data: dataPath, recipe: summarize(recipe, null) }, e instanceof Error ? e.message : String(e));
  }
  const version = await sklearnVersionOf(reports, source, dir);
  const rep = new Reproduction(recipe, table, version);
  const result: RecoverResult = {
    ...base,
    status: 'cannot',
    exitCode: 2,
    data: dataPath,
    dataSha256: sha,
    rows: table.rows,
    recipe: null,
    scaler: null,
    targetScaler: null,
    proof: null,
    files: [],
    error: null,
  };
  try {
    const input = recipe.inputScaler !== null ? rep.fit(recipe.inputScaler) : null;
    const target = recipe.targetScaler !== null ? rep.fit(recipe.targetScaler) : null;
    result.scaler = input?.scaler ?? null;
    result.targetScaler = target?.scaler ?? null;
    const check = checklist(recipe, dataPath, sha);
    const log = loggedValLoss(reports);
    let val: { x: number[][]; y: number[][] } | null = null;
    let valError: string | null = null;
    if (recipe.validation) {
      try {
        val = {
          x: numericRows(rep, rep.evaluate(recipe.validation.x), 'validation inputs'),
          y: numericRows(rep, rep.evaluate(recipe.validation.y), 'validation targets'),
        };
      } catch (e) {
        // The scaler is recovered; only its proof is out of reach (windows built in a loop...).
        if (!(e instanceof ReadError || e instanceof SplitError)) throw e;
        valError = e.message;
      }
    }
    if (val) {
      result.proof = await prove({ source, target: dir, x: val.x, y: val.y, loss: recipe.loss, log, check, run: req.runModel });
    } else {
      // No validation rows to run the model on: the proof is missing, and the message says why.
      result.proof = {
        status: 'missing',
        loss: recipe.loss,
        recomputed: null,
        logged: log?.value ?? null,
        gapPercent: null,
        logFile: log?.file ?? null,
        model: null,
        validationRows: 0,
        message: valError
          ? `proof missing: the validation data ${recipe.validation!.text} cannot be reproduced (${valError})`
          : 'proof missing: model.fit in the script has no validation_data or validation_split to recompute val_loss on',
        check: [],
      };
    }
    result.recipe = summarize(recipe, rep);
    const proof = result.proof;
    result.status = proof.status === 'proven' ? 'proven' : proof.status === 'failed' ? 'failed' : 'unproven';
    result.exitCode = proof.status === 'proven' ? 0 : 1;
    const when = (req.now ?? new Date()).toISOString();
    for (const [role, fit, stem] of [
      ['scaler', input, 'scaler'],
      ['target-scaler', target, 'y_scaler'],
    ] as const) {
      if (!fit) continue;
      const path = freeName(reports, dir, stem);
      const id = role === 'scaler' ? recipe.inputScaler! : recipe.targetScaler!;
      result.files.push({ path, bytes: pickleScaler(fit.fitted, version), role });
      const record = {
        tool: { name: 'model-bundles', version: req.toolVersion ?? null },
        recovered: when,
        file: baseName(path),
        role,
        class: `${fit.fitted.module}.${fit.fitted.cls}`,
        sklearnVersion: version,
        params: Object.fromEntries(fit.fitted.state.map(([k, v]: [string, PyOut]) => [k, pyJson(v)])),
        recipe: result.recipe,
        provenance: {
          script: script ? baseName(script) : null,
          data: { file: baseName(dataPath), sha256: sha, rows: table.rows },
          fittedOn: recipe.scalers[id].fitText,
          fittedRows: fit.rows,
        },
        proof: {
          status: proof.status,
          message: proof.message,
          loss: proof.loss,
          recomputed: proof.recomputed,
          logged: proof.logged,
          gapPercent: proof.gapPercent,
          log: proof.logFile ? baseName(proof.logFile) : null,
        },
      };
      result.files.push({
        path: path.replace(/\.pkl$/, RECOVERY_SUFFIX),
        bytes: new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`),
        role: 'record',
      });
    }
    if (!input && !target) return { ...result, status: 'cannot', exitCode: 2, error: 'the script fits no scaler that the model uses' };
    return result;
  } catch (e) {
    const known = e instanceof ReadError || e instanceof SplitError || e instanceof FitError || e instanceof RangeError;
    if (!known) throw e;
    return { ...result, status: 'cannot', exitCode: 2, recipe: result.recipe ?? summarize(recipe, null), error: e.message };
  }
}
