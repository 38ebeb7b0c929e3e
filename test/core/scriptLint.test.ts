import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  lintNotebookFile,
  lintNotebookJson,
  lintPythonScript,
  notebookCodeCells,
  notebookPositionMap,
  type ScriptFinding,
  type ScriptInsert,
} from '../../src/core/lint/scriptLint';

/** Applies a fix's insertions to one cell's text (last position first, so earlier ones stay valid). */
function apply(src: string, inserts: ScriptInsert[], cell = 0): string {
  const lines = src.split('\n');
  const offsetOf = (line: number, col: number): number => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
  const mine = inserts.filter((x) => x.at.cell === cell).sort((a, b) => offsetOf(b.at.line, b.at.col) - offsetOf(a.at.line, a.at.col));
  let out = src;
  for (const x of mine) {
    const o = offsetOf(x.at.line, x.at.col);
    out = out.slice(0, o) + x.text + out.slice(o);
  }
  return out;
}

const range = (f: ScriptFinding) => [f.start.line, f.start.col, f.end.line, f.end.col];

// A typical Keras regression script that forgets both scalers.
const KERAS_FORGETS = `import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler
from tensorflow import keras

df = pd.read_csv("housing.csv")  # scaler.fit(X) in a comment does not count
X = df.drop(columns=["price"]).values
y = df["price"].values.reshape(-1, 1)
print("remember: scaler.fit(X) then joblib.dump(scaler)")
scaler = MinMaxScaler()
X_scaled = scaler.fit_transform(X)
y_scaler = MinMaxScaler(feature_range=(0, 1))
y_scaled = y_scaler.fit_transform(y)

model = keras.Sequential([
    keras.layers.Dense(64, activation="relu", input_shape=(8,)),
    keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
history = model.fit(X_scaled, y_scaled, epochs=100, validation_split=0.2)
model.save("model.h5")
pd.DataFrame(history.history).to_csv("history.csv")
`;

test('Keras script that saves the model but neither scaler: two warnings on the fit lines', () => {
  const f = lintPythonScript(KERAS_FORGETS);
  assert.equal(f.length, 2);
  assert.deepEqual(
    f.map((x) => [x.code, x.severity, x.scalerName, x.scalerClass]),
    [
      ['unsaved-scaler', 'warning', 'scaler', 'MinMaxScaler'],
      ['unsaved-scaler', 'warning', 'y_scaler', 'MinMaxScaler'],
    ],
  );
  // line 10: `X_scaled = scaler.fit_transform(X)`: `scaler` starts at col 11, `fit_transform` ends at 11+6+1+13 = 31
  assert.deepEqual(range(f[0]), [10, 11, 10, 31]);
  // line 12: `y_scaled = y_scaler.fit_transform(y)`: 11 .. 11+8+1+13 = 33
  assert.deepEqual(range(f[1]), [12, 11, 12, 33]);
  assert.match(f[0].message, /never saved/);
  assert.match(f[1].message, /target scaler/);
});

test('the quick fix inserts joblib.dump after model.save (same indentation) and import joblib at the top', () => {
  const f = lintPythonScript(KERAS_FORGETS);
  const fix = f[0].fix;
  assert.ok(fix);
  assert.deepEqual(fix.inserts, [
    { at: { cell: 0, line: 0, col: 0 }, text: 'import joblib\n' },
    // line 20 is `model.save("model.h5")`, 22 characters long
    { at: { cell: 0, line: 20, col: 22 }, text: '\njoblib.dump(scaler, "scaler.joblib")' },
  ]);
  const fixed = apply(KERAS_FORGETS, fix.inserts);
  assert.ok(fixed.startsWith('import joblib\nimport numpy as np\n'));
  assert.ok(fixed.includes('model.save("model.h5")\njoblib.dump(scaler, "scaler.joblib")\npd.DataFrame'));
  // after the fix only the target scaler is left; after both fixes nothing
  assert.deepEqual(
    lintPythonScript(fixed).map((x) => x.scalerName),
    ['y_scaler'],
  );
  const both = apply(fixed, lintPythonScript(fixed)[0].fix!.inserts);
  assert.ok(!both.includes('import joblib\nimport joblib'), 'joblib is imported once');
  assert.deepEqual(lintPythonScript(both), []);
});

test('no warning when the scalers are saved (joblib.dump and pickle.dump in a with block)', () => {
  const src = `${KERAS_FORGETS}import joblib, pickle
joblib.dump(scaler, "scaler.joblib")
with open("y_scaler.pkl", "wb") as f:
    pickle.dump(y_scaler, f)
`;
  assert.deepEqual(lintPythonScript(src), []);
});

test('no warning when nothing saves a model (an exploration script)', () => {
  const src = `from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LinearRegression
import numpy as np
import matplotlib.pyplot as plt

X = np.random.rand(100, 3)
y = X @ np.array([1.0, 2.0, 3.0])
sc = StandardScaler()
Xs = sc.fit_transform(X)
reg = LinearRegression().fit(Xs, y)
plt.plot(reg.predict(Xs))
plt.savefig("fit.png")
np.save("predictions.npy", reg.predict(Xs))
df_out = None
`;
  assert.deepEqual(lintPythonScript(src), []);
});

test('no warning when a helper function saves the scaler it is given (positional and keyword)', () => {
  const src = `import joblib
from sklearn.preprocessing import StandardScaler

def finish(m, sc, out_dir):
    """Writes the model and its scaler."""
    m.save(out_dir + "/model.keras")
    joblib.dump(sc, out_dir + "/scaler.joblib")

x_scaler = StandardScaler()
X = x_scaler.fit_transform(X)
model = build_model()
model.fit(X, y)
model.save("model.keras")
finish(model, x_scaler, "out")
`;
  assert.deepEqual(lintPythonScript(src), []);
  const kw = src.replace('finish(model, x_scaler, "out")', 'finish(out_dir="out", sc=x_scaler, m=model)');
  assert.deepEqual(lintPythonScript(kw), []);
  // the same helper given the model only: the scaler is not saved
  const wrong = src.replace('finish(model, x_scaler, "out")', 'finish(model, None, "out")');
  assert.deepEqual(
    lintPythonScript(wrong).map((x) => x.scalerName),
    ['x_scaler'],
  );
});

test('no warning when the scaler is fitted and saved inside the training function', () => {
  const src = `import pickle
from sklearn.preprocessing import RobustScaler

def train(X, y):
    scaler = RobustScaler()
    X = scaler.fit_transform(X)
    model = make_model(X.shape[1])
    model.fit(X, y, epochs=10)
    model.save_weights("weights.h5")
    with open("structure.json", "w") as fh:
        fh.write(model.to_json())
    with open("scaler.pkl", "wb") as fh:
        pickle.dump(scaler, fh)
`;
  assert.deepEqual(lintPythonScript(src), []);
});

test('a scaler saved inside a dict or tuple with the model counts as saved', () => {
  const src = `import joblib
from sklearn.preprocessing import MinMaxScaler
scaler = MinMaxScaler().fit(X)
model.fit(scaler.transform(X), y)
model.save("m.h5")
bundle = {"model_path": "m.h5", "scaler": scaler}
joblib.dump(bundle, "bundle.joblib")
`;
  assert.deepEqual(lintPythonScript(src), []);
  const tuple = `import pickle
from sklearn.preprocessing import MinMaxScaler
scaler = MinMaxScaler().fit(X)
clf = RandomForestClassifier().fit(scaler.transform(X), y)
pickle.dump((clf, scaler), open("clf.pkl", "wb"))
`;
  assert.deepEqual(lintPythonScript(tuple), []);
});

test('`x = MinMaxScaler().fit(...)`: the warning covers the constructor through `.fit`', () => {
  const src = `from sklearn.preprocessing import MinMaxScaler
import torch
scaler = MinMaxScaler().fit(X_train)
net = Net()
torch.save(net.state_dict(), "net.pt")
`;
  const f = lintPythonScript(src);
  assert.equal(f.length, 1);
  // line 2: `scaler = MinMaxScaler().fit(X_train)`: MinMaxScaler at col 9, `fit` ends at 9+12+2+1+3 = 27
  assert.deepEqual(range(f[0]), [2, 9, 2, 27]);
  assert.deepEqual(f[0].fix?.inserts, [
    { at: { cell: 0, line: 0, col: 0 }, text: 'import joblib\n' },
    { at: { cell: 0, line: 4, col: 38 }, text: '\njoblib.dump(scaler, "scaler.joblib")' },
  ]);
});

test('a scaler fitted and thrown away (`X = StandardScaler().fit_transform(X)`) warns without a fix', () => {
  const src = `from sklearn.preprocessing import StandardScaler
X = StandardScaler().fit_transform(X)
model.fit(X, y)
model.save("model.h5")
`;
  const f = lintPythonScript(src);
  assert.equal(f.length, 1);
  assert.equal(f[0].scalerName, null);
  assert.equal(f[0].fix, null);
  // `StandardScaler` at col 4, `fit_transform` ends at 4+14+2+1+13 = 34
  assert.deepEqual(range(f[0]), [1, 4, 1, 34]);
});

test('fix inside a main block: multi-line model.save, indentation kept, joblib alias reused, __future__ first', () => {
  const src = `from __future__ import annotations
import joblib as jl
from sklearn import preprocessing

if __name__ == "__main__":
    self_scaler = preprocessing.StandardScaler()
    self_scaler.partial_fit(batch)
    model.save(
        "out/model.keras",
    )
`;
  const f = lintPythonScript(src);
  assert.equal(f.length, 1);
  assert.equal(f[0].scalerClass, 'StandardScaler');
  // the alias is used and no import is added
  assert.deepEqual(f[0].fix?.inserts, [{ at: { cell: 0, line: 9, col: 5 }, text: '\n    jl.dump(self_scaler, "self_scaler.joblib")' }]);
  const noAlias = src.replace('import joblib as jl\n', '');
  const g = lintPythonScript(noAlias);
  // `import joblib` goes after the __future__ import (line 1, before `from sklearn ...`)
  assert.deepEqual(g[0].fix?.inserts[0], { at: { cell: 0, line: 1, col: 0 }, text: 'import joblib\n' });
});

test('class attributes: self.scaler fitted and dumped is fine; the fix names the last segment', () => {
  const saved = `import joblib
from sklearn.preprocessing import MinMaxScaler
class Trainer:
    def __init__(self):
        self.scaler = MinMaxScaler()
    def run(self, X, y):
        self.scaler.fit(X)
        self.model.fit(self.scaler.transform(X), y)
        self.model.save("m.h5")
        joblib.dump(self.scaler, "scaler.joblib")
`;
  assert.deepEqual(lintPythonScript(saved), []);
  const forgot = saved.replace('        joblib.dump(self.scaler, "scaler.joblib")\n', '');
  const f = lintPythonScript(forgot);
  assert.equal(f.length, 1);
  assert.equal(f[0].scalerName, 'self.scaler');
  assert.deepEqual(f[0].fix?.inserts, [{ at: { cell: 0, line: 8, col: 31 }, text: '\n        joblib.dump(self.scaler, "scaler.joblib")' }]);
});

test('pandas to_json, numpy save and saving the scaled data are not model saves / scaler saves', () => {
  const src = `from sklearn.preprocessing import MinMaxScaler
import numpy as np
scaler = MinMaxScaler()
X = scaler.fit_transform(X)
df.to_json("data.json")
np.save("scaled.npy", scaler.transform(X))
`;
  assert.deepEqual(lintPythonScript(src), [], 'no model is saved');
  const withModel = src + 'model.save("m.h5")\n';
  assert.deepEqual(
    lintPythonScript(withModel).map((x) => x.scalerName),
    ['scaler'],
    'saving transformed data does not save the scaler',
  );
  const params = withModel + 'np.save("scaler_min.npy", scaler.data_min_)\n';
  assert.deepEqual(lintPythonScript(params), [], 'saving the fitted parameters keeps the scaling reproducible');
});

test('strings that look like code (triple-quoted, f-strings, escaped quotes) are ignored', () => {
  const src = `doc = """
scaler = MinMaxScaler()
scaler.fit(X)
"""
msg = f"model.save('{path}') and \\"scaler.fit(X)\\""
model.save("m.h5")
`;
  assert.deepEqual(lintPythonScript(src), []);
});

/** A notebook as Jupyter writes it (sources as line arrays). */
function notebook(cells: { type: 'code' | 'markdown'; src: string }[]): string {
  return JSON.stringify({
    cells: cells.map((c) => ({
      cell_type: c.type,
      metadata: {},
      source: c.src.split(/(?<=\n)/),
      ...(c.type === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' }, language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

test('notebook: positions map back to the cell index and its line; magics are skipped', () => {
  const nb = notebook([
    { type: 'markdown', src: '# Training\nscaler.fit(X) in markdown is not code\n' },
    { type: 'code', src: '%matplotlib inline\n!pip install joblib\nimport numpy as np\nfrom sklearn.preprocessing import MinMaxScaler' },
    { type: 'code', src: 'scaler = MinMaxScaler()\nX = scaler.fit_transform(X)' },
    { type: 'markdown', src: 'Now train.' },
    { type: 'code', src: 'model.fit(X, y)\nmodel.save("model.h5")' },
  ]);
  assert.deepEqual(
    notebookCodeCells(nb).map((c) => c.index),
    [1, 2, 4],
  );
  const f = lintNotebookJson(nb);
  assert.equal(f.length, 1);
  // cell 2, line 1: `X = scaler.fit_transform(X)`: 4 .. 4+6+1+13 = 24
  assert.deepEqual(
    [f[0].start, f[0].end],
    [
      { cell: 2, line: 1, col: 4 },
      { cell: 2, line: 1, col: 24 },
    ],
  );
  assert.deepEqual(f[0].fix?.inserts, [
    { at: { cell: 1, line: 2, col: 0 }, text: 'import joblib\n' },
    { at: { cell: 4, line: 1, col: 22 }, text: '\njoblib.dump(scaler, "scaler.joblib")' },
  ]);
});

test('notebook that saves its scaler in a later cell, and a non-Python notebook: no warning', () => {
  const nb = notebook([
    { type: 'code', src: 'from sklearn.preprocessing import StandardScaler\nsc = StandardScaler()\nX = sc.fit_transform(X)' },
    { type: 'code', src: 'model.save("m.keras")' },
    { type: 'code', src: 'import joblib\njoblib.dump(sc, "sc.joblib")' },
  ]);
  assert.deepEqual(lintNotebookJson(nb), []);
  const r = JSON.parse(nb.replace('joblib.dump(sc, \\"sc.joblib\\")', 'print(1)'));
  assert.equal(lintNotebookJson(JSON.stringify(r)).length, 1);
  r.metadata = { language_info: { name: 'R' } };
  assert.deepEqual(lintNotebookJson(JSON.stringify(r)), []);
  assert.deepEqual(lintNotebookJson('not json'), []);
});

test('a ModelCheckpoint callback or mlflow.log_model counts as saving the model; mlflow-logging the scaler saves it', () => {
  const checkpoint = `from sklearn.preprocessing import MinMaxScaler
from tensorflow.keras.callbacks import ModelCheckpoint
x_scaler = MinMaxScaler()
X = x_scaler.fit_transform(X)
ckpt = ModelCheckpoint("best.h5", save_best_only=True)
model.fit(X, y, callbacks=[ckpt])
`;
  const f = lintPythonScript(checkpoint);
  assert.deepEqual(
    f.map((x) => x.scalerName),
    ['x_scaler'],
  );
  // the dump goes after the checkpoint statement (line 4, 54 characters)
  assert.deepEqual(f[0].fix?.inserts[1], { at: { cell: 0, line: 4, col: 54 }, text: '\njoblib.dump(x_scaler, "x_scaler.joblib")' });
  const mlflow = `import mlflow
from sklearn.preprocessing import StandardScaler
sc = StandardScaler().fit(X)
mlflow.keras.log_model(model, "model")
`;
  assert.deepEqual(
    lintPythonScript(mlflow).map((x) => x.scalerName),
    ['sc'],
  );
  assert.deepEqual(lintPythonScript(mlflow + 'mlflow.sklearn.log_model(sc, "scaler")\n'), []);
});

test('a scaler inside a Pipeline that is dumped is saved with it', () => {
  const src = `import joblib
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import Ridge
scaler = StandardScaler()
scaler.fit(X)
pipe = make_pipeline(scaler, Ridge())
model.save("m.h5")
joblib.dump(pipe, "pipe.joblib")
`;
  assert.deepEqual(lintPythonScript(src), []);
  assert.deepEqual(
    lintPythonScript(src.replace('joblib.dump(pipe, "pipe.joblib")\n', '')).map((x) => x.scalerName),
    ['scaler'],
  );
});

test('never throws: every truncation of a script, unbalanced brackets, stray quotes, random text', () => {
  for (let i = 0; i <= KERAS_FORGETS.length; i += 3) {
    const part = KERAS_FORGETS.slice(0, i);
    assert.ok(Array.isArray(lintPythonScript(part)));
  }
  const odd = [
    '((((((',
    ')))]]}}',
    '"""never closed\nscaler.fit(X)',
    "x = '\\",
    'def (:\n  pass',
    '\\\n\\\n',
    '= = =',
    'a.b.c.(d)',
    'r"""',
    '\u00e9t\u00e9 = StandardScaler()\n\u00e9t\u00e9.fit(X)\nmodel.save("m")',
  ];
  for (const s of odd) assert.ok(Array.isArray(lintPythonScript(s)), s);
  // identifiers with non-ASCII letters are names like any other
  assert.deepEqual(
    lintPythonScript(odd[odd.length - 1]).map((f) => f.scalerName),
    ['\u00e9t\u00e9'],
  );
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'ab_.()[]{}=,:"\'#\\\n fitsave joblib.dump MinMaxScaler()';
  for (let n = 0; n < 200; n++) {
    let s = '';
    for (let k = 0; k < 200; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    assert.ok(Array.isArray(lintPythonScript(s)));
    assert.ok(Array.isArray(lintNotebookJson(JSON.stringify({ cells: [{ cell_type: 'code', source: s }] }))));
    for (const nb of [
      JSON.stringify({ cells: [{ cell_type: 'code', source: s }] }),
      JSON.stringify({ cells: [{ cell_type: 'code', source: s.split(/(?<=\n)/) }] }, null, 1),
    ]) {
      const fileLines = nb.split('\n');
      for (const f of lintNotebookFile(nb)) for (const p of [f.start, f.end]) assert.ok(p.line < fileLines.length && p.col <= fileLines[p.line].length);
    }
  }
});

test('scaler classes imported under another name are recognised; findings come in source order', () => {
  const src = `from sklearn.preprocessing import MinMaxScaler as MMS, StandardScaler
import sklearn.preprocessing as pp
a = MMS()
a.fit(X)
b = pp.RobustScaler().fit(X)
Z = MMS().fit_transform(Z)
model.save("m.h5")
`;
  assert.deepEqual(
    lintPythonScript(src).map((f) => [f.scalerName, f.scalerClass, f.start.line]),
    [
      ['a', 'MinMaxScaler', 3],
      ['b', 'RobustScaler', 4],
      [null, 'MinMaxScaler', 5],
    ],
  );
});

// Closed notebooks: positions in the .ipynb file's text. Expected values come from
// test/fixtures/reference/scriptLint/make_notebook_positions.py (Python's json scanner, no shared code):
// the real notebook (microsoft/ML-For-Beginners, MIT, test/fixtures/notebooks/SOURCES.md) and two derived
// from it, one with every `source` as ONE string written with \uXXXX escapes, one with CRLF line ends;
// both have a comment line with `\"`, `\\`, a tab, an e acute and an emoji before the finding.
const REPO = join(__dirname, '..', '..');
interface PositionsRef {
  path: string;
  points: [number, number, number, number, number][];
  finding: { cell: number; line: number; start: [number, number]; end: [number, number] };
}
const POSITIONS: Record<'real' | 'single' | 'crlf', PositionsRef> = JSON.parse(
  readFileSync(join(REPO, 'test', 'fixtures', 'reference', 'scriptLint', 'notebook_positions.json'), 'utf8'),
);
const notebookText = (name: keyof typeof POSITIONS): string => readFileSync(join(REPO, POSITIONS[name].path), 'utf8');

test('closed notebook: every code line start and end maps to the line and column Python finds in the .ipynb text', () => {
  for (const name of ['real', 'single', 'crlf'] as const) {
    const ref = POSITIONS[name];
    const map = notebookPositionMap(notebookText(name));
    assert.ok(ref.points.length > 100, `${name}: ${ref.points.length} points`);
    for (const [cell, line, col, fileLine, fileCol] of ref.points) {
      assert.deepEqual(map({ cell, line, col }), { line: fileLine, col: fileCol }, `${name}: cell ${cell} line ${line} col ${col}`);
    }
    // not a code cell (cell 0 is markdown), a line past the cell's end
    assert.equal(map({ cell: 0, line: 0, col: 0 }), null);
    assert.equal(map({ cell: 4, line: 99, col: 0 }), null);
  }
});

test('closed real notebook: the thrown-away LabelEncoder is reported on its line of the JSON file, without a fix', () => {
  const text = notebookText('real');
  const f = lintNotebookFile(text);
  assert.equal(f.length, 1);
  assert.deepEqual([f[0].scalerName, f[0].scalerClass, f[0].fix], [null, 'LabelEncoder', null]);
  // found by searching the raw text: the JSON line holding the cell's source line, and the column of `LabelEncoder`
  const lines = text.split('\n');
  const fileLine = lines.findIndex((l) => l.includes("\"ufos['Country'] = LabelEncoder().fit_transform("));
  assert.equal(fileLine, 157);
  const col = lines[fileLine].indexOf('LabelEncoder');
  assert.deepEqual(
    [f[0].start, f[0].end],
    [
      { cell: 0, line: fileLine, col },
      { cell: 0, line: fileLine, col: col + 'LabelEncoder().fit_transform'.length },
    ],
  );
  assert.deepEqual([f[0].start.line, f[0].start.col, f[0].end.line, f[0].end.col], [...POSITIONS.real.finding.start, ...POSITIONS.real.finding.end]);
  // cell 4 of all cells is the 5th; its line 2 is the 3rd
  assert.match(f[0].message, /In cell 5, line 3 of this notebook: open it in the notebook editor/);
  // the open-notebook lint of the same file gives the cell position the map starts from
  assert.deepEqual(
    lintNotebookJson(text).map((x) => [x.start, x.end]),
    [
      [
        { cell: 4, line: 2, col: 18 },
        { cell: 4, line: 2, col: 46 },
      ],
    ],
  );
});

test('closed notebook, one-string sources with \\u escapes and list sources with CRLF: the finding lands on the Python-computed spot', () => {
  for (const name of ['single', 'crlf'] as const) {
    const ref = POSITIONS[name];
    const f = lintNotebookFile(notebookText(name));
    assert.equal(f.length, 1, name);
    assert.deepEqual([f[0].start.line, f[0].start.col, f[0].end.line, f[0].end.col], [...ref.finding.start, ...ref.finding.end], name);
    assert.match(f[0].message, /In cell 5, line 4 of this notebook/);
  }
  // one-string file: the whole cell is one JSON line; the column counts the escapes before the finding:
  // `   "source": "` (14) + `# caf\u00e9 \"quoted\" \\ back\tslash \ud83d\ude00 done\n` (57)
  // + `from sklearn.preprocessing import LabelEncoder\n\n` (50) + `ufos['Country'] = ` (18) = 139
  assert.deepEqual(POSITIONS.single.finding.start[1], 139);
  assert.equal(lintNotebookFile(notebookText('single'))[0].start.col, 14 + 57 + 50 + 18);
});

test('closed notebook by hand: escapes in one source string, a named scaler keeps its message, limits and bad input', () => {
  // line 0 of the file: `{"cells":[{"cell_type":"code","source":"` is 40 characters
  const json = String.raw`{"cells":[{"cell_type":"code","source":"t = \"\u00e9\\\"\nsc = StandardScaler()\nX = sc.fit_transform(X)\nmodel.save(\"m.h5\")"}]}`;
  assert.equal(notebookCodeCells(json)[0].source, 't = "\u00e9\\"\nsc = StandardScaler()\nX = sc.fit_transform(X)\nmodel.save("m.h5")');
  const f = lintNotebookFile(json);
  assert.equal(f.length, 1);
  // cell line 2 col 4 (`sc.fit_transform`) sits after `t = \"\u00e9\\\"\n` (18 raw) and `sc = StandardScaler()\n` (23 raw) + 4
  assert.deepEqual(
    [f[0].start, f[0].end],
    [
      { cell: 0, line: 0, col: 40 + 18 + 23 + 4 },
      { cell: 0, line: 0, col: 40 + 18 + 23 + 4 + 'sc.fit_transform'.length },
    ],
  );
  assert.equal(f[0].fix, null);
  assert.match(f[0].message, /`sc` \(StandardScaler\) is fitted here but never saved.*open it in the notebook editor to apply the quick fix/);
  assert.deepEqual(lintNotebookFile(json, { maxCodeChars: 20 }), []);
  // a file whose lines end with a lone CR (old Mac style) counts lines as VS Code does
  const cr = '{"cells":\r[{"cell_type":"code","source":\r["X = StandardScaler().fit_transform(X)\\n", "model.save(1)"]}]}';
  assert.deepEqual(
    lintNotebookFile(cr).map((x) => [x.start.line, x.start.col, x.end.line, x.end.col]),
    [[2, 2 + 4, 2, 2 + 4 + 'StandardScaler().fit_transform'.length]],
  );
  // duplicate keys: the last `source` is the one JSON.parse (and Jupyter) reads, and the one pointed at
  const dup = '{"cells":[{"cell_type":"code","source":"x = 1","source":["X = StandardScaler().fit_transform(X)\\n","model.save(1)"]}]}';
  assert.equal(lintNotebookFile(dup)[0]?.start.col, dup.indexOf('StandardScaler'));
  assert.deepEqual(lintNotebookFile('not json'), []);
  assert.deepEqual(lintNotebookFile('{"cells": 3}'), []);
  assert.equal(notebookPositionMap('[]')({ cell: 0, line: 0, col: 0 }), null);
});
