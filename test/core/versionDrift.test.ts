// Version drift: workspaces built here with each kind of pin file, around the example bundle
// (examples/complete-bundle: scaler.joblib and y_scaler.joblib pickled by scikit-learn 1.2.1,
// model.h5 saved with keras_version 2.13.1, as examples/make_examples.py writes them with Debian's
// scikit-learn 1.2.1 and KERAS_VERSION = "2.13.1").
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readPins, poetrySpec, condaSpec, tomlEntries } from '../../src/core/bundles/pins';
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import { admits, DRIFT_CODES, pinFolders, pinnedMajorMinor, refreshDriftFindings } from '../../src/core/bundles/versionDrift';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import type { Finding } from '../../src/core/types';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-drift-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A workspace: pin files at its top, the example bundle in models/wind/. */
function workspace(pins: Record<string, string>): string {
  const ws = mkdtempSync(join(tmp, 'ws-'));
  const b = join(ws, 'models', 'wind');
  mkdirSync(b, { recursive: true });
  for (const f of ['model.h5', 'scaler.joblib', 'y_scaler.joblib', 'training_log.csv']) copyFileSync(join('examples/complete-bundle', f), join(b, f));
  for (const [name, text] of Object.entries(pins)) writeFileSync(join(ws, name), text);
  return ws;
}

async function drift(ws: string): Promise<Finding[]> {
  const report = await buildReport([ws], new NodeFileSource());
  assert.equal(report.bundles.length, 1);
  return report.bundles[0].findings.filter((f) => f.code === 'version-drift' || f.code === 'unpinned-dependency');
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.severity}:${f.code}`).sort();

describe('version drift against the pins of the workspace', () => {
  it('requirements.txt pinning another scikit-learn minor: a warning naming both versions and the files', async () => {
    const ws = workspace({ 'requirements.txt': '# deps\nnumpy>=1.24\nscikit-learn==1.3.2  # the new one\ntensorflow==2.13.0\n' });
    const fs = await drift(ws);
    assert.deepEqual(summary(fs), ['warning:version-drift']);
    const m = fs[0].message;
    for (const s of [
      'scaler.joblib',
      'y_scaler.joblib',
      'scikit-learn 1.2.1',
      'scikit-learn==1.3.2',
      '(1.3)',
      'requirements.txt (line 3)',
      'InconsistentVersionWarning',
    ])
      assert.ok(m.includes(s), `${s} in ${m}`);
    assert.ok(fs[0].path!.endsWith('scaler.joblib'));
  });

  it('the same major.minor is no drift; a Keras 2.13 model with no keras/tensorflow pin is unpinned', async () => {
    const ws = workspace({ 'requirements-prod.txt': 'scikit-learn==1.2.0\n' });
    const fs = await drift(ws);
    assert.deepEqual(summary(fs), ['info:unpinned-dependency']);
    assert.ok(fs[0].message.includes('keras 2.13.1') && fs[0].message.includes('requirements-prod.txt'), fs[0].message);
  });

  it('pyproject.toml (PEP 621): a range is unpinned, tensorflow 2.13 provides keras 2.13', async () => {
    const ws = workspace({
      'pyproject.toml':
        '[project]\nname = "wind"\ndependencies = [\n  "scikit-learn >=1.0",  # any\n  \'tensorflow==2.13.*\',\n]\n[tool.other]\nx = 1979-05-27 07:32:00\n',
    });
    const fs = await drift(ws);
    assert.deepEqual(summary(fs), ['info:unpinned-dependency']);
    assert.ok(fs[0].message.includes('scikit-learn>=1.0') && fs[0].message.includes('pyproject.toml (line 4)'), fs[0].message);
  });

  it('pyproject.toml (Poetry): ^1.3 excludes 1.2.1, tensorflow ~2.12.0 is another minor than keras 2.13.1', async () => {
    const ws = workspace({
      'pyproject.toml':
        '[tool.poetry]\nname = "wind"\n\n[tool.poetry.dependencies]\npython = "^3.10"\n"scikit-learn" = "^1.3"\ntensorflow = { version = "~2.12.0", optional = false }\n',
    });
    const fs = await drift(ws);
    assert.deepEqual(summary(fs), ['warning:version-drift', 'warning:version-drift']);
    assert.ok(
      fs.some((f) => f.message.includes('scikit-learn ^1.3') && f.message.includes('1.2.1')),
      fs.map((f) => f.message).join('\n'),
    );
    assert.ok(fs.some((f) => f.message.includes('keras 2.13.1') && f.message.includes('tensorflow ~2.12.0') && f.message.includes('(2.12)')));
  });

  it('Pipfile.lock with the pickled version: nothing to say about scikit-learn', async () => {
    const lock = {
      _meta: { hash: { sha256: 'x' } },
      default: { 'scikit-learn': { hashes: [], version: '==1.2.1' }, keras: { version: '==2.13.1' } },
      develop: {},
    };
    const fs = await drift(workspace({ 'Pipfile.lock': JSON.stringify(lock, null, 4) }));
    assert.deepEqual(summary(fs), []);
  });

  it('poetry.lock with scikit-learn 1.4.0: drift, and the lock overrides a range in pyproject.toml', async () => {
    const lockText = [
      '[[package]]',
      'name = "numpy"',
      'version = "1.26.4"',
      'description = "Fundamental package"',
      'files = [',
      '    {file = "numpy-1.26.4.tar.gz", hash = "sha256:2a0"},',
      ']',
      '',
      '[[package]]',
      'name = "scikit-learn"',
      'version = "1.4.0"',
      '',
      '[[package]]',
      'name = "tensorflow"',
      'version = "2.13.1"',
      '',
      '[metadata]',
      'lock-version = "2.0"',
      'content-hash = "abc"',
    ].join('\n');
    const fs = await drift(workspace({ 'poetry.lock': lockText, 'pyproject.toml': '[tool.poetry.dependencies]\nscikit-learn = ">=1.0"\ntensorflow = "*"\n' }));
    // scikit-learn: the lock's 1.4.0 is drift; tensorflow: the lock's 2.13.1 is exact, so "*" says nothing.
    assert.deepEqual(summary(fs), ['warning:version-drift']);
    assert.ok(fs[0].message.includes('poetry.lock (line 10)') && fs[0].message.includes('scikit-learn 1.4.0'), fs[0].message);
  });

  it('conda environment.yml: `=1.1` is 1.1.*, a drift; the pip section pins tensorflow', async () => {
    const env =
      'name: wind\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - conda-forge::scikit-learn=1.1\n  - pip\n  - pip:\n      - tensorflow==2.13.1\n';
    const fs = await drift(workspace({ 'environment.yml': env }));
    assert.deepEqual(summary(fs), ['warning:version-drift']);
    assert.ok(fs[0].message.includes('environment.yml (line 6)') && fs[0].message.includes('(1.1)'), fs[0].message);
  });

  it("a tfjs model's converter version against a tensorflowjs pin", async () => {
    const src = 'test/fixtures/real/AlexFSmirnov__tfjs-classification-demo/react-app/public/model';
    const json = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
    const converter = /v(\S+)$/.exec(json.convertedBy)![1];
    assert.equal(converter, '2.7.0');
    const ws = mkdtempSync(join(tmp, 'tfjs-'));
    cpSync(src, join(ws, 'model'), { recursive: true });
    writeFileSync(join(ws, 'requirements.txt'), `tensorflowjs==3.18.0\nkeras==${json.modelTopology.keras_version}\n`);
    const report = await buildReport([ws], new NodeFileSource());
    const fs = report.bundles.flatMap((b) => b.findings).filter((f) => f.code === 'version-drift' || f.code === 'unpinned-dependency');
    assert.deepEqual(summary(fs), ['warning:version-drift']);
    assert.ok(fs[0].message.includes(`tensorflowjs ${converter} (convertedBy)`) && fs[0].message.includes('tensorflowjs==3.18.0 (3.18)'), fs[0].message);
  });

  it('no pin file: no drift findings at all', async () => {
    assert.deepEqual(await drift(workspace({})), []);
  });

  it('an unreadable pin file is named (with its line), the others still count', async () => {
    const fs = await drift(workspace({ 'pyproject.toml': '[project]\ndependencies = ["scikit-learn==1.2.1"\n', 'requirements.txt': 'tensorflow==2.13.1\n' }));
    assert.deepEqual(summary(fs), ['info:unpinned-dependency', 'info:unpinned-dependency']);
    const bad = fs.find((f) => f.path!.endsWith('pyproject.toml'))!;
    assert.match(bad.message, /pyproject\.toml: line 3: expected , or \] in an array/);
    // scikit-learn is not pinned anywhere readable.
    assert.ok(fs.some((f) => f.message.includes('scikit-learn 1.2.1') && f.message.includes('no pin file')));
  });
});

describe('drift findings of an index (the extension)', () => {
  it('refreshes in place: no duplicates, and a changed pin replaces the finding', async () => {
    const ws = workspace({ 'requirements.txt': 'scikit-learn==1.3.2\ntensorflow==2.13.1\n' });
    const index = new BundleIndex(new NodeFileSource());
    const snap = await index.scan([ws]);
    assert.equal(snap.bundles.length, 1);
    const b = snap.bundles[0];
    const before = b.findings.filter((f) => !DRIFT_CODES.has(f.code)).map((f) => f.code);
    await refreshDriftFindings(snap.bundles, snap.files, () => ws, index.source);
    await refreshDriftFindings(snap.bundles, snap.files, () => ws, index.source);
    assert.deepEqual(summary(b.findings.filter((f) => DRIFT_CODES.has(f.code))), ['warning:version-drift']);
    assert.deepEqual(
      b.findings.filter((f) => !DRIFT_CODES.has(f.code)).map((f) => f.code),
      before,
    );
    writeFileSync(join(ws, 'requirements.txt'), 'scikit-learn==1.2.1\n');
    await refreshDriftFindings(snap.bundles, snap.files, () => ws, index.source);
    assert.deepEqual(summary(b.findings.filter((f) => DRIFT_CODES.has(f.code))), ['info:unpinned-dependency']);
    // Bundles not validated yet are left alone.
    await refreshDriftFindings(snap.bundles, snap.files, () => ws, index.source, new Set([b]));
    assert.deepEqual(summary(b.findings.filter((f) => DRIFT_CODES.has(f.code))), ['info:unpinned-dependency']);
  });
});

describe('pin readers and specifiers', () => {
  it('reads requirements lines: extras, markers, continuations, options and URLs', () => {
    const pins = readPins(
      'r/requirements.txt',
      '-r base.txt\n--index-url https://x\nScikit_Learn[alldeps] == 1.2.1 ; python_version > "3.8"\nkeras \\\n  >=2.13,<2.14\ngit+https://x/y.git\ntorch @ https://x/torch.whl\n',
    );
    assert.deepEqual(
      pins.map((p) => [p.name, p.spec, p.line]),
      [
        ['scikit-learn', '==1.2.1', 3],
        ['keras', '>=2.13,<2.14', 4],
        ['torch', '', 7],
      ],
    );
  });

  it('converts Poetry and conda constraints to PEP 440', () => {
    assert.equal(poetrySpec('^1.2.3'), '>=1.2.3,<2');
    assert.equal(poetrySpec('^0.2.3'), '>=0.2.3,<0.3');
    assert.equal(poetrySpec('~1.2.3'), '>=1.2.3,<1.3');
    assert.equal(poetrySpec('1.2.3'), '==1.2.3');
    assert.equal(poetrySpec('*'), '');
    assert.deepEqual(condaSpec('scikit-learn=1.2'), { name: 'scikit-learn', spec: '==1.2.*' });
    assert.deepEqual(condaSpec('scikit-learn==1.2.1=py311h_0'), { name: 'scikit-learn', spec: '==1.2.1' });
    assert.deepEqual(condaSpec('numpy >=1.24'), { name: 'numpy', spec: '>=1.24' });
  });

  it('evaluates specifiers and finds the one major.minor they allow', () => {
    assert.equal(admits('>=1.0,<2', '1.2.1'), true);
    assert.equal(admits('~=1.2.0', '1.3.0'), false);
    assert.equal(admits('==1.2.*', '1.2.9'), true);
    assert.equal(admits('!=1.2.1', '1.2.1'), false);
    assert.equal(pinnedMajorMinor('==1.3.2'), '1.3');
    assert.equal(pinnedMajorMinor('~=1.2.1'), '1.2');
    assert.equal(pinnedMajorMinor('~=1.2'), null);
    assert.equal(pinnedMajorMinor('>=1.2.3,<1.3'), '1.2');
    assert.equal(pinnedMajorMinor('>=1.0'), null);
  });

  it('TOML subset: dotted keys, literal and escaped strings, inline tables, arrays of tables', () => {
    const e = tomlEntries('t.toml', 'a.b = "x\\ty"\n[[p]]\nn = \'lit\'\n[[p]]\nn = {v = ["1", "2"]}\n');
    assert.deepEqual(
      e.map((x) => [x.table.join('.'), x.element, x.key.join('.'), x.value]),
      [
        ['', -1, 'a.b', 'x\ty'],
        ['p', 0, 'n', 'lit'],
        ['p', 1, 'n', { v: ['1', '2'] }],
      ],
    );
  });

  it('looks for pins from the bundle up to the scanned folder, not above it', () => {
    assert.deepEqual(pinFolders('/ws/models/wind', '/ws'), ['/ws/models/wind', '/ws/models', '/ws']);
    assert.deepEqual(pinFolders('models/wind', '.'), ['models/wind', 'models', '.']);
    assert.deepEqual(pinFolders('/elsewhere/x', '/ws'), ['/elsewhere/x']);
  });
});
