/**
 * The last packets of one incoming video stream, by sequence number, in one preallocated slab: the
 * gateway answers subscribers' NACKs from here (RFC 4585 §6.2.1) instead of asking the publisher.
 * Bounded: `slots` packets of at most `slotBytes` each; older ones are overwritten.
 */
export class RetransmitBuffer {
  readonly #slab: Buffer;
  readonly #lengths: Uint16Array;
  readonly #seqs: Int32Array;
  readonly #slots: number;
  readonly #slotBytes: number;

  constructor(slots = 256, slotBytes = 1500) {
    this.#slots = slots;
    this.#slotBytes = slotBytes;
    this.#slab = Buffer.alloc(slots * slotBytes);
    this.#lengths = new Uint16Array(slots);
    this.#seqs = new Int32Array(slots).fill(-1);
  }

  /** Keeps a copy of the plaintext packet `buf[0..length)` with sequence number `seq`. */
  store(buf: Uint8Array, length: number, seq: number): void {
    if (length > this.#slotBytes) return;
    const slot = seq % this.#slots;
    this.#slab.set(buf.subarray(0, length), slot * this.#slotBytes);
    this.#lengths[slot] = length;
    this.#seqs[slot] = seq;
  }

  /** Copies packet `seq` into `out` and returns its length, or 0 when it is no longer kept. */
  copy(seq: number, out: Uint8Array): number {
    const slot = seq % this.#slots;
    if (this.#seqs[slot] !== seq) return 0;
    const length = this.#lengths[slot] as number;
    out.set(this.#slab.subarray(slot * this.#slotBytes, slot * this.#slotBytes + length));
    return length;
  }
}
