// FileWorkLimiter: plugin file work holds at most `concurrency` thread-pool slots, callers are
// answered within the timeout, and a timed-out operation keeps its slot until it really ends
// (issue 11: FIFO reads from a plugin took every libuv thread). Fake clock.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { FileWorkBusyError, FileWorkLimiter, FileWorkTimeoutError } from '../../core/src/plugins/sandbox/FileWorkLimiter.ts';

/** Work that ends only when the test says so, as a blocked thread-pool request would. */
function stuck<T>(): { work: () => Promise<T>; finish: (value: T) => void; started: () => boolean } {
  let finish: (value: T) => void = () => undefined;
  let started = false;
  const promise = new Promise<T>((resolve) => (finish = resolve));
  return {
    work: () => {
      started = true;
      return promise;
    },
    finish: (value) => finish(value),
    started: () => started,
  };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sandbox: FileWorkLimiter', () => {
  it('runs at most `concurrency` at once; callers of stuck work are answered at the timeout, and the slot stays taken until the work ends', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const limiter = new FileWorkLimiter({ concurrency: 2, timeoutMs: 1000 });
      const a = stuck<number>();
      const b = stuck<number>();
      const c = stuck<number>();
      const disposed: number[] = [];
      const pa = limiter.run('a', a.work, (v) => disposed.push(v));
      const pb = limiter.run('b', b.work);
      const pc = limiter.run('c', c.work);
      assert.equal(a.started() && b.started(), true);
      assert.equal(c.started(), false, 'the third waits for a slot');
      assert.equal(limiter.running, 2);
      assert.equal(limiter.queued, 1);

      mock.timers.tick(1000);
      await assert.rejects(pa, FileWorkTimeoutError);
      await assert.rejects(pb, FileWorkTimeoutError);
      await assert.rejects(pc, FileWorkTimeoutError, 'a queued caller is bounded too');
      assert.equal(limiter.running, 2, 'timed-out work still holds its threads');
      assert.equal(limiter.queued, 0);
      assert.equal(c.started(), false, 'a caller answered while queued never starts');

      // A new caller waits until a stuck one really ends, then runs.
      const pd = limiter.run('d', () => Promise.resolve(7));
      assert.equal(limiter.queued, 1);
      a.finish(42);
      await settled();
      assert.deepEqual(disposed, [42], "a late result goes to dispose (e.g. to close what it opened)");
      assert.equal(await pd, 7);
      b.finish(0);
      await settled();
      assert.equal(limiter.running, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it('refuses at once when the queue is full, and passes failures through', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const limiter = new FileWorkLimiter({ concurrency: 1, maxQueued: 1, timeoutMs: 1000 });
      const a = stuck<void>();
      const pa = limiter.run('a', a.work);
      const pb = limiter.run('b', () => Promise.reject(new Error('ENOENT')));
      await assert.rejects(limiter.run('c', () => Promise.resolve()), FileWorkBusyError);
      a.finish();
      await pa;
      await assert.rejects(pb, /ENOENT/);
      assert.equal(limiter.running, 0);
    } finally {
      mock.timers.reset();
    }
  });
});
