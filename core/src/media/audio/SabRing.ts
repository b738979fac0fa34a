// A bounded single-producer/single-consumer ring of variable-length records in a SharedArrayBuffer:
// the per-packet path between the main thread and the mixer worker, so a packet costs a copy and
// two Atomics stores instead of a postMessage (structured clone + a task per packet). Written by
// hand because Node ships no shared-memory queue and the npm ones either postMessage or allocate
// per record. A record is [int32 body length][4 bytes pad][body padded to 8]; a length of −1 tells
// the reader the rest of the buffer is unused and the next record starts at 0. When a record does
// not fit, the producer drops it and counts it (never blocks, never grows).

/** Control words in the first bytes of the buffer (Int32 indices). */
const WRITE = 0;
const READ = 1;
const DROPPED = 2;
const CONTROL_BYTES = 16;
const RECORD_HEADER = 8;
const WRAP = -1;

/** Rounds up to the 8-byte record alignment. */
function align8(n: number): number {
  return (n + 7) & ~7;
}

export class SabRing {
  /** The shared memory (control words, then the data area); send it to the other thread. */
  readonly buffer: SharedArrayBuffer;
  /** The data area; the producer writes a record's body at `begin()`'s offset, the consumer reads at `next()`'s. */
  readonly bytes: Uint8Array;
  /** The data area as a DataView (same offsets as `bytes`). */
  readonly view: DataView;
  readonly #control: Int32Array;
  readonly #capacity: number;
  /** Producer: where the record begun by begin() goes and where the write index moves on commit(). */
  #pendingNext = 0;
  /** Consumer: where the read index moves on release(). */
  #readNext = -1;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.#capacity = buffer.byteLength - CONTROL_BYTES;
    this.bytes = new Uint8Array(buffer, CONTROL_BYTES, this.#capacity);
    this.view = new DataView(buffer, CONTROL_BYTES, this.#capacity);
  }

  /** A new ring with `capacity` bytes of records (rounded up to 8). */
  static create(capacity: number): SabRing {
    return new SabRing(new SharedArrayBuffer(CONTROL_BYTES + align8(Math.max(64, capacity))));
  }

  /** The other side of a ring created on another thread. */
  static attach(buffer: SharedArrayBuffer): SabRing {
    return new SabRing(buffer);
  }

  /** Records the producer dropped because the ring was full. */
  get dropped(): number {
    return Atomics.load(this.#control, DROPPED);
  }

  /** Bytes of records waiting (approximate when read from the producer side). */
  get used(): number {
    const w = Atomics.load(this.#control, WRITE);
    const r = Atomics.load(this.#control, READ);
    return w >= r ? w - r : this.#capacity - r + w;
  }

  // --- producer ---

  /**
   * Reserves a record of `size` body bytes; returns the offset of its body in `bytes`/`view`, or −1
   * (counted as dropped) when the ring is full. Call commit() after writing the body.
   */
  begin(size: number): number {
    const total = RECORD_HEADER + align8(size);
    const cap = this.#capacity;
    const w = Atomics.load(this.#control, WRITE);
    const r = Atomics.load(this.#control, READ);
    let at = -1;
    // The write index may never catch up with the read index: equal means empty.
    if (w >= r) {
      if (w + total < cap || (w + total === cap && r !== 0)) at = w;
      else if (total < r) {
        this.view.setInt32(w, WRAP, true);
        at = 0;
      }
    } else if (w + total < r) at = w;
    if (at < 0) {
      Atomics.add(this.#control, DROPPED, 1);
      return -1;
    }
    this.view.setInt32(at, size, true);
    this.#pendingNext = (at + total) % cap;
    return at + RECORD_HEADER;
  }

  /** Publishes the record begun last (its body is visible to the consumer from now on). */
  commit(): void {
    Atomics.store(this.#control, WRITE, this.#pendingNext);
  }

  // --- consumer ---

  /** The offset of the next record's body (its size in `size`), or −1 when the ring is empty. */
  next(): number {
    const cap = this.#capacity;
    let r = Atomics.load(this.#control, READ);
    const w = Atomics.load(this.#control, WRITE);
    if (r === w) return -1;
    let size = this.view.getInt32(r, true);
    if (size === WRAP) {
      r = 0;
      Atomics.store(this.#control, READ, 0);
      if (r === w) return -1;
      size = this.view.getInt32(0, true);
    }
    this.size = size;
    this.#readNext = (r + RECORD_HEADER + align8(size)) % cap;
    return r + RECORD_HEADER;
  }

  /** Body bytes of the record next() returned. */
  size = 0;

  /** Frees the record next() returned. */
  release(): void {
    if (this.#readNext >= 0) Atomics.store(this.#control, READ, this.#readNext);
    this.#readNext = -1;
  }
}
