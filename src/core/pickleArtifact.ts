// Pickle and joblib files (scikit-learn objects, history pickles), read without executing anything (stub until its reader lands).
import { ReadError } from './errors';
import type { BinaryReader } from './reader';

/** Pickle and joblib files (scikit-learn objects, history pickles), read without executing anything. */
export const pickleArtifactReader: BinaryReader = {
  kind: 'binary',
  name: 'pickleArtifact',
  formats: ['sklearn-pickle', 'joblib', 'history-pickle'],
  fallbackRole: 'scaler',
  sniff: () => false,
  read: async () => {
    throw new ReadError('not-implemented', 'pickleArtifact reader is not implemented yet');
  },
};
