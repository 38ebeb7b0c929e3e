// Memory of reading a 100 MB joblib file: a StandardScaler-like dict... a fitted StandardScaler
// whose arrays hold 100 MB (12.5 M float64 values, written by Debian's /usr/bin/python3 with
// joblib + scikit-learn into a temp folder), read by inspectFile in a fresh Node process.
// Prints max RSS / file size (issue 18 goal: <= 2) and the same above the process's own baseline.
// Run: node --import tsx test/bench/joblibMemoryBench.ts [compress]   (compress: joblib's
// compress level, default 0 = uncompressed; 3 = zlib, as joblib.dump(..., compress=3) writes)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mbi-joblib-mem-'));
try {
  const file = join(dir, 'scaler.joblib');
  execFileSync('/usr/bin/python3', [
    '-c',
    `
import joblib, numpy as np
from sklearn.preprocessing import StandardScaler
n = 12_500_000
s = StandardScaler().fit(np.zeros((2, 4)))
rng = np.random.default_rng(0)
s.mean_ = rng.random(n); s.scale_ = rng.random(0); s.var_ = None; s.n_features_in_ = n; s.n_samples_seen_ = 2
joblib.dump(s, ${JSON.stringify(file)}, compress=${Number(process.argv[2] ?? 0)})
`,
  ]);
  const size = statSync(file).size;
  const child = join(dir, 'child.ts');
  writeFileSync(
    child,
    `
import { inspectFile } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'formats', 'inspect'))};
import { NodeFileSource } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'io', 'nodeFileSource'))};
(async () => {
  const base = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  const r = await inspectFile(process.argv[2], new NodeFileSource());
  const ms = performance.now() - t;
  console.log(JSON.stringify({ base, max: process.resourceUsage().maxRSS * 1024, ms, format: r.format, error: r.error, kind: r.scaler?.kind ?? null }));
})();
`,
  );
  const out = spawnSync(process.execPath, ['--import', 'tsx', child, file], {
    encoding: 'utf8',
    cwd: join(__dirname, '..', '..'),
  });
  if (out.status !== 0) throw new Error(out.stderr);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
    base: number;
    max: number;
    ms: number;
    format: string;
    error: unknown;
    kind: string | null;
  };
  const mb = (n: number) => (n / 1048576).toFixed(0);
  console.log(`joblib file ${mb(size)} MB (${r.format}${r.error ? `, error ${JSON.stringify(r.error)}` : ''}), read in ${r.ms.toFixed(0)} ms`);
  console.log(
    `max RSS ${mb(r.max)} MB = ${(r.max / size).toFixed(2)}x the file; above the process baseline (${mb(r.base)} MB): ${((r.max - r.base) / size).toFixed(2)}x`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
