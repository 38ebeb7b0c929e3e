// Python values the recover wing reads from scripts (literals) and writes into pickles (fitted
// scaler state): kinds kept apart as Python keeps them (int vs float, tuple vs list).

/** A Python literal as written in a script, or a value of a fitted scaler's instance dict. */
export type PyOut =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'tuple' | 'list'; items: PyOut[] }
  /** numpy float64 1-d array. */
  | { t: 'f8'; data: number[] }
  /** numpy int64 1-d array. */
  | { t: 'i8'; data: number[] }
  /** numpy int64 scalar (StandardScaler.n_samples_seen_). */
  | { t: 'i8scalar'; v: number }
  /** numpy object 1-d array of str (feature_names_in_). */
  | { t: 'objstr'; data: string[] };

export const pyNone: PyOut = { t: 'none' };
export const pyBool = (v: boolean): PyOut => ({ t: 'bool', v });
export const pyInt = (v: number): PyOut => ({ t: 'int', v });
export const pyFloat = (v: number): PyOut => ({ t: 'float', v });

/** The number of an int / float / bool literal, else null. */
export function numberOf(v: PyOut | undefined): number | null {
  if (!v) return null;
  if (v.t === 'int' || v.t === 'float') return v.v;
  if (v.t === 'bool') return v.v ? 1 : 0;
  return null;
}

/** Python's repr of a literal (for messages and the recovery record). */
export function pyRepr(v: PyOut): string {
  switch (v.t) {
    case 'none':
      return 'None';
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'int':
      return String(v.v);
    case 'float':
      return Number.isInteger(v.v) ? `${v.v}.0` : String(v.v);
    case 'str':
      return JSON.stringify(v.v).replace(/^"|"$/g, "'");
    case 'tuple':
      return `(${v.items.map(pyRepr).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'i8scalar':
      return String(v.v);
    default:
      return `array([${v.data.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')}])`;
  }
}

/** A plain JSON form (for recovery.json and the hyperparameters of a Scaler). */
export function pyJson(v: PyOut): null | boolean | number | string | unknown[] {
  switch (v.t) {
    case 'none':
      return null;
    case 'bool':
    case 'int':
    case 'float':
    case 'str':
    case 'i8scalar':
      return v.v;
    case 'tuple':
    case 'list':
      return v.items.map(pyJson);
    default:
      return v.data;
  }
}
