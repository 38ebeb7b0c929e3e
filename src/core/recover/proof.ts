// The proof that a recovered scaler is the one the network was trained with: the bundle's model
// run (through the existing predict pipeline) on the reproduced validation data, the compiled
// loss recomputed, and compared with the last epoch's val_loss of the training log.
import { openHdf5 } from '../codecs/hdf5';
import { stringAttr } from '../formats/keras/kerasWeights';
import type { FileSource } from '../io/fileSource';
import { ReadError } from '../io/errors';
import type { PredictRequest, PredictResult } from '../predict/predict';
import type { FileReport } from '../types';
import { lossName } from './recipe';

/** Outcome of the proof. */
export interface Proof {
  /** proven: gap ≤ 0.1%; close: ≤ 1% (not proven); failed: over 1%; missing: nothing to compare. */
  status: 'proven' | 'close' | 'failed' | 'missing';
  loss: string | null;
  recomputed: number | null;
  logged: number | null;
  /** |recomputed - logged| / |logged|, in percent. */
  gapPercent: number | null;
  logFile: string | null;
  model: string | null;
  validationRows: number;
  /** One line: "recomputed val_loss 0.012345 vs logged 0.012346 (0.01%)" or why there is no proof. */
  message: string;
  /** What to check when the proof failed. */
  check: string[];
}

/**
 * Gap (percent) up to which the recomputed loss proves the recipe. An exact reproduction differs
 * from Keras' float32 val_loss by float rounding only (well under 0.01%); a wrong seed moves
 * it by whole percents, but on smooth data a wrong split can land within 1%, so 1% is not proof.
 */
export const PROOF_EXACT_PERCENT = 0.1;
/**
 * Runs the bundle's network (the predict pipeline: `predict(req, source)` in the CLI, the
 * prediction worker in the extension), so the recover wing does not load TensorFlow.js itself.
 */
export type ModelRunner = (req: PredictRequest) => Promise<PredictResult>;

/** Gap (percent) over which the recipe is probably wrong. */
export const PROOF_TOLERANCE_PERCENT = 1;

const EPSILON = 1e-7;

/** Keras' loss of predictions against targets (mean over every element / sample). */
export function computeLoss(loss: string, yTrue: number[][], yPred: number[][]): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < yPred.length; i++) {
    const p = yPred[i];
    const t = yTrue[i];
    if (loss === 'sparse_categorical_crossentropy') {
      const k = t.length === 1 ? t[0] : NaN;
      if (!Number.isInteger(k) || k < 0 || k >= p.length)
        throw new ReadError(
          'target-shape',
          `sparse_categorical_crossentropy needs one class index in [0, ${p.length}) per row, row ${i} has ${JSON.stringify(t)}`,
        );
      const s = p.reduce((a, x) => a + x, 0);
      total -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p[k] / s)));
      count++;
      continue;
    }
    if (loss === 'categorical_crossentropy') {
      if (t.length !== p.length)
        throw new ReadError('target-shape', `categorical_crossentropy needs one-hot targets of width ${p.length}, row ${i} has ${t.length}`);
      const s = p.reduce((a, x) => a + x, 0);
      let l = 0;
      for (let j = 0; j < p.length; j++) l -= t[j] * Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p[j] / s)));
      total += l;
      count++;
      continue;
    }
    if (t.length !== p.length) throw new ReadError('target-shape', `the model gives ${p.length} output(s) per row but the targets have ${t.length}`);
    let l = 0;
    for (let j = 0; j < p.length; j++) {
      const d = t[j] - p[j];
      if (loss === 'mse') l += d * d;
      else if (loss === 'mae') l += Math.abs(d);
      else if (loss === 'binary_crossentropy') {
        const q = Math.min(1 - EPSILON, Math.max(EPSILON, p[j]));
        l -= t[j] * Math.log(q + EPSILON) + (1 - t[j]) * Math.log(1 - q + EPSILON);
      } else throw new ReadError('unsupported-loss', `loss '${loss}' is not supported`);
    }
    total += l / p.length;
    count++;
  }
  return total / count;
}

/** The loss a Keras HDF5 model file was compiled with (its training_config), or null. */
export async function trainingConfigLoss(source: FileSource, model: string): Promise<string | null> {
  if (!/\.(h5|hdf5|keras)$/i.test(model) || /\.keras$/i.test(model)) return null;
  try {
    const f = await openHdf5(source, model);
    try {
      const text = stringAttr(f, '/', 'training_config');
      if (!text) return null;
      const cfg = JSON.parse(text) as { loss?: unknown };
      const l = cfg.loss;
      if (typeof l === 'string') return lossName(l);
      if (l && typeof l === 'object') {
        const o = l as { class_name?: unknown; config?: { name?: unknown } };
        if (typeof o.class_name === 'string') return lossName(o.class_name);
      }
      return null;
    } finally {
      f.close();
    }
  } catch {
    return null;
  }
}

/** The last val_loss of the bundle's training logs (the newest log first), with its file. */
export function loggedValLoss(reports: FileReport[]): { value: number; file: string } | null {
  const logs = reports.filter((r) => r.role === 'log' && r.log?.series.val_loss);
  logs.sort((a, b) => (b.mtimeMs ?? 0) - (a.mtimeMs ?? 0));
  const l = logs[0];
  return l ? { value: l.log!.series.val_loss.last, file: l.path } : null;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toFixed(6) : x.toPrecision(6);
}

/**
 * Runs the proof: `x` / `y` are the reproduced validation inputs (already through the recovered
 * input scaler) and targets (through the target scaler when the script scaled them).
 */
export async function prove(opts: {
  source: FileSource;
  target: string;
  x: number[][];
  y: number[][];
  loss: string | null;
  log: { value: number; file: string } | null;
  check: string[];
  run: ModelRunner;
}): Promise<Proof> {
  const base = { loss: opts.loss, logFile: opts.log?.file ?? null, validationRows: opts.x.length, check: opts.check };
  if (!opts.log) {
    return {
      ...base,
      status: 'missing',
      recomputed: null,
      logged: null,
      gapPercent: null,
      model: null,
      message: 'proof missing: the bundle has no training log with val_loss to compare with',
      check: [],
    };
  }
  const r = await opts.run({
    target: opts.target,
    input: { text: JSON.stringify(opts.x), name: 'reproduced validation data' },
    skipScaler: true,
    skipTargetScaler: true,
  });
  const loss = opts.loss ?? (await trainingConfigLoss(opts.source, r.model));
  if (!loss) {
    return {
      ...base,
      loss: null,
      status: 'missing',
      recomputed: null,
      logged: opts.log.value,
      gapPercent: null,
      model: r.model,
      message:
        "proof missing: the compiled loss is unknown (neither model.compile(loss=...) in the script nor the model's training_config); give it with --set loss=mse",
      check: [],
    };
  }
  const recomputed = computeLoss(loss, opts.y, r.outputs);
  const logged = opts.log.value;
  const gapPercent = (Math.abs(recomputed - logged) / Math.max(Math.abs(logged), 1e-300)) * 100;
  const ok = Number.isFinite(gapPercent) && gapPercent <= PROOF_EXACT_PERCENT;
  const close = !ok && Number.isFinite(gapPercent) && gapPercent <= PROOF_TOLERANCE_PERCENT;
  const line = `recomputed val_loss ${fmt(recomputed)} vs logged ${fmt(logged)} (${gapPercent < 0.01 ? gapPercent.toFixed(4) : gapPercent.toFixed(2)}%)`;
  return {
    ...base,
    loss,
    status: ok ? 'proven' : close ? 'close' : 'failed',
    recomputed,
    logged,
    gapPercent,
    model: r.model,
    message: ok
      ? line
      : close
        ? `${line}: close but not exact (an exact reproduction is within ${PROOF_EXACT_PERCENT}%): a regularization penalty in the logged loss, or a recipe that is almost right, can explain it; not proven`
        : `${line}: over ${PROOF_TOLERANCE_PERCENT}%, the recipe is probably wrong`,
    check: ok ? [] : opts.check,
  };
}
