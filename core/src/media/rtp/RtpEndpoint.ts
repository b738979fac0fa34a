import { randomBytes, randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { MediaKind, RtpEndpointStats } from '@cardea/plugin-sdk';
import { ntpNow } from '../../webrtc/weriftPatches.ts';
import { useSyncUdpLookup } from '../../webrtc/syncUdpLookup.ts';
import type { EgressStream, IngressStream } from '../fast/FastEndpoint.ts';
import type { FastDestination, FastSender } from '../fast/FastDestination.ts';
import { ReceiveStats } from '../fast/ReceiveStats.ts';
import { RetransmitBuffer } from '../fast/RetransmitBuffer.ts';
import { parseRtcp, writePli, writeReceiverReport, writeSdesCname, writeSenderReport, type RtcpVisitor } from '../fast/rtcpPackets.ts';
import { isRtcp, rtpPayloadOffset, rtpPayloadType, rtpSequence, rtpSsrc, rtpTimestamp } from '../fast/rtpHeader.ts';
import type { MediaCounters } from '../MediaPlaneTypes.ts';
import { KEYFRAME_INTERVAL_MS } from '../RouteGraph.ts';
import { SrtpProfile, type SrtpFanout, type SrtpMasterKey } from '../srtp/SrtpFanoutTypes.ts';
import type { RtpSockets } from './rtpPorts.ts';

/** The mid an RTP endpoint's one stream has in routes (`fromMid` / `toMid`). */
export const RTP_ENDPOINT_MID = '0';
/** RTCP report interval of an endpoint (ms; RFC 3550 §6.2 allows far less than 5 s for two members). */
export const RTP_ENDPOINT_RTCP_MS = 1000;
/** A sequence jump larger than this (either way) on one SSRC is a source restart (rebased toward destinations). */
const RESTART_GAP = 3000;
/** RTCP packets kept for sending at once (a ring: a deferred send still finds its bytes). */
const RTCP_SLOTS = 16;
const RTCP_SLOT_BYTES = 1500;

/** What the plane does with what an endpoint receives. */
export interface RtpEndpointHooks {
  /** A valid RTP packet of `stream` is plaintext in engine.input[0..n): route it. */
  rtp(endpoint: RtpEndpoint, stream: IngressStream, n: number): void;
  /** The remote asked for a keyframe (PLI or FIR): ask whoever is routed to this endpoint. */
  keyframe(endpoint: RtpEndpoint): void;
}

/** An endpoint's settings, resolved (defaults applied, keys parsed). */
export interface RtpEndpointConfig {
  id: number;
  kind: 'audio' | 'video';
  direction: 'sendrecv' | 'sendonly' | 'recvonly';
  remote: { host: string; port: number; rtcpPort: number } | undefined;
  /** False: no RTCP is sent (RTCP multiplexed on the RTP port is still read, RFC 5761). */
  rtcp: boolean;
  /** undefined: accept the first payload type seen, and only it from then on. */
  payloadType: number | undefined;
  codec: string;
  clockRate: number;
  ssrc: number;
  /** SDES keys: `local` protects what is sent, `remote` unprotects what arrives; undefined: plain RTP. */
  srtp: { local: SrtpMasterKey; remote: SrtpMasterKey } | undefined;
  /** Forwarders (Janus `rtp_forward`): send with the source's SSRC unless one is given, and this payload type. */
  followSourceSsrc?: boolean;
  fixedPayloadType?: number | undefined;
}

const plainKey: SrtpMasterKey = { profile: SrtpProfile.plain, masterKey: new Uint8Array(0), masterSalt: new Uint8Array(0) };

/**
 * A plain RTP/RTCP leg on the fast plane (no ICE, no DTLS): one stream of one kind over a UDP
 * socket pair. Incoming RTP is checked (header, SDES-SRTP when keyed, payload type, source address)
 * and handed to the plane's fan-out like a publisher's; copies routed to it are rewritten (and
 * protected) by the same engine call as a browser's and sent to the remote. Without a configured
 * remote it latches to the first valid packet's source (as Janus does) and drops the rest.
 */
export class RtpEndpoint implements FastDestination {
  readonly handleId: number;
  readonly config: RtpEndpointConfig;
  readonly counters: MediaCounters = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0 };
  readonly muted = new Set<MediaKind>();
  readonly egress = new Map<string, EgressStream>();
  readonly egressByKind: Record<'audio' | 'video', EgressStream[]> = { audio: [], video: [] };
  readonly ports: { rtp: number; rtcp: number };
  /** Defined once the endpoint can send: it sends and has a remote. */
  bypass: FastSender | undefined;
  readonly #stats = {
    foreignSource: 0,
    malformed: 0,
    srtpFailed: 0,
    wrongPayloadType: 0,
    unsent: 0,
    socketErrors: 0,
    rtcpIn: 0,
    rtcpOut: 0,
    keyframeRequestsIn: 0,
    keyframeRequestsOut: 0,
  };
  readonly #engine: SrtpFanout;
  readonly #hooks: RtpEndpointHooks;
  readonly #sockets: RtpSockets;
  readonly #sender: FastSender;
  /** Engine context that writes what this endpoint sends (plain or SDES) and protects its RTCP. */
  readonly #localCtx: number;
  readonly #rtcpRing = Buffer.alloc(RTCP_SLOTS * RTCP_SLOT_BYTES);
  readonly #rtcpBuild = Buffer.alloc(RTCP_SLOT_BYTES);
  /** The CNAME of every compound RTCP packet it sends (RFC 3550 §6.1, §6.5.1): random, per endpoint (RFC 7022 §4.2). */
  readonly #cname = Buffer.from(randomBytes(12).toString('base64'));
  readonly #timer: NodeJS.Timeout;
  readonly #visitor: RtcpVisitor;
  #rtcpSlot = 0;
  #remote: { host: string; port: number } | undefined;
  #remoteRtcp: { host: string; port: number; socket: Socket } | undefined;
  #payloadType: number | undefined;
  #ingress: IngressStream | undefined;
  /** SRTP ingress contexts for the current SSRC's RTP and for RTCP (SDES only; -1 none). */
  #ingressCtx = -1;
  #rtcpIngressCtx = -1;
  #lastPliAt = Number.NEGATIVE_INFINITY;
  #pliPending = false;
  #keyframeAsked = false;
  #closed = false;

  constructor(config: RtpEndpointConfig, sockets: RtpSockets, engine: SrtpFanout, hooks: RtpEndpointHooks) {
    this.handleId = config.id;
    this.config = config;
    this.#engine = engine;
    this.#hooks = hooks;
    this.#sockets = sockets;
    this.#payloadType = config.payloadType;
    const local = config.srtp?.local ?? plainKey;
    this.#localCtx = engine.addEgress(local, { ssrc: config.ssrc, ...(config.fixedPayloadType !== undefined ? { payloadType: config.fixedPayloadType } : {}) });
    if (config.srtp) this.#rtcpIngressCtx = engine.addIngress(config.srtp.remote);
    this.#sender = { send: (buf, offset, length) => this.#sendRtp(buf, offset, length) };
    if (config.direction !== 'recvonly') this.#addEgress();
    this.#visitor = {
      keyframe: () => {
        this.#keyframeAsked = true;
      },
      senderReport: (ssrc, middle) => {
        if (this.#ingress?.ssrc === ssrc) this.#ingress.stats.senderReport(middle, performance.now());
      },
    };
    for (const socket of [sockets.rtp, sockets.rtcp]) {
      if (!socket) continue;
      useSyncUdpLookup(socket);
      socket.on('error', () => this.#stats.socketErrors++);
      socket.unref();
    }
    sockets.rtp.on('message', (msg, rinfo) => this.#onDatagram(msg, rinfo, false));
    sockets.rtcp?.on('message', (msg, rinfo) => this.#onDatagram(msg, rinfo, true));
    const bound = (s: Socket | undefined): number => {
      try {
        return s ? s.address().port : 0;
      } catch {
        return 0; // not bound yet (a forwarder's socket binds at its first send)
      }
    };
    this.ports = { rtp: bound(sockets.rtp), rtcp: bound(sockets.rtcp) };
    if (config.remote) this.#setRemote(config.remote.host, config.remote.port, config.remote.rtcpPort);
    this.#timer = setInterval(() => this.#report(), RTP_ENDPOINT_RTCP_MS);
    this.#timer.unref();
  }

  /** The counters of the endpoint (for the plugin API and the Admin API). */
  stats(): RtpEndpointStats {
    const stats = this.#ingress?.stats;
    return {
      packetsIn: this.counters.packetsIn,
      bytesIn: this.counters.bytesIn,
      lost: stats?.cumulativeLost ?? 0,
      jitter: stats?.jitter ?? 0,
      packetsOut: this.counters.packetsOut,
      bytesOut: this.counters.bytesOut,
      remote: this.#remote ? `${this.#remote.host}:${this.#remote.port}` : undefined,
      ...this.#stats,
    };
  }

  /** The stream now received (undefined before the first valid packet). */
  get ingress(): IngressStream | undefined {
    return this.#ingress;
  }

  /**
   * Asks the remote for a keyframe (RFC 4585 §6.3.1 PLI), at most one per half KEYFRAME_INTERVAL_MS.
   * Sent from a microtask: the caller may be in the middle of a fan-out that holds the engine's input.
   */
  requestKeyframe(): void {
    if (this.#closed || this.config.kind !== 'video' || this.#pliPending || !this.#ingress) return;
    const now = performance.now();
    if (now - this.#lastPliAt < KEYFRAME_INTERVAL_MS / 2) return;
    this.#lastPliAt = now;
    this.#pliPending = true;
    queueMicrotask(() => {
      this.#pliPending = false;
      const ingress = this.#ingress;
      if (this.#closed || !ingress) return;
      const out = this.#rtcpBuild;
      const end = writePli(out, writeSdesCname(out, writeReceiverReport(out, this.config.ssrc, []), this.config.ssrc, this.#cname), this.config.ssrc, ingress.ssrc);
      if (this.#sendRtcp(end)) this.#stats.keyframeRequestsOut++;
    });
  }

  /** Closes the sockets and frees the engine contexts. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.bypass = undefined;
    clearInterval(this.#timer);
    for (const socket of [this.#sockets.rtp, this.#sockets.rtcp]) {
      try {
        socket?.close();
      } catch {
        // already closed (e.g. after a bind failure): nothing left to release
      }
    }
    const ids = [this.#localCtx, this.#ingressCtx, this.#rtcpIngressCtx];
    for (const id of ids) if (id >= 0) this.#engine.remove(id);
    this.#ingressCtx = -1;
    this.#rtcpIngressCtx = -1;
    this.egress.clear();
    this.egressByKind[this.config.kind] = [];
  }

  #addEgress(): void {
    const { kind, codec, clockRate, ssrc } = this.config;
    const pt = this.config.fixedPayloadType ?? this.config.payloadType;
    const eg: EgressStream = {
      mid: RTP_ENDPOINT_MID,
      kind,
      engineId: this.#localCtx,
      localSsrc: ssrc,
      payloadTypes: new Map(pt === undefined ? [] : [[codec, pt]]),
      lastSourceSsrc: undefined,
      source: undefined,
      layer: undefined,
      lastKeyframeRequest: 0,
      packets: 0,
      octets: 0,
      lastTimestamp: 0,
      lastSentAt: 0,
      clockRate,
      seqDelta: 0,
      pendingShift: 0,
      sent: undefined,
      vp8: undefined,
      reportedLayer: -1,
      payloadType: pt,
      rtx: undefined,
      ...(this.config.followSourceSsrc ? { followSourceSsrc: true } : {}),
      ...(this.config.fixedPayloadType !== undefined ? { fixedPayloadType: this.config.fixedPayloadType } : {}),
    };
    this.egress.set(eg.mid, eg);
    this.egressByKind[kind].push(eg);
  }

  #setRemote(host: string, port: number, rtcpPort: number | undefined): void {
    this.#remote = { host, port };
    if (this.config.rtcp && this.#sockets.rtcp) this.#remoteRtcp = { host, port: rtcpPort ?? port + 1, socket: this.#sockets.rtcp };
    if (this.config.direction !== 'recvonly') this.bypass = this.#sender;
  }

  /** A packet's source is acceptable: the configured or latched remote, or (nothing known yet) anyone. */
  #fromRemote(rinfo: RemoteInfo, rtcpSocket: boolean): boolean {
    const remote = this.#remote;
    if (!remote) return true;
    if (rinfo.address !== remote.host) return false;
    if (!rtcpSocket) return rinfo.port === remote.port;
    // The RTCP socket: the configured RTCP port, or (latched) the RTP source port + 1 (RFC 3550 §11).
    return rinfo.port === (this.config.remote?.rtcpPort ?? remote.port + 1);
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo, rtcpSocket: boolean): void {
    if (this.#closed) return;
    const f = this.#engine;
    if (!this.#fromRemote(rinfo, rtcpSocket)) {
      this.#stats.foreignSource++;
      this.counters.dropped++;
      return;
    }
    if (msg.length < 8 || msg.length > f.maxPacketBytes) {
      this.#malformed();
      return;
    }
    if (rtcpSocket || isRtcp(msg)) {
      // RTCP before any RTP: nobody to answer yet (the endpoint latches on RTP only).
      if (this.#remote) this.#onRtcp(msg, rinfo, rtcpSocket);
      else {
        this.#stats.foreignSource++;
        this.counters.dropped++;
      }
      return;
    }
    this.#onRtp(msg, rinfo);
  }

  #malformed(): void {
    this.#stats.malformed++;
    this.counters.dropped++;
  }

  #onRtp(msg: Buffer, rinfo: RemoteInfo): void {
    const f = this.#engine;
    const input = f.input;
    input.set(msg);
    let n = msg.length;
    if (rtpPayloadOffset(input, n) < 0) {
      this.#malformed();
      return;
    }
    const ssrc = rtpSsrc(input);
    if (this.config.srtp) {
      n = this.#unprotect(ssrc, n);
      if (n < 0) return;
    }
    const payloadAt = rtpPayloadOffset(input, n);
    const padding = (input[0] as number) & 0x20 ? (input[n - 1] as number) : 0;
    if (payloadAt < 0 || payloadAt + padding > n) {
      this.#malformed();
      return;
    }
    const pt = rtpPayloadType(input);
    if (this.#payloadType !== undefined && pt !== this.#payloadType) {
      this.#stats.wrongPayloadType++;
      this.counters.dropped++;
      return;
    }
    // Valid: latch to its source (Janus's behaviour when the remote is unknown) and its payload type.
    if (!this.#remote) this.#setRemote(rinfo.address, rinfo.port, undefined);
    this.#payloadType ??= pt;
    if (this.config.direction === 'sendonly') {
      this.counters.dropped++; // a send-only endpoint routes nothing it receives
      return;
    }
    const seq = rtpSequence(input);
    const stream = this.#streamFor(ssrc, seq, pt);
    const now = performance.now();
    stream.stats.add(seq, rtpTimestamp(input), now);
    stream.lastRtpAt = now;
    stream.history?.store(input, n, seq);
    if (stream.lastSeq < 0 || ((seq - stream.lastSeq) & 0xffff) < 0x8000) stream.lastSeq = seq;
    this.counters.packetsIn++;
    this.counters.bytesIn += n;
    this.#hooks.rtp(this, stream, n);
  }

  /** SDES-SRTP: unprotects input[0..n) with the context of `ssrc` (a new SSRC gets one once it authenticates). */
  #unprotect(ssrc: number, n: number): number {
    const f = this.#engine;
    const srtp = this.config.srtp;
    if (!srtp) return n;
    const fresh = this.#ingress === undefined || this.#ingress.ssrc !== ssrc || this.#ingressCtx < 0;
    const ctx = fresh ? f.addIngress(srtp.remote) : this.#ingressCtx;
    const plain = f.unprotect(ctx, n);
    if (plain < 0) {
      if (fresh) f.remove(ctx);
      this.#stats.srtpFailed++;
      this.counters.dropped++;
      return -1;
    }
    if (fresh) {
      if (this.#ingressCtx >= 0) f.remove(this.#ingressCtx);
      this.#ingressCtx = ctx;
    }
    return plain;
  }

  /**
   * The stream of `ssrc`: the current one, or a new one for a new SSRC or a restart (a sequence
   * jump): a new stream object makes every destination rebase its sequence and timeline onto it,
   * so a browser's decoder sees one continuous stream.
   */
  #streamFor(ssrc: number, seq: number, pt: number): IngressStream {
    const current = this.#ingress;
    if (current && current.ssrc === ssrc) {
      const gap = (seq - current.lastSeq) & 0xffff;
      if (current.lastSeq < 0 || gap <= RESTART_GAP || gap >= 0x10000 - RESTART_GAP) return current;
    }
    const { kind, codec, clockRate } = this.config;
    const stream: IngressStream = {
      ssrc,
      engineId: this.#ingressCtx,
      mid: RTP_ENDPOINT_MID,
      kind,
      rid: undefined,
      layer: undefined,
      index: 0,
      codecs: new Map([[pt, codec]]),
      clockRate,
      stats: new ReceiveStats(ssrc, clockRate),
      lastRtpAt: 0,
      lastSeq: -1,
      // Browsers' NACKs for what this endpoint feeds them are answered from here.
      history: kind === 'video' ? new RetransmitBuffer() : undefined,
      rtxApt: undefined,
      taps: undefined,
    };
    this.#ingress = stream;
    return stream;
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo, rtcpSocket: boolean): void {
    const f = this.#engine;
    f.input.set(msg);
    let n = msg.length;
    if (this.#rtcpIngressCtx >= 0) {
      n = f.unprotectRtcp(this.#rtcpIngressCtx, n);
      if (n < 0) {
        this.#stats.srtpFailed++;
        this.counters.dropped++;
        return;
      }
    }
    this.#keyframeAsked = false;
    if (!parseRtcp(f.input, n, this.#visitor)) {
      this.#malformed();
      return;
    }
    this.#stats.rtcpIn++;
    // RTCP multiplexed on the RTP port (RFC 5761 §4): answer there too.
    if (!rtcpSocket && this.config.rtcp && this.#remoteRtcp?.socket !== this.#sockets.rtp) this.#remoteRtcp = { host: rinfo.address, port: rinfo.port, socket: this.#sockets.rtp };
    if (this.#keyframeAsked) {
      this.#keyframeAsked = false;
      this.#stats.keyframeRequestsIn++;
      this.#hooks.keyframe(this);
    }
  }

  /** Sends a copy the engine wrote (a view on its arena) to the remote. */
  #sendRtp(buf: Uint8Array, offset: number, length: number): void {
    const remote = this.#remote;
    if (!remote || this.#closed) {
      this.#stats.unsent++;
      return;
    }
    this.#sockets.rtp.send(buf, offset, length, remote.port, remote.host);
  }

  /** Every RTP_ENDPOINT_RTCP_MS: a sender report for what was sent, a receiver report for what arrived (RFC 3550 §6.4). */
  #report(): void {
    if (this.#closed || !this.config.rtcp || !this.#remote) return;
    const now = performance.now();
    const out = this.#rtcpBuild;
    let end = 0;
    const eg = this.egressByKind[this.config.kind][0];
    const ssrc = eg?.localSsrc ?? this.config.ssrc;
    if (eg && eg.packets > 0) {
      const rtpTs = (eg.lastTimestamp + Math.round(((now - eg.lastSentAt) * eg.clockRate) / 1000)) >>> 0;
      end = writeSenderReport(out, ssrc, ntpNow(), rtpTs, eg.packets, eg.octets);
    }
    const ingress = this.#ingress;
    if (ingress && ingress.stats.packets > 0) end += writeReceiverReport(out.subarray(end), ssrc, [ingress.stats.block(now)]);
    else if (end === 0) end = writeReceiverReport(out, ssrc, []);
    end = writeSdesCname(out, end, ssrc, this.#cname);
    this.#sendRtcp(end);
  }

  /** Protects (SDES) #rtcpBuild[0..length) and sends it to the remote's RTCP address; false if there is none. */
  #sendRtcp(length: number): boolean {
    const target = this.#remoteRtcp ?? (this.config.rtcp && this.#remote && !this.#sockets.rtcp ? { ...this.#remote, socket: this.#sockets.rtp } : undefined);
    if (!target || this.#closed) return false;
    const f = this.#engine;
    f.input.set(this.#rtcpBuild.subarray(0, length));
    const n = f.protectRtcp(this.#localCtx, length);
    if (n < 0 || n > RTCP_SLOT_BYTES) return false;
    const at = this.#rtcpSlot * RTCP_SLOT_BYTES;
    this.#rtcpSlot = (this.#rtcpSlot + 1) % RTCP_SLOTS;
    f.input.copy(this.#rtcpRing, at, 0, n);
    target.socket.send(this.#rtcpRing, at, n, target.port, target.host);
    this.#stats.rtcpOut++;
    return true;
  }
}

/** A random SSRC (RFC 3550 §8.1). */
export function randomSsrc(): number {
  return randomInt(1, 0xffffffff);
}
