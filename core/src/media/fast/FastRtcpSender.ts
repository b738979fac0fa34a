// Cardea's outgoing RTCP on the fast plane. Feedback (PLI, NACK, REMB) is decided while the SRTP
// engine's input may still hold the packet being forwarded, so it is queued and protected from a
// microtask; the periodic reports (RFC 3550 §6.4) run from a timer and are sent at once, spread
// over REPORT_SLOTS slots per interval so that 1,400 PeerConnections never report in one burst.
import { ntpNow } from '../../webrtc/weriftPatches.ts';
import { KEYFRAME_INTERVAL_MS } from '../RouteGraph.ts';
import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import type { FastEndpoint } from './FastEndpoint.ts';
import { writeNack, writePli, writeReceiverReport, writeRemb, writeSenderReport } from './rtcpPackets.ts';

/** Milliseconds between RTCP reports per PeerConnection (RFC 3550 §6.2 allows far less for few members). */
export const RTCP_INTERVAL_MS = 1000;
/**
 * Periodic reports are spread over this many timer slots per interval (each PeerConnection reports
 * in one slot): with 1,400 PeerConnections a one-second burst of ~2,800 reports would stall the
 * event loop for ~15 ms, which shows as late media.
 */
export const REPORT_SLOTS = 10;
/** Feedback packets waiting for the microtask; more in one turn are dropped (feedback is repeated). */
const MAX_QUEUED = 256;

export class FastRtcpSender {
  readonly #engine: SrtpFanout;
  readonly #out = Buffer.alloc(1500);
  readonly #queue: Array<{ ep: FastEndpoint; context: number; bytes: Buffer }> = [];
  readonly #lastPli = new Map<number, number>();
  /** The slot of the next reportSlot() call (0 … REPORT_SLOTS − 1). */
  #slot = 0;

  constructor(engine: SrtpFanout) {
    this.#engine = engine;
  }

  /** A PLI for a source SSRC (RFC 4585 §6.3.1), at most one per half KEYFRAME_INTERVAL_MS. */
  pli(ep: FastEndpoint, mediaSsrc: number): void {
    const now = performance.now();
    if (now - (this.#lastPli.get(mediaSsrc) ?? -Infinity) < KEYFRAME_INTERVAL_MS / 2) return;
    this.#lastPli.set(mediaSsrc, now);
    this.#enqueue(ep, writePli(this.#out, writeReceiverReport(this.#out, ep.rtcpSsrc, []), ep.rtcpSsrc, mediaSsrc));
  }

  /** A generic NACK for `count` packets from `firstSeq` of `mediaSsrc` (RFC 4585 §6.2.1). */
  nack(ep: FastEndpoint, mediaSsrc: number, firstSeq: number, count: number): void {
    this.#enqueue(ep, writeNack(this.#out, writeReceiverReport(this.#out, ep.rtcpSsrc, []), ep.rtcpSsrc, mediaSsrc, firstSeq, count));
  }

  /** A REMB with the endpoint's bitrate cap for all its incoming streams. */
  remb(ep: FastEndpoint): void {
    if (ep.bitrateCap > 0)
      this.#enqueue(
        ep,
        writeRemb(this.#out, writeReceiverReport(this.#out, ep.rtcpSsrc, []), ep.rtcpSsrc, ep.bitrateCap, [...ep.ingress.keys()]),
      );
  }

  /**
   * The periodic reports of one slot: each endpoint of the slot sends a receiver report (+ REMB)
   * and a sender report per stream it sends, so each reports once per RTCP_INTERVAL_MS when this
   * runs every RTCP_INTERVAL_MS / REPORT_SLOTS. Returns the slot that ran. Sent at once, not
   * queued: a timer callback never runs while the engine's input holds a packet being forwarded.
   */
  reportSlot(endpoints: Iterable<FastEndpoint>): number {
    const now = performance.now();
    const slot = this.#slot;
    this.#slot = (slot + 1) % REPORT_SLOTS;
    const ntp = ntpNow();
    let i = 0;
    for (const ep of endpoints) {
      if (i++ % REPORT_SLOTS !== slot || !ep.bypass) continue;
      const blocks = [...ep.ingress.values()].filter((s) => s.stats.packets > 0).map((s) => s.stats.block(now));
      let end = writeReceiverReport(this.#out, ep.rtcpSsrc, blocks);
      if (ep.bitrateCap > 0) end = writeRemb(this.#out, end, ep.rtcpSsrc, ep.bitrateCap, [...ep.ingress.keys()]);
      this.#protectAndSend(ep, this.#out.subarray(0, end), ep.rtcpEgress);
      for (const eg of ep.egress.values()) {
        if (eg.packets === 0) continue;
        const rtpTs = (eg.lastTimestamp + Math.round(((now - eg.lastSentAt) * eg.clockRate) / 1000)) >>> 0;
        const length = writeSenderReport(this.#out, eg.localSsrc, ntp, rtpTs, eg.packets, eg.octets);
        this.#protectAndSend(ep, this.#out.subarray(0, length), eg.engineId);
      }
    }
    return slot;
  }

  /** Queues #out[0..length) for the endpoint's RTCP context; protected and sent from a microtask. */
  #enqueue(ep: FastEndpoint, length: number): void {
    if (!ep.bypass || ep.rtcpEgress < 0 || this.#queue.length >= MAX_QUEUED) return;
    this.#queue.push({ ep, context: ep.rtcpEgress, bytes: Buffer.from(this.#out.subarray(0, length)) });
    if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    for (const { ep, context, bytes } of this.#queue.splice(0)) this.#protectAndSend(ep, bytes, context);
  }

  /** Protects `plain` with the RTCP context `context` and sends it to the endpoint's client. */
  #protectAndSend(ep: FastEndpoint, plain: Uint8Array, context: number): void {
    if (!ep.bypass || context < 0) return;
    const f = this.#engine;
    f.input.set(plain);
    const n = f.protectRtcp(context, plain.length);
    // A copy of its own: a send to a host name is still deferred by dgram (RTCP is a few packets a second per PeerConnection).
    if (n > 0) ep.bypass.send(Buffer.from(f.input.subarray(0, n)), 0, n);
  }
}
