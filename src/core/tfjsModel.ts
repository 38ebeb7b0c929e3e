// TensorFlow.js model.json (layers and graph models) (stub until its reader lands).
import { ReadError } from './errors';
import type { JsonReader } from './reader';

/** TensorFlow.js model.json (layers and graph models). */
export const tfjsModelReader: JsonReader = {
  kind: 'json',
  name: 'tfjsModel',
  formats: ['tfjs-layers', 'tfjs-graph'],
  fallbackRole: 'model',
  sniffJson: () => false,
  readJson: async () => {
    throw new ReadError('not-implemented', 'tfjsModel reader is not implemented yet');
  },
};
