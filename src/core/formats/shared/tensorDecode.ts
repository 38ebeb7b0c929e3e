// Element decoders shared by the readers (PyTorch, safetensors; float16 also tfevents and tfjs weights): float16, bfloat16, the integer
// types and bool read from raw bytes as numbers.
import { ReadError } from '../../io/errors';
import type { TorchDType } from './torchValue';

/** IEEE half precision bits to a number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** A function giving element `i` of `dv` as a number. */
export function elementReader(dtype: TorchDType, dv: DataView, little: boolean): (i: number) => number {
  const scratch = new DataView(new ArrayBuffer(4));
  switch (dtype) {
    case 'float32':
      return (i) => dv.getFloat32(i * 4, little);
    case 'float64':
      return (i) => dv.getFloat64(i * 8, little);
    case 'float16':
      return (i) => halfToNumber(dv.getUint16(i * 2, little));
    case 'bfloat16':
      return (i) => {
        scratch.setUint32(0, dv.getUint16(i * 2, little) << 16);
        return scratch.getFloat32(0);
      };
    case 'int64':
      return (i) => Number(dv.getBigInt64(i * 8, little));
    case 'int32':
      return (i) => dv.getInt32(i * 4, little);
    case 'int16':
      return (i) => dv.getInt16(i * 2, little);
    case 'int8':
      return (i) => dv.getInt8(i);
    case 'uint8':
      return (i) => dv.getUint8(i);
    case 'bool':
      return (i) => (dv.getUint8(i) ? 1 : 0);
    default:
      throw new ReadError('unsupported-dtype', `${dtype} tensors are not read as numbers`);
  }
}
