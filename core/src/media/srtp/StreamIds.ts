import { FanoutCapacityError } from './SrtpFanoutTypes.ts';

/** Free list of stream ids 0..capacity-1, shared by both engines so ids mean the same in each. */
export class StreamIds {
  readonly #free: number[] = [];
  readonly #used: Uint8Array;
  #next = 0;

  constructor(capacity: number) {
    this.#used = new Uint8Array(capacity);
  }

  /** The lowest never-used id, or a released one; throws FanoutCapacityError when all are taken. */
  take(): number {
    const id = this.#free.pop() ?? (this.#next < this.#used.length ? this.#next++ : -1);
    if (id < 0) throw new FanoutCapacityError(`all ${this.#used.length} SRTP streams are in use (raise maxStreams)`);
    this.#used[id] = 1;
    return id;
  }

  /** Returns an id to the pool; unknown or already released ids are ignored. */
  release(id: number): void {
    if (this.#used[id] !== 1) return;
    this.#used[id] = 0;
    this.#free.push(id);
  }

  has(id: number): boolean {
    return this.#used[id] === 1;
  }
}
