import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MixClock, type ClockScheduler } from '../../core/src/media/audio/MixClock.ts';

/** A fake monotonic clock: timers fire when the test advances time; `work` ms pass inside each frame. */
class FakeTime implements ClockScheduler {
  t = 1000;
  work = 0;
  #timers: Array<{ at: number; fn: () => void; id: number }> = [];
  #id = 0;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.#id;
    this.#timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  };
  /** Advances to `to`, firing due timers in order; `lag` ms of timer lateness per firing. */
  advance(to: number, lag = 0): void {
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at + lag > to) break;
      this.#timers.shift();
      this.t = Math.max(this.t, next.at + lag);
      next.fn();
    }
    this.t = to;
  }
}

describe('audio mix clock', () => {
  it('runs frames on absolute due times: late timers never accumulate into drift', () => {
    const time = new FakeTime();
    const starts: number[] = [];
    const clock = new MixClock(
      () => starts.push(time.t),
      () => undefined,
      { scheduler: time },
    );
    clock.start();
    time.advance(1000 + 20 * 500 + 3, 3); // every timer fires 3 ms late
    clock.stop();
    assert.equal(clock.stats.frames, 501, 'one frame per 20 ms, none lost to lateness');
    assert.equal(starts.at(-1), 1000 + 20 * 500 + 3, 'the 500th frame starts 3 ms after its due time, not 1.5 s');
    assert.equal(clock.stats.late, 0, '3 ms is within half a period');
  });

  it('counts late frames and catches up at most two frames per wake-up', () => {
    const time = new FakeTime();
    const starts: number[] = [];
    const clock = new MixClock(
      () => starts.push(time.t),
      () => undefined,
      { scheduler: time },
    );
    clock.start();
    time.advance(1100);
    const before = starts.length;
    // The event loop stalls 70 ms: frames at 1120, 1140, 1160 are due when it wakes at 1170.
    time.t = 1170;
    time.advance(1170);
    const burst = starts.length - before;
    assert.equal(burst, 2, 'two frames in the late wake-up, not the whole backlog');
    time.advance(1175);
    assert.equal(starts.at(-1), 1175, 'the third comes a quarter period later');
    time.advance(1300);
    assert.equal(clock.stats.frames, 1 + 1300 / 20 - 1000 / 20, 'every frame produced after the catch-up');
    assert.ok(clock.stats.late >= 2, `late frames counted (${clock.stats.late})`);
    assert.equal(clock.stats.skipped, 0);
    clock.stop();
  });

  it('skips ahead instead of bursting when it fell too far behind', () => {
    const time = new FakeTime();
    const clock = new MixClock(
      () => undefined,
      () => undefined,
      { scheduler: time, maxBehindFrames: 5 },
    );
    clock.start();
    time.advance(1040);
    time.t = 1500; // a 460 ms stall
    time.advance(1500);
    assert.ok(clock.stats.skipped >= 20, `skipped the backlog (${clock.stats.skipped})`);
    const index = clock.nextIndex;
    time.advance(1560);
    assert.equal(clock.nextIndex, index + 3, 'then back to one frame per period');
    clock.stop();
  });

  it('a frame that throws is reported and the clock goes on', () => {
    const time = new FakeTime();
    const errors: unknown[] = [];
    let n = 0;
    const clock = new MixClock(
      () => {
        if (n++ === 1) throw new Error('boom');
      },
      (e) => errors.push(e),
      { scheduler: time },
    );
    clock.start();
    time.advance(1100);
    assert.equal(errors.length, 1);
    assert.equal(clock.stats.frames, 6);
    clock.stop();
  });
});
