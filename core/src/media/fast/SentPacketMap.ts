/**
 * What one egress stream sent lately, by output sequence number: the source sequence number, the
 * VP8 picture ID / TL0PICIDX written (packed, see {@link packVp8Ids}) and the output timestamp.
 * Answering a NACK (RFC 4585 §6.2.1) needs this map because per-subscriber drops (VP8 temporal
 * layers) make output − source sequence differ from packet to packet. Bounded: `slots` entries in
 * preallocated typed arrays, the same depth as the source's RetransmitBuffer.
 */
export class SentPacketMap {
  readonly #out: Int32Array;
  readonly #source: Uint16Array;
  readonly #ids: Int32Array;
  readonly #timestamps: Uint32Array;
  readonly #mask: number;
  /** Results of the last successful lookup(). */
  sourceSeq = 0;
  vp8Ids = -1;
  timestamp = 0;

  /** @param slots a power of two (default 256). */
  constructor(slots = 256) {
    if ((slots & (slots - 1)) !== 0) throw new RangeError('slots must be a power of two');
    this.#mask = slots - 1;
    this.#out = new Int32Array(slots).fill(-1);
    this.#source = new Uint16Array(slots);
    this.#ids = new Int32Array(slots);
    this.#timestamps = new Uint32Array(slots);
  }

  record(outSeq: number, sourceSeq: number, vp8Ids: number, timestamp: number): void {
    const i = outSeq & this.#mask;
    this.#out[i] = outSeq;
    this.#source[i] = sourceSeq;
    this.#ids[i] = vp8Ids;
    this.#timestamps[i] = timestamp;
  }

  /** True when `outSeq` is still known; its fields are then in sourceSeq, vp8Ids, timestamp. */
  lookup(outSeq: number): boolean {
    const i = outSeq & this.#mask;
    if (this.#out[i] !== outSeq) return false;
    this.sourceSeq = this.#source[i] as number;
    this.vp8Ids = this.#ids[i] as number;
    this.timestamp = this.#timestamps[i] as number;
    return true;
  }

  /** Forgets everything (a new source: its sequence space is another). */
  clear(): void {
    this.#out.fill(-1);
  }
}

/** Packs a VP8 picture ID (-1…32767) and TL0PICIDX (-1…255) into one number; -1 when both absent. */
export function packVp8Ids(pictureId: number, tl0PicIdx: number): number {
  return pictureId < 0 && tl0PicIdx < 0 ? -1 : (pictureId + 1) * 512 + (tl0PicIdx + 1);
}

/** The picture ID of a packed pair (-1: none). */
export const packedPictureId = (ids: number): number => (ids < 0 ? -1 : Math.floor(ids / 512) - 1);
/** The TL0PICIDX of a packed pair (-1: none). */
export const packedTl0PicIdx = (ids: number): number => (ids < 0 ? -1 : (ids % 512) - 1);
