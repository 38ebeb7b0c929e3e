// Python code hidden in Keras configs, at any depth: Lambda / TFOpLambda layers, Keras 3
// `__lambda__` objects, Keras 2 `function_type: "lambda"` entries and marshalled bytecode strings,
// inside wrappers (TimeDistributed, Bidirectional), nested models, custom objects and the
// compile / training config (losses, metrics). Nothing is decoded beyond a few header bytes,
// nothing is run. The walk is iterative and bounded (a hostile config can nest or repeat anything).
import { PYTHON_ONLY_CLASSES, isObj } from './kerasConfig';

/** One place of a config that holds Python code. */
export interface PythonCodeSite {
  /** Where, e.g. `layers[2].config.layer (TimeDistributed) > Lambda`. */
  path: string;
  /** What: a class name (`Lambda`, `TFOpLambda`, `__lambda__`...) or `marshalled function`. */
  kind: string;
}

/** Class names that mean Python code or a Python-only layer. */
const CODE_CLASSES: ReadonlySet<string> = new Set([...PYTHON_ONLY_CLASSES, '__lambda__']);

/** Most values visited (a bigger config is walked up to here; the rest is not looked at). */
export const MAX_SCAN_NODES = 2_000_000;
/** Most sites reported per document. */
export const MAX_SITES = 100;

/** Marshalled Python code object (`TYPE_CODE` 'c', with or without FLAG_REF) in base64. */
const BASE64 = /^[A-Za-z0-9+/\r\n]{8,}={0,2}\s*$/;

/** True for a base64 string whose first bytes are a marshalled code object header. */
export function isMarshalledCode(s: string): boolean {
  if (s.length < 8 || !(s.startsWith('4') || s.startsWith('Yw')) || !BASE64.test(s)) return false;
  const b = decodeBase64Head(s.slice(0, 8));
  // TYPE_CODE (0x63, 0xe3 with FLAG_REF) then argcount as int32 LE (a small number)
  return (b[0] === 0xe3 || b[0] === 0x63) && b[2] === 0 && b[3] === 0 && b[4] === 0;
}

function decodeBase64Head(s: string): number[] {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: number[] = [];
  for (let i = 0; i + 3 < s.length; i += 4) {
    const n = (A.indexOf(s[i]) << 18) | (A.indexOf(s[i + 1]) << 12) | (A.indexOf(s[i + 2]) << 6) | A.indexOf(s[i + 3]);
    out.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
  }
  return out;
}

/** A place in the walk: a linked list back to the root, so no path is copied per value. */
interface Place {
  parent: Place | null;
  /** Path segment (`layers`, `[2]`, `config`). */
  seg: string;
  /** class_name of the object here, if any. */
  cls: string | null;
}

interface Item {
  v: unknown;
  at: Place;
  /** True inside a site already reported (its own code strings are not reported again). */
  inSite: boolean;
}

/** Path segments and enclosing class names shown at most (a hostile config nests thousands). */
const MAX_SHOWN = 16;

function shorten(xs: string[], n: number): string[] {
  return xs.length <= n ? xs : [...xs.slice(0, n / 2), `…${xs.length - n} more…`, ...xs.slice(xs.length - n / 2)];
}

function site(at: Place, kind: string): PythonCodeSite {
  const segs: string[] = [];
  const chain: string[] = [];
  for (let p: Place | null = at; p; p = p.parent) {
    if (p.seg) segs.push(p.seg);
    if (p !== at && p.cls !== null && p.parent !== null) chain.push(p.cls);
  }
  segs.reverse();
  chain.reverse();
  const path = shorten(segs, MAX_SHOWN).join('.').replace(/\.\[/g, '[') || '(root)';
  return {
    path: `${path}${chain.length ? ` (${shorten(chain, MAX_SHOWN).join(' > ')})` : ''} > ${kind}`,
    kind,
  };
}

function keySeg(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/**
 * The places of `value` that hold Python code, walking every object and array under it. `prefix`
 * starts every path (empty for a model's `config`). Sites inside a reported site are not repeated.
 */
export function scanPythonCode(value: unknown, prefix = '', budget = { nodes: MAX_SCAN_NODES }): PythonCodeSite[] {
  const out: PythonCodeSite[] = [];
  const root: Place = { parent: null, seg: prefix, cls: null };
  const stack: Item[] = [{ v: value, at: root, inSite: false }];
  while (stack.length && budget.nodes-- > 0 && out.length < MAX_SITES) {
    const { v, at, inSite } = stack.pop()!;
    if (typeof v === 'string') {
      if (!inSite && isMarshalledCode(v)) out.push(site(at, 'marshalled function'));
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const x = v[i];
        if ((typeof x === 'object' && x !== null) || typeof x === 'string')
          stack.push({
            v: x,
            at: { parent: at, seg: `[${i}]`, cls: null },
            inSite,
          });
      }
      continue;
    }
    if (!isObj(v)) continue;
    let here = inSite;
    const cls = typeof v.class_name === 'string' ? v.class_name : null;
    at.cls = cls;
    if (!inSite && cls !== null && CODE_CLASSES.has(cls)) {
      out.push(site(at, cls));
      here = true;
    } else if (!inSite && (v.function_type === 'lambda' || v.output_shape_type === 'lambda' || v.mask_type === 'lambda')) {
      out.push(site(at, 'marshalled function'));
      here = true;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const x = v[keys[i]];
      if ((typeof x === 'object' && x !== null) || typeof x === 'string')
        stack.push({
          v: x,
          at: { parent: at, seg: keySeg(keys[i]), cls: null },
          inSite: here,
        });
    }
  }
  return out;
}

/** Keys of a document that lead to the model config (tfjs `modelTopology`, HDF5 / SavedModel `model_config`). */
const WRAPPERS = ['modelTopology', 'model_config'] as const;

/**
 * The Python code in a whole model document: a `to_json()` document, a Keras 3 `config.json`
 * (with `compile_config`), a tfjs model.json (`modelTopology`, `training_config`) or an HDF5
 * `model_config`. Paths inside the model's config start at its layers (`layers[2]...`); paths
 * elsewhere start with their top-level key (`compile_config.loss...`). `extra` adds documents
 * stored beside it (an HDF5 `training_config`), each under its name.
 */
export function findPythonCode(doc: unknown, extra: Record<string, unknown> = {}): PythonCodeSite[] {
  const budget = { nodes: MAX_SCAN_NODES };
  const out: PythonCodeSite[] = [];
  let d = doc;
  for (let level = 0; level < 4 && isObj(d); level++) {
    const next = WRAPPERS.find((k) => isObj((d as Record<string, unknown>)[k]));
    const o: Record<string, unknown> = d;
    if (next === undefined && typeof o.class_name === 'string' && CODE_CLASSES.has(o.class_name))
      out.push(site({ parent: null, seg: '', cls: null }, o.class_name));
    for (const k of Object.keys(o)) {
      if (k === next) continue;
      out.push(...scanPythonCode(o[k], next === undefined && k === 'config' ? '' : k, budget));
    }
    if (next === undefined) break;
    d = o[next];
  }
  if (!isObj(d)) out.push(...scanPythonCode(d, '', budget));
  for (const [name, v] of Object.entries(extra)) out.push(...scanPythonCode(v, name, budget));
  return out.slice(0, MAX_SITES);
}
