// Keras HDF5 files: full model, Keras 1/2 weights, Keras 3 weights (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** Keras HDF5 files: full model, Keras 1/2 weights, Keras 3 weights. */
export const kerasH5Reader: BinaryReader = {
  kind: 'binary',
  name: 'kerasH5',
  formats: ['keras-h5', 'keras-weights-h5', 'keras3-weights-h5'],
  fallbackRole: 'weights',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'kerasH5 reader is not implemented yet');
  },
};
