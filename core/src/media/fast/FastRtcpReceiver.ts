import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import type { FastEndpoint } from './FastEndpoint.ts';
import type { Retransmitter } from './Retransmitter.ts';
import { parseRtcp, type RtcpVisitor } from './rtcpPackets.ts';

/** Most keyframe requests and NACK items acted on per compound packet. */
const MAX_KEYFRAMES = 16;
const MAX_NACK_ITEMS = 32;

/**
 * The RTCP a client sends the fast plane (already in the engine's input): PLI/FIR become keyframe
 * requests toward the sources routed to the asked-for mid, NACKs are answered from the
 * retransmission buffers, sender reports feed the LSR of our receiver reports. One visitor,
 * allocated once: nothing is allocated per packet.
 */
export class FastRtcpReceiver {
  readonly #engine: SrtpFanout;
  readonly #retransmitter: Retransmitter;
  readonly #drops: { malformed: number };
  readonly #keyframe: (handleId: number, mid: string) => void;
  readonly #keyframes: number[] = [];
  readonly #nacks: number[] = [];
  readonly #visitor: RtcpVisitor;
  /** The endpoint and time of the packet being parsed (read by the visitor). */
  #ep: FastEndpoint | undefined;
  #now = 0;

  constructor(engine: SrtpFanout, retransmitter: Retransmitter, drops: { malformed: number }, keyframe: (handleId: number, mid: string) => void) {
    this.#engine = engine;
    this.#retransmitter = retransmitter;
    this.#drops = drops;
    this.#keyframe = keyframe;
    this.#visitor = {
      keyframe: (mediaSsrc) => {
        if (this.#keyframes.length < MAX_KEYFRAMES) this.#keyframes.push(mediaSsrc);
      },
      nack: (mediaSsrc, pid, blp) => {
        if (this.#nacks.length < 3 * MAX_NACK_ITEMS) this.#nacks.push(mediaSsrc, pid, blp);
      },
      senderReport: (ssrc, middle) => this.#ep?.ingress.get(ssrc)?.stats.senderReport(middle, this.#now),
    };
  }

  /** SRTCP of `length` bytes from `ep` in the engine's input: unprotects, parses, then acts. */
  onRtcp(ep: FastEndpoint, length: number): void {
    const f = this.#engine;
    const sender = f.input.readUInt32BE(4);
    const context = ep.rtcpContext(sender);
    const n = context < 0 ? -1 : f.unprotectRtcp(context, length);
    if (n < 0) {
      ep.counters.dropped++;
      return;
    }
    // Collect first, act after: acting writes RTCP and retransmissions into the engine's input,
    // which holds the packet being parsed.
    const keyframes = this.#keyframes;
    const nacks = this.#nacks;
    keyframes.length = 0;
    nacks.length = 0;
    this.#ep = ep;
    this.#now = performance.now();
    const ok = parseRtcp(f.input, n, this.#visitor);
    this.#ep = undefined;
    if (!ok) this.#drops.malformed++;
    for (const mediaSsrc of keyframes) {
      for (const eg of ep.egress.values()) if (eg.localSsrc === mediaSsrc) this.#keyframe(ep.handleId, eg.mid);
    }
    for (let i = 0; i + 2 < nacks.length; i += 3)
      this.#retransmitter.answerNack(ep, nacks[i] as number, nacks[i + 1] as number, nacks[i + 2] as number);
  }
}
