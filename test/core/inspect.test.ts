import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile, walkPaths } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-inspect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function put(rel: string, content: string | Uint8Array): string {
  const p = join(tmp, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('walkPaths', () => {
  it('lists files in name order and skips excluded folders and virtual environments', async () => {
    put('w/b.txt', 'b');
    put('w/a.txt', 'a');
    put('w/sub/c.txt', 'c');
    put('w/node_modules/x/model.json', '{}');
    put('w/.git/config', '');
    put('w/env/pyvenv.cfg', 'home = /usr/bin');
    put('w/env/lib/model.h5', 'x');
    put('w/skipme/d.txt', 'd');
    const root = join(tmp, 'w');
    const files = await walkPaths([root], source, { excludeDirs: ['skipme'] });
    assert.deepEqual(
      files.map((f) => f.slice(root.length + 1)),
      ['a.txt', 'b.txt', 'sub/c.txt'],
    );
  });

  it('lists a file given directly and rejects a missing path', async () => {
    const f = put('single.txt', 'x');
    assert.deepEqual(await walkPaths([f], source), [f]);
    await assert.rejects(walkPaths([join(tmp, 'nope')], source), /no such file or folder/);
  });
});

describe('inspectFile', () => {
  it('reports a missing file as not-found', async () => {
    const r = await inspectFile(join(tmp, 'missing.h5'), source);
    assert.equal(r.error?.code, 'not-found');
    assert.match(r.error!.message, /missing\.h5/);
  });

  it('gives invalid-json for a broken .json, naming the file', async () => {
    const p = put('broken/model.json', '{"class_name": "Sequential", ');
    const r = await inspectFile(p, source);
    assert.equal(r.role, 'other');
    assert.equal(r.error?.code, 'invalid-json');
    assert.ok(r.error!.message.startsWith(p));
  });

  it('gives not-a-model for a JSON document that no reader claims', async () => {
    const p = put('other/settings.json', JSON.stringify({ learning_rate: 0.1, name: 'run 3' }));
    const r = await inspectFile(p, source);
    assert.equal(r.format, 'unknown');
    assert.equal(r.error?.code, 'not-a-model');
  });

  it('leaves an unrelated text file as other/unknown without error, with size and mtime', async () => {
    const p = put('notes/readme.txt', 'hello');
    const r = await inspectFile(p, source);
    assert.equal(r.role, 'other');
    assert.equal(r.format, 'unknown');
    assert.equal(r.error, null);
    assert.equal(r.size, 5);
    assert.ok(typeof r.mtimeMs === 'number' && r.mtimeMs > 0);
  });
});
