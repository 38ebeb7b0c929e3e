// The plain values a torch.save pickle is read into (formats/pickle/torchPickle.ts builds them with the
// allowlist VM; formats/torch/ interprets them). Nothing here can run code: a tensor is a storage key,
// a dtype, an offset, a shape and strides; a class is only a name.
import type { FileError } from '../../types';

/** Element types of torch storages (typed storage classes, docs/pytorch.md). */
export type TorchDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool' | 'complex64' | 'complex128';

/** Bytes per element of each dtype. */
export const TORCH_DTYPE_SIZE: Readonly<Record<TorchDType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  complex64: 8,
  complex128: 16,
};

/** The typed storage classes torch.save names in persistent ids, and their dtypes. */
export const TORCH_STORAGE_TYPES: ReadonlyMap<string, TorchDType> = new Map([
  ['torch.FloatStorage', 'float32'],
  ['torch.DoubleStorage', 'float64'],
  ['torch.HalfStorage', 'float16'],
  ['torch.BFloat16Storage', 'bfloat16'],
  ['torch.LongStorage', 'int64'],
  ['torch.IntStorage', 'int32'],
  ['torch.ShortStorage', 'int16'],
  ['torch.CharStorage', 'int8'],
  ['torch.ByteStorage', 'uint8'],
  ['torch.BoolStorage', 'bool'],
  ['torch.ComplexFloatStorage', 'complex64'],
  ['torch.ComplexDoubleStorage', 'complex128'],
]);

/** A storage named by a persistent id `('storage', type, key, location, numel)`. */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: TorchDType,
    readonly location: string,
    /** Elements in the storage. */
    readonly numel: number,
  ) {}
}

/** A tensor: a view of a storage (`torch._utils._rebuild_tensor_v2` arguments). */
export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    /** Offset in elements into the storage. */
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly requiresGrad: boolean,
    /** Saved as an `nn.Parameter` (`_rebuild_parameter`). */
    readonly parameter: boolean,
  ) {}
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A Python tuple. */
export class TorchTuple {
  constructor(readonly items: TorchValue[]) {}
}

/** An instance of a class that is only a name (TorchScript `__torch__.*` modules), with its state. */
export class TorchObject {
  constructor(
    readonly className: string,
    readonly state: TorchValue,
  ) {}
}

/** A numpy array inside a checkpoint (numeric data only; other kinds keep their shape). */
export class TorchNdArray {
  constructor(
    readonly dtype: string,
    readonly shape: number[],
    readonly values: number[] | null,
  ) {}
}

/** Hashable keys. */
export type TorchKey = string | number | bigint | boolean | null | TorchTuple;

/** Any value of a torch.save pickle. Dicts (OrderedDict too) are Maps; lists are arrays; bytes are Uint8Arrays. */
export type TorchValue =
  null | boolean | number | bigint | string | Uint8Array | TorchValue[] | TorchTuple | Map<TorchKey, TorchValue> | TorchTensor | TorchObject | TorchNdArray;

/** One refused global (or refused use of an allowlisted one). */
export interface TorchRefusal {
  global: string;
  reason: string;
  offset?: number;
  severity?: 'dangerous' | 'unsupported';
}

/** What unpickling one torch.save pickle gives. `value` is null when anything was refused or broken. */
export interface TorchUnpickled {
  value: TorchValue | null;
  globals: string[];
  refused: TorchRefusal[];
  error: FileError | null;
  /** Offset just after the pickle's STOP. */
  end: number | null;
}

/** Options of one unpickling. */
export interface TorchUnpickleOptions {
  /** Name for messages. */
  path: string;
  /** Offset of the pickle in `bytes`. */
  start?: number;
  /** TorchScript archives: `__torch__.*` classes become inert named objects (never code). */
  torchScript?: boolean;
}

/** The torch.save dialect of the allowlist pickle VM, handed to the torch readers by the registry. */
export type TorchUnpickler = (bytes: Uint8Array, opts: TorchUnpickleOptions) => TorchUnpickled;
