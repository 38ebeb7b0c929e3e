import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWebviewMessage } from '../../../src/shared/protocol';
import { prefill, recoverViewOf, requestOf } from '../../../src/core/recover/view';
import type { RecoverResult } from '../../../src/core/recover/recover';

const EMPTY = { script: '', data: '', random_state: '', test_size: '', scaler: '', loss: '' };

describe('recover form messages', () => {
  it('accepts well-formed recoverRun / recoverSave and rejects the rest', () => {
    const ok = validateWebviewMessage({ type: 'recoverRun', answers: { ...EMPTY, random_state: '42', test_size: '0.2' } });
    assert.equal(ok.ok, true);
    assert.equal(validateWebviewMessage({ type: 'recoverSave' }).ok, true);
    const bad = [
      { type: 'recoverRun', answers: { ...EMPTY, random_state: '4 2' } },
      { type: 'recoverRun', answers: { ...EMPTY, scaler: 'FunctionTransformer' } },
      { type: 'recoverRun', answers: { ...EMPTY, extra: 'x' } },
      { type: 'recoverRun', answers: { ...EMPTY, data: 7 } },
      { type: 'recoverRun' },
      { type: 'recoverSave', path: '/etc/passwd' },
    ];
    for (const m of bad) assert.equal(validateWebviewMessage(m).ok, false, JSON.stringify(m));
  });
});

describe('recover form state', () => {
  const result = {
    status: 'failed',
    exitCode: 1,
    bundle: 'b',
    script: 'b/train.py',
    data: 'b/data.csv',
    dataSha256: 'ab'.repeat(32),
    rows: 10,
    recipe: {
      script: 'b/train.py',
      data: { reader: 'read_csv', path: 'data.csv', sep: ',', header: 0, skiprows: null, usecols: null, naValues: [], indexCol: null, line: 1 },
      split: { testSize: { kind: 'fraction', value: 0.2 }, trainSize: null, randomState: 42, shuffle: true, stratify: false, nTrain: 8, nTest: 2 },
      scaler: { class: 'MinMaxScaler', args: {}, fittedOn: 'X_train', fittedRows: 8, variable: 'scaler' },
      targetScaler: null,
      validation: '(X_test, y_test)',
      loss: 'mse',
    },
    blanks: [],
    notes: [],
    scaler: null,
    targetScaler: null,
    proof: {
      status: 'failed',
      message: 'recomputed val_loss 2 vs logged 1 (100%)',
      check: ['random_state=42'],
      loss: 'mse',
      recomputed: 2,
      logged: 1,
      gapPercent: 100,
      logFile: null,
      model: null,
      validationRows: 2,
    },
    files: [{ path: 'b/scaler.pkl', bytes: new Uint8Array(1), role: 'scaler' }],
    error: null,
  } as unknown as RecoverResult;
  it('prefills from the script and offers no Save when the proof failed', () => {
    const a = prefill(result, EMPTY);
    assert.deepEqual(a, { script: 'b/train.py', data: 'b/data.csv', random_state: '42', test_size: '0.2', scaler: 'MinMaxScaler', loss: 'mse' });
    const v = recoverViewOf(result, a, false, []);
    assert.equal(v.canSave, false);
    assert.deepEqual(v.files, ['b/scaler.pkl']);
    assert.equal(v.proof?.status, 'failed');
    assert.ok(v.recipe.some((r) => r.label === 'split' && r.value.includes('8 train / 2 test')));
  });
  it('sends only answers that differ from the script', () => {
    const script = prefill(result, EMPTY);
    const req = requestOf('b', { ...script, random_state: '7' }, script);
    assert.deepEqual(req.set, { random_state: '7' });
    assert.equal(req.script, 'b/train.py');
  });
});
