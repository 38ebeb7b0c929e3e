// Walks a Keras model (Sequential, or a functional Model's layer graph, nested models included)
// in the normalised Keras 2 form of predict/kerasToTfjs and emits one ONNX subgraph per layer call.
import { ReadError } from '../io/errors';
import type { LayerValues, TensorValues } from '../predict/network';
import { unsupported, type LayerContext, type Obj } from './kerasCommon';
import { convertLayer } from './kerasLayers';
import type { GraphBuilder, Value } from './onnxGraph';

/** One input of the network: its Keras name and shape (batch first, null = unknown). */
export interface NetworkInput {
  name: string;
  shape: (number | null)[];
}

/** One output of the network. */
export interface NetworkOutput {
  name: string;
  value: Value;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function layersOf(model: Obj): Obj[] {
  const c = model.config;
  const list = Array.isArray(c) ? c : isObj(c) && Array.isArray(c.layers) ? c.layers : [];
  return list.filter(isObj);
}

function layerName(l: Obj): string {
  const c = isObj(l.config) ? l.config : {};
  return String(c.name ?? l.name ?? l.class_name);
}

function shapeOf(cfg: Obj): (number | null)[] | null {
  const s = cfg.batch_input_shape ?? cfg.batch_shape;
  if (Array.isArray(s)) return s.map((d) => (typeof d === 'number' ? d : null));
  if (typeof cfg.input_length === 'number') return [null, cfg.input_length];
  return null;
}

/** The inputs of a normalised topology (`class_name` Sequential or Model). */
export function networkInputs(model: Obj): NetworkInput[] {
  const layers = layersOf(model);
  if (model.class_name === 'Sequential') {
    const first = layers[0];
    if (!first) throw new ReadError('not-a-model', 'Sequential model without layers');
    if (first.class_name === 'Sequential' || first.class_name === 'Model') return networkInputs(first);
    const cfg = isObj(first.config) ? first.config : {};
    const shape = shapeOf(cfg);
    if (!shape) throw new ReadError('unknown-input-shape', `the first layer '${layerName(first)}' does not record its input shape`);
    return [{ name: first.class_name === 'InputLayer' ? layerName(first) : `${layerName(first)}_input`, shape }];
  }
  const cfg = isObj(model.config) ? model.config : {};
  const refs = Array.isArray(cfg.input_layers) ? cfg.input_layers : [];
  return refs.map((r) => {
    const name = Array.isArray(r) ? String(r[0]) : String(r);
    const layer = layers.find((l) => layerName(l) === name);
    const shape = layer && isObj(layer.config) ? shapeOf(layer.config) : null;
    if (!shape) throw new ReadError('unknown-input-shape', `input layer '${name}' does not record its shape`);
    return { name, shape };
  });
}

/** Suffix of a Keras weight name (`dense_1/kernel:0` -> `kernel`), as network.ts matches them. */
function weightKey(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').replace(/_\d+$/, '');
}

/** Stored tensors of a layer: by exact layer name, else under `name/` (wrappers), else a path containing it. */
function storedFor(weights: LayerValues[], name: string): TensorValues[] | null {
  const exact = weights.find((l) => l.name === name);
  if (exact) return exact.tensors;
  const under = weights.filter((l) => l.name.startsWith(`${name}/`));
  if (under.length) return under.flatMap((l) => l.tensors);
  const inPath = weights.find((l) => l.name.split('/').includes(name));
  if (inPath) return inPath.tensors;
  const tensors = weights.flatMap((l) => l.tensors).filter((t) => t.name.split('/').includes(name));
  return tensors.length ? tensors : null;
}

function weightGetter(weights: LayerValues[], name: string, cls: string): (keys: string[]) => TensorValues[] {
  return (keys) => {
    const stored = storedFor(weights, name) ?? [];
    if (stored.length !== keys.length) {
      throw new ReadError(
        'weights-structure-mismatch',
        `layer '${name}' (${cls}): ${stored.length} stored weights, expected ${keys.length} (${keys.join(', ')})`,
      );
    }
    const used = new Set<number>();
    return keys.map((k, i) => {
      let idx = stored.findIndex((t, j) => !used.has(j) && weightKey(t.name) === k);
      if (idx < 0) idx = used.has(i) ? stored.findIndex((_, j) => !used.has(j)) : i;
      used.add(idx);
      return stored[idx];
    });
  };
}

class Walker {
  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: LayerValues[],
    private readonly keras3: boolean,
  ) {}

  private apply(layer: Obj, xs: Value[]): Value[] {
    const cls = String(layer.class_name);
    if (cls === 'Sequential' || cls === 'Model') return this.model(layer, xs).map((o) => o.value);
    const name = layerName(layer);
    const ctx: LayerContext = {
      g: this.g,
      name,
      cls,
      config: isObj(layer.config) ? layer.config : {},
      keras3: this.keras3,
      weights: weightGetter(this.weights, name, cls),
    };
    return convertLayer(ctx, xs);
  }

  model(model: Obj, inputs: Value[]): NetworkOutput[] {
    const layers = layersOf(model);
    if (model.class_name === 'Sequential') {
      let x = inputs;
      let last = 'input';
      for (const l of layers) {
        x = this.apply(l, x);
        last = layerName(l);
        if (x.length !== 1) throw unsupported(last, String(l.class_name), 'a layer with several outputs inside a Sequential model');
      }
      return [{ name: last, value: x[0] }];
    }
    const cfg = isObj(model.config) ? model.config : {};
    const done = new Map<string, Value[]>();
    const inRefs = (Array.isArray(cfg.input_layers) ? cfg.input_layers : []) as unknown[];
    if (inRefs.length !== inputs.length) throw new ReadError('not-a-model', `the model takes ${inRefs.length} inputs, ${inputs.length} given`);
    inRefs.forEach((r, i) => done.set(`${Array.isArray(r) ? String(r[0]) : String(r)}:0`, [inputs[i]]));
    const pending: { layer: Obj; node: number; refs: unknown[] }[] = [];
    for (const l of layers) {
      if (l.class_name === 'InputLayer') continue;
      const nodes = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
      nodes.forEach((n, k) => pending.push({ layer: l, node: k, refs: Array.isArray(n) ? n : [] }));
    }
    const refKey = (r: unknown): { key: string; tensor: number } => {
      const a = Array.isArray(r) ? r : [];
      return { key: `${String(a[0])}:${typeof a[1] === 'number' ? a[1] : 0}`, tensor: typeof a[2] === 'number' ? a[2] : 0 };
    };
    while (pending.length) {
      const i = pending.findIndex((p) => p.refs.every((r) => done.has(refKey(r).key)));
      if (i < 0) {
        const stuck = pending[0];
        throw new ReadError('not-a-model', `layer '${layerName(stuck.layer)}' is fed by layers that are never computed`);
      }
      const [p] = pending.splice(i, 1);
      const xs = p.refs.map((r) => {
        const { key, tensor } = refKey(r);
        const v = done.get(key)![tensor];
        if (!v) throw new ReadError('not-a-model', `layer '${layerName(p.layer)}' uses output ${tensor} of ${key}, which does not exist`);
        return v;
      });
      done.set(`${layerName(p.layer)}:${p.node}`, this.apply(p.layer, xs));
    }
    const outRefs = (Array.isArray(cfg.output_layers) ? cfg.output_layers : []) as unknown[];
    return outRefs.map((r) => {
      const { key, tensor } = refKey(r);
      const v = done.get(key)?.[tensor];
      if (!v) throw new ReadError('not-a-model', `model output ${key} is never computed`);
      return { name: key.split(':')[0], value: v };
    });
  }
}

/** Emits the network into `g`, fed by `inputs` (one per networkInputs() entry). */
export function buildNetwork(g: GraphBuilder, model: Obj, weights: LayerValues[], inputs: Value[], keras3: boolean): NetworkOutput[] {
  return new Walker(g, weights, keras3).model(model, inputs);
}
