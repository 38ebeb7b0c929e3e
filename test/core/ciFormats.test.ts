// check --format github (workflow commands, escaped as GitHub's runner reads them) and
// --format sarif (validated against the SARIF 2.1.0 schema, test/fixtures/schemas/SOURCES.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { FINDING_CODES } from '../../src/core/bundles/findings';
import { artifactUri, escapeData, escapeProperty, githubAnnotations, sarifLog } from '../../src/core/deploy/ciFormats';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import type { Bundle } from '../../src/core/types';

/** The SARIF schema (draft-04) made loadable by Ajv's draft-07 engine: top-level `id` -> `$id`, no `$schema`. */
function sarifValidator() {
  const schema = JSON.parse(readFileSync('test/fixtures/schemas/sarif-2.1.0-rtm.5.schema.json', 'utf8'));
  assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
  const { $schema: _s, id, ...rest } = schema;
  // Its `language` pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that only a
  // non-unicode RegExp accepts (as JSON Schema draft-04 validators compiled it).
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: id, ...rest });
}

/** GitHub's runner's reading of escaped data (the inverse of the escaping, for the round trip). */
const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** The parts of a SARIF run the tests read. */
interface SarifRun {
  tool: { driver: { rules: { id: string }[] } };
  results: {
    ruleId: string;
    ruleIndex: number;
    level: string;
    locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
  }[];
}
const runOf = (log: Record<string, unknown>): SarifRun => (log.runs as SarifRun[])[0];

const bundle = (findings: Bundle['findings'], root = 'models/a'): Bundle => ({
  root,
  files: { scaler: [], structure: [], weights: [], model: [], log: [] },
  complete: false,
  findings,
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('GitHub workflow commands', () => {
  it('escapes %, CR and LF in messages and also : and , in properties', () => {
    assert.equal(escapeData('50% done\r\nnext: a,b'), '50%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('dir,x/a:b%.h5'), 'dir%2Cx/a%3Ab%25.h5');
  });

  it('one line per finding, level by severity, the file and line, a message that reads back unchanged', () => {
    const msg = 'first line\nsecond: 100% sure, really';
    const lines = githubAnnotations([
      bundle([
        { code: 'missing-scaler', severity: 'error', message: msg, path: 'models/a,b/model.h5' },
        { code: 'unpinned-dependency', severity: 'info', message: 'm', path: 'requirements.txt', line: 3 },
        { code: 'missing-log', severity: 'warning', message: 'w', path: null },
      ]),
    ]);
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => !l.includes('\n')));
    const m = /^::error file=([^,]*),title=([^,]*)::(.*)$/.exec(lines[0]);
    assert.ok(m, lines[0]);
    assert.equal(unescape(m[1]), 'models/a,b/model.h5');
    assert.equal(unescape(m[2]), 'model-bundles: missing-scaler');
    assert.equal(unescape(m[3]), msg);
    assert.equal(lines[1], '::notice file=requirements.txt,line=3,title=model-bundles%3A unpinned-dependency::m');
    assert.equal(lines[2], '::warning file=models/a,title=model-bundles%3A missing-log::w');
  });

  it('annotates a range pin on its line of requirements.txt (version drift end to end)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mbi-gh-'));
    try {
      for (const f of ['model.h5', 'scaler.joblib', 'training_log.csv']) copyFileSync(join('examples/complete-bundle', f), join(ws, f));
      writeFileSync(join(ws, 'requirements.txt'), 'tensorflow==2.13.1\nscikit-learn>=1.0\n');
      const report = await buildReport([ws], new NodeFileSource());
      const lines = githubAnnotations(report.bundles).filter((l) => l.includes('unpinned-dependency'));
      assert.equal(lines.length, 1);
      assert.ok(
        lines[0].startsWith(`::notice file=${escapeProperty(join(ws, 'requirements.txt'))},line=2,title=model-bundles%3A unpinned-dependency::`),
        lines[0],
      );
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('the CLI: exit 1 on the missing-scaler example, the error annotated on its model.json', () => {
    const r = cli('check', 'examples/missing-scaler', '--format', 'github');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^::error file=examples\/missing-scaler\/model\.json,title=model-bundles%3A missing-scaler::No fitted scaler/m);
    assert.match(r.stdout, /1 bundle\(s\), 1 finding\(s\): FAILED\n$/);
  });
});

describe('SARIF 2.1.0', () => {
  it('is valid against the SARIF schema; every finding code is a rule; one result per finding', async () => {
    const validate = sarifValidator();
    const report = await buildReport(['examples'], new NodeFileSource());
    const log = sarifLog(report.bundles, report.tool);
    assert.ok(validate(log), JSON.stringify(validate.errors));
    const run = runOf(log);
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      Object.keys(FINDING_CODES),
    );
    const findings = report.bundles.flatMap((b) => b.findings);
    assert.equal(run.results.length, findings.length);
    const missing = run.results.find((r) => r.ruleId === 'missing-scaler')!;
    assert.equal(missing.level, 'error');
    assert.equal(missing.locations[0].physicalLocation.artifactLocation.uri, 'examples/missing-scaler/model.json');
    assert.equal(run.tool.driver.rules[missing.ruleIndex].id, 'missing-scaler');
    assert.equal(run.results.find((r) => r.ruleId === 'target-scaler')!.level, 'note');
    // The schema check can fail: a result without a message is refused.
    assert.equal(validate({ ...log, runs: [{ ...run, results: [{ ruleId: 'x' }] }] }), false);
  });

  it('lines as regions, odd paths as URI references, absolute paths as file: URIs', () => {
    const validate = sarifValidator();
    const log = sarifLog(
      [
        bundle([
          { code: 'unpinned-dependency', severity: 'info', message: 'm', path: 'my models/req #1.txt', line: 7 },
          { code: 'new-code', severity: 'warning', message: 'n', path: '/abs/p q.h5' },
        ]),
      ],
      { name: 'model-bundles', version: '0.1.0' },
    );
    assert.ok(validate(log), JSON.stringify(validate.errors));
    const results = runOf(log).results;
    assert.deepEqual(results[0].locations[0].physicalLocation, { artifactLocation: { uri: 'my%20models/req%20%231.txt' }, region: { startLine: 7 } });
    assert.equal(results[1].locations[0].physicalLocation.artifactLocation.uri, 'file:///abs/p%20q.h5');
    assert.equal(runOf(log).tool.driver.rules[results[1].ruleIndex].id, 'new-code');
    assert.equal(artifactUri('a/b.h5'), 'a/b.h5');
  });

  it('the CLI writes the log on stdout and keeps the exit code', () => {
    const r = cli('check', 'examples/missing-scaler', '--format', 'sarif');
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.ok(sarifValidator()(log));
  });
});
