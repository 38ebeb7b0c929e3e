// FIFOs, symlink loops, links to an ancestor folder and device files are skipped by scans without
// blocking, and refused with a clear error when named (issue 18, item 2).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile, inspectPaths, walkPaths } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-special-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const src = new NodeFileSource();

mkdirSync(join(tmp, 'run', 'sub'), { recursive: true });
writeFileSync(join(tmp, 'run', 'log.csv'), 'epoch,loss\n0,1.5\n1,0.75\n');
execFileSync('mkfifo', [join(tmp, 'run', 'pipe.pkl')]);
symlinkSync('loop_b', join(tmp, 'run', 'loop_a'));
symlinkSync('loop_a', join(tmp, 'run', 'loop_b'));
symlinkSync('..', join(tmp, 'run', 'sub', 'up'));
symlinkSync('.', join(tmp, 'run', 'self'));
symlinkSync('/dev/zero', join(tmp, 'run', 'zero.h5'));
symlinkSync('missing.h5', join(tmp, 'run', 'dangling.h5'));
symlinkSync('log.csv', join(tmp, 'run', 'linked.csv'));

describe('special files in scans', () => {
  it('a walk lists the regular files (and links to them) only, and returns at once', async () => {
    const t0 = performance.now();
    const files = await walkPaths([join(tmp, 'run')], src);
    assert.deepEqual(files.map((f) => f.slice(tmp.length + 1)).sort(), ['run/linked.csv', 'run/log.csv']);
    assert.ok(performance.now() - t0 < 2000);
  });
  it('following links (as the VS Code adapter does): links to the folder itself or above are not folders', async () => {
    const names = (await src.readDir(join(tmp, 'run'), { followLinks: true })).map((e) => `${e.name}:${e.isDirectory}`).sort();
    assert.deepEqual(names, ['linked.csv:false', 'log.csv:false', 'sub:true']);
    assert.deepEqual(await src.readDir(join(tmp, 'run', 'sub'), { followLinks: true }), []);
  });
  it('inspectPaths over the folder reads the log and never touches the FIFO', async () => {
    const reports = await inspectPaths([join(tmp, 'run')], src);
    assert.deepEqual(reports.map((r) => [r.path.slice(tmp.length + 1), r.format, r.log?.epochs]).sort(), [
      ['run/linked.csv', 'keras-csv-log', 2],
      ['run/log.csv', 'keras-csv-log', 2],
    ]);
  });
  it('a FIFO, a device and a link loop named explicitly give clear errors, without blocking', async () => {
    const t0 = performance.now();
    const fifo = await inspectFile(join(tmp, 'run', 'pipe.pkl'), src);
    assert.equal(fifo.error?.code, 'not-a-regular-file');
    assert.match(fifo.error!.message, /pipe\.pkl: not a regular file \(a FIFO\)/);
    const dev = await inspectFile(join(tmp, 'run', 'zero.h5'), src);
    assert.equal(dev.error?.code, 'not-a-regular-file');
    const loop = await inspectFile(join(tmp, 'run', 'loop_a'), src);
    assert.equal(loop.error?.code, 'not-found');
    assert.ok(performance.now() - t0 < 2000);
  });
});
