// The lint config itself: deliberate violations in throwaway files must make ESLint fail, with the
// rule that holds that line of the architecture (docs/architecture.md); a clean file passes.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const written: string[] = [];
after(() => {
  for (const f of written) rmSync(f, { force: true });
});

/** Lints `code` as if it were the project file `rel`; returns "ruleId: message" of every problem. */
async function lintAs(rel: string, code: string): Promise<string[]> {
  const file = join(ROOT, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  written.push(file);
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintFiles([file]);
  rmSync(file, { force: true });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const PROBE = '__lintProbe';

test('a clean core file passes', async () => {
  const msgs = await lintAs(
    `src/core/formats/keras/${PROBE}1.ts`,
    "import { ReadError } from '../../io/errors';\n/** probe */\nexport const probe = (): ReadError => new ReadError('x', 'y');\n",
  );
  assert.deepEqual(msgs, []);
});

test('a format family importing another family fails', async () => {
  const msgs = await lintAs(
    `src/core/formats/keras/${PROBE}2.ts`,
    "import { scanPickle } from '../pickle/pickle';\n/** probe */\nexport const probe = scanPickle;\n",
  );
  assert.equal(msgs.length, 1);
  assert.match(msgs[0], /^no-restricted-imports: .*formats\/keras may not import formats\/pickle/);
});

test('a codec importing a format (upward) fails', async () => {
  const msgs = await lintAs(
    `src/core/codecs/${PROBE}3.ts`,
    "import { binaryReaders } from '../formats/readers';\n/** probe */\nexport const probe = binaryReaders;\n",
  );
  assert.equal(msgs.length, 1);
  assert.match(msgs[0], /^no-restricted-imports: .*core\/codecs may not import core\/formats/);
});

test('predict importing bundles (upward) fails', async () => {
  const msgs = await lintAs(`src/core/predict/${PROBE}4.ts`, "import { anchorOf } from '../bundles/bundle';\n/** probe */\nexport const probe = anchorOf;\n");
  assert.ok(
    msgs.some((m) => /core\/predict may not import core\/bundles/.test(m)),
    msgs.join('\n'),
  );
});

test('vscode, fs and child_process in the core fail', async () => {
  const msgs = await lintAs(
    `src/core/report/${PROBE}5.ts`,
    "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nimport { execSync } from 'node:child_process';\n/** probe */\nexport const probe = [vscode, readFileSync, execSync];\n",
  );
  assert.equal(msgs.filter((m) => m.startsWith('no-restricted-imports')).length, 3, msgs.join('\n'));
});

test('eval and new Function fail anywhere', async () => {
  const msgs = await lintAs(
    `src/adapters/${PROBE}6.ts`,
    '/** probe */\nexport function probe(s: string): unknown {\n  return [eval(s), new Function(s)];\n}\n',
  );
  assert.ok(
    msgs.some((m) => m.startsWith('no-eval')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith('no-new-func')),
    msgs.join('\n'),
  );
});

test('the DOM in the core fails', async () => {
  const msgs = await lintAs(`src/core/io/${PROBE}7.ts`, '/** probe */\nexport const probe = (): string => document.title;\n');
  assert.ok(
    msgs.some((m) => /no-restricted-globals: .*DOM/.test(m)),
    msgs.join('\n'),
  );
});

test('the webview importing host code fails, src/shared passes', async () => {
  const bad = await lintAs(
    `webview/${PROBE}8.ts`,
    "import { scanPickle } from '../src/core/formats/pickle/pickle';\n/** probe */\nexport const probe = scanPickle;\n",
  );
  assert.ok(
    bad.some((m) => /the webview may import only src\/shared/.test(m)),
    bad.join('\n'),
  );
  const good = await lintAs(
    `webview/${PROBE}9.ts`,
    "import type { HostToWebview } from '../src/shared/protocol';\n/** probe */\nexport type Probe = HostToWebview;\n",
  );
  assert.deepEqual(good, []);
});

test('a floating promise in host code fails (type-checked rules are on)', async () => {
  const msgs = await lintAs(`src/core/io/${PROBE}10.ts`, '/** probe */\nexport function probe(): void {\n  Promise.resolve(1);\n}\n');
  assert.ok(
    msgs.some((m) => m.startsWith('@typescript-eslint/no-floating-promises')),
    msgs.join('\n'),
  );
});
