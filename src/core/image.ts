// PNG / JPEG training plots (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** PNG / JPEG training plots. */
export const imageReader: BinaryReader = {
  kind: 'binary',
  name: 'image',
  formats: ['image'],
  fallbackRole: 'log',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'image reader is not implemented yet');
  },
};
