import type { MediaKind } from '@cardea/plugin-sdk';
import type { SrtpFanout, SrtpMasterKey } from '../srtp/SrtpFanoutTypes.ts';
import { srtpKeysFromWerift, type WeriftSrtpKeys } from '../srtp/srtpKeysFromWerift.ts';
import type { MediaBypass, BypassStream } from '../../webrtc/MediaBypass.ts';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { MediaCounters, MediaEndpoint } from '../MediaPlaneTypes.ts';
import type { MediaNode } from '../MediaNode.ts';
import type { StreamTaps } from '../StreamTaps.ts';
import type { FastDestination } from './FastDestination.ts';
import { ReceiveStats } from './ReceiveStats.ts';
import { RetransmitBuffer } from './RetransmitBuffer.ts';
import { SentPacketMap } from './SentPacketMap.ts';
import type { Vp8TemporalFilter } from './Vp8TemporalFilter.ts';
import { readStringExtension } from './rtpHeader.ts';

/** Most remote SSRCs one PeerConnection may send (audio, video, simulcast layers, RTX): a bound against floods. */
const MAX_REMOTE_SSRCS = 16;

/** What Cardea knows about one SSRC the client sends. */
export interface IngressStream {
  ssrc: number;
  /** Engine context that unprotects it (SRTP state is per SSRC). */
  engineId: number;
  mid: string;
  kind: 'audio' | 'video';
  rid: string | undefined;
  layer: number | undefined;
  /** Position among the client's received streams of this kind (for kind-indexed routes). */
  index: number;
  /** Codec name by payload type. */
  codecs: Map<number, string>;
  clockRate: number;
  stats: ReceiveStats;
  lastRtpAt: number;
  /** Highest sequence number seen (for gap detection), -1 before any. */
  lastSeq: number;
  /** Recent packets for answering NACKs (video only). */
  history: RetransmitBuffer | undefined;
  /** RTX (RFC 4588) of another stream: payload type of the repaired codec by RTX payload type; else undefined. */
  rtxApt: Map<number, number> | undefined;
  /** The optional taps and media-flow state of the mid (a handle's streams; undefined for an RTP endpoint's). */
  taps: StreamTaps | undefined;
}

/** The gateway's RTX stream toward a client on one video m-line (RFC 4588). */
export interface EgressRtx {
  engineId: number;
  ssrc: number;
  /** RTX payload type by the associated (original) payload type. */
  byApt: Map<number, number>;
  /** RTX packets sent (the input sequence numbers fed to the engine). */
  sent: number;
  /** Payload type the engine context writes now (-1 before the first packet). */
  payloadType: number;
}

/** One stream Cardea sends to the client (one sending m-line). */
export interface EgressStream {
  mid: string;
  kind: 'audio' | 'video';
  engineId: number;
  localSsrc: number;
  /** Payload type by codec name. */
  payloadTypes: Map<string, number>;
  /** SSRC of the source last forwarded (a change rebases sequence and timestamps). */
  lastSourceSsrc: number | undefined;
  /** The source stream last forwarded (its buffer answers NACKs). */
  source: IngressStream | undefined;
  /** Simulcast layer forwarded now. */
  layer: number | undefined;
  lastKeyframeRequest: number;
  packets: number;
  octets: number;
  /** Last RTP timestamp sent and when (ms), for sender reports. */
  lastTimestamp: number;
  lastSentAt: number;
  clockRate: number;
  /** Output minus source sequence number of the last copy. */
  seqDelta: number;
  /** Sequence shifts (packets dropped for this subscriber) since the last copy. */
  pendingShift: number;
  /** Video: what was sent lately, to answer NACKs. */
  sent: SentPacketMap | undefined;
  /** VP8 temporal-layer filter and picture-ID rewriting (video, created at the first VP8 packet). */
  vp8: Vp8TemporalFilter | undefined;
  /** The simulcast layer last reported to the plugin (-1 none). */
  reportedLayer: number;
  /** Payload type written into copies now (undefined: the source's). */
  payloadType: number | undefined;
  /** RTX toward the client, when negotiated on this m-line. */
  rtx: EgressRtx | undefined;
  /** RTP forwarders (Janus `rtp_forward` without an SSRC): send with the source's SSRC, not localSsrc. */
  followSourceSsrc?: boolean;
  /** RTP forwarders with a payload type: written whatever the source's codec. */
  fixedPayloadType?: number;
}

/**
 * One PeerConnection on Cardea's fast path: its engine contexts (one ingress per remote SSRC, one
 * egress per sending m-line, one for its own RTCP) and what it sends and receives. Mute, counters
 * and taps are its handle's control state (MediaNode), shared with the control part.
 */
export class FastEndpoint implements MediaEndpoint, FastDestination {
  readonly handleId: number;
  readonly peer: WebRtcPeer;
  readonly node: MediaNode;
  readonly counters: MediaCounters;
  readonly muted: Set<MediaKind>;
  readonly ingress = new Map<number, IngressStream>();
  /** Egress streams by mid, and by kind in m-line order. */
  readonly egress = new Map<string, EgressStream>();
  readonly egressByKind: Record<'audio' | 'video', EgressStream[]> = { audio: [], video: [] };
  /** SRTCP contexts for RTCP from the client, by sender SSRC. */
  readonly rtcpIngress = new Map<number, number>();
  bypass: MediaBypass | undefined;
  /** Egress context used for the RTCP Cardea sends (RR, PLI, REMB) when no media is sent. */
  rtcpEgress = -1;
  rtcpSsrc = 0;
  bitrateCap = 0;
  #streams: BypassStream[] = [];
  readonly #engine: SrtpFanout;

  constructor(node: MediaNode, engine: SrtpFanout) {
    this.node = node;
    this.handleId = node.handleId;
    this.peer = node.peer;
    this.counters = node.counters;
    this.muted = node.muted;
    this.#engine = engine;
  }

  #keys: WeriftSrtpKeys | undefined;

  #key(remote: boolean): SrtpMasterKey {
    if (!this.bypass) throw new Error('no keys before the bypass is open');
    this.#keys ??= srtpKeysFromWerift(this.bypass.dtlsTransport);
    return remote ? this.#keys.remote : this.#keys.local;
  }

  /** Re-reads the negotiated m-lines: adds egress contexts for new sending m-lines. */
  refresh(): void {
    if (!this.bypass) return;
    this.#streams = this.bypass.streams();
    this.egressByKind.audio = [];
    this.egressByKind.video = [];
    for (const s of this.#streams) {
      if (!s.sending) continue;
      let eg = this.egress.get(s.mid);
      if (!eg) {
        const first = s.codecs[0];
        eg = {
          mid: s.mid,
          kind: s.kind,
          engineId: this.#engine.addEgress(this.#key(false), { ssrc: s.localSsrc, ...(first ? { payloadType: first.payloadType } : {}), timestampStep: s.kind === 'audio' ? 960 : 3000 }),
          localSsrc: s.localSsrc,
          payloadTypes: new Map(s.codecs.map((c) => [c.name, c.payloadType])),
          lastSourceSsrc: undefined,
          source: undefined,
          layer: undefined,
          lastKeyframeRequest: 0,
          packets: 0,
          octets: 0,
          lastTimestamp: 0,
          lastSentAt: 0,
          seqDelta: 0,
          pendingShift: 0,
          sent: s.kind === 'video' ? new SentPacketMap() : undefined,
          vp8: undefined,
          reportedLayer: -1,
          payloadType: first?.payloadType,
          rtx: this.#rtxFor(s),
          clockRate: first?.clockRate ?? (s.kind === 'audio' ? 48000 : 90000),
        };
        this.egress.set(s.mid, eg);
      }
      this.egressByKind[s.kind].push(eg);
    }
    if (this.rtcpEgress < 0) {
      this.rtcpSsrc = this.#streams[0]?.localSsrc ?? 1;
      const sending = [...this.egress.values()].find((e) => e.localSsrc === this.rtcpSsrc);
      this.rtcpEgress = sending ? sending.engineId : this.#engine.addEgress(this.#key(false), { ssrc: this.rtcpSsrc });
    }
  }

  #rtxFor(s: BypassStream): EgressRtx | undefined {
    if (s.kind !== 'video' || s.rtxSsrc === undefined) return undefined;
    const byApt = new Map<number, number>();
    for (const c of s.codecs) if (c.name === 'rtx' && c.apt !== undefined) byApt.set(c.apt, c.payloadType);
    if (byApt.size === 0) return undefined;
    return { engineId: this.#engine.addEgress(this.#key(false), { ssrc: s.rtxSsrc }), ssrc: s.rtxSsrc, byApt, sent: 0, payloadType: -1 };
  }

  /**
   * Finds or learns the stream of an SSRC from its mid/rid header extensions (RFC 8843 §15,
   * RFC 8852) — read only for SSRCs not seen before — and creates its SRTP context.
   */
  learn(buf: Uint8Array, length: number, ssrc: number): IngressStream | undefined {
    const bypass = this.bypass;
    if (!bypass || this.ingress.size >= MAX_REMOTE_SSRCS) return undefined;
    const ids = bypass.extensions;
    const mid = ids.mid ? readStringExtension(buf, length, ids.mid) : undefined;
    let rid = ids.rid ? readStringExtension(buf, length, ids.rid) : undefined;
    const repaired = ids.repairedRid ? readStringExtension(buf, length, ids.repairedRid) : undefined;
    // Without a mid extension, the payload type tells the m-line when exactly one receiving m-line has it.
    const pt = (buf[1] as number) & 0x7f;
    const byPt = this.#streams.filter((s) => s.receiving && s.codecs.some((c) => c.payloadType === pt));
    const stream = mid !== undefined ? this.#streams.find((s) => s.mid === mid) : byPt.length === 1 ? byPt[0] : undefined;
    if (!stream || !stream.receiving) return undefined;
    // RTX (RFC 4588): a simulcast layer's RTX names its layer in repaired-rid (RFC 8852 §3.2).
    const codec = stream.codecs.find((c) => c.payloadType === pt);
    const rtxApt = codec?.name === 'rtx' ? new Map(stream.codecs.filter((c) => c.name === 'rtx' && c.apt !== undefined).map((c) => [c.payloadType, c.apt as number])) : undefined;
    if (repaired !== undefined && !rtxApt) return undefined;
    rid = repaired ?? rid;
    const layer = rid === undefined ? undefined : this.peer.layerOf(stream.mid, rid);
    const received = this.#streams.filter((s) => s.receiving && s.kind === stream.kind);
    const codecs = new Map(stream.codecs.map((c) => [c.payloadType, c.name]));
    const info: IngressStream = {
      ssrc,
      engineId: this.#engine.addIngress(this.#key(true)),
      mid: stream.mid,
      kind: stream.kind,
      rid,
      layer,
      index: received.indexOf(stream),
      codecs,
      clockRate: stream.codecs[0]?.clockRate ?? (stream.kind === 'audio' ? 48000 : 90000),
      stats: new ReceiveStats(ssrc, stream.codecs[0]?.clockRate ?? 90000),
      lastRtpAt: 0,
      lastSeq: -1,
      history: stream.kind === 'video' && !rtxApt ? new RetransmitBuffer() : undefined,
      rtxApt,
      taps: this.node.tapsFor(stream.mid, stream.kind, codecs),
    };
    this.ingress.set(ssrc, info);
    return info;
  }

  /** Drops an ingress context (e.g. one that never authenticated). */
  forgetIngress(ssrc: number): void {
    const info = this.ingress.get(ssrc);
    if (!info) return;
    this.#engine.remove(info.engineId);
    this.ingress.delete(ssrc);
  }

  /** The SRTCP context for RTCP sent by `ssrc`, created on first use (bounded). */
  rtcpContext(ssrc: number): number {
    let id = this.rtcpIngress.get(ssrc);
    if (id === undefined) {
      if (this.rtcpIngress.size >= MAX_REMOTE_SSRCS) return -1;
      id = this.#engine.addIngress(this.#key(true));
      this.rtcpIngress.set(ssrc, id);
    }
    return id;
  }

  /** The simulcast layers of a mid (for layer choice). */
  layersOf(mid: string): IngressStream[] {
    const out: IngressStream[] = [];
    for (const s of this.ingress.values()) if (s.mid === mid && s.layer !== undefined && !s.rtxApt) out.push(s);
    return out;
  }

  /** The stream an RTX stream repairs: same mid and rid, not RTX (found when a retransmission arrives). */
  repairedBy(rtx: IngressStream): IngressStream | undefined {
    for (const s of this.ingress.values()) if (!s.rtxApt && s.mid === rtx.mid && s.rid === rtx.rid) return s;
    return undefined;
  }

  /** Releases every engine context. Idempotent. */
  close(): void {
    this.bypass?.close();
    this.bypass = undefined;
    const ids = new Set<number>([...[...this.ingress.values()].map((s) => s.engineId), ...this.rtcpIngress.values(), ...[...this.egress.values()].map((e) => e.engineId)]);
    for (const e of this.egress.values()) if (e.rtx) ids.add(e.rtx.engineId);
    if (this.rtcpEgress >= 0) ids.add(this.rtcpEgress);
    for (const id of ids) this.#engine.remove(id);
    this.ingress.clear();
    this.rtcpIngress.clear();
    this.egress.clear();
    this.rtcpEgress = -1;
  }
}
