// The finding-message table (src/core/bundles/findingMessages.ts): a template for every documented
// code, templates that format back to the English messages the CLI prints (with our formatter and with
// @vscode/l10n's), on the fixture bundles and on training scripts and notebooks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as l10n from '@vscode/l10n';
import { FINDING_MESSAGES, messageCode } from '../../src/core/bundles/findingMessages';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { formatTemplate, withoutTemplates, type TemplatedMessage } from '../../src/core/io/messageTemplate';
import { lintNotebookFile, lintNotebookJson, lintPythonScript } from '../../src/core/lint/scriptLint';
import { buildReport } from '../../src/core/report/report';

const templates = new Set<string>(Object.values(FINDING_MESSAGES));

/** The codes with a `## <code>` section under "## Finding codes" in docs/bundles.md. */
function documentedCodes(): string[] {
  const md = readFileSync('docs/bundles.md', 'utf8');
  const section = md.slice(md.indexOf('## Finding codes'));
  return [...section.matchAll(/^## ([a-z0-9-]+)\s*$/gm)].map((m) => m[1]);
}

/** Checks that a message is its template formatted with its arguments; returns the template. */
function checkFormatted(m: TemplatedMessage, what: string): string {
  assert.ok(m.messageTemplate !== undefined && m.messageArgs !== undefined, `${what}: no template (${m.message})`);
  assert.ok(templates.has(m.messageTemplate), `${what}: template not in the table: ${m.messageTemplate}`);
  const highest = Math.max(-1, ...[...m.messageTemplate.matchAll(/\{(\d+)\}/g)].map((x) => Number(x[1])));
  assert.equal(m.messageArgs.length, highest + 1, `${what}: ${m.messageArgs.length} argument(s) for placeholders up to {${highest}}`);
  assert.equal(formatTemplate(m.messageTemplate, m.messageArgs), m.message, what);
  // and as the editor formats it (@vscode/l10n formats as vscode.l10n.t does; no bundle loaded: English)
  assert.equal(l10n.t(m.messageTemplate, ...m.messageArgs), m.message, `${what} (through l10n.t)`);
  return m.messageTemplate;
}

test('every finding code documented in docs/bundles.md has a template, and every template a documented code', () => {
  const codes = documentedCodes();
  assert.ok(codes.length >= 19, `only ${codes.length} codes found in docs/bundles.md`);
  const ids = Object.keys(FINDING_MESSAGES);
  assert.deepEqual(codes.filter((c) => !ids.some((id) => messageCode(id) === c)), [], 'documented codes without a template');
  assert.deepEqual(ids.filter((id) => !codes.includes(messageCode(id))), [], 'templates of undocumented codes');
});

test('templates hold only {n} placeholders, numbered from 0 without gaps', () => {
  for (const [id, t] of Object.entries(FINDING_MESSAGES)) {
    const braces = t.replace(/\{\d+\}/g, '');
    assert.ok(!/[{}]/.test(braces), `${id}: a brace that is not a placeholder (vscode.l10n.t would treat {name} as one)`);
    const used = new Set([...t.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
    for (let i = 0; i < used.size; i++) assert.ok(used.has(i), `${id}: {${i}} missing while {${used.size - 1}} is used`);
  }
});

test('formatTemplate formats as @vscode/l10n does (placeholders replaced once, unknown ones kept)', () => {
  assert.equal(formatTemplate('{0} and {1}; {0} again, {2} kept', ['a{1}', 7]), 'a{1} and 7; a{1} again, {2} kept');
  assert.equal(formatTemplate('no args {0}', []), 'no args {0}');
});

test('findings of the fixture bundles are their templates formatted with their arguments', async () => {
  const report = await buildReport(['test/fixtures/real', 'test/fixtures/hostile/generated', 'test/fixtures/sklearn2', 'examples'], new NodeFileSource(), { verifyHashes: true });
  const findings = report.bundles.flatMap((b) => b.findings);
  assert.ok(findings.length > 40, `only ${findings.length} findings`);
  const seen = new Set<string>();
  for (const f of findings) seen.add(checkFormatted(f, `${f.code} on ${f.path}`));
  const codes = new Set(findings.map((f) => f.code));
  for (const c of ['missing-scaler', 'missing-log', 'missing-weights', 'unsafe-pickle', 'missing-side-file', 'target-scaler']) assert.ok(codes.has(c), `no ${c} on the fixtures`);
  assert.ok(seen.size >= 7, `only ${seen.size} distinct templates exercised`);
  // the JSON output leaves the translation fields out
  const json = JSON.stringify(report, withoutTemplates);
  assert.ok(!json.includes('messageTemplate') && !json.includes('messageArgs'));
  assert.ok(json.includes(findings[0].message.slice(0, 40).replace(/["\\]/g, (c) => `\\${c}`)));
});

test('script-lint messages and quick-fix titles (scripts, open notebooks, closed notebooks) are their templates formatted', () => {
  const script = [
    'from sklearn.preprocessing import MinMaxScaler, StandardScaler',
    'scaler = MinMaxScaler()',
    'X = scaler.fit_transform(X)',
    'y_scaler = StandardScaler()',
    'y = y_scaler.fit_transform(y)',
    'Z = StandardScaler().fit_transform(Z)',
    'model.fit(X, y)',
    'model.save("model.h5")',
  ].join('\n');
  const f = lintPythonScript(script);
  assert.deepEqual(
    f.map((x) => checkFormatted(x, x.message)),
    [FINDING_MESSAGES['unsaved-scaler.named'], FINDING_MESSAGES['unsaved-scaler.named-target'], FINDING_MESSAGES['unsaved-scaler.unnamed']],
  );
  for (const x of f.filter((x) => x.fix)) {
    checkFormatted({ message: x.fix!.title, messageTemplate: x.fix!.titleTemplate, messageArgs: x.fix!.titleArgs }, x.fix!.title);
  }
  const notebooks = [
    'test/fixtures/notebooks/microsoft__ML-For-Beginners/3-Web-App/1-Web-App/solution/notebook.ipynb',
    'test/fixtures/reference/scriptLint/ufo_single_string.ipynb',
    'test/fixtures/reference/scriptLint/ufo_list_crlf.ipynb',
  ];
  let closed = 0;
  for (const nb of notebooks) {
    const json = readFileSync(nb, 'utf8');
    for (const x of lintNotebookJson(json)) checkFormatted(x, `${nb}: ${x.message}`);
    for (const x of lintNotebookFile(json)) {
      assert.ok(checkFormatted(x, `${nb} (closed): ${x.message}`).endsWith('of this notebook: open it in the notebook editor to edit the cell.)') || x.messageTemplate!.endsWith('apply the quick fix.)'));
      closed++;
    }
  }
  const cellsJson = JSON.stringify({ cells: [{ cell_type: 'code', source: script.split('\n').map((l) => `${l}\n`) }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
  const closedScript = lintNotebookFile(cellsJson);
  assert.equal(closedScript.length, 3);
  for (const x of closedScript) checkFormatted(x, x.message);
  assert.ok(closed + closedScript.length >= 3);
});
