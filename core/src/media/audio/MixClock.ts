// The mixer's frame clock: one frame every `periodMs` on a monotonic clock, scheduled against
// absolute due times (start + k × period), so timer lateness never accumulates into drift. A late
// wake-up runs the frame that is due plus at most one more and comes back a quarter period later,
// so a stall is caught up over a few periods instead of in a burst of packets; past
// `maxBehindFrames` the clock skips ahead instead (the receivers see a short gap, like a loss) and
// counts the frames it skipped.

/** Where the clock gets time and timers from; tests pass a fake one. */
export interface ClockScheduler {
  /** Monotonic milliseconds (default `performance.now()`). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const realScheduler: ClockScheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Counters of the clock (exposed as mixer stats). */
export interface ClockStats {
  /** Frames produced. */
  frames: number;
  /** Frames that started more than `lateMs` after their due time. */
  late: number;
  /** Frames never produced because the clock fell more than `maxBehindFrames` behind. */
  skipped: number;
  /** Worst start delay seen, in ms. */
  maxLatenessMs: number;
  /** Frames whose own work took longer than one period. */
  overruns: number;
  /** Total ms spent in frame work (for a CPU share: busyMs / elapsed). */
  busyMs: number;
}

export interface MixClockOptions {
  /** Frame period in ms (default 20). */
  periodMs?: number;
  /** A frame starting this much after its due time counts as late (default periodMs / 2). */
  lateMs?: number;
  /** Beyond this many frames behind, skip instead of catching up (default 5). */
  maxBehindFrames?: number;
  scheduler?: ClockScheduler;
}

/** Runs `frame(index)` every period until stop(); `index` counts periods since start, skips included. */
export class MixClock {
  readonly stats: ClockStats = { frames: 0, late: 0, skipped: 0, maxLatenessMs: 0, overruns: 0, busyMs: 0 };
  readonly #period: number;
  readonly #lateMs: number;
  readonly #maxBehind: number;
  readonly #scheduler: ClockScheduler;
  readonly #frame: (index: number) => void;
  readonly #onError: (error: unknown) => void;
  #start = 0;
  #index = 0;
  #timer: unknown;
  #running = false;

  constructor(frame: (index: number) => void, onError: (error: unknown) => void, options: MixClockOptions = {}) {
    this.#frame = frame;
    this.#onError = onError;
    this.#period = options.periodMs ?? 20;
    this.#lateMs = options.lateMs ?? this.#period / 2;
    this.#maxBehind = options.maxBehindFrames ?? 5;
    this.#scheduler = options.scheduler ?? realScheduler;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Index of the next frame to produce. */
  get nextIndex(): number {
    return this.#index;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#start = this.#scheduler.now();
    this.#index = 0;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #due(index: number): number {
    return this.#start + index * this.#period;
  }

  #arm(): void {
    if (!this.#running) return;
    // Still behind after a wake-up's two frames: come back a quarter period later, so catching up
    // sends at most two frames per listener every 5 ms rather than the whole backlog at once.
    const wait = this.#due(this.#index) - this.#scheduler.now();
    const delay = wait >= 0 ? wait : this.#period / 4;
    this.#timer = this.#scheduler.setTimeout(() => this.#wake(), delay);
  }

  #wake(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    let now = this.#scheduler.now();
    const behind = Math.floor((now - this.#due(this.#index)) / this.#period);
    if (behind > this.#maxBehind) {
      // Too far behind to catch up without a burst: drop the backlog, keep the timeline.
      this.stats.skipped += behind;
      this.#index += behind;
    }
    // The frame that is due, plus one more when behind: catch-up at twice the rate, never a burst.
    for (let n = 0; n < 2 && this.#running && this.#due(this.#index) <= now; n++) {
      const lateness = now - this.#due(this.#index);
      if (lateness > this.#lateMs) this.stats.late++;
      if (lateness > this.stats.maxLatenessMs) this.stats.maxLatenessMs = lateness;
      const index = this.#index++;
      try {
        this.#frame(index);
      } catch (error) {
        this.#onError(error);
      }
      const after = this.#scheduler.now();
      const busy = after - now;
      this.stats.busyMs += busy;
      if (busy > this.#period) this.stats.overruns++;
      this.stats.frames++;
      now = after;
    }
    this.#arm();
  }
}
