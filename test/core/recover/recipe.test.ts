import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRecipeCells, symText } from '../../../src/core/recover/recipe';
import { readTable } from '../../../src/core/recover/csvData';
import { Reproduction } from '../../../src/core/recover/reproduce';
import { trainTestSplit } from '../../../src/core/recover/split';

const read = (src: string) => readRecipeCells([src], false, 'train.py');

describe('recipe read from typical training scripts', () => {
  it('churn tutorial: iloc + .values, StandardScaler on X_train, Sequential classifier without validation', () => {
    const r = read(`
import numpy as np
import pandas as pd
dataset = pd.read_csv('Churn_Modelling.csv')
X = dataset.iloc[:, 3:13].values
y = dataset.iloc[:, 13].values
from sklearn.model_selection import train_test_split
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size = 0.2, random_state = 0)
from sklearn.preprocessing import StandardScaler
sc = StandardScaler()
X_train = sc.fit_transform(X_train)
X_test = sc.transform(X_test)
classifier = Sequential()
classifier.add(Dense(units = 6, activation = 'relu', input_dim = 10))
classifier.compile(optimizer = 'adam', loss = 'binary_crossentropy', metrics = ['accuracy'])
classifier.fit(X_train, y_train, batch_size = 10, epochs = 100)
`);
    assert.equal(r.data?.path, 'Churn_Modelling.csv');
    assert.deepEqual(r.split && { ...r.split, line: 0 }, {
      testSize: { kind: 'fraction', value: 0.2 },
      trainSize: null,
      randomState: 0,
      shuffle: true,
      stratify: false,
      line: 0,
    });
    assert.equal(r.scalers.length, 1);
    assert.equal(r.inputScaler, 0);
    assert.equal(r.scalers[0].cls, 'StandardScaler');
    assert.equal(symText(r.scalers[0].fitOn), 'train(data[:, 3:13].values)');
    assert.equal(r.loss, 'binary_crossentropy');
    assert.equal(r.validation, null);
    assert.ok(r.notes.some((n) => /no validation_data/.test(n)));
    assert.deepEqual(r.blanks, []);
  });

  it('np.loadtxt, fit on all X before the split, validation_data, MinMaxScaler(feature_range=(0, 1)) and a y scaler', () => {
    const r = read(`
data = np.loadtxt("data/train.txt", delimiter=",", skiprows=1)
X = data[:, :-1]
y = data[:, -1]
scaler = MinMaxScaler(feature_range=(0, 1))
scaler.fit(X)
X = scaler.transform(X)
y_scaler = MinMaxScaler()
y = y_scaler.fit_transform(y.reshape(-1, 1))
X_tr, X_te, y_tr, y_te = train_test_split(X, y, train_size=0.75, random_state=2**31-1)
model.compile(loss=tf.keras.losses.MeanSquaredError(), optimizer="adam")
model.fit(X_tr, y_tr, validation_data=(X_te, y_te), epochs=5)
`);
    assert.equal(r.data?.reader, 'loadtxt');
    assert.equal(r.data?.sep, ',');
    assert.equal(r.data?.header, null);
    assert.equal(r.data?.skiprows, 1);
    assert.equal(r.split?.randomState, 2147483647);
    assert.deepEqual(r.split?.trainSize, { kind: 'fraction', value: 0.75 });
    assert.equal(r.scalers[r.inputScaler!].variable, 'scaler');
    assert.equal(r.scalers[r.targetScaler!].variable, 'y_scaler');
    assert.deepEqual(r.scalers[0].args.feature_range, {
      t: 'tuple',
      items: [
        { t: 'int', v: 0 },
        { t: 'int', v: 1 },
      ],
    });
    assert.equal(symText(r.scalers[r.inputScaler!].fitOn), 'data[:, :-1]');
    assert.equal(symText(r.scalers[r.targetScaler!].fitOn), 'data[:, -1].reshape(-1, 1)');
    assert.equal(r.loss, 'mse');
    assert.equal(r.validation?.kind, 'validation_data');
  });

  it('computed path, seed from a variable and a scaler argument from a variable become blanks', () => {
    const r = read(`
df = pd.read_csv(os.path.join(DATA_DIR, "houses.csv"))
X = df.drop('price', axis=1)
y = df['price']
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=SEED)
scaler = MinMaxScaler(feature_range=RANGE)
scaler.fit(X_train)
`);
    assert.deepEqual(
      r.blanks.map((b) => b.field),
      ['data', 'random_state', 'scaler'],
    );
    assert.match(r.blanks[0].reason, /computed \(os\.path\.join/);
    assert.equal(symText(r.scalers[0].fitOn), "train(data.drop(columns=['price']))");
  });

  it('pd.read_excel is refused, stratify is read and refused at reproduction with a clear message', () => {
    const xl = read(`df = pd.read_excel('sales.xlsx')\nX = df[['a']]\nsc = MinMaxScaler()\nsc.fit(X)\n`);
    assert.match(xl.blanks[0].reason, /pd\.read_excel is not supported/);
    const st = read(
      `df = pd.read_csv('d.csv')\nX = df[['a', 'b']]\ny = df['c']\nXa, Xb, ya, yb = train_test_split(X, y, test_size=0.5, random_state=1, stratify=y)\nsc = MinMaxScaler()\nsc.fit(Xa)\n`,
    );
    assert.equal(st.split?.stratify, true);
    const table = readTable('a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n', 'd.csv', { sep: ',', header: 0 });
    assert.throws(() => new Reproduction(st, table, '1.2.1').fit(0), /stratify=.*not supported/);
  });

  it('a notebook: magics skipped, cells in order, shuffle=False split, df.dropna(inplace=True)', () => {
    const r = readRecipeCells(
      [
        '%matplotlib inline\nimport pandas as pd\n',
        "df = pd.read_csv('w.csv', sep=';', usecols=['t', 'h', 'y'])\ndf.dropna(inplace=True)\n",
        "X = df[['t', 'h']]\ny = df['y']\nX_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.1, shuffle=False)\nrs = RobustScaler(quantile_range=(10.0, 90.0))\nX_train = rs.fit_transform(X_train)\nX_test = rs.transform(X_test)\nmodel.fit(X_train, y_train, validation_split=0.2)\n",
      ],
      true,
      'nb.ipynb',
    );
    assert.equal(r.data?.sep, ';');
    assert.deepEqual(r.data?.usecols, ['t', 'h', 'y']);
    assert.equal(r.split?.shuffle, false);
    assert.deepEqual(r.blanks, []);
    assert.equal(symText(r.scalers[0].fitOn), "train(data.dropna()[['t', 'h']])");
    assert.equal(r.validation?.kind, 'validation_split');
    assert.equal(r.validation?.fraction, 0.2);
  });
});

describe('recipe: train / validation / test splits and aliases', () => {
  it("follows a second train_test_split on the first one's train part, and import aliases", () => {
    const r = read(`
from sklearn.preprocessing import StandardScaler as SS, MinMaxScaler
from sklearn.model_selection import train_test_split as tts
df = pd.read_csv('d.csv')
X = df[['a', 'b']]
y = df['c']
X_tmp, X_test, y_tmp, y_test = tts(X, y, test_size=0.2, random_state=1)
X_train, X_val, y_train, y_val = tts(X_tmp, y_tmp, test_size=0.25, random_state=2)
s = SS()
X_train = s.fit_transform(X_train)
X_val = s.transform(X_val)
model.fit(X_train, y_train, validation_data=(X_val, y_val))
`);
    assert.equal(r.splits.length, 2);
    assert.equal(r.scalers[0].cls, 'StandardScaler');
    assert.equal(symText(r.scalers[0].fitOn), "train#2(train(data[['a', 'b']]))");
    const rows = ['a,b,c'];
    for (let i = 0; i < 100; i++) rows.push(`${i},${(i * 7) % 13},${i % 2}`);
    const table = readTable(rows.join('\n'), 'd.csv', { sep: ',', header: 0 });
    const rep = new Reproduction(r, table, '1.2.1');
    const f = rep.fit(0);
    assert.equal(f.rows, 60); // 100 - ceil(0.2 * 100) = 80, then 80 - ceil(0.25 * 80) = 60
    const first = trainTestSplit(100, { testSize: { kind: 'fraction', value: 0.2 }, trainSize: null, randomState: 1, shuffle: true });
    const second = trainTestSplit(80, { testSize: { kind: 'fraction', value: 0.25 }, trainSize: null, randomState: 2, shuffle: true });
    const idx = Array.from(second.train, (k) => first.train[k]);
    const mean = idx.reduce((a, i) => a + i, 0) / idx.length; // column a holds the row number
    assert.ok(Math.abs((f.scaler.params.mean_ as number[])[0] - mean) < 1e-12);
    assert.deepEqual(rep.evaluate(r.validation!.x).rows, 20);
  });
  it('df.columns = [...] marks the frame as not followable', () => {
    const r = read("df = pd.read_csv('d.csv')\ndf.columns = ['x', 'y']\nX = df[['x']]\nsc = MinMaxScaler()\nsc.fit(X)\n");
    assert.match(symText(r.scalers[0].fitOn), /df\.columns is assigned at line 2/);
  });
});

describe('recipe: a scaler fitted on the whole frame, then sliced', () => {
  it('reads scaled[:, :-1] positionally after fit_transform of the frame', () => {
    const r = read("df = pd.read_csv('d.csv')\nsc = MinMaxScaler()\nscaled = sc.fit_transform(df)\nX = scaled[:, :-1]\ny = scaled[:, -1]\n");
    assert.equal(symText(r.scalers[0].fitOn), 'data');
    const table = readTable('a,b,c\n1,2,3\n3,6,9\n', 'd.csv', { sep: ',', header: 0 });
    const rep = new Reproduction(r, table, '1.2.1');
    assert.deepEqual(rep.fit(0).scaler.featureNames, ['a', 'b', 'c']);
  });
});

describe('recipe: read_csv(header=None, names=[...], delim_whitespace=True)', () => {
  it('names the columns as the script does', () => {
    const r = read(
      "cols = ['crim', 'zn', 'medv']\ndf = pd.read_csv('housing.data', header=None, delim_whitespace=True, names=cols)\nX = df[['crim', 'zn']]\nsc = StandardScaler()\nsc.fit(X)\n",
    );
    assert.deepEqual(r.data?.names, ['crim', 'zn', 'medv']);
    assert.equal(r.data?.sep, null);
    assert.equal(r.data?.header, null);
    const table = readTable(' 0.1  18.0 24.0\n 0.3   0.0 21.6\n', 'housing.data', { sep: null, header: null, names: r.data!.names });
    const f = new Reproduction(r, table, '1.2.1').fit(0);
    assert.deepEqual(f.scaler.featureNames, ['crim', 'zn']);
    assert.deepEqual(f.scaler.params.mean_, [0.2, 9]);
  });
});

describe('recipe: time series (rows up to int(len(x) * f), df.filter)', () => {
  it('fits on the first int(len(dataset) * 0.8) rows as the script computes them', () => {
    const r = read(`
df = pd.read_csv('AAPL.csv')
data = df.filter(['Close'])
dataset = data.values
train_len = int(len(dataset) * 0.8)
scaler = MinMaxScaler(feature_range=(0, 1))
scaler.fit(dataset[:train_len])
scaled = scaler.transform(dataset)
test = scaled[train_len - 3:, :]
`);
    assert.equal(symText(r.scalers[0].fitOn), "data[['Close']].values[:int((len(data[['Close']].values) * 0.8))]");
    const lines = ['Date,Close'];
    for (let i = 0; i < 11; i++) lines.push(`d${i},${100 + i * i}`);
    const table = readTable(lines.join('\n'), 'AAPL.csv', { sep: ',', header: 0 });
    const rep = new Reproduction(r, table, '1.2.1');
    const f = rep.fit(0);
    assert.equal(f.rows, 8); // int(11 * 0.8) = int(8.8)
    assert.deepEqual(f.scaler.params.data_max_, [100 + 7 * 7]);
  });
});

describe('recipe: old pandas positional axis and float32 casts', () => {
  it("reads df.drop('y', 1) and notes a float32 cast before the fit", () => {
    const r = read("df = pd.read_csv('d.csv')\nX = df.drop('y', 1).astype('float32')\nsc = MinMaxScaler()\nsc.fit(X)\n");
    assert.equal(symText(r.scalers[0].fitOn), "data.drop(columns=['y'])");
    assert.ok(r.notes.some((n) => /casts to float32: scikit-learn then fits in float32/.test(n)));
  });
});
