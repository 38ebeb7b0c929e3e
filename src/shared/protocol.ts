// Typed messages between the extension host and the bundle webview, and the validation of what
// the webview sends (the webview is a trust boundary: its messages are checked field by field).
import type { BundleViewModel, ContractDocumentId, ContractView, CurveOptions, CurvesView, PredictionSchema, PredictionView, TabId } from './viewModels';
import { recoverAnswersError, type RecoverAnswers, type RecoverView } from './recoverView';

/** Messages the host sends to the webview. */
export type HostToWebview =
  | { type: 'state'; model: BundleViewModel }
  | { type: 'curves'; curves: CurvesView }
  | { type: 'focus'; tab: TabId; path: string | null }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'predictionSchema'; schema: PredictionSchema }
  | { type: 'predictionResult'; result: PredictionView }
  | { type: 'predictionError'; message: string }
  | { type: 'contract'; contract: ContractView }
  | { type: 'recover'; view: RecoverView };

/** Messages the webview sends to the host. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'setCurveOptions'; options: CurveOptions }
  | { type: 'exportData'; format: 'csv' | 'json'; chartId: string }
  | { type: 'savePng'; chartId: string; dataUrl: string }
  | { type: 'openFile'; path: string }
  | { type: 'predict'; input: string; skipPreprocessing?: boolean }
  | { type: 'copyContract'; document: ContractDocumentId }
  | { type: 'recoverRun'; answers: RecoverAnswers }
  | { type: 'recoverSave' };

/** For exhaustive switches: a new message type does not compile until it is handled. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}

/** Default curve options. */
export const DEFAULT_CURVE_OPTIONS: CurveOptions = {
  smoothing: 'none',
  emaWeight: 0.6,
  maWindow: 5,
  xAxis: 'step',
  maxPoints: 2000,
};

/** Largest PNG data URL accepted from the webview (characters). */
export const MAX_PNG_DATA_URL = 32 * 1024 * 1024;
/** Longest prediction input (CSV or JSON text) accepted from the webview, in characters. */
export const MAX_PREDICT_INPUT = 1_000_000;
/** Longest chart id or path accepted from the webview. */
export const MAX_ID_LENGTH = 4096;

/** The outcome of validating a webview message. */
export type Validated<T> = { ok: true; message: T } | { ok: false; error: string };

const PNG_PREFIX = 'data:image/png;base64,';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(v: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const k of Object.keys(v)) if (!keys.includes(k)) return `unexpected field '${k}'`;
  return null;
}

function shortString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}

/** Checks curve options sent by the webview; returns the error or null. */
export function curveOptionsError(v: unknown): string | null {
  if (!isRecord(v)) return 'options is not an object';
  const extra = onlyKeys(v, ['smoothing', 'emaWeight', 'maWindow', 'xAxis', 'maxPoints']);
  if (extra) return `options: ${extra}`;
  if (v.smoothing !== 'none' && v.smoothing !== 'ema' && v.smoothing !== 'ma') return 'options.smoothing must be none, ema or ma';
  if (typeof v.emaWeight !== 'number' || !(v.emaWeight >= 0 && v.emaWeight < 1)) return 'options.emaWeight must be a number in [0, 1)';
  if (typeof v.maWindow !== 'number' || !Number.isInteger(v.maWindow) || v.maWindow < 1 || v.maWindow > 100000)
    return 'options.maWindow must be an integer in [1, 100000]';
  if (v.xAxis !== 'step' && v.xAxis !== 'wallTime') return 'options.xAxis must be step or wallTime';
  if (typeof v.maxPoints !== 'number' || !Number.isInteger(v.maxPoints) || v.maxPoints < 10 || v.maxPoints > 100000)
    return 'options.maxPoints must be an integer in [10, 100000]';
  return null;
}

/** Validates a message from the webview: known type, exactly the expected fields, sane values. */
export function validateWebviewMessage(raw: unknown): Validated<WebviewToHost> {
  if (!isRecord(raw)) return { ok: false, error: 'message is not an object' };
  const type = raw.type;
  const fail = (error: string): Validated<WebviewToHost> => ({ ok: false, error: `${String(type)}: ${error}` });
  switch (type) {
    case 'ready': {
      const extra = onlyKeys(raw, ['type']);
      return extra ? fail(extra) : { ok: true, message: { type } };
    }
    case 'setCurveOptions': {
      const extra = onlyKeys(raw, ['type', 'options']);
      if (extra) return fail(extra);
      const err = curveOptionsError(raw.options);
      if (err) return fail(err);
      const o = raw.options as CurveOptions;
      return {
        ok: true,
        message: { type, options: { smoothing: o.smoothing, emaWeight: o.emaWeight, maWindow: o.maWindow, xAxis: o.xAxis, maxPoints: o.maxPoints } },
      };
    }
    case 'exportData': {
      const extra = onlyKeys(raw, ['type', 'format', 'chartId']);
      if (extra) return fail(extra);
      if (raw.format !== 'csv' && raw.format !== 'json') return fail('format must be csv or json');
      if (!shortString(raw.chartId)) return fail('chartId must be a non-empty string');
      return { ok: true, message: { type, format: raw.format, chartId: raw.chartId } };
    }
    case 'savePng': {
      const extra = onlyKeys(raw, ['type', 'chartId', 'dataUrl']);
      if (extra) return fail(extra);
      if (!shortString(raw.chartId)) return fail('chartId must be a non-empty string');
      const url = raw.dataUrl;
      if (typeof url !== 'string' || !url.startsWith(PNG_PREFIX)) return fail('dataUrl must be a PNG data URL');
      if (url.length > MAX_PNG_DATA_URL) return fail('dataUrl is too large');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(url.slice(PNG_PREFIX.length))) return fail('dataUrl is not valid base64');
      return { ok: true, message: { type, chartId: raw.chartId, dataUrl: url } };
    }
    case 'openFile': {
      const extra = onlyKeys(raw, ['type', 'path']);
      if (extra) return fail(extra);
      if (!shortString(raw.path)) return fail('path must be a non-empty string');
      return { ok: true, message: { type, path: raw.path } };
    }
    case 'predict': {
      const extra = onlyKeys(raw, ['type', 'input', 'skipPreprocessing']);
      if (extra) return fail(extra);
      if (typeof raw.input !== 'string' || raw.input.trim() === '') return fail('input must be a non-empty string');
      if (raw.input.length > MAX_PREDICT_INPUT) return fail(`input is longer than ${MAX_PREDICT_INPUT} characters`);
      if (raw.skipPreprocessing !== undefined && typeof raw.skipPreprocessing !== 'boolean') return fail('skipPreprocessing must be a boolean');
      return { ok: true, message: raw.skipPreprocessing ? { type, input: raw.input, skipPreprocessing: true } : { type, input: raw.input } };
    }
    case 'copyContract': {
      const extra = onlyKeys(raw, ['type', 'document']);
      if (extra) return fail(extra);
      if (raw.document !== 'openapi' && raw.document !== 'row' && raw.document !== 'batch') return fail('document must be openapi, row or batch');
      return { ok: true, message: { type, document: raw.document } };
    }
    case 'recoverRun': {
      const extra = onlyKeys(raw, ['type', 'answers']);
      if (extra) return fail(extra);
      const err = recoverAnswersError(raw.answers);
      if (err) return fail(err);
      const a = raw.answers as RecoverAnswers;
      return {
        ok: true,
        message: { type, answers: { script: a.script, data: a.data, random_state: a.random_state, test_size: a.test_size, scaler: a.scaler, loss: a.loss } },
      };
    }
    case 'recoverSave': {
      const extra = onlyKeys(raw, ['type']);
      return extra ? fail(extra) : { ok: true, message: { type } };
    }
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 64) : typeof type)}` };
  }
}

/** Decodes the PNG bytes of a validated `savePng` data URL (checks the PNG signature). */
export function pngBytesFromDataUrl(dataUrl: string): Uint8Array | null {
  if (!dataUrl.startsWith(PNG_PREFIX)) return null;
  const bin = atob(dataUrl.slice(PNG_PREFIX.length));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (out.length < sig.length || sig.some((b, i) => out[i] !== b)) return null;
  return out;
}
