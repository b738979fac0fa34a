import type { TalkingOptions } from '@cardea/plugin-sdk';

/**
 * Janus-style voice activity from the RFC 6464 audio level (−dBov, 0 loudest … 127 silence):
 * average `packets` levels; below `threshold` the stream is talking. Reports only changes.
 */
export class TalkingDetector {
  readonly #threshold: number;
  readonly #packets: number;
  #sum = 0;
  #count = 0;
  #talking = false;

  constructor(options: TalkingOptions) {
    this.#threshold = options.threshold ?? 25;
    this.#packets = Math.max(1, options.packets ?? 100);
  }

  /** Adds one packet's level; returns the new state and average when it changed, else undefined. */
  add(level: number): { talking: boolean; level: number } | undefined {
    this.#sum += level;
    this.#count++;
    if (this.#count < this.#packets) return undefined;
    const average = this.#sum / this.#count;
    this.#sum = 0;
    this.#count = 0;
    const talking = average < this.#threshold;
    if (talking === this.#talking) return undefined;
    this.#talking = talking;
    return { talking, level: Math.round(average) };
  }
}
