// Replays every case the fuzz campaigns saved under test/fixtures/fuzz/<target>-<kind>-s<seed>-<i>/
// (files + case.json): each must now be read or refused with a clear error within the budget.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCase } from '../fuzz/engine';
import type { FuzzCase } from '../fuzz/targets';

const DIR = join(__dirname, '..', 'fixtures', 'fuzz');
const BUDGET_MS = 3000;

function load(dir: string): {
  info: { target: string; main: string; kind: string; detail?: string };
  c: FuzzCase;
} {
  const info = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const files: Record<string, Uint8Array> = {};
  for (const n of readdirSync(dir)) if (n !== 'case.json') files[n] = readFileSync(join(dir, n));
  return { info, c: { main: info.main, files } };
}

describe('fuzz regressions', () => {
  const cases = existsSync(DIR)
    ? readdirSync(DIR)
        .filter((n) => existsSync(join(DIR, n, 'case.json')))
        .sort()
    : [];
  it('the saved cases are there', () => {
    assert.ok(cases.length > 0);
  });
  for (const name of cases) {
    it(name, async () => {
      const { info, c } = load(join(DIR, name));
      const o = await runCase(c, BUDGET_MS);
      assert.ok(o.kind === 'ok' || o.kind === 'rejected', `${info.target} case was a ${info.kind} (${info.detail ?? ''}); now ${JSON.stringify(o)}`);
    });
  }
});
