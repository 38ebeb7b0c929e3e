// The contract in the bundle view: the view model (documents are the contract's own JSON) and the
// validation of the webview's Copy message (the webview is a trust boundary).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildContract } from '../../src/core/deploy/contract';
import { buildContractView } from '../../src/core/deploy/contractView';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import { validateWebviewMessage } from '../../src/shared/protocol';
import type { Bundle } from '../../src/core/types';

describe('contract view', () => {
  it('carries the OpenAPI document and both schemas as the text the Copy buttons copy', async () => {
    const report = await buildReport(['examples/complete-bundle'], new NodeFileSource());
    const [bundle] = report.bundles;
    const v = buildContractView(bundle, report.files);
    const c = buildContract(bundle, report.files);
    assert.equal(v.available, true);
    assert.deepEqual(
      v.documents.map((d) => d.id),
      ['openapi', 'row', 'batch'],
    );
    assert.deepEqual(JSON.parse(v.documents[0].text), c.openapi);
    assert.deepEqual(JSON.parse(v.documents[1].text), c.row);
    assert.deepEqual(JSON.parse(v.documents[2].text), c.batch);
    assert.equal(v.features.length, 4);
    assert.ok(v.features[0].startsWith('wind_speed: number; training range '));
  });

  it('says why when there is no contract', () => {
    const bundle: Bundle = { root: 'b', files: { scaler: [], structure: [], weights: [], model: ['b/m.json'], log: [] }, complete: false, findings: [] };
    const m = {
      framework: 'tfjs' as const,
      kerasVersion: null,
      className: 'Sequential',
      layers: [],
      inputShapes: [[null, 28, 28, 1]],
      outputShapes: [[null, 10]],
      totalParams: 0,
      trainableParams: 0,
      nonTrainableParams: 0,
    };
    const v = buildContractView(bundle, [{ path: 'b/m.json', role: 'model', format: 'tfjs-layers', error: null, model: m }]);
    assert.equal(v.available, false);
    assert.match(v.reason!, /b\/m\.json: the model's input has shape \[None, 28, 28, 1\]/);
    assert.deepEqual(v.documents, []);
  });

  it('accepts copyContract for the three documents only, with no other field', () => {
    for (const document of ['openapi', 'row', 'batch'] as const)
      assert.deepEqual(validateWebviewMessage({ type: 'copyContract', document }), { ok: true, message: { type: 'copyContract', document } });
    assert.match((validateWebviewMessage({ type: 'copyContract', document: 'secrets' }) as { error: string }).error, /document must be openapi, row or batch/);
    assert.match((validateWebviewMessage({ type: 'copyContract' }) as { error: string }).error, /document/);
    assert.match((validateWebviewMessage({ type: 'copyContract', document: 'row', text: 'x' }) as { error: string }).error, /unexpected field 'text'/);
  });
});
