// The load generator: every participant's PeerConnection (LeanPeer), one pacer that sends every
// peer's due media frames from one timer, and the totals the sampler reads. One per bench run.
import { createSrtpFanout } from '../../../core/src/media/srtp/createSrtpFanout.ts';
import type { SrtpFanout } from '../../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { applyWeriftPatches } from '../../../core/src/webrtc/weriftPatches.ts';
import { LeanPeer, type LeanPeerOptions } from './LeanPeer.ts';
import { audioClockRate, audioFrameMs, MediaFixtures, videoClockRate, videoFrameMs } from './MediaFixtures.ts';
import { TrafficTotals } from './TrafficCounters.ts';

/** Options of a LoadGenerator. */
export interface LoadGeneratorOptions {
  /** Address the peers gather on and offer (127.0.0.2 in a bench namespace, else 127.0.0.1). */
  iceIp: string;
  /** Decrypt and verify one received RTP packet in this many per peer (default 64). */
  sampleEvery?: number;
  /** Pacer period in ms (default 10). */
  tickMs?: number;
}

/** A frame is counted late when sent this much after it was due; skipped when this far behind. */
const lateFrameMs = 50;
const skipBehindMs = 500;

/** Holds the participants and sends their media at real rates. */
export class LoadGenerator {
  readonly totals = new TrafficTotals();
  readonly fixtures = new MediaFixtures();
  readonly #engine: SrtpFanout;
  readonly #peers = new Set<LeanPeer>();
  readonly #options: Required<LoadGeneratorOptions>;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: LoadGeneratorOptions) {
    applyWeriftPatches(); // werift must never ask a public STUN server (weriftPatches.ts)
    this.#options = { sampleEvery: 64, tickMs: 10, ...options };
    // One egress copy per call; a pacer tick may send a few thousand packets before the event loop
    // runs dgram's deferred sends, so the arena ring holds 8192 copies.
    this.#engine = createSrtpFanout({ engine: 'wasm', maxStreams: 8192, maxSubscribers: 1, arenaSlots: 8192 });
    this.#timer = setInterval(() => this.#tick(), this.#options.tickMs);
  }

  /** Number of live peers (PeerConnections). */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** A new participant PeerConnection, closed with the generator. */
  createPeer(options: LeanPeerOptions = {}): LeanPeer {
    const peer = new LeanPeer(
      {
        iceIp: this.#options.iceIp,
        engine: this.#engine,
        fixtures: this.fixtures,
        totals: this.totals,
        sampleEvery: this.#options.sampleEvery,
      },
      options,
    );
    this.#peers.add(peer);
    return peer;
  }

  /** Closes one peer now (e.g. a participant that failed to join). */
  async closePeer(peer: LeanPeer): Promise<void> {
    this.#peers.delete(peer);
    await peer.close();
  }

  /** Stops the pacer and closes every peer. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const peers = [...this.#peers];
    this.#peers.clear();
    await Promise.all(peers.map((p) => p.close()));
  }

  #tick(): void {
    const now = performance.now();
    const { audio, video, audioDtx } = this.fixtures;
    const totals = this.totals;
    for (const peer of this.#peers) {
      if (now >= peer.rtcpDueMs) peer.sendReports(now);
      for (const stream of peer.outgoing) {
        const isVideo = stream.kind === 'video';
        const periodMs = isVideo ? videoFrameMs : audioFrameMs;
        if (now - stream.dueMs > skipBehindMs) {
          // The generator fell behind: skip the backlog (counted) rather than burst it.
          const frames = Math.floor((now - stream.dueMs) / periodMs);
          totals.framesSkipped += frames;
          stream.dueMs += frames * periodMs;
          stream.frame += frames;
        }
        while (stream.dueMs <= now) {
          if (now - stream.dueMs > lateFrameMs) totals.framesLate++;
          if (isVideo && stream.keyframeRequested) {
            stream.keyframeRequested = false;
            stream.frame = 0;
          }
          // A silent participant with DTX sends its loop's few comfort-noise updates; its RTP
          // timestamp below still follows the clock, so the gateway sees the gap as DTX, not loss.
          const dtx = !isVideo && stream.audio === 'silent-dtx' && audioDtx.length > 0;
          const frames = isVideo ? video : dtx ? audioDtx : audio;
          if (!isVideo) {
            if (dtx) totals.dtxFramesOut++;
            else totals.speechFramesOut++;
          }
          const frame = frames[stream.frame % frames.length];
          // The RTP timestamp is the send time, as a capture clock would give: a frame the
          // generator sends late is not "late" at the receiver; only the gateway's delay is.
          stream.timestamp =
            (stream.timestampOrigin + Math.round(((now - stream.originMs) * (isVideo ? videoClockRate : audioClockRate)) / 1000)) >>> 0;
          if (frame) peer.sendFrame(stream, frame);
          stream.frame++;
          stream.dueMs += periodMs;
        }
      }
    }
  }
}

export type { AudioBehaviour, LeanPeer } from './LeanPeer.ts';
