// What the load generator counts: per received RTP stream (one SSRC) sequence coverage, lateness
// and bytes, and generator-wide totals that the sampler turns into per-second rates and loss.

/** A packet arriving more than this after its stream's fastest packet (relative to its RTP time) is late. */
export const lateThresholdMs = 150;

/** Generator-wide counters; monotonic, read by the sampler once a second. */
export class TrafficTotals {
  /** RTP packets and bytes (UDP payload) sent to the gateway. */
  rtpOut = 0;
  bytesOut = 0;
  /** RTP packets and bytes received from the gateway. */
  rtpIn = 0;
  bytesIn = 0;
  /** SRTCP packets received, and the keyframe requests (PLI, FIR) among them. */
  rtcpIn = 0;
  keyframeRequests = 0;
  /** Packets the receivers' sequence numbers say should have arrived (RFC 3550 §6.4.1 "expected"). */
  expected = 0;
  /** Received RTP packets that arrived more than lateThresholdMs late. */
  late = 0;
  /** Integrity samples: decrypted packets checked, and those whose payload was no sent payload. */
  sampled = 0;
  corrupt = 0;
  /** Sampled RTP packets that did not decrypt. */
  decryptFailures = 0;
  /** SRTCP packets that did not decrypt (werift's SrtcpSession; they are then not parsed). */
  rtcpDecryptFailures = 0;
  /** Frames the pacer sent late by more than 50 ms, and frames it skipped (generator overload). */
  framesLate = 0;
  framesSkipped = 0;
  /** Datagram sends that threw (socket closed under us, EAGAIN). */
  sendErrors = 0;
}

/** Receive state of one RTP stream (one SSRC). */
export class StreamCounter {
  packets = 0;
  bytes = 0;
  #maxSeq = -1;
  #firstArrivalMs = 0;
  #firstTimestamp = 0;
  #minDelayMs = Infinity;
  readonly #unitsPerMs: number;

  constructor(clockRate: number) {
    this.#unitsPerMs = clockRate / 1000;
  }

  /**
   * Counts one packet of `bytes` with sequence `seq` (16 bits) and RTP `timestamp` that arrived at
   * `nowMs`, into `totals` (expected, late). Sequence numbers are extended across wrap-around.
   */
  onPacket(seq: number, timestamp: number, bytes: number, nowMs: number, totals: TrafficTotals): void {
    this.packets++;
    this.bytes += bytes;
    if (this.#maxSeq < 0) {
      this.#maxSeq = seq;
      this.#firstArrivalMs = nowMs;
      this.#firstTimestamp = timestamp;
      totals.expected++;
    } else {
      // The 16-bit distance from the highest seen, as a signed number (RFC 3550 Appendix A.1).
      const delta = ((seq - (this.#maxSeq & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      if (delta > 0) {
        this.#maxSeq += delta;
        totals.expected += delta;
      }
    }
    // Delay relative to the stream's RTP clock: arrival time minus the media time of the packet.
    const mediaMs = ((timestamp - this.#firstTimestamp) | 0) / this.#unitsPerMs;
    const delay = nowMs - this.#firstArrivalMs - mediaMs;
    if (delay < this.#minDelayMs) this.#minDelayMs = delay;
    else if (delay - this.#minDelayMs > lateThresholdMs) totals.late++;
  }
}
