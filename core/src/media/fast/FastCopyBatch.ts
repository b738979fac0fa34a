import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import { writeVp8PictureId, writeVp8Tl0PicIdx, type Vp8Descriptor } from '../vp8.ts';
import type { FastDestination } from './FastDestination.ts';
import type { EgressStream } from './FastEndpoint.ts';
import { packedPictureId, packedTl0PicIdx } from './SentPacketMap.ts';

/**
 * The copies of the one packet the fast plane is fanning out: for copy i, the engine stream
 * `subs[i]`, its destination and egress stream, and (VP8) its packed picture ID / TL0PICIDX. The
 * plane fills the arrays, then one engine call writes every copy and `deliver` sends them.
 * Allocated once per plane, reused for every packet.
 */
export class FastCopyBatch {
  readonly subs: Uint32Array;
  readonly dests: FastDestination[] = [];
  readonly egs: EgressStream[] = [];
  /** Packed VP8 picture ID / TL0PICIDX of each copy (copies are grouped by it); -1 none. */
  readonly vp8Keys: Int32Array;
  readonly #groupSubs: Uint32Array;
  readonly #engine: SrtpFanout;

  constructor(engine: SrtpFanout, maxCopies: number) {
    this.#engine = engine;
    this.subs = new Uint32Array(maxCopies);
    this.vp8Keys = new Int32Array(maxCopies);
    this.#groupSubs = new Uint32Array(maxCopies);
  }

  /**
   * Copies with the same rewritten VP8 picture ID / TL0PICIDX share one engine call: the group is
   * made contiguous in the arrays, its ids written into the payload (described by `vp8`), then
   * fanned out. Subscribers of one layer normally share their numbering: one call per packet.
   */
  fanoutVp8Groups(n: number, count: number, seq: number, now: number, vp8: Vp8Descriptor): void {
    const f = this.#engine;
    const keys = this.vp8Keys;
    for (let start = 0; start < count;) {
      const key = keys[start] as number;
      let end = start + 1;
      for (let j = start + 1; j < count; j++) {
        if (keys[j] !== key) continue;
        if (j !== end) this.#swap(j, end);
        end++;
      }
      if (key >= 0) {
        writeVp8PictureId(f.input, vp8, packedPictureId(key));
        writeVp8Tl0PicIdx(f.input, vp8, packedTl0PicIdx(key));
      }
      const group = this.#groupSubs;
      for (let i = start; i < end; i++) group[i - start] = this.subs[i] as number;
      this.deliver(f.fanout(n, group, end - start), n - 12, seq, now, start, key);
      start = end;
    }
  }

  /** Sends the `written` copies of the last fanout() (copies base… of the batch) and accounts them. */
  deliver(written: number, payloadBytes: number, seq: number, now: number, base: number, vp8Ids: number): void {
    const f = this.#engine;
    for (let i = 0; i < written; i++) {
      const dest = this.dests[base + i] as FastDestination;
      const eg = this.egs[base + i] as EgressStream;
      const offset = f.outOffsets[i] as number;
      const length = f.outLengths[i] as number;
      dest.bypass?.send(f.arena, offset, length);
      dest.counters.packetsOut++;
      dest.counters.bytesOut += length;
      eg.packets++;
      eg.octets += payloadBytes;
      eg.lastTimestamp = f.arena.readUInt32BE(offset + 4);
      eg.lastSentAt = now;
      const outSeq = f.arena.readUInt16BE(offset + 2);
      eg.seqDelta = (outSeq - seq) & 0xffff;
      eg.pendingShift = 0;
      eg.sent?.record(outSeq, seq, vp8Ids, eg.lastTimestamp);
    }
  }

  #swap(a: number, b: number): void {
    const keys = this.vp8Keys;
    const subs = this.subs;
    const k = keys[a] as number;
    keys[a] = keys[b] as number;
    keys[b] = k;
    const s = subs[a] as number;
    subs[a] = subs[b] as number;
    subs[b] = s;
    const d = this.dests[a] as FastDestination;
    this.dests[a] = this.dests[b] as FastDestination;
    this.dests[b] = d;
    const e = this.egs[a] as EgressStream;
    this.egs[a] = this.egs[b] as EgressStream;
    this.egs[b] = e;
  }
}
