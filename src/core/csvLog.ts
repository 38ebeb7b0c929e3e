// Keras CSVLogger logs (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** Keras CSVLogger logs. */
export const csvLogReader: BinaryReader = {
  kind: 'binary',
  name: 'csvLog',
  formats: ['keras-csv-log'],
  fallbackRole: 'log',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'csvLog reader is not implemented yet');
  },
};
