// The torch.save dialect of the allowlist pickle VM: persistent ids name storages, a handful of
// torch names rebuild tensors as plain descriptions (storage key, dtype, offset, shape, strides).
// Nothing is imported or called; every name below is a data constructor (docs/pytorch.md says why
// each one is safe). Anything else (a module class such as `__main__.Net`, `torch.storage._load_from_bytes`)
// is refused by the VM and reported.
import { PickleRefusal, scanPickle, type PickleExtension } from './pickle';
import { NdArray, PyBytes, PyGlobal, PyObject, PySet, PySlice, PyTuple, type PyValue } from './pyValue';
import {
  TORCH_STORAGE_TYPES,
  TorchNdArray,
  TorchObject,
  TorchStorage,
  TorchTensor,
  TorchTuple,
  type TorchKey,
  type TorchUnpickled,
  type TorchUnpickleOptions,
  type TorchValue,
} from '../shared/torchValue';

const REBUILD_V2 = 'torch._utils._rebuild_tensor_v2';
const REBUILD_V1 = 'torch._utils._rebuild_tensor';
const REBUILD_PARAM = 'torch._utils._rebuild_parameter';
const REBUILD_FROM_TYPE = 'torch._tensor._rebuild_from_type_v2';
const SIZE = 'torch.Size';
const DEVICE = 'torch.device';
const TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);
/** TorchScript's own list constructors: identity functions on the list they are given. */
const JIT_LISTS = new Set(
  ['build_intlist', 'build_floatlist', 'build_boollist', 'build_doublelist', 'build_tensorlist', 'build_genericlist'].map((n) => `torch.jit._pickle.${n}`),
);
const JIT_TAG = 'torch.jit._pickle.restore_type_tag';
/** `argparse.Namespace`: checkpoints often save the training script's `args`; read as a dict of its attributes. */
const NAMESPACE = 'argparse.Namespace';
/** Lightning's `AttributeDict` (a dict subclass holding `hyper_parameters`): read as a dict. */
const ATTRIBUTE_DICTS = new Set([
  'pytorch_lightning.utilities.parsing.AttributeDict',
  'lightning.pytorch.utilities.parsing.AttributeDict',
  'lightning_fabric.utilities.data.AttributeDict',
  'lightning.fabric.utilities.data.AttributeDict',
]);
/** `collections.defaultdict(factory)`: a dict; the factory (a builtin type name) is never called. */
const DEFAULTDICT = 'collections.defaultdict';
const FACTORIES = new Set(['list', 'dict', 'int', 'float', 'set', 'str'].flatMap((n) => [`builtins.${n}`, `__builtin__.${n}`]));
/** Python's set constructors (`set([...])` as protocol 2 writes sets). */
const SETS = new Set(['builtins.set', '__builtin__.set', 'builtins.frozenset', '__builtin__.frozenset']);

/** Internal class names of the built values (angle brackets: no pickle can name them). */
const STORAGE = '<torch storage>';
const TENSOR = '<torch tensor>';

function isIndex(v: PyValue): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function intTuple(v: PyValue, what: string): number[] {
  if (!(v instanceof PyTuple) || !v.items.every(isIndex)) throw new PickleRefusal(`${what} must be a tuple of non-negative ints`);
  return v.items as number[];
}

function isTorchScriptClass(q: string): boolean {
  return q.startsWith('__torch__.') && /^[A-Za-z0-9_.]+$/.test(q);
}

function tensorOf(storage: PyValue, offset: PyValue, size: PyValue, stride: PyValue, requiresGrad: boolean): PyObject {
  if (!(storage instanceof PyObject) || storage.className !== STORAGE) throw new PickleRefusal('the storage argument is not a storage persistent id');
  if (!isIndex(offset)) throw new PickleRefusal('storage_offset must be a non-negative int');
  const shape = intTuple(size, 'size');
  const strides = intTuple(stride, 'stride');
  if (shape.length !== strides.length) throw new PickleRefusal(`size has ${shape.length} dimensions but stride ${strides.length}`);
  return new PyObject(TENSOR, new PyTuple([storage, offset, new PyTuple(shape), new PyTuple(strides), requiresGrad, false]));
}

function hooksOk(v: PyValue | undefined): boolean {
  return v === undefined || v === null || (v instanceof Map && v.size === 0);
}

function makeExtension(torchScript: boolean): PickleExtension {
  const storages = new Map<string, PyObject>();
  const allows = (q: string): boolean =>
    q === REBUILD_V2 ||
    q === REBUILD_V1 ||
    q === REBUILD_PARAM ||
    q === REBUILD_FROM_TYPE ||
    q === SIZE ||
    q === DEVICE ||
    q === NAMESPACE ||
    ATTRIBUTE_DICTS.has(q) ||
    q === DEFAULTDICT ||
    FACTORIES.has(q) ||
    SETS.has(q) ||
    TENSOR_TYPES.has(q) ||
    TORCH_STORAGE_TYPES.has(q) ||
    (torchScript && (isTorchScriptClass(q) || JIT_LISTS.has(q) || q === JIT_TAG));
  const call = (q: string, a: PyValue[], how: 'reduce' | 'newobj' | 'inst'): PyValue => {
    if (q === NAMESPACE && a.length === 0) return new PyObject(NAMESPACE, null);
    if (q === DEFAULTDICT) {
      const f = a[0];
      if (a.length > 1 || (a.length === 1 && f !== null && !(f instanceof PyGlobal && FACTORIES.has(f.qualifiedName))))
        throw new PickleRefusal('defaultdict takes one builtin type (list, dict, int, float, set, str) or None');
      return new Map();
    }
    if (ATTRIBUTE_DICTS.has(q)) {
      if (a.length !== 0) throw new PickleRefusal(`${q} with arguments`);
      return new Map();
    }
    if (how !== 'reduce') {
      if (torchScript && isTorchScriptClass(q) && a.length === 0) return new PyObject(q, null);
      throw new PickleRefusal(`${q} cannot be instantiated this way`);
    }
    if (q === REBUILD_V2) {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if ((a.length !== 6 && a.length !== 7) || typeof a[4] !== 'boolean' || !hooksOk(a[5]) || (a.length === 7 && !(a[6] instanceof Map) && a[6] !== null))
        throw new PickleRefusal('_rebuild_tensor_v2 arguments must be (storage, offset, size, stride, requires_grad, empty hooks[, metadata])');
      return tensorOf(a[0], a[1], a[2], a[3], a[4]);
    }
    if (q === REBUILD_V1) {
      if (a.length !== 4) throw new PickleRefusal('_rebuild_tensor arguments must be (storage, offset, size, stride)');
      return tensorOf(a[0], a[1], a[2], a[3], false);
    }
    if (q === REBUILD_PARAM) {
      const [t, grad, hooks] = a;
      if (a.length !== 3 || !(t instanceof PyObject) || t.className !== TENSOR || typeof grad !== 'boolean' || !hooksOk(hooks))
        throw new PickleRefusal('_rebuild_parameter arguments must be (tensor, requires_grad, empty hooks)');
      const s = (t.state as PyTuple).items;
      return new PyObject(TENSOR, new PyTuple([s[0], s[1], s[2], s[3], grad, true]));
    }
    if (q === REBUILD_FROM_TYPE) {
      // (func, new_type, args, state): func must be the tensor rebuilder itself, new_type Tensor or Parameter.
      const [fn, type, args] = a;
      if (
        a.length !== 4 ||
        !(fn instanceof PyGlobal) ||
        fn.qualifiedName !== REBUILD_V2 ||
        !(type instanceof PyGlobal) ||
        !TENSOR_TYPES.has(type.qualifiedName) ||
        !(args instanceof PyTuple)
      )
        throw new PickleRefusal('_rebuild_from_type_v2 arguments must be (_rebuild_tensor_v2, Tensor|Parameter, args, state)');
      const t = call(REBUILD_V2, args.items, 'reduce') as PyObject;
      if (type.qualifiedName === 'torch.nn.parameter.Parameter') {
        const s = (t.state as PyTuple).items;
        return new PyObject(TENSOR, new PyTuple([s[0], s[1], s[2], s[3], s[4], true]));
      }
      return t;
    }
    if (q === SIZE) {
      if (a.length !== 1) throw new PickleRefusal('torch.Size takes one tuple');
      return new PyTuple(intTuple(a[0], 'torch.Size'));
    }
    if (q === DEVICE) {
      if (a.length < 1 || a.length > 2 || typeof a[0] !== 'string' || (a.length === 2 && !isIndex(a[1])))
        throw new PickleRefusal('torch.device takes (type[, index])');
      return a.length === 2 ? `${a[0]}:${a[1] as number}` : a[0];
    }
    if (SETS.has(q)) {
      if (a.length > 1 || (a.length === 1 && !Array.isArray(a[0]))) throw new PickleRefusal(`${q} takes one list`);
      return new PySet(a.length ? (a[0] as PyValue[]).slice() : [], q.endsWith('frozenset'));
    }
    if (JIT_LISTS.has(q)) {
      if (a.length !== 1 || !Array.isArray(a[0])) throw new PickleRefusal(`${q} takes one list`);
      return a[0];
    }
    if (q === JIT_TAG) {
      if (a.length !== 2 || typeof a[1] !== 'string') throw new PickleRefusal('restore_type_tag takes (value, type string)');
      return a[0];
    }
    throw new PickleRefusal(`${q} is not callable`);
  };
  return {
    allows,
    call,
    asValue: (q) => TORCH_STORAGE_TYPES.has(q) || TENSOR_TYPES.has(q) || q === REBUILD_V2 || FACTORIES.has(q),
    build(obj, state) {
      // OrderedDict state dicts carry `_metadata` (per-module versions) as instance state: kept out of the tensors.
      if (obj instanceof Map) {
        if (!(state instanceof Map) || ![...state.keys()].every((k) => typeof k === 'string'))
          throw new PickleRefusal('dict BUILD state is not a str-keyed dict');
        return true;
      }
      if (obj instanceof PyObject && obj.className === NAMESPACE) {
        if (obj.state !== null) throw new PickleRefusal('second BUILD of the same Namespace');
        if (!(state instanceof Map) || ![...state.keys()].every((k) => typeof k === 'string'))
          throw new PickleRefusal('Namespace state is not a str-keyed dict');
        obj.state = state;
        return true;
      }
      if (torchScript && obj instanceof PyObject && isTorchScriptClass(obj.className)) {
        if (obj.state !== null) throw new PickleRefusal('second BUILD of the same object');
        obj.state = state;
        return true;
      }
      return false;
    },
    persistentLoad(pid) {
      // zip: ('storage', type, key, location, numel); legacy: (..., view_metadata)
      const t = pid instanceof PyTuple ? pid.items : null;
      if (!t || (t.length !== 5 && t.length !== 6) || t[0] !== 'storage')
        throw new PickleRefusal("persistent id is not ('storage', type, key, location, numel)");
      const [, type, key, location, numel] = t;
      const dtype = type instanceof PyGlobal ? TORCH_STORAGE_TYPES.get(type.qualifiedName) : undefined;
      if (!dtype || typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,200}$/.test(key) || typeof location !== 'string' || !isIndex(numel))
        throw new PickleRefusal('persistent id has a bad storage type, key, location or size');
      if (t.length === 6 && t[5] !== null) throw new PickleRefusal('legacy storage views (view_metadata) are not supported');
      const seen = storages.get(key);
      if (seen) {
        const s = (seen.state as PyTuple).items;
        if (s[1] !== dtype || s[3] !== numel) throw new PickleRefusal(`storage ${key} is named with two types or sizes`);
        return seen;
      }
      const s = new PyObject(STORAGE, new PyTuple([key, dtype, location, numel]));
      storages.set(key, s);
      return s;
    },
  };
}

/** Converts the VM's inert values to the plain torch values (shared nodes converted once). */
function toTorch(root: PyValue): TorchValue {
  const done = new Map<object, TorchValue>();
  const conv = (v: PyValue): TorchValue => {
    if (v === null || typeof v !== 'object') return v;
    const hit = done.get(v);
    if (hit !== undefined) return hit;
    let out: TorchValue;
    if (Array.isArray(v)) {
      const list: TorchValue[] = [];
      done.set(v, list);
      for (const x of v) list.push(conv(x));
      return list;
    } else if (v instanceof Map) {
      const m = new Map<TorchKey, TorchValue>();
      done.set(v, m);
      for (const [k, x] of v) m.set(conv(k as PyValue) as TorchKey, conv(x));
      return m;
    } else if (v instanceof PyTuple) out = new TorchTuple(v.items.map(conv));
    else if (v instanceof PyBytes) out = v.data;
    else if (v instanceof PySet) out = v.items.map(conv);
    else if (v instanceof PySlice) out = new TorchTuple([conv(v.start), conv(v.stop), conv(v.step)]);
    else if (v instanceof PyGlobal) out = v.qualifiedName;
    else if (v instanceof NdArray) {
      const numeric = 'fiub'.includes(v.dtype.kind);
      const values = numeric ? Array.from(v.data as ArrayLike<number | bigint | boolean>, (x) => Number(x)) : null;
      out = v.scalar && values ? values[0] : new TorchNdArray(v.dtype.str, v.shape, values);
    } else if (v instanceof PyObject && v.className === STORAGE) {
      const [key, dtype, location, numel] = (v.state as PyTuple).items;
      out = new TorchStorage(key as string, dtype as TorchStorage['dtype'], location as string, numel as number) as unknown as TorchValue;
    } else if (v instanceof PyObject && v.className === TENSOR) {
      const [s, offset, shape, stride, grad, param] = (v.state as PyTuple).items;
      const storage = conv(s) as unknown as TorchStorage;
      out = new TorchTensor(
        storage,
        offset as number,
        (shape as PyTuple).items as number[],
        (stride as PyTuple).items as number[],
        grad as boolean,
        param as boolean,
      );
    } else if (v instanceof PyObject && v.className === NAMESPACE) {
      // a Namespace is its attributes: the same plain dict a `vars(args)` would have saved
      if (v.state instanceof Map) return conv(v.state);
      out = new Map();
    } else if (v instanceof PyObject) out = new TorchObject(v.className, conv(v.state));
    else out = null;
    done.set(v, out);
    return out;
  };
  return conv(root);
}

/** Reads one torch.save pickle (the data.pkl of a zip, or one pickle of the legacy format) from `start`. */
export function unpickleTorch(bytes: Uint8Array, opts: TorchUnpickleOptions): TorchUnpickled {
  const scan = scanPickle(bytes, { path: opts.path, start: opts.start ?? 0, single: true, extension: makeExtension(opts.torchScript ?? false) });
  return {
    value: scan.value === null || scan.error ? null : toTorch(scan.value),
    globals: scan.globals,
    refused: scan.refused,
    error: scan.error,
    end: scan.end ?? null,
  };
}
