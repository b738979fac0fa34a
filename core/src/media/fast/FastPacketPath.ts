import type { RtpEndpointInfo, RtpEndpointOptions, RtpEndpointStats, RtpForward, SimulcastTarget } from '@cardea/plugin-sdk';
import type { AudioPacketSink } from '../audio/AudioEndpointTypes.ts';
import { FastAudioTransport, type FastAudioPlane } from './FastAudioTransport.ts';
import type { MediaNode } from '../MediaNode.ts';
import type { IncomingStreamInfo } from '../MediaPlaneTypes.ts';
import type { PacketPath, PacketPathHost, PathDestination } from '../PacketPathTypes.ts';
import { KEYFRAME_INTERVAL_MS, SWITCH_STEP, wantedLayer } from '../RouteGraph.ts';
import { FastRtpLegs } from './FastRtpLegs.ts';
import { FastRtcpReceiver } from './FastRtcpReceiver.ts';
import type { FastDestination } from './FastDestination.ts';
import { createSrtpFanout } from '../srtp/createSrtpFanout.ts';
import type { SrtpEngineKind, SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import { isVp8KeyframeStart, Vp8Descriptor } from '../vp8.ts';
import { packVp8Ids } from './SentPacketMap.ts';
import { FastCopyBatch } from './FastCopyBatch.ts';
import { SlowLinkMonitor } from './SlowLinkMonitor.ts';
import { Vp8TemporalFilter } from './Vp8TemporalFilter.ts';
import { FastEndpoint, type EgressStream, type IngressStream } from './FastEndpoint.ts';
import { Retransmitter } from './Retransmitter.ts';
import { unwrapRtx } from './rtx.ts';
import { FastRtcpSender, REPORT_SLOTS, RTCP_INTERVAL_MS } from './FastRtcpSender.ts';
import { isRtcp, readAudioLevel, rtpPayloadOffset, rtpPayloadType, rtpSequence, rtpSsrc, rtpTimestamp } from './rtpHeader.ts';

/** Sizing of the fast path. */
export interface FastPacketPathOptions {
  /** SRTP engine (config `media.srtpEngine`, default 'wasm'). */
  engine?: SrtpEngineKind;
  /** Most copies of one packet (subscribers of one stream), default 256. */
  maxSubscribers?: number;
  /**
   * Lost packets per second on one leg (NACKed by the client, or NACKed by us) from which a Janus
   * `slowlink` event is sent, at most one per leg and direction per SLOWLINK_INTERVAL_MS; default 4
   * (Janus's sample `slowlink_threshold`), 0 disables.
   */
  slowLinkThreshold?: number;
}

/**
 * Output slots of the engine's arena ring: copies written in one event-loop turn stay intact until
 * their deferred sends run (dgram defers to the next tick), so this bounds copies per turn — the
 * shared mix of a 1000-listener AudioBridge room is one turn (8192 × 1500 B = 12 MB, allocated once).
 */
const ARENA_SLOTS = 8192;

/**
 * Cardea's own packet path: werift terminates ICE, DTLS and SCTP, and Cardea moves RTP itself on
 * the raw datagrams — one SRTP engine call per incoming packet unprotects it, another writes the
 * rewritten, protected copies for every destination into preallocated memory, and JS hands views
 * to the socket (core/src/media/srtp/README.md). Cardea also owns RTCP for these streams: receiver
 * and sender reports, PLI/FIR towards sources, REMB for bitrate caps, NACKs to publishers for their
 * losses, and retransmissions from a bounded per-stream buffer for subscribers' NACKs. The control
 * half (routes, mute, taps, events) is MediaControl's (FastMediaPlane puts the two together).
 */
export class FastPacketPath implements PacketPath, FastAudioPlane {
  /** The audio mixers' packets in (a consuming tap) and out (one engine call per mix frame). */
  readonly audioTransport: FastAudioTransport;
  /** SSRC of the mixer's frames as fed to the engine (each listener's stream rewrites it). */
  static readonly #MIX_SSRC = 0x4d495800;
  readonly #engine: SrtpFanout;
  #host!: PacketPathHost;
  readonly #endpoints = new Map<number, FastEndpoint>();
  /** Plain RTP endpoints (negative ids in the route graph) and the `rtp_forward` forwarders built on them. */
  #rtp!: FastRtpLegs;
  /** The copies of the packet being fanned out, and their delivery (preallocated, reused per packet). */
  readonly #batch: FastCopyBatch;
  readonly #rtcpTimer: NodeJS.Timeout;
  readonly #rtcp: FastRtcpSender;
  /** Counters of what the fast path refused. */
  readonly drops = { malformed: 0, unknownSsrc: 0, tooLarge: 0 };
  /** NACK handling: packets asked for, retransmitted from the buffers, NACKs sent to publishers. */
  readonly nack = { requested: 0, retransmitted: 0, missed: 0, sent: 0 };
  /** RTX (RFC 4588): retransmissions sent as RTX, publishers' RTX unwrapped, and RTX without an OSN or a known stream. */
  readonly rtx = { sent: 0, received: 0, ignored: 0 };
  readonly #retransmitter: Retransmitter;
  #rtcpIn!: FastRtcpReceiver;
  /** The VP8 payload descriptor of the packet being forwarded (parsed once, reused). */
  readonly #vp8 = new Vp8Descriptor();
  readonly #slowLink: SlowLinkMonitor;

  constructor(options: FastPacketPathOptions = {}) {
    const maxSubscribers = options.maxSubscribers ?? 256;
    this.#engine = createSrtpFanout({ engine: options.engine ?? 'wasm', maxSubscribers, maxStreams: 8192, arenaSlots: ARENA_SLOTS });
    this.#batch = new FastCopyBatch(this.#engine, maxSubscribers);
    this.#slowLink = new SlowLinkMonitor(options.slowLinkThreshold ?? 4);
    this.#retransmitter = new Retransmitter(this.#engine, this.nack, this.rtx, this.#slowLink);
    this.#rtcp = new FastRtcpSender(this.#engine);
    this.#rtcpTimer = setInterval(() => this.#sendReports(), RTCP_INTERVAL_MS / REPORT_SLOTS);
    this.#rtcpTimer.unref();
    this.audioTransport = new FastAudioTransport(this);
  }

  bind(host: PacketPathHost): void {
    this.#host = host;
    this.#rtcpIn = new FastRtcpReceiver(this.#engine, this.#retransmitter, this.drops, (handleId, mid) => host.keyframeFromSources(handleId, mid));
    this.#rtp = new FastRtpLegs(
      this.#engine,
      {
        rtp: (endpoint, stream, n) => this.#route(endpoint.handleId, undefined, stream, n, rtpSequence(this.#engine.input), performance.now()),
        keyframe: (endpoint) => host.keyframeFromSources(endpoint.handleId),
      },
      { addRoute: (route) => host.addRoute(route), forgetRoutes: (id) => host.forgetRoutes(id), kindOfMid: (handleId, mid) => this.#kindOfMid(handleId, mid) },
    );
  }

  setAudioSink(handleId: number, sink: AudioPacketSink | null): void {
    this.#host.setAudioSink(handleId, sink);
  }

  canSendAudio(handleId: number): boolean {
    const ep = this.#endpoints.get(handleId);
    return ep?.bypass !== undefined && ep.egressByKind.audio.length > 0;
  }

  sendAudio(handleIds: readonly number[], count: number, payload: Uint8Array, timestamp: number): void {
    // In chunks of the engine's per-call cap; the arena ring holds ARENA_SLOTS copies per tick.
    const max = this.#batch.subs.length;
    for (let start = 0; start < count; start += max) this.#sendAudioChunk(handleIds, start, Math.min(count, start + max), payload, timestamp);
  }

  #sendAudioChunk(handleIds: readonly number[], from: number, to: number, payload: Uint8Array, timestamp: number): void {
    const f = this.#engine;
    const length = 12 + payload.length;
    if (length > f.maxPacketBytes) return;
    const batch = this.#batch;
    let k = 0;
    for (let i = from; i < to; i++) {
      const ep = this.#endpoints.get(handleIds[i] as number);
      const eg = ep?.egressByKind.audio[0];
      if (!ep?.bypass || !eg) continue;
      if (eg.lastSourceSsrc !== FastPacketPath.#MIX_SSRC) {
        // Opus, or G.711 for a participant that negotiated only that (the mixer encodes per codec).
        const payloadType = eg.payloadTypes.get('opus') ?? eg.payloadTypes.get('pcmu') ?? eg.payloadTypes.get('pcma');
        const step = (960 * eg.clockRate) / 48000;
        f.setRewrite(eg.engineId, { ssrc: eg.localSsrc, ...(payloadType !== undefined ? { payloadType } : {}), timestampStep: step });
        if (eg.lastSourceSsrc !== undefined) f.rebase(eg.engineId, step);
        eg.lastSourceSsrc = FastPacketPath.#MIX_SSRC;
        eg.source = undefined;
      }
      batch.subs[k] = eg.engineId;
      batch.dests[k] = ep;
      batch.egs[k] = eg;
      k++;
    }
    if (k === 0) return;
    // One RTP packet per 20 ms frame, numbered by the frame (RFC 3550 §5.1), SSRC and PT rewritten per listener.
    const seq = Math.floor(timestamp / 960) & 0xffff;
    // `timestamp` is on the mixer's 48 kHz clock; a G.711 listener's RTP clock is 8 kHz (RFC 3551
    // §4.5.14). The mixer sends G.711 frames to one listener at a time, so the first one's rate holds.
    const clockRate = (batch.egs[0] as EgressStream).clockRate;
    const rtpTimestamp = clockRate === 48000 ? timestamp : Math.round((timestamp * clockRate) / 48000);
    const input = f.input;
    input[0] = 0x80;
    input[1] = 111;
    input.writeUInt16BE(seq, 2);
    input.writeUInt32BE(rtpTimestamp >>> 0, 4);
    input.writeUInt32BE(FastPacketPath.#MIX_SSRC, 8);
    input.set(payload, 12);
    batch.deliver(f.fanout(length, batch.subs, k), length - 12, seq, performance.now(), 0, -1);
  }

  attach(node: MediaNode): void {
    const ep = new FastEndpoint(node, this.#engine);
    this.#endpoints.set(ep.handleId, ep);
    const { peer } = ep;
    node.disposers.push(
      peer.events.on('up', () => {
        ep.bypass = peer.openBypass((datagram) => this.#onDatagram(ep, datagram));
        ep.refresh();
        this.#rtp.negotiated(ep.handleId);
      }),
    );
    node.disposers.push(
      peer.events.on('negotiated', () => {
        ep.refresh();
        this.#rtp.negotiated(ep.handleId);
      }),
    );
  }

  detach(node: MediaNode): void {
    this.#slowLink.forget(node.handleId);
    const ep = this.#endpoints.get(node.handleId);
    if (ep?.node !== node) return;
    ep.close();
    this.#endpoints.delete(node.handleId);
  }

  forgetHandle(handleId: number): void {
    this.#rtp.forgetHandle(handleId);
  }

  destination(id: number): PathDestination | undefined {
    return this.#rtp.get(id);
  }

  requestKeyframe(handleId: number): void {
    if (handleId < 0) {
      this.#rtp.get(handleId)?.requestKeyframe();
      return;
    }
    const ep = this.#endpoints.get(handleId);
    if (!ep) return;
    for (const s of ep.ingress.values()) if (s.kind === 'video') this.#rtcp.pli(ep, s.ssrc);
  }

  setBitrateCap(node: MediaNode, bitsPerSecond: number): void {
    const ep = this.#endpoints.get(node.handleId);
    if (!ep) return;
    ep.bitrateCap = Math.max(0, Math.floor(bitsPerSecond));
    this.#rtcp.remb(ep);
  }

  targetChanged(handleId: number, mid: string, target: SimulcastTarget): void {
    const eg = this.#endpoints.get(handleId)?.egress.get(mid);
    if (eg?.vp8) eg.vp8.target = target.temporal;
  }

  forwardRtp(handleId: number, forward: RtpForward): number {
    return this.#rtp.forward(handleId, forward);
  }

  openRtpEndpoint(options: RtpEndpointOptions): Promise<RtpEndpointInfo> {
    return this.#rtp.open(options);
  }

  closeRtpEndpoint(id: number): void {
    this.#rtp.close(id);
  }

  rtpEndpointStats(id: number): RtpEndpointStats | undefined {
    return this.#rtp.stats(id);
  }

  /** The kind of a handle's stream `mid`, from what it sends or its negotiated m-lines. */
  #kindOfMid(handleId: number, mid: string): 'audio' | 'video' | undefined {
    const ep = this.#endpoints.get(handleId);
    for (const s of ep?.ingress.values() ?? []) if (s.mid === mid) return s.kind;
    return ep?.bypass?.streams().find((s) => s.mid === mid)?.kind;
  }

  stopRtpForward(id: number): void {
    this.#rtp.stopForward(id);
  }

  listRtpForwarders(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return this.#rtp.listForwarders(handleId);
  }

  incoming(node: MediaNode): IncomingStreamInfo[] {
    const ep = this.#endpoints.get(node.handleId);
    // RTX streams are repairs of the listed ones, not streams of their own.
    return [...(ep?.ingress.values() ?? [])]
      .filter((s) => !s.rtxApt)
      .map((s) => ({ mid: s.mid, kind: s.kind, rid: s.rid, layer: s.layer, ssrc: s.ssrc, lastRtpAt: s.lastRtpAt }));
  }

  close(): void {
    clearInterval(this.#rtcpTimer);
    for (const ep of this.#endpoints.values()) ep.close();
    this.#endpoints.clear();
    this.#rtp.closeAll();
  }

  /** One datagram from a client: SRTCP or SRTP (RFC 5761 §4 demultiplexing). */
  #onDatagram(ep: FastEndpoint, datagram: Buffer): void {
    const f = this.#engine;
    if (datagram.length > f.maxPacketBytes || datagram.length < 12) {
      this.drops.tooLarge++;
      return;
    }
    f.input.set(datagram);
    if (isRtcp(datagram)) {
      this.#rtcpIn.onRtcp(ep, datagram.length);
      return;
    }
    const ssrc = rtpSsrc(f.input);
    let info = ep.ingress.get(ssrc);
    const fresh = info === undefined;
    if (!info) info = ep.learn(f.input, datagram.length, ssrc);
    if (!info) {
      this.drops.unknownSsrc++;
      ep.counters.dropped++;
      return;
    }
    const n = f.unprotect(info.engineId, datagram.length);
    if (n < 0) {
      if (fresh) ep.forgetIngress(ssrc);
      ep.counters.dropped++;
      return;
    }
    if (info.rtxApt) {
      this.#onRtx(ep, info, n);
      return;
    }
    this.#onRtp(ep, info, n);
  }

  /**
   * A publisher's retransmission (RFC 4588): unwrapped in place into the original packet of the
   * stream it repairs, which then goes through the normal path (buffer, forwarding). Padding-only
   * RTX packets (bandwidth probes) carry no OSN and are dropped.
   */
  #onRtx(ep: FastEndpoint, rtx: IngressStream, n: number): void {
    const f = this.#engine;
    rtx.lastRtpAt = performance.now();
    const primary = ep.repairedBy(rtx);
    const apt = rtx.rtxApt?.get(rtpPayloadType(f.input));
    const at = rtpPayloadOffset(f.input, n);
    const length = primary && apt !== undefined && at >= 0 ? unwrapRtx(f.input, n, at, primary.ssrc, apt) : -1;
    if (length < 12 || !primary) {
      this.rtx.ignored++;
      return;
    }
    this.rtx.received++;
    this.#onRtp(ep, primary, length);
  }

  #onRtp(ep: FastEndpoint, info: IngressStream, n: number): void {
    const f = this.#engine;
    const buf = f.input;
    const now = performance.now();
    const seq = rtpSequence(buf);
    info.stats.add(seq, rtpTimestamp(buf), now);
    info.lastRtpAt = now;
    if (info.history) {
      if (info.lastSeq >= 0) this.#nackGap(ep, info, seq);
      info.history.store(buf, n, seq);
    }
    if (info.lastSeq < 0 || ((seq - info.lastSeq) & 0xffff) < 0x8000) info.lastSeq = seq;
    ep.counters.packetsIn++;
    ep.counters.bytesIn += n;
    const taps = info.taps;
    if (taps) {
      taps.noteFlow(now);
      if (taps.count > 0) {
        taps.run(buf, n, taps.wantsLevel && ep.bypass ? readAudioLevel(buf, n, ep.bypass.extensions.audioLevel) : -1);
        if (taps.consumed) return;
      }
    }
    this.#route(ep.handleId, ep, info, n, seq, now);
  }

  /**
   * Fans the plaintext packet in the engine's input out along the routes from `from` (a handle, or
   * an RTP endpoint when `source` is undefined): every destination's copy in one engine call.
   */
  #route(from: number, source: FastEndpoint | undefined, info: IngressStream, n: number, seq: number, now: number): void {
    const f = this.#engine;
    const buf = f.input;
    const edges = this.#host.graph.edgesFrom(from);
    if (!edges) return;
    const codec = info.codecs.get(rtpPayloadType(buf));
    const vp8 = this.#vp8;
    const batch = this.#batch;
    const max = batch.subs.length;
    const payloadAt = codec === 'vp8' ? rtpPayloadOffset(buf, n) : -1;
    const isVp8 = payloadAt >= 0 && vp8.parse(buf, payloadAt, n);
    let count = 0;
    for (const edge of edges) {
      if (edge.kind !== info.kind || (edge.fromMid !== undefined && edge.fromMid !== info.mid)) continue;
      const dest: FastDestination | undefined = edge.to < 0 ? this.#rtp.endpoints.get(edge.to) : this.#endpoints.get(edge.to);
      if (!dest?.bypass || dest.muted.has(info.kind) || count >= max) continue;
      const eg = edge.toMid !== undefined ? dest.egress.get(edge.toMid) : dest.egressByKind[info.kind][info.index];
      if (!eg || eg.kind !== info.kind) continue;
      if (info.layer !== undefined && source && !this.#acceptLayer(source, dest, eg, info, n, now)) continue;
      // A new source, or the same SSRC restarted (an RTP endpoint's new stream object): rebase.
      if (eg.lastSourceSsrc !== info.ssrc || eg.source !== info) this.#switchSource(eg, info, codec);
      let key = -1;
      if (isVp8) {
        const filter = (eg.vp8 ??= this.#temporalFilter(dest.handleId, eg.mid));
        const keep = filter.accept(vp8);
        if (filter.changed) this.#reportLayer(dest, eg, undefined, filter);
        if (!keep) {
          // Dropped for this subscriber only: close the hole in its sequence numbers.
          f.shiftSequence(eg.engineId, -1);
          eg.pendingShift--;
          continue;
        }
        key = packVp8Ids(filter.outPictureId, filter.outTl0PicIdx);
      }
      batch.vp8Keys[count] = key;
      batch.subs[count] = eg.engineId;
      batch.dests[count] = dest;
      batch.egs[count] = eg;
      count++;
    }
    if (count === 0) return;
    if (!isVp8) {
      batch.deliver(f.fanout(n, batch.subs, count), n - 12, seq, now, 0, -1);
      return;
    }
    batch.fanoutVp8Groups(n, count, seq, now, vp8);
  }

  #temporalFilter(handleId: number, mid: string): Vp8TemporalFilter {
    const filter = new Vp8TemporalFilter();
    filter.target = this.#host.graph.target(handleId, mid).temporal;
    return filter;
  }

  /** A simulcast or temporal switch took effect for a destination: tell the plugins (once per change). */
  #reportLayer(dest: FastDestination, eg: EgressStream, substream: number | undefined, filter: Vp8TemporalFilter | undefined): void {
    if (dest.handleId < 0) {
      if (filter) filter.changed = false; // RTP endpoints are no plugin's handles: nothing to report
      return;
    }
    if (filter) {
      filter.changed = false;
      if (filter.target === undefined) return;
      this.#host.events.emit('layer', { handle: dest.handleId, mid: eg.mid, temporal: filter.current });
      return;
    }
    if (substream === undefined || substream === eg.reportedLayer) return;
    eg.reportedLayer = substream;
    this.#host.events.emit('layer', { handle: dest.handleId, mid: eg.mid, substream });
  }

  /** A gap in a publisher's video sequence: NACK the missing packets once (RFC 4585 §6.2.1). */
  #nackGap(ep: FastEndpoint, info: IngressStream, seq: number): void {
    const gap = (seq - info.lastSeq) & 0xffff;
    if (gap < 2 || gap > 64) return;
    this.nack.sent++;
    this.#slowLink.lost(ep.handleId, info.mid, info.kind, false, gap - 1);
    this.#rtcp.nack(ep, info.ssrc, (info.lastSeq + 1) & 0xffff, gap - 1);
  }

  /** A destination stream starts forwarding another source: continue its sequence and timeline. */
  #switchSource(eg: EgressStream, info: IngressStream, codec: string | undefined): void {
    const payloadType = eg.fixedPayloadType ?? (codec === undefined ? undefined : eg.payloadTypes.get(codec));
    if (eg.followSourceSsrc) eg.localSsrc = info.ssrc;
    this.#engine.setRewrite(eg.engineId, {
      ssrc: eg.localSsrc,
      ...(payloadType !== undefined ? { payloadType } : {}),
      timestampStep: SWITCH_STEP[info.kind],
    });
    eg.payloadType = payloadType;
    if (eg.lastSourceSsrc !== undefined) this.#engine.rebase(eg.engineId, SWITCH_STEP[info.kind]);
    eg.lastSourceSsrc = info.ssrc;
    eg.source = info;
    eg.pendingShift = 0;
    eg.sent?.clear();
    eg.vp8?.rebase();
  }

  /** Simulcast: forward only the current layer, switching to the wanted layer on a VP8 keyframe. */
  #acceptLayer(source: FastEndpoint, dest: FastDestination, eg: EgressStream, info: IngressStream, n: number, now: number): boolean {
    const wanted = wantedLayer(this.#host.graph.target(dest.handleId, eg.mid), source.layersOf(info.mid), now);
    if (info.layer === eg.layer) {
      if (wanted !== eg.layer && now - eg.lastKeyframeRequest >= KEYFRAME_INTERVAL_MS) {
        eg.lastKeyframeRequest = now;
        this.#host.requestKeyframe(source.handleId);
      }
      return true;
    }
    if (info.layer !== wanted) return false;
    const buf = this.#engine.input;
    const at = rtpPayloadOffset(buf, n);
    if (at < 0 || !isVp8KeyframeStart(buf.subarray(at, n))) {
      if (now - eg.lastKeyframeRequest >= KEYFRAME_INTERVAL_MS) {
        eg.lastKeyframeRequest = now;
        this.#host.requestKeyframe(source.handleId);
      }
      return false;
    }
    eg.layer = info.layer;
    this.#reportLayer(dest, eg, info.layer, undefined);
    return true;
  }

  /** Every RTCP_INTERVAL_MS / REPORT_SLOTS: one slot's periodic reports; slow-link events once per interval. */
  #sendReports(): void {
    const slot = this.#rtcp.reportSlot(this.#endpoints.values());
    if (slot === 0) {
      this.#slowLink.flush(performance.now(), (event) =>
        this.#endpoints.get(event.handle)?.peer.noteSlowLink(event.mid, event.kind, event.uplink, event.lost),
      );
    }
  }
}
