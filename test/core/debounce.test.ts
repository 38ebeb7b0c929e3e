import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeBatcher, type ChangeBatch, type TimerApi } from '../../src/core/io/debounce';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements TimerApi {
  t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  now(): number {
    return this.t;
  }
  /** Moves time forward, firing due timers in order; lets flush promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (next === null || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.t = next[1].at;
      this.timers.delete(next[0]);
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }
  get armed(): number {
    return this.timers.size;
  }
}

function setup(delayMs = 500, maxWaitMs = 5000) {
  const clock = new FakeClock();
  const batches: ChangeBatch[] = [];
  const b = new ChangeBatcher((x) => void batches.push(x), { delayMs, maxWaitMs, timers: clock });
  return { clock, batches, b };
}

test('a log rewritten every 100 ms for 1 s flushes once, 500 ms after the last write', async () => {
  const { clock, batches, b } = setup();
  for (let i = 0; i < 10; i++) {
    b.add('/run/log.csv', 'changed');
    await clock.advance(100);
  }
  // last event at t=900; quiet until 1400
  assert.equal(batches.length, 0);
  await clock.advance(399); // t = 1399
  assert.equal(batches.length, 0);
  await clock.advance(1); // t = 1400
  assert.deepEqual(batches, [{ changed: ['/run/log.csv'], deleted: [] }]);
});

test('the weights written once and the log ten times are re-read once each, in one batch', async () => {
  const { clock, batches, b } = setup();
  b.add('/run/model.h5', 'changed');
  for (let i = 0; i < 10; i++) {
    b.add('/run/log.csv', 'changed');
    await clock.advance(50);
  }
  await clock.advance(1000);
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0], { changed: ['/run/log.csv', '/run/model.h5'], deleted: [] });
});

test('last event wins: changed then deleted is deleted, deleted then created is changed', async () => {
  const { clock, batches, b } = setup();
  b.add('/a', 'changed');
  b.add('/a', 'deleted');
  b.add('/b', 'deleted');
  b.add('/b', 'changed');
  await clock.advance(500);
  assert.deepEqual(batches, [{ changed: ['/b'], deleted: ['/a'] }]);
});

test('events that never stop are flushed at least every maxWaitMs', async () => {
  const { clock, batches, b } = setup(500, 2000);
  // an event every 300 ms (always inside the 500 ms quiet window) for 5 s
  for (let t = 0; t < 5000; t += 300) {
    b.add('/run/events.out.tfevents.1', 'changed');
    await clock.advance(300);
  }
  // first event at 0 -> forced flush at 2000; next pending from 2100 -> forced at 4100
  assert.equal(batches.length, 2);
  for (const x of batches) assert.deepEqual(x, { changed: ['/run/events.out.tfevents.1'], deleted: [] });
});

test('flushNow empties the queue at once and cancels the timer', async () => {
  const { clock, batches, b } = setup();
  b.add('/x', 'changed');
  assert.equal(b.size, 1);
  await b.flushNow();
  assert.deepEqual(batches, [{ changed: ['/x'], deleted: [] }]);
  assert.equal(b.size, 0);
  assert.equal(clock.armed, 0);
  await clock.advance(1000);
  assert.equal(batches.length, 1);
});

test('events during a slow flush wait for it and come in the next batch, never concurrently', async () => {
  const clock = new FakeClock();
  const batches: ChangeBatch[] = [];
  let active = 0;
  let maxActive = 0;
  let release: () => void = () => undefined;
  const b = new ChangeBatcher(
    async (x) => {
      active++;
      maxActive = Math.max(maxActive, active);
      batches.push(x);
      await new Promise<void>((r) => (release = r));
      active--;
    },
    { delayMs: 100, timers: clock },
  );
  b.add('/one', 'changed');
  await clock.advance(100); // first flush starts and blocks
  b.add('/two', 'changed');
  await clock.advance(100); // second timer fires while the first flush still runs
  assert.equal(batches.length, 1);
  release();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(batches, [
    { changed: ['/one'], deleted: [] },
    { changed: ['/two'], deleted: [] },
  ]);
  assert.equal(maxActive, 1);
});

test('a flush that throws is reported and later events still flush', async () => {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const seen: ChangeBatch[] = [];
  let first = true;
  const b = new ChangeBatcher(
    (x) => {
      seen.push(x);
      if (first) {
        first = false;
        throw new Error('boom');
      }
    },
    { delayMs: 10, timers: clock, onError: (e) => errors.push(e) },
  );
  b.add('/a', 'changed');
  await clock.advance(10);
  b.add('/b', 'changed');
  await clock.advance(10);
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as Error).message, 'boom');
  assert.deepEqual(
    seen.map((x) => x.changed),
    [['/a'], ['/b']],
  );
});

test('after dispose nothing flushes', async () => {
  const { clock, batches, b } = setup();
  b.add('/a', 'changed');
  b.dispose();
  b.add('/b', 'changed');
  await clock.advance(10_000);
  assert.equal(batches.length, 0);
});
