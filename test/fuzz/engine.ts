// Runs one fuzz case through the readers exactly as the dispatcher does (content sniffing, JSON
// parsed once), but without its catch-all: anything thrown that is not a ReadError is a crash.
import { ReadError } from '../../src/core/io/errors';
import type { FileSource, FileStat } from '../../src/core/io/fileSource';
import { HEAD_BYTES, type ReaderInput, type ReaderResult } from '../../src/core/formats/reader';
import { binaryReaders, jsonReaders } from '../../src/core/formats/readers';
import { MAX_JSON_BYTES, startsAsJson } from '../../src/core/formats/inspect';
import { parsePythonJson } from '../../src/core/formats/logs/historyJson';
import { Rng, caseSeed } from './mutate';
import type { FuzzCase, FuzzTarget } from './targets';

/** Folder the case's files are in (virtual: nothing is written). */
export const CASE_DIR = '/fuzz';

/** The case's files in memory; no local path, so h5wasm reads them from memory too. */
export class CaseSource implements FileSource {
  constructor(private readonly files: Record<string, Uint8Array>) {}
  private get(path: string): Uint8Array | undefined {
    return path.startsWith(`${CASE_DIR}/`) ? this.files[path.slice(CASE_DIR.length + 1)] : undefined;
  }
  async readFile(path: string): Promise<Uint8Array> {
    const b = this.get(path);
    if (!b) throw new ReadError('not-found', `${path}: no such file`);
    return b;
  }
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return (await this.readFile(path)).subarray(offset, offset + length);
  }
  async stat(path: string): Promise<FileStat | null> {
    if (path === CASE_DIR) return { size: 0, mtimeMs: 0, isDirectory: true };
    const b = this.get(path);
    return b ? { size: b.length, mtimeMs: 0, isDirectory: false } : null;
  }
  async readDir(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
    return path === CASE_DIR ? Object.keys(this.files).map((name) => ({ name, isDirectory: false })) : [];
  }
  localPath(): string | null {
    return null;
  }
}

export type Outcome =
  | { kind: 'ok' | 'rejected'; ms: number; code?: string }
  | { kind: 'crash'; ms: number; error: string; stack?: string }
  | { kind: 'unnamed'; ms: number; error: string }
  | { kind: 'slow'; ms: number };

/** Reads the case's main file with the reader its content asks for. Throws what the reader throws. */
export async function dispatch(c: FuzzCase): Promise<ReaderResult | null> {
  const source = new CaseSource(c.files);
  const path = `${CASE_DIR}/${c.main}`;
  const bytes = c.files[c.main];
  const input: ReaderInput = {
    path,
    size: bytes.length,
    head: bytes.subarray(0, HEAD_BYTES),
    source,
  };
  const binary = binaryReaders.find((r) => r.sniff(input.head, path));
  if (binary) return binary.read(input);
  if (!startsAsJson(input.head) || bytes.length > MAX_JSON_BYTES) return null;
  let value: unknown;
  try {
    value = parsePythonJson(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch {
    return null; // invalid JSON: the dispatcher reports it (its own clear error)
  }
  const json = jsonReaders.find((r) => r.sniffJson(value, path));
  return json ? json.readJson(value, input) : null;
}

/** Runs one case and classifies what happened. */
export async function runCase(c: FuzzCase, budgetMs: number): Promise<Outcome> {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  try {
    const r = await dispatch(c);
    const t = ms();
    if (t > budgetMs) return { kind: 'slow', ms: t };
    if (r?.error) {
      // a returned error must name the file: the dispatcher does not prefix those
      if (!Object.keys(c.files).some((n) => r.error!.message.includes(n)))
        return {
          kind: 'unnamed',
          ms: t,
          error: `${r.error.code}: ${r.error.message}`,
        };
      return { kind: 'rejected', ms: t, code: r.error.code };
    }
    return { kind: 'ok', ms: t };
  } catch (e) {
    const t = ms();
    if (e instanceof ReadError) return t > budgetMs ? { kind: 'slow', ms: t } : { kind: 'rejected', ms: t, code: e.code };
    const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return {
      kind: 'crash',
      ms: t,
      error: err.slice(0, 500),
      stack: e instanceof Error ? e.stack?.split('\n').slice(0, 8).join('\n') : undefined,
    };
  }
}

/** The mutated case `index` of a target (reproducible from seed, target and index). */
export function makeCase(t: FuzzTarget, seeds: FuzzCase[], seed: number, index: number): FuzzCase {
  const r = new Rng(caseSeed(seed, t.name, index));
  const base = seeds[r.int(seeds.length)];
  let c = t.mutate(base, r);
  // sometimes mutate a mutant (deeper changes)
  if (r.chance(0.25)) c = t.mutate(c, r);
  return c;
}

/** Whether two outcomes are "the same failure" (for minimising). */
export function sameFailure(a: Outcome, b: Outcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'crash' && b.kind === 'crash') return a.error.split(':')[0] === b.error.split(':')[0];
  return true;
}

/**
 * Shrinks the main file of a failing case while it fails the same way: cuts chunks (halves, then
 * smaller), within `maxTries` runs. Slow cases are only shrunk by cutting the tail.
 */
export async function minimise(c: FuzzCase, failure: Outcome, budgetMs: number, maxTries = 300): Promise<FuzzCase> {
  let best = c.files[c.main];
  let tries = 0;
  const still = async (b: Uint8Array) => {
    tries++;
    const o = await runCase({ main: c.main, files: { ...c.files, [c.main]: b } }, budgetMs);
    return sameFailure(o, failure);
  };
  for (let chunk = Math.floor(best.length / 2); chunk >= 1 && tries < maxTries; chunk = Math.floor(chunk / 2)) {
    let at = failure.kind === 'slow' ? best.length - chunk : 0;
    while (at >= 0 && at < best.length && tries < maxTries) {
      const cand = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      cand.set(best.subarray(0, at));
      cand.set(best.subarray(at + chunk), at);
      if (cand.length > 0 && (await still(cand))) {
        best = cand;
        if (failure.kind === 'slow') at = best.length - chunk;
      } else at = failure.kind === 'slow' ? -1 : at + chunk;
    }
  }
  return { main: c.main, files: { ...c.files, [c.main]: best } };
}
