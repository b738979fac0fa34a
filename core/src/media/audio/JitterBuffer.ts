// A participant's playout queue: RTP packets in, one 20 ms frame out per mixer tick. It reorders
// by sequence number, drops late and duplicate packets, waits for `prebuffer` frames before playout
// starts (Janus AudioBridge `prebuffer`), reports holes so the caller can conceal them (FEC from the
// next packet, else PLC), bounds the delay, and goes idle when the sender stops (mute, DTX, gone).
// Payloads are copied into preallocated slots: nothing is allocated per packet.

/** What pop() found for this tick. */
export const Playout = {
  /** `payload` holds the frame's packet. */
  packet: 0,
  /** The frame's packet is missing; `next` holds the following packet when it is queued (for FEC). */
  lost: 1,
  /** Nothing to play: prebuffering, or idle since the sender stopped. */
  none: 2,
} as const;
export type PlayoutKind = (typeof Playout)[keyof typeof Playout];

/** Counters of one queue. */
export interface JitterStats {
  /** Packets accepted into the queue. */
  received: number;
  /** Packets that arrived after their frame was played (or concealed). */
  late: number;
  duplicate: number;
  /** Empty or oversized payloads, dropped on arrival. */
  invalid: number;
  /** Frames that were missing at playout (concealed by FEC or PLC). */
  lost: number;
  /** Packets discarded to bring the delay back under the bound. */
  dropped: number;
  /** Times playout restarted (first packet, or after idle or a sequence jump). */
  resyncs: number;
}

export interface JitterBufferOptions {
  /** Frames queued before playout starts (default 6, as Janus's `default_prebuffering`). */
  prebuffer?: number;
  /** Most frames queued; beyond this the oldest are dropped (default prebuffer + 10). */
  maxDelay?: number;
  /** Missing frames in a row after which the queue goes idle instead of concealing (default 5). */
  maxConcealed?: number;
  /** Largest payload kept, in bytes (default 1275, the largest Opus frame). */
  maxPayload?: number;
}

const CAPACITY = 64;
const MASK = CAPACITY - 1;

export class JitterBuffer {
  readonly stats: JitterStats = { received: 0, late: 0, duplicate: 0, invalid: 0, lost: 0, dropped: 0, resyncs: 0 };
  /** Set by pop(): the packet to play (a view into a slot, valid until the next push()). */
  payload: Uint8Array = new Uint8Array(0);
  /** Set by pop() for a lost frame when the next packet is queued: decode its FEC. */
  next: Uint8Array | undefined;
  /** Set by pop(): RFC 6464 level of the played packet, or −1. */
  level = -1;
  #prebuffer: number;
  readonly #maxDelay: number;
  readonly #maxConcealed: number;
  readonly #maxPayload: number;
  readonly #data: Uint8Array[] = [];
  readonly #length = new Int32Array(CAPACITY);
  readonly #seq = new Int32Array(CAPACITY).fill(-1);
  readonly #levels = new Int16Array(CAPACITY);
  /** Sequence number last played from each slot (its bytes stay until the slot is reused). */
  readonly #played = new Int32Array(CAPACITY).fill(-1);
  /** Extended sequence number of the next frame to play; −1 before the first packet. */
  #next = -1;
  /** Highest extended sequence number queued. */
  #highest = -1;
  #queued = 0;
  #playing = false;
  #concealed = 0;
  /** Set when playout went idle: the next packet restarts the queue at its own sequence number. */
  #restart = false;

  constructor(options: JitterBufferOptions = {}) {
    this.#prebuffer = Math.max(0, options.prebuffer ?? 6);
    this.#maxDelay = Math.max(this.#prebuffer + 1, options.maxDelay ?? this.#prebuffer + 10);
    this.#maxConcealed = options.maxConcealed ?? 5;
    this.#maxPayload = options.maxPayload ?? 1275;
    for (let i = 0; i < CAPACITY; i++) this.#data.push(new Uint8Array(this.#maxPayload));
  }

  /** Frames waiting for playout. */
  get queued(): number {
    return this.#queued;
  }

  /** True once playout started (after prebuffering) and until the queue goes idle. */
  get playing(): boolean {
    return this.#playing;
  }

  /** Changes the prebuffer for the next (re)start of playout. */
  setPrebuffer(frames: number): void {
    this.#prebuffer = Math.max(0, Math.min(frames, this.#maxDelay - 1));
  }

  /** Drops everything and waits for a fresh prebuffer (Janus `resetdecoder`, room change). */
  reset(): void {
    this.#seq.fill(-1);
    this.#played.fill(-1);
    this.#restart = false;
    this.#queued = 0;
    this.#next = -1;
    this.#highest = -1;
    this.#playing = false;
    this.#concealed = 0;
  }

  /** Queues one RTP packet; `level` is its RFC 6464 level (0–127) or −1. */
  push(sequenceNumber: number, payload: Uint8Array, level: number): void {
    if (payload.length === 0 || payload.length > this.#maxPayload) {
      this.stats.invalid++;
      return;
    }
    const seq = this.#extend(sequenceNumber & 0xffff);
    if (this.#next >= 0 && seq < this.#next) {
      this.stats.late++;
      return;
    }
    if (this.#restart && this.#queued === 0 && seq >= this.#next) {
      this.#restart = false;
      this.stats.resyncs++;
      this.#next = seq;
    }
    if (this.#next < 0 || seq - this.#next >= CAPACITY) {
      // First packet, or a jump beyond the window (the sender restarted): start over from here.
      if (this.#next >= 0) this.reset();
      this.stats.resyncs++;
      this.#next = seq;
    }
    const i = seq & MASK;
    if (this.#seq[i] === seq) {
      this.stats.duplicate++;
      return;
    }
    (this.#data[i] as Uint8Array).set(payload);
    this.#length[i] = payload.length;
    this.#seq[i] = seq;
    this.#levels[i] = level;
    this.#queued++;
    this.stats.received++;
    if (seq > this.#highest) this.#highest = seq;
    while (this.#highest - this.#next + 1 > this.#maxDelay) this.#skip();
  }

  /** Takes the next frame (see {@link Playout}); fills `payload`, `next` and `level`. */
  pop(): PlayoutKind {
    this.next = undefined;
    this.level = -1;
    if (this.#next < 0) return Playout.none;
    if (!this.#playing) {
      if (this.#queued === 0 || this.#highest - this.#next + 1 < Math.max(1, this.#prebuffer)) return Playout.none;
      this.#playing = true;
      this.#concealed = 0;
    }
    const i = this.#next & MASK;
    if (this.#seq[i] === this.#next) {
      this.payload = (this.#data[i] as Uint8Array).subarray(0, this.#length[i]);
      this.level = this.#levels[i] as number;
      this.#seq[i] = -1;
      this.#played[i] = this.#next;
      this.#queued--;
      this.#next++;
      this.#concealed = 0;
      return Playout.packet;
    }
    if (this.#queued === 0 && ++this.#concealed > this.#maxConcealed) {
      // The sender stopped: go quiet, and prebuffer again when it comes back.
      this.#playing = false;
      this.#restart = true;
      return Playout.none;
    }
    this.stats.lost++;
    const j = (this.#next + 1) & MASK;
    if (this.#seq[j] === this.#next + 1) this.next = (this.#data[j] as Uint8Array).subarray(0, this.#length[j]);
    this.#next++;
    return Playout.lost;
  }

  /**
   * The last `count` packets before the playout point that are still in their slots (consumed
   * ones keep their bytes until overwritten), oldest first: a decoder that was idle replays them to
   * warm up before its output is mixed.
   */
  history(count: number, into: Uint8Array[]): number {
    let n = 0;
    for (let k = count; k >= 1; k--) {
      const seq = this.#next - k;
      if (seq < 0) continue;
      const i = seq & MASK;
      if (this.#played[i] !== seq || this.#seq[i] !== -1) continue;
      into[n++] = (this.#data[i] as Uint8Array).subarray(0, this.#length[i]);
    }
    return n;
  }

  #skip(): void {
    const i = this.#next & MASK;
    if (this.#seq[i] === this.#next) {
      this.#seq[i] = -1;
      this.#queued--;
      this.stats.dropped++;
    }
    this.#next++;
  }

  /** Extends a 16-bit sequence number to a monotonic counter near the highest seen (RFC 3550 A.1). */
  #extend(seq16: number): number {
    if (this.#highest < 0) return seq16 + 65536;
    const base = this.#highest - (this.#highest & 0xffff);
    let seq = base + seq16;
    if (seq - this.#highest > 32768) seq -= 65536;
    else if (this.#highest - seq > 32768) seq += 65536;
    return seq;
  }
}
