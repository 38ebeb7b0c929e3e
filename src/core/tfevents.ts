// TensorBoard event files (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** TensorBoard event files. */
export const tfeventsReader: BinaryReader = {
  kind: 'binary',
  name: 'tfevents',
  formats: ['tfevents'],
  fallbackRole: 'log',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'tfevents reader is not implemented yet');
  },
};
