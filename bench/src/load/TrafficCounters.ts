// What the load generator counts: per received RTP stream (one SSRC) sequence coverage, lateness
// and bytes, and generator-wide totals that the sampler turns into per-second rates and loss.

/** A packet arriving more than this after its stream's fastest packet (relative to its RTP time) is late. */
export const lateThresholdMs = 150;

/** Generator-wide counters; monotonic, read by the sampler once a second. */
export class TrafficTotals {
  /** RTP packets and bytes (UDP payload) sent to the gateway. */
  rtpOut = 0;
  bytesOut = 0;
  /** Audio RTP packets sent by speaking streams and by silent streams with DTX (LeanPeer AudioBehaviour). */
  speechPacketsOut = 0;
  dtxPacketsOut = 0;
  /** 20 ms audio frames that elapsed on speaking and on silent-DTX streams (sent or not). */
  speechFramesOut = 0;
  dtxFramesOut = 0;
  /** RTP packets and bytes received from the gateway. */
  rtpIn = 0;
  bytesIn = 0;
  /** SRTCP packets received, and the keyframe requests (PLI, FIR) among them. */
  rtcpIn = 0;
  /** SRTCP compound packets sent (sender and receiver reports, RFC 3550 §6.4), and report blocks in them. */
  rtcpOut = 0;
  reportBlocks = 0;
  /** Sender reports received from the gateway (their times feed our LSR/DLSR). */
  senderReportsIn = 0;
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

/** Bytes of one reception report block (RFC 3550 §6.4.1). */
export const reportBlockBytes = 24;

/** Receive state of one RTP stream (one SSRC), and what its reception report block says. */
export class StreamCounter {
  packets = 0;
  bytes = 0;
  /** Middle 32 bits of the NTP time of the last SR from this source, and when it arrived (RFC 3550 §6.4.1 LSR/DLSR). */
  lastSr = 0;
  lastSrAtMs = 0;
  #baseSeq = 0;
  #maxSeq = -1;
  #expectedPrior = 0;
  #receivedPrior = 0;
  /** Interarrival jitter in RTP units (RFC 3550 §6.4.1, computed as in Appendix A.8). */
  #jitter = 0;
  #lastTransit = 0;
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
    // Transit time in RTP units; its variation is the interarrival jitter (RFC 3550 Appendix A.8).
    const transit = nowMs * this.#unitsPerMs - timestamp;
    if (this.#maxSeq < 0) {
      this.#maxSeq = seq;
      this.#baseSeq = seq;
      this.#lastTransit = transit;
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
      // A 32-bit timestamp wrap shows as a jump of ~2^32: skip that one sample rather than poison the estimate.
      const d = Math.abs(transit - this.#lastTransit);
      this.#lastTransit = transit;
      if (d < 0x80000000) this.#jitter += (d - this.#jitter) / 16;
    }
    // Delay relative to the stream's RTP clock: arrival time minus the media time of the packet.
    const mediaMs = ((timestamp - this.#firstTimestamp) | 0) / this.#unitsPerMs;
    const delay = nowMs - this.#firstArrivalMs - mediaMs;
    if (delay < this.#minDelayMs) this.#minDelayMs = delay;
    else if (delay - this.#minDelayMs > lateThresholdMs) totals.late++;
  }

  /**
   * Writes this stream's reception report block for `ssrc` (RFC 3550 §6.4.1) into `out` at
   * `offset` and starts the next reporting interval: fraction lost since the last report,
   * cumulative lost (24-bit signed, clamped), extended highest sequence number, jitter, LSR and
   * DLSR (units of 1/65536 s since that SR arrived).
   */
  writeReportBlock(ssrc: number, out: Buffer, offset: number, nowMs: number): void {
    const extendedMax = this.#maxSeq < 0 ? 0 : this.#maxSeq;
    const expected = this.#maxSeq < 0 ? 0 : extendedMax - this.#baseSeq + 1;
    const lost = Math.max(-0x800000, Math.min(0x7fffff, expected - this.packets));
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.packets - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.packets;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    out.writeUInt32BE(ssrc >>> 0, offset);
    out.writeUInt32BE(((fraction << 24) | (lost & 0xffffff)) >>> 0, offset + 4);
    out.writeUInt32BE(extendedMax >>> 0, offset + 8);
    out.writeUInt32BE(Math.min(0xffffffff, Math.round(this.#jitter)) >>> 0, offset + 12);
    out.writeUInt32BE(this.lastSr >>> 0, offset + 16);
    const dlsr = this.lastSrAtMs === 0 ? 0 : Math.min(0xffffffff, Math.round(((nowMs - this.lastSrAtMs) * 65536) / 1000));
    out.writeUInt32BE(dlsr >>> 0, offset + 20);
  }
}
