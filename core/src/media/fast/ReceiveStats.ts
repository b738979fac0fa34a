import type { ReportBlock } from './rtcpPackets.ts';

/**
 * Reception statistics of one incoming RTP stream for receiver reports (RFC 3550 §6.4.1 and
 * Appendix A.3 for loss, A.8 for interarrival jitter). Numbers only: nothing allocated per packet.
 */
export class ReceiveStats {
  readonly ssrc: number;
  readonly #clockRate: number;
  #baseSeq = -1;
  #maxSeq = 0;
  #cycles = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #jitter = 0;
  #transit = Number.NaN;
  #lastSrMiddle = 0;
  #lastSrAt = 0;

  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc;
    this.#clockRate = clockRate;
  }

  /** Accounts one packet (`nowMs` monotonic). */
  add(seq: number, rtpTs: number, nowMs: number): void {
    if (this.#baseSeq < 0) {
      this.#baseSeq = seq;
      this.#maxSeq = seq;
    } else {
      const delta = (seq - this.#maxSeq + 0x10000) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.#maxSeq) this.#cycles += 0x10000;
        this.#maxSeq = seq;
      }
    }
    this.#received++;
    const arrival = (nowMs * this.#clockRate) / 1000;
    const transit = arrival - rtpTs;
    if (!Number.isNaN(this.#transit)) {
      let d = Math.abs(transit - this.#transit);
      if (d > 0x80000000) d = Math.abs(d - 0x100000000);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
  }

  /** Notes the sender's last SR (middle 32 bits of its NTP time) for LSR/DLSR. */
  senderReport(ntpMiddle: number, nowMs: number): void {
    this.#lastSrMiddle = ntpMiddle;
    this.#lastSrAt = nowMs;
  }

  get packets(): number {
    return this.#received;
  }

  /** Packets lost since the first one (RFC 3550 §6.4.1 cumulative number of packets lost; reading resets nothing). */
  get cumulativeLost(): number {
    return this.#baseSeq < 0 ? 0 : this.#cycles + this.#maxSeq - this.#baseSeq + 1 - this.#received;
  }

  /** Interarrival jitter in RTP clock units (RFC 3550 §6.4.1; reading resets nothing). */
  get jitter(): number {
    return Math.floor(this.#jitter);
  }

  /** The report block for this stream, resetting the interval counters. */
  block(nowMs: number): ReportBlock {
    const extendedMax = this.#cycles + this.#maxSeq;
    const expected = this.#baseSeq < 0 ? 0 : extendedMax - this.#baseSeq + 1;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost,
      cumulativeLost: expected - this.#received,
      highestSeq: extendedMax >>> 0,
      jitter: Math.floor(this.#jitter),
      lsr: this.#lastSrMiddle,
      dlsr: this.#lastSrAt === 0 ? 0 : Math.floor(((nowMs - this.#lastSrAt) / 1000) * 65536),
    };
  }
}
