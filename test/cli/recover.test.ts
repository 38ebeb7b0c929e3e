import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runRecoverScaler } from '../../src/cli/recover';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-recover-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const bundle = join(tmp, 'bundle');
cpSync('test/fixtures/recover/bundle', bundle, { recursive: true });
const original = readdirSync(bundle).sort();

/** Runs the subcommand in this process (a spawned tsx costs seconds per call), capturing its output. */
async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runRecoverScaler(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('model-bundles recover-scaler', () => {
  it('without --yes or --out: proves (exit 0), prints what it would write, writes nothing', async () => {
    const r = await cli(bundle);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /proof: recomputed val_loss \S+ vs logged \S+ \(0\.0\d*%\) \[PROVEN\]/);
    assert.match(r.stdout, /would write \(pass --yes/);
    assert.deepEqual(readdirSync(bundle).sort(), original);
  });
  it('--out DIR --json writes the scaler and its record there only', async () => {
    const out = join(tmp, 'out');
    const r = await cli(bundle, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.status, 'proven');
    assert.deepEqual(
      doc.files.map((f: { path: string; written: boolean }) => [f.path, f.written]),
      [
        [join(out, 'scaler.pkl'), true],
        [join(out, 'scaler.recovery.json'), true],
      ],
    );
    assert.deepEqual(readdirSync(out).sort(), ['scaler.pkl', 'scaler.recovery.json']);
    assert.deepEqual(readdirSync(bundle).sort(), original);
  });
  it('a wrong --set random_state fails the proof (exit 1) and writes nothing even with --yes', async () => {
    const r = await cli(bundle, '--set', 'random_state=1', '--yes');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\[FAILED\]/);
    assert.match(r.stdout, /check: random_state=1 \(given, not from the script\)/);
    assert.match(r.stdout, /not written, the proof did not confirm the recipe/);
    assert.ok(!existsSync(join(bundle, 'scaler.pkl')));
  });
});
