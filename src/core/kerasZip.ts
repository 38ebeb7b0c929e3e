// Keras 3 .keras zip archives (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** Keras 3 .keras zip archives. */
export const kerasZipReader: BinaryReader = {
  kind: 'binary',
  name: 'kerasZip',
  formats: ['keras-zip'],
  fallbackRole: 'model',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'kerasZip reader is not implemented yet');
  },
};
