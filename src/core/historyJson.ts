// Keras history dumped as JSON (stub until its reader lands).
import { ReadError } from './errors';
import type { JsonReader } from './reader';

/** Keras history dumped as JSON. */
export const historyJsonReader: JsonReader = {
  kind: 'json',
  name: 'historyJson',
  formats: ['history-json'],
  fallbackRole: 'log',
  sniffJson: () => false,
  readJson: async () => {
    throw new ReadError('not-implemented', 'historyJson reader is not implemented yet');
  },
};
