import { randomBytes } from 'node:crypto';

const MAX_SAFE = 2n ** 53n - 1n;

/** A random positive integer below 2^53, so JSON and JavaScript numbers hold it exactly (Janus masks ids the same way). */
export function randomId(): number {
  for (;;) {
    const id = Number(randomBytes(8).readBigUInt64BE() & MAX_SAFE);
    if (id > 0) return id;
  }
}

/** A random id not yet in `taken`. */
export function uniqueId(taken: { has(id: number): boolean }): number {
  for (;;) {
    const id = randomId();
    if (!taken.has(id)) return id;
  }
}
