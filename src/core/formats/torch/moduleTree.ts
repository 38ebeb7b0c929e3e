// The module tree of a state dict, from its key prefixes (`encoder.fc1.weight` → encoder › fc1 ›
// weight): parameters per module and in total, shapes per tensor, like torchinfo without
// activations. Module types are guessed from the tensors a module holds (a state dict names no
// classes) and labelled as guesses.
import type { WeightsSummary } from '../../types';

/** One node: a module (its children follow) or a tensor (a leaf). */
export interface ModuleNode {
  /** Full dotted path (`encoder.fc1`, `encoder.fc1.weight`); '' for the root. */
  path: string;
  /** Last segment of the path. */
  name: string;
  kind: 'module' | 'tensor';
  /** Tensors only. */
  shape: number[] | null;
  dtype: string | null;
  /** Elements of the tensor, or of every tensor under the module. */
  params: number;
  /** Modules only: a type guessed from its own tensors (`Linear(8→16)`, `BatchNorm(16)`...), '' when none fits. */
  typeGuess: string;
  children: ModuleNode[];
}

const BUFFER = /^(running_mean|running_var|num_batches_tracked)$/;

/** Whether a tensor name is a buffer by PyTorch's naming (BatchNorm statistics). */
export function isBufferName(tensor: string): boolean {
  return BUFFER.test(tensor);
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A module type guessed from the tensors directly under it. */
export function guessModuleType(name: string, tensors: Map<string, number[]>): string {
  const w = tensors.get('weight');
  const b = tensors.has('bias');
  if (tensors.has('weight_ih_l0')) {
    const hh = tensors.get('weight_hh_l0');
    const ih = tensors.get('weight_ih_l0')!;
    const gates = hh && hh.length === 2 && hh[1] > 0 ? hh[0] / hh[1] : 0;
    const kind = gates === 4 ? 'LSTM' : gates === 3 ? 'GRU' : 'RNN';
    return hh ? `${kind}(${ih[1]}→${hh[1]})` : kind;
  }
  if (tensors.has('in_proj_weight')) return `MultiheadAttention(${tensors.get('in_proj_weight')![1]})`;
  if (!w) return '';
  if (w.length === 2 && /emb/i.test(name) && !b) return `Embedding(${w[0]}, ${w[1]})`;
  if (w.length === 2) return `Linear(${w[1]}→${w[0]})`;
  if (w.length >= 3 && w.length <= 5) return `Conv${w.length - 2}d(${w[1]}→${w[0]}, kernel ${w.slice(2).join('×')})`;
  if (w.length === 1 && tensors.has('running_mean')) return `BatchNorm(${w[0]})`;
  if (w.length === 1) return `Norm(${w[0]})`;
  return '';
}

/** The module tree of a state dict's weights (layers in their order; keys split at every dot). */
export function moduleTree(weights: WeightsSummary): ModuleNode {
  const root: ModuleNode = { path: '', name: '', kind: 'module', shape: null, dtype: null, params: 0, typeGuess: '', children: [] };
  const modules = new Map<string, ModuleNode>([['', root]]);
  const own = new Map<ModuleNode, Map<string, number[]>>();
  const moduleAt = (path: string): ModuleNode => {
    const hit = modules.get(path);
    if (hit) return hit;
    const dot = path.lastIndexOf('.');
    const parent = moduleAt(dot > 0 ? path.slice(0, dot) : '');
    const node: ModuleNode = {
      path,
      name: dot > 0 ? path.slice(dot + 1) : path,
      kind: 'module',
      shape: null,
      dtype: null,
      params: 0,
      typeGuess: '',
      children: [],
    };
    parent.children.push(node);
    modules.set(path, node);
    return node;
  };
  for (const layer of weights.layers) {
    for (const t of layer.tensors) {
      // Dotless keys are stored with layer == tensor name: they sit at the root.
      const modPath = layer.name === t.name && !layer.name.includes('.') ? '' : layer.name;
      const mod = moduleAt(modPath);
      const n = numel(t.shape);
      mod.children.push({
        path: modPath ? `${modPath}.${t.name}` : t.name,
        name: t.name,
        kind: 'tensor',
        shape: t.shape,
        dtype: t.dtype,
        params: n,
        typeGuess: '',
        children: [],
      });
      if (!own.has(mod)) own.set(mod, new Map());
      own.get(mod)!.set(t.name, t.shape);
    }
  }
  // Totals bottom-up, iteratively (post-order over an explicit stack).
  const order: ModuleNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children) if (c.kind === 'module') stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    n.params = n.children.reduce((a, c) => a + c.params, 0);
    const t = own.get(n);
    if (t) n.typeGuess = guessModuleType(n.name, t);
  }
  return root;
}
