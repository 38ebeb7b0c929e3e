// Keras structure JSON (to_json, Keras 3 config.json) (stub until its reader lands).
import { ReadError } from './errors';
import type { JsonReader } from './reader';

/** Keras structure JSON (to_json, Keras 3 config.json). */
export const kerasJsonReader: JsonReader = {
  kind: 'json',
  name: 'kerasJson',
  formats: ['keras-json'],
  fallbackRole: 'structure',
  sniffJson: () => false,
  readJson: async () => {
    throw new ReadError('not-implemented', 'kerasJson reader is not implemented yet');
  },
};
