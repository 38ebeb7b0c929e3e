// Webview messages are untrusted: every malformed message is rejected, well-formed ones come back clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CURVE_OPTIONS, MAX_PNG_DATA_URL, pngBytesFromDataUrl, validateWebviewMessage } from '../../src/shared/protocol';

// a 1x1 PNG written by hand: signature, IHDR, IDAT, IEND (CRCs are not checked by us)
const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const PNG_URL = `data:image/png;base64,${Buffer.from(PNG_BYTES).toString('base64')}`;

test('well-formed messages are accepted as they are', () => {
  const good: unknown[] = [
    { type: 'ready' },
    { type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS } },
    { type: 'setCurveOptions', options: { smoothing: 'ema', emaWeight: 0.99, maWindow: 1, xAxis: 'wallTime', maxPoints: 10 } },
    { type: 'exportData', format: 'csv', chartId: 'metric:loss' },
    { type: 'exportData', format: 'json', chartId: 'metric:val_acc' },
    { type: 'savePng', chartId: 'metric:loss', dataUrl: PNG_URL },
    { type: 'openFile', path: '/w/bundle/model.h5' },
  ];
  for (const m of good) {
    const r = validateWebviewMessage(m);
    assert.equal(r.ok, true, JSON.stringify(m));
    if (r.ok) assert.deepEqual(r.message, m);
  }
});

test('malformed messages are rejected with a reason', () => {
  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    ['ready', /not an object/],
    [[{ type: 'ready' }], /not an object/],
    [{}, /unknown message type/],
    [{ type: 'eval', code: '1' }, /unknown message type/],
    [{ type: 42 }, /unknown message type/],
    [{ type: 'ready', extra: 1 }, /unexpected field 'extra'/],
    [{ type: 'setCurveOptions' }, /options is not an object/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, smoothing: 'gauss' } }, /smoothing/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, emaWeight: 1 } }, /emaWeight/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, emaWeight: -0.1 } }, /emaWeight/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, emaWeight: NaN } }, /emaWeight/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, maWindow: 2.5 } }, /maWindow/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, maWindow: 0 } }, /maWindow/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, xAxis: 'time' } }, /xAxis/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, maxPoints: 1e9 } }, /maxPoints/],
    [{ type: 'setCurveOptions', options: { ...DEFAULT_CURVE_OPTIONS, __proto__x: 1 } }, /unexpected field/],
    [{ type: 'exportData', format: 'xml', chartId: 'metric:loss' }, /format/],
    [{ type: 'exportData', format: 'csv', chartId: '' }, /chartId/],
    [{ type: 'exportData', format: 'csv', chartId: 'x'.repeat(5000) }, /chartId/],
    [{ type: 'exportData', format: 'csv' }, /chartId/],
    [{ type: 'savePng', chartId: 'metric:loss', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }, /PNG data URL/],
    [{ type: 'savePng', chartId: 'metric:loss', dataUrl: 'data:image/png;base64,<script>' }, /base64/],
    [{ type: 'savePng', chartId: 'metric:loss', dataUrl: `data:image/png;base64,${'A'.repeat(MAX_PNG_DATA_URL)}` }, /too large/],
    [{ type: 'openFile', path: 7 }, /path/],
    [{ type: 'openFile' }, /path/],
  ];
  for (const [m, re] of bad) {
    const r = validateWebviewMessage(m);
    assert.equal(r.ok, false, JSON.stringify(m)?.slice(0, 100));
    if (!r.ok) assert.match(r.error, re);
  }
});

test('a valid message is copied, not passed through (extra prototype keys cannot ride along)', () => {
  const options = Object.assign(Object.create({ injected: true }), DEFAULT_CURVE_OPTIONS);
  const r = validateWebviewMessage({ type: 'setCurveOptions', options });
  assert.equal(r.ok, true);
  if (r.ok && r.message.type === 'setCurveOptions') {
    assert.notEqual(r.message.options, options);
    assert.equal(Object.getPrototypeOf(r.message.options), Object.prototype);
  }
});

test('PNG bytes: the signature is checked', () => {
  assert.deepEqual(pngBytesFromDataUrl(PNG_URL), PNG_BYTES);
  const gif = `data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}`;
  assert.equal(pngBytesFromDataUrl(gif), null);
  assert.equal(pngBytesFromDataUrl('data:image/jpeg;base64,AAAA'), null);
});
