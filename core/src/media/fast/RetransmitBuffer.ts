/** Buffer#copy, which takes any Uint8Array as its source: copies without making a view per packet. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever invoked with .call(source, ...)
const copyBytes = Buffer.alloc(0).copy;

/**
 * The last packets of one incoming video stream, by sequence number: the gateway answers
 * subscribers' NACKs from here (RFC 4585 §6.2.1) instead of asking the publisher.
 *
 * Bounded twice: at most `slots` packets, and at most `ringBytes` of them, packed back to back in
 * one preallocated ring (older ones are overwritten). Packing matters for memory: the former layout
 * gave every packet a 1500-byte slot, 384 KB per video stream resident from creation (zero-filled),
 * the largest per-PeerConnection cost the memory bench found (`npm run bench -- memory`), while
 * video packets average well under that. The ring is allocated without zero-filling, so its pages
 * become resident only as packets are written.
 */
export class RetransmitBuffer {
  readonly #ring: Buffer;
  readonly #lengths: Uint16Array;
  readonly #seqs: Int32Array;
  /** Absolute ring position (bytes written since creation, wrap padding included) of each slot's packet. */
  readonly #starts: Float64Array;
  readonly #slots: number;
  readonly #maxPacketBytes: number;
  /** Bytes written since creation; a packet at absolute `start` is intact while `#position − start ≤ ring size`. */
  #position = 0;

  /**
   * @param slots packets kept at most (default 256: ~1 s of video at 2 Mbit/s).
   * @param maxPacketBytes larger packets are not kept (default 1500).
   * @param ringBytes bytes of packets kept at most (default slots × 640: 160 KB, all 256 packets of
   *   a stream averaging 640 bytes, ≥ 0.5 s of 2.5 Mbit/s video of full-size packets — beyond a
   *   NACK's usual round trip). At least `maxPacketBytes`.
   */
  constructor(slots = 256, maxPacketBytes = 1500, ringBytes = slots * 640) {
    this.#slots = slots;
    this.#maxPacketBytes = maxPacketBytes;
    this.#ring = Buffer.allocUnsafeSlow(Math.max(ringBytes, maxPacketBytes));
    this.#lengths = new Uint16Array(slots);
    this.#seqs = new Int32Array(slots).fill(-1);
    this.#starts = new Float64Array(slots);
  }

  /** Keeps a copy of the plaintext packet `buf[0..length)` with sequence number `seq`. */
  store(buf: Uint8Array, length: number, seq: number): void {
    if (length > this.#maxPacketBytes) return;
    const size = this.#ring.length;
    let at = this.#position % size;
    if (at + length > size) {
      // Not split across the end: skip to the ring's start (the skipped tail counts as written).
      this.#position += size - at;
      at = 0;
    }
    copyBytes.call(buf, this.#ring, at, 0, length);
    const slot = seq % this.#slots;
    this.#lengths[slot] = length;
    this.#seqs[slot] = seq;
    this.#starts[slot] = this.#position;
    this.#position += length;
  }

  /** Copies packet `seq` into `out` and returns its length, or 0 when it is no longer kept. */
  copy(seq: number, out: Uint8Array): number {
    const slot = seq % this.#slots;
    if (this.#seqs[slot] !== seq) return 0;
    const start = this.#starts[slot] as number;
    if (this.#position - start > this.#ring.length) return 0; // its bytes were overwritten since
    const length = this.#lengths[slot] as number;
    const at = start % this.#ring.length;
    this.#ring.copy(out, 0, at, at + length);
    return length;
  }
}
