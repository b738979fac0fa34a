import { randomInt } from 'node:crypto';
import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import { Vp8Descriptor, writeVp8PictureId, writeVp8Tl0PicIdx } from '../vp8.ts';
import type { EgressRtx, EgressStream, FastEndpoint } from './FastEndpoint.ts';
import { rtpPayloadOffset } from './rtpHeader.ts';
import { wrapRtx } from './rtx.ts';
import { packedPictureId, packedTl0PicIdx } from './SentPacketMap.ts';
import type { SlowLinkMonitor } from './SlowLinkMonitor.ts';

/** NACK counters of the fast plane (FastMediaPlane.nack). */
export interface NackCounters {
  requested: number;
  retransmitted: number;
  missed: number;
  sent: number;
}

/** RTX counters of the fast plane (FastMediaPlane.rtx). */
export interface RtxCounters {
  sent: number;
  received: number;
  ignored: number;
}

/**
 * Answers subscribers' NACKs (RFC 4585 §6.2.1) from the sources' retransmission buffers: as RTX
 * (RFC 4588) on the subscriber's RTX stream when negotiated, else as a plain resend on the media
 * stream. Works in the engine's input and a one-entry subscriber list: nothing allocated per packet.
 */
export class Retransmitter {
  readonly #engine: SrtpFanout;
  readonly #nack: NackCounters;
  readonly #rtx: RtxCounters;
  readonly #slowLink: SlowLinkMonitor;
  readonly #one = new Uint32Array(1);
  readonly #vp8 = new Vp8Descriptor();

  constructor(engine: SrtpFanout, nack: NackCounters, rtx: RtxCounters, slowLink: SlowLinkMonitor) {
    this.#engine = engine;
    this.#nack = nack;
    this.#rtx = rtx;
    this.#slowLink = slowLink;
  }

  /**
   * A subscriber lost packets we sent on `mediaSsrc`: resend them from the source's buffer through
   * the same egress stream, with the sequence number, VP8 picture ID / TL0PICIDX they were first
   * sent with (SentPacketMap; a temporary sequence shift undoes drops made since).
   */
  answerNack(ep: FastEndpoint, mediaSsrc: number, pid: number, blp: number): void {
    let eg: EgressStream | undefined;
    for (const e of ep.egress.values()) if (e.localSsrc === mediaSsrc) eg = e;
    if (!eg || !eg.source || !ep.bypass) return;
    const history = eg.source.history;
    const sent = eg.sent;
    const f = this.#engine;
    for (let bit = -1; bit < 16; bit++) {
      if (bit >= 0 && !(blp & (1 << bit))) continue;
      this.#nack.requested++;
      this.#slowLink.lost(ep.handleId, eg.mid, eg.kind, true, 1);
      const outSeq = (pid + bit + 1) & 0xffff;
      const known = sent !== undefined && sent.lookup(outSeq);
      const length = history && known ? history.copy(sent.sourceSeq, f.input) : 0;
      if (length === 0 || !sent) {
        this.#nack.missed++;
        continue;
      }
      if (sent.vp8Ids >= 0) {
        const at = rtpPayloadOffset(f.input, length);
        if (at >= 0 && this.#vp8.parse(f.input, at, length)) {
          writeVp8PictureId(f.input, this.#vp8, packedPictureId(sent.vp8Ids));
          writeVp8Tl0PicIdx(f.input, this.#vp8, packedTl0PicIdx(sent.vp8Ids));
        }
      }
      if (eg.rtx && this.#sendRtx(ep, eg, eg.rtx, length, outSeq, sent.timestamp)) continue;
      // The engine writes source seq + its current offset; shift so that it writes outSeq.
      const shift = (outSeq - sent.sourceSeq - eg.seqDelta - eg.pendingShift) & 0xffff;
      if (shift !== 0) f.shiftSequence(eg.engineId, shift);
      this.#one[0] = eg.engineId;
      const written = f.fanout(length, this.#one, 1);
      if (shift !== 0) f.shiftSequence(eg.engineId, -shift);
      if (written !== 1) continue;
      ep.bypass.send(f.arena, f.outOffsets[0] as number, f.outLengths[0] as number);
      this.#nack.retransmitted++;
    }
  }

  /**
   * Resends the source packet in the engine's input as RTX (RFC 4588 §4) on the subscriber's RTX
   * stream: OSN = the sequence number it was sent with, the timestamp it was sent with, the RTX
   * stream's own sequence numbers. The RTX engine context is fed a constant SSRC and consecutive
   * input sequence numbers so its rewrite only adds fixed offsets. False (input untouched) when this
   * codec has no RTX payload type; true once handled.
   */
  #sendRtx(ep: FastEndpoint, eg: EgressStream, rtx: EgressRtx, length: number, outSeq: number, timestamp: number): boolean {
    const f = this.#engine;
    const payloadType = eg.payloadType === undefined ? undefined : rtx.byApt.get(eg.payloadType);
    const at = rtpPayloadOffset(f.input, length);
    if (payloadType === undefined || at < 0 || !ep.bypass) return false;
    f.input[2] = outSeq >> 8; // the OSN wrapRtx moves into the payload
    f.input[3] = outSeq & 0xff;
    f.input.writeUInt32BE(timestamp >>> 0, 4);
    // From here the input is no longer the source packet: a failure is a miss, not a plain resend.
    const n = wrapRtx(f.input, length, at, rtx.sent & 0xffff, rtx.ssrc, payloadType);
    if (n < 0) {
      this.#nack.missed++;
      return true;
    }
    if (rtx.payloadType !== payloadType) {
      // The first packet fixes the context's offsets: timestamp offset 0 keeps the original timestamp.
      f.setRewrite(rtx.engineId, { ssrc: rtx.ssrc, payloadType, ...(rtx.sent === 0 ? { initialTimestamp: timestamp, initialSequence: randomInt(0x10000) } : {}) });
      rtx.payloadType = payloadType;
    }
    rtx.sent++;
    this.#one[0] = rtx.engineId;
    if (f.fanout(n, this.#one, 1) !== 1) {
      this.#nack.missed++;
      return true;
    }
    ep.bypass.send(f.arena, f.outOffsets[0] as number, f.outLengths[0] as number);
    this.#nack.retransmitted++;
    this.#rtx.sent++;
    return true;
  }
}
