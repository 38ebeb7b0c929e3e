// The input contract as the bundle view shows it: feature lines, notes and the JSON documents to copy.
import { buildContract, ContractError, featureLines } from './contract';
import type { ContractView } from '../../shared/viewModels';
import type { Bundle, FileReport } from '../types';

/** Builds the contract view of a bundle; a bundle without a contract gets `available: false` and the reason. */
export function buildContractView(bundle: Bundle, files: FileReport[]): ContractView {
  try {
    const c = buildContract(bundle, files);
    const text = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;
    return {
      available: true,
      reason: null,
      features: featureLines(c),
      outputs: c.outputs,
      notes: c.notes,
      documents: [
        { id: 'openapi', label: 'OpenAPI 3.1 (POST /predict)', text: text(c.openapi) },
        { id: 'row', label: 'JSON Schema of a row', text: text(c.row) },
        { id: 'batch', label: 'JSON Schema of a batch', text: text(c.batch) },
      ],
    };
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    return { available: false, reason: e.message, features: [], outputs: [], notes: [], documents: [] };
  }
}
