import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { columnOf, numericValues, readTable } from '../../../src/core/recover/csvData';

const DIR = join(__dirname, '../../fixtures/recover');
const REF = JSON.parse(readFileSync(join(DIR, 'csv_reference.json'), 'utf8'));

describe('readTable as pandas.read_csv', () => {
  it('reads quoted fields, CRLF, NA markers and bool columns like pandas 1.5', () => {
    const t0 = performance.now();
    const t = readTable(readFileSync(join(DIR, 'tricky.csv'), 'utf8'), 'tricky.csv', { sep: ',', header: 0 });
    const ms = performance.now() - t0;
    assert.deepEqual(
      t.columns.map((c) => c.name),
      REF.columns,
    );
    assert.equal(t.rows, REF.rows);
    const numeric = t.columns.map((c) => c.values !== null);
    assert.deepEqual(
      numeric,
      REF.dtypes.map((d: string) => d !== 'object'),
    );
    const x = numericValues(t, columnOf(t, 'x'));
    assert.equal(x.filter(Number.isNaN).length, REF.x_nan);
    const sum = x.reduce((a, v) => (Number.isNaN(v) ? a : a + v), 0);
    assert.ok(Math.abs(sum - REF.x_sum) < 1e-9, `${sum} vs ${REF.x_sum}`);
    const y = numericValues(t, columnOf(t, 'y'));
    assert.ok(Math.abs(y.reduce((a, v) => a + v, 0) - REF.y_sum) < 1e-9);
    assert.throws(() => numericValues(t, columnOf(t, 'name, full')), /column 'name, full' is not numeric \(row 1 holds 'Smith, 0'\)/);
    assert.ok(ms < 1000, `${ms} ms for 3000 rows`);
  });
  it('sep, skiprows and usecols', () => {
    const t = readTable(readFileSync(join(DIR, 'tricky_semicolon.csv'), 'utf8'), 'x.csv', { sep: ';', header: 0, skiprows: 2, usecols: ['A', 'C'] });
    assert.deepEqual(
      t.columns.map((c) => c.name),
      REF.semi_columns,
    );
    const rows = Array.from({ length: t.rows }, (_, i) => t.columns.map((c) => c.values![i]));
    assert.deepEqual(rows, REF.semi_values);
    assert.throws(() => readTable('a,b\n1,2\n', 'f.csv', { sep: ',', header: 0, usecols: ['z'] }), /f\.csv: usecols names 'z'/);
  });
  it('whitespace-separated without header (np.loadtxt)', () => {
    const t = readTable('# c\n1 2  3\n 4\t5 6\n', 'd.txt', { sep: null, header: null, comment: '#' });
    assert.equal(t.rows, 2);
    assert.deepEqual(Array.from(t.columns[2].values!), [3, 6]);
  });
  it('reads 100,000 rows fast', () => {
    const lines = ['a,b,c'];
    for (let i = 0; i < 100000; i++) lines.push(`${i},${i * 0.5},${(i % 7) - 3}`);
    const t0 = performance.now();
    const t = readTable(lines.join('\n'), 'big.csv', { sep: ',', header: 0 });
    const ms = performance.now() - t0;
    assert.equal(t.rows, 100000);
    assert.equal(t.columns[1].values![99999], 49999.5);
    assert.ok(ms < 3000, `${ms} ms`);
  });
});
