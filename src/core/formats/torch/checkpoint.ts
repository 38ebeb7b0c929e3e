// What a torch.save value is: a state dict, a checkpoint dict holding one (the PyTorch tutorial's
// keys, PyTorch Lightning's), or a TorchScript module tree; its weights grouped by layer (key split
// at the last dot), the checkpoint's other values as plain JSON and its per-epoch lists as a log.
import { summarizeLog } from '../shared/logSummary';
import { stateDictInput } from '../shared/stateDictInput';
import { TORCH_DTYPE_SIZE, TorchNdArray, TorchObject, TorchTensor, TorchTuple, type TorchKey, type TorchValue } from '../shared/torchValue';
import type { JsonValue, LogSummary, TensorInfo, TorchSummary, WeightsSummary } from '../../types';

/** Keys under which checkpoint dicts keep the model's state dict, in order of preference. */
export const STATE_DICT_KEYS = [
  'state_dict',
  'model_state_dict',
  'model',
  'net',
  'model_state',
  'network',
  'module',
  'state',
  'weights',
  'params',
  'ema',
  'model_ema',
];
/** Keys of optimizer / scheduler state: summarised, never counted as model parameters. */
const OPTIMIZER_KEYS =
  /^(optimizer|optimizers|optimizer_state_dict|optimizer_states|optim|opt|scheduler|lr_scheduler|lr_schedulers|scheduler_state_dict|scaler|amp|grad_scaler)$/i;

/** One named tensor of the model's state dict. */
export interface NamedTensor {
  name: string;
  tensor: TorchTensor;
}

/** What a torch value holds. */
export interface CheckpointView {
  kind: TorchSummary['kind'];
  stateDictKey: string | null;
  /** The model's tensors, in key order. */
  tensors: NamedTensor[];
  metadata: Record<string, JsonValue>;
  /** Per-epoch number lists (train_losses, val_acc...), as log series. */
  log: LogSummary | null;
  /** Tensors outside the model's state dict. */
  otherTensors: number;
}

function keyText(k: TorchKey): string {
  if (typeof k === 'string') return k;
  if (k instanceof TorchTuple) return `(${k.items.map((x) => String(x)).join(', ')})`;
  return String(k);
}

/** A Map whose values are all tensors (non-tensor entries such as `_extra_state` tolerated when tensors dominate). */
function asStateDict(v: TorchValue | undefined): NamedTensor[] | null {
  if (!(v instanceof Map) || v.size === 0) return null;
  const out: NamedTensor[] = [];
  let other = 0;
  for (const [k, x] of v) {
    if (typeof k !== 'string') return null;
    if (x instanceof TorchTensor) out.push({ name: k, tensor: x });
    else other++;
  }
  return out.length > 0 && other <= out.length / 4 ? out : null;
}

/** A dict of dicts of tensors (`{'encoder': state_dict, 'decoder': state_dict}`), flattened with dotted keys; null when anything else is inside. */
function nestedStateDict(v: TorchValue | undefined): NamedTensor[] | null {
  if (!(v instanceof Map) || v.size === 0) return null;
  const out: NamedTensor[] = [];
  const stack: { m: Map<TorchKey, TorchValue>; prefix: string; depth: number }[] = [{ m: v, prefix: '', depth: 0 }];
  const seen = new Set<object>();
  while (stack.length) {
    const { m, prefix, depth } = stack.pop()!;
    if (seen.has(m) || depth > 8) return null;
    seen.add(m);
    const kids: { m: Map<TorchKey, TorchValue>; prefix: string; depth: number }[] = [];
    for (const [k, x] of m) {
      if (typeof k !== 'string') return null;
      if (x instanceof TorchTensor) out.push({ name: prefix + k, tensor: x });
      else if (x instanceof Map) kids.push({ m: x, prefix: `${prefix}${k}.`, depth: depth + 1 });
      else return null;
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out.length ? out : null;
}

function countTensors(v: TorchValue): number {
  let n = 0;
  const seen = new Set<object>();
  const stack: TorchValue[] = [v];
  while (stack.length) {
    const x = stack.pop()!;
    if (x === null || typeof x !== 'object' || x instanceof Uint8Array || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof TorchTensor) n++;
    else if (Array.isArray(x)) stack.push(...x);
    else if (x instanceof TorchTuple) stack.push(...x.items);
    else if (x instanceof Map) stack.push(...x.values());
    else if (x instanceof TorchObject) stack.push(x.state);
  }
  return n;
}

function describeTensor(t: TorchTensor): string {
  return `tensor ${t.storage.dtype}[${t.shape.join(', ')}]`;
}

/** A plain JSON copy of a value: bounded depth and length, tensors described, shared nodes copied as met. */
export function toJson(v: TorchValue, depth = 0): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof TorchTensor) return describeTensor(v);
  if (v instanceof TorchNdArray) return v.values && v.values.length <= 100 ? v.values : `ndarray ${v.dtype}[${v.shape.join(', ')}]`;
  if (depth >= 6) return '…';
  if (Array.isArray(v) || v instanceof TorchTuple) {
    const items = Array.isArray(v) ? v : v.items;
    const out = items.slice(0, 100).map((x) => toJson(x, depth + 1));
    if (items.length > 100) out.push(`… ${items.length - 100} more`);
    return out;
  }
  if (v instanceof Map) {
    const o: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
    let n = 0;
    for (const [k, x] of v) {
      if (n++ >= 200) {
        o['…'] = `${v.size - 200} more keys`;
        break;
      }
      Object.defineProperty(o, keyText(k), { value: toJson(x, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return { ...o };
  }
  if (v instanceof TorchObject) return `<${v.className}>`;
  return null;
}

function summariseOptimizer(v: TorchValue): JsonValue {
  const n = countTensors(v);
  const groups = v instanceof Map ? v.get('param_groups') : Array.isArray(v) && v[0] instanceof Map ? v[0].get('param_groups') : undefined;
  const first = Array.isArray(groups) && groups[0] instanceof Map ? groups[0] : null;
  const out: Record<string, JsonValue> = { tensors: n };
  if (first) for (const k of ['lr', 'momentum', 'betas', 'weight_decay', 'eps']) if (first.has(k)) out[k] = toJson(first.get(k)!, 2);
  return out;
}

/** Lists of at least two finite numbers at the top level (or in a `history` / `log` dict): per-epoch series. */
function logSeries(m: Map<TorchKey, TorchValue>): LogSummary | null {
  const series: Record<string, { steps: number[]; values: number[] }> = {};
  const visit = (src: Map<TorchKey, TorchValue>, prefix: string): void => {
    for (const [k, v] of src) {
      if (typeof k !== 'string') continue;
      if (v instanceof Map && prefix === '' && /^(history|log|logs|metrics|train_history)$/i.test(k)) visit(v, '');
      // A list of per-epoch dicts ([{epoch: 0, loss: 0.9, val_loss: 1.0}, ...]): one series per numeric key.
      if (Array.isArray(v) && v.length >= 2 && v.every((x) => x instanceof Map)) {
        const rows = v as Map<TorchKey, TorchValue>[];
        const epochs = rows.map((r) => r.get('epoch'));
        const steps = epochs.every((e) => typeof e === 'number' && Number.isFinite(e)) ? (epochs as number[]) : rows.map((_r, i) => i);
        const names = new Set<string>();
        for (const r of rows) for (const [name, x] of r) if (typeof name === 'string' && name !== 'epoch' && typeof x === 'number') names.add(name);
        for (const name of names) {
          const idx = rows.map((r, i) => (typeof r.get(name) === 'number' && Number.isFinite(r.get(name)) ? i : -1)).filter((i) => i >= 0);
          if (idx.length >= 2) series[prefix + name] = { steps: idx.map((i) => steps[i]), values: idx.map((i) => rows[i].get(name) as number) };
        }
        continue;
      }
      const vals = Array.isArray(v) ? v : v instanceof TorchNdArray && v.shape.length === 1 ? v.values : null;
      if (!vals || vals.length < 2 || !vals.every((x) => typeof x === 'number' && Number.isFinite(x))) continue;
      series[prefix + k] = { steps: vals.map((_x, i) => i), values: vals as number[] };
    }
  };
  visit(m, '');
  return Object.keys(series).length ? summarizeLog({ source: 'pytorch', series }) : null;
}

/** Module tree of a TorchScript module: tensors under their dotted paths, in state order. */
function scriptTensors(root: TorchObject): NamedTensor[] {
  const out: NamedTensor[] = [];
  const seen = new Set<object>();
  const stack: { v: TorchValue; prefix: string }[] = [{ v: root, prefix: '' }];
  while (stack.length) {
    const { v, prefix } = stack.pop()!;
    if (!(v instanceof TorchObject) || seen.has(v) || !(v.state instanceof Map)) continue;
    seen.add(v);
    const kids: { v: TorchValue; prefix: string }[] = [];
    for (const [k, x] of v.state) {
      if (typeof k !== 'string') continue;
      if (x instanceof TorchTensor) out.push({ name: prefix + k, tensor: x });
      else if (x instanceof TorchObject) kids.push({ v: x, prefix: `${prefix}${k}.` });
    }
    // children in their order: pushed reversed onto the stack... but tensors of a module come before its children's
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out;
}

/** Classifies a torch value and extracts the model's tensors, metadata and log. Null when it holds no tensors at all. */
export function viewCheckpoint(value: TorchValue): CheckpointView | null {
  if (value instanceof TorchObject) {
    return { kind: 'torchscript', stateDictKey: null, tensors: scriptTensors(value), metadata: {}, log: null, otherTensors: 0 };
  }
  const direct = asStateDict(value);
  if (direct && value instanceof Map && [...value.values()].every((x) => x instanceof TorchTensor || !(x instanceof Map))) {
    return { kind: 'state-dict', stateDictKey: null, tensors: direct, metadata: {}, log: null, otherTensors: 0 };
  }
  if (value instanceof TorchTensor)
    return { kind: 'state-dict', stateDictKey: null, tensors: [{ name: 'tensor', tensor: value }], metadata: {}, log: null, otherTensors: 0 };
  if (!(value instanceof Map)) return null;
  const lightning = value.has('pytorch-lightning_version') || (value.has('state_dict') && value.has('global_step') && value.has('epoch'));
  let key: string | null = null;
  let tensors: NamedTensor[] | null = null;
  for (const k of STATE_DICT_KEYS) {
    const sd = asStateDict(value.get(k)) ?? nestedStateDict(value.get(k));
    if (sd) {
      key = k;
      tensors = sd;
      break;
    }
  }
  if (!tensors) {
    // Any other single dict of tensors (e.g. `generator`), else the tensors at the top level.
    for (const [k, v] of value) {
      if (typeof k === 'string' && !OPTIMIZER_KEYS.test(k)) {
        const sd = asStateDict(v);
        if (sd) {
          key = k;
          tensors = sd;
          break;
        }
      }
    }
  }
  if (!tensors) {
    const top = [...value].filter((e): e is [string, TorchTensor] => typeof e[0] === 'string' && e[1] instanceof TorchTensor);
    if (!top.length) return null;
    tensors = top.map(([name, tensor]) => ({ name, tensor }));
  }
  const metadata: Record<string, JsonValue> = {};
  let other = 0;
  for (const [k, v] of value) {
    const name = keyText(k);
    if (name === key || name === '__proto__') continue;
    if (key === null && v instanceof TorchTensor) continue;
    if (OPTIMIZER_KEYS.test(name)) {
      other += countTensors(v);
      metadata[name] = /optim|^opt$/i.test(name) ? summariseOptimizer(v) : toJson(v);
      continue;
    }
    other += countTensors(v);
    metadata[name] = toJson(v);
  }
  return { kind: lightning ? 'lightning' : 'checkpoint', stateDictKey: key, tensors, metadata, log: logSeries(value), otherTensors: other };
}

/** Weights grouped by layer: the key split at its last dot (`encoder.fc1.weight` → `encoder.fc1`, `weight`). */
export function weightsOf(tensors: NamedTensor[]): WeightsSummary {
  const layers: { name: string; tensors: TensorInfo[] }[] = [];
  const byName = new Map<string, TensorInfo[]>();
  let total = 0;
  let bytes = 0;
  for (const { name, tensor } of tensors) {
    const dot = name.lastIndexOf('.');
    const layer = dot > 0 ? name.slice(0, dot) : name;
    const tname = dot > 0 ? name.slice(dot + 1) : name;
    let list = byName.get(layer);
    if (!list) {
      list = [];
      byName.set(layer, list);
      layers.push({ name: layer, tensors: list });
    }
    list.push({ name: tname, shape: tensor.shape, dtype: tensor.storage.dtype });
    total += tensor.numel;
    bytes += tensor.numel * TORCH_DTYPE_SIZE[tensor.storage.dtype];
  }
  return { layers, totalParams: total, bytes };
}

/** The first Linear / Conv / RNN weight in key order and its input width (a scaler must match it). */
export const inputOf = stateDictInput;
