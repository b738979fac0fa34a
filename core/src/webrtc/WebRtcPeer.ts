import {
  ReceiverEstimatedMaxBitrate,
  RtcpPayloadSpecificFeedback,
  RTCIceCandidate,
  RTCPeerConnection,
  type MediaStreamTrack,
  type RTCDataChannel,
  type RTCRtpTransceiver,
} from 'werift';
import type { AnswerOptions, Jsep, MediaLine, NegotiatedJsep, OfferOptions } from '@cardea/plugin-sdk';
import { TypedEmitter } from '../util/TypedEmitter.ts';
import type { Logger } from '../util/logger.ts';
import { candidateAddress, classifyCandidateHost, mdnsName, takeNonIpCandidates, withCandidateAddress } from './candidateHost.ts';
import { summariseSdp } from './sdpSummary.ts';
import { filterLocalCandidates, weriftConfig, type WebRtcOptions } from './WebRtcOptions.ts';
import { applyBypassPatches, fixSenderNtp, markMediaBypass } from './weriftPatches.ts';
import { openMediaBypass, type MediaBypass } from './MediaBypass.ts';
import { droppedDatagrams, type DroppedDatagrams } from './sourceFilterPatch.ts';

/** A trickled candidate as the Janus API carries it. */
export interface TrickleCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
}

/** An operation that does not fit the PeerConnection's negotiation state (Janus 469 / 471). */
export class NegotiationStateError extends Error {
  override name = 'NegotiationStateError';
}

/** One received media stream of a peer, for the media plane. */
export interface ReceivedTrack {
  mid: string;
  kind: 'audio' | 'video';
  /** Simulcast rid, when the client sends several layers on this mid. */
  rid: string | undefined;
  /** Spatial layer of `rid`: 0 = lowest (undefined without simulcast). */
  layer: number | undefined;
  track: MediaStreamTrack;
  transceiver: RTCRtpTransceiver;
  /** SSRC of the stream, once a packet arrived (simulcast layers learn it late). */
  ssrc: number | undefined;
  /** performance.now() of the last packet (0 before any). */
  lastRtpAt: number;
}

export interface WebRtcPeerEvents {
  /** ICE and DTLS are up (Janus `webrtcup`). */
  up: [];
  /** First packet on a mid, or none for the no-media timer (Janus `media`). */
  media: [mid: string, kind: 'audio' | 'video', receiving: boolean];
  /** A remote track appeared. */
  track: [track: ReceivedTrack];
  /** The media plane saw `lost` packets lost on a leg in the last period (Janus `slowlink`; `uplink` as janus.js means it). */
  slowlink: [mid: string, kind: 'audio' | 'video', uplink: boolean, lost: number];
  /** The client asked for a keyframe on a stream we send (PLI or FIR). */
  keyframeRequested: [];
  /** Data-channel text from the client. */
  data: [label: string, text: string];
  /** An offer/answer exchange completed (the m-lines may have changed). */
  negotiated: [];
  /** The PeerConnection is gone; `reason` as Janus words it ("ICE failed", "Close PC", ...). */
  closed: [reason: string];
}

/** Most trickled candidates held while the remote SDP is missing. */
const MAX_PENDING_CANDIDATES = 64;
/** How long gathering may take before the SDP is sent with what there is (ms). */
const GATHER_TIMEOUT_MS = 3000;
/** Milliseconds between REMB messages while a bitrate cap is set. */
const REMB_INTERVAL_MS = 1000;
/** Most mDNS lookups one PeerConnection may have in flight; later `.local` candidates are dropped. */
const MAX_RESOLVING = 8;
/** Audio codec a negotiation restricts to unless the plugin names one (G.711 only on request). */
const DEFAULT_AUDIO_CODEC = 'opus';

/**
 * A handle's PeerConnection, terminated by werift (ICE, DTLS-SRTP, SCTP). It answers client offers
 * and makes gateway offers with every local candidate inside (half-trickle, as Janus by default),
 * queues early trickles, and reports `up`, `media` and `closed` as the Janus API needs them.
 */
export class WebRtcPeer {
  readonly events: TypedEmitter<WebRtcPeerEvents>;
  readonly #pc: RTCPeerConnection;
  readonly #options: WebRtcOptions;
  #closed = false;
  #up = false;
  #pendingCandidates: TrickleCandidate[] = [];
  #remoteSet = false;
  #expectAnswer = false;
  /** Received tracks by `mid` or `mid|rid`. */
  readonly #tracks = new Map<string, ReceivedTrack>();
  /** Simulcast rids per mid, in the client's SDP order. */
  readonly #rids = new Map<string, string[]>();
  /** Whether the client lists rids highest first (janus.js `rid_order` "hml", the default). */
  #highFirst = true;
  /** Mid of the first m-line, which every stream is bundled on. */
  #bundleMid: string | undefined;
  /** Remote candidates dropped or resolved, by reason (Admin API `handle_info`, `webrtc.remote_candidates`). */
  readonly candidateStats: RemoteCandidateStats = { malformed: 0, ignoredMdns: 0, ignoredHostname: 0, resolvedMdns: 0, unresolvedMdns: 0 };
  #resolving = 0;
  readonly #log: Logger | undefined;
  readonly #channels = new Map<string, RTCDataChannel>();
  #rembTimer: NodeJS.Timeout | undefined;
  #bitrateCap = 0;
  #negotiation: Promise<unknown> = Promise.resolve();
  readonly #watchedSenders = new WeakSet<object>();

  /** `log` gets the debug lines of ignored candidates (default: none). */
  constructor(options: WebRtcOptions, onListenerError: (error: unknown, event: string) => void, log?: Logger) {
    this.#options = options;
    this.#log = log;
    this.events = new TypedEmitter(onListenerError);
    this.#pc = new RTCPeerConnection(weriftConfig(options));
    if (options.mediaPlane === 'fast') {
      applyBypassPatches();
      markMediaBypass(this.#pc.config);
    }
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !this.#up) {
        this.#up = true;
        this.events.emit('up');
      } else if (state === 'failed') {
        this.close(this.#up ? 'DTLS alert' : 'ICE failed');
      } else if (state === 'closed' && !this.#closed) {
        this.close('DTLS alert');
      }
    });
    this.#pc.onTrack.subscribe((track) => this.#onTrack(track));
    this.#pc.onDataChannel.subscribe((channel) => this.#adoptChannel(channel));
  }

  /** True once ICE and DTLS are up. */
  get isUp(): boolean {
    return this.#up;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Sets the simulcast rid order the client uses (Janus JSEP `rid_order`: "hml" or "lmh"). */
  setRidOrder(order: 'hml' | 'lmh'): void {
    this.#highFirst = order === 'hml';
  }

  /** Spatial layer of a simulcast rid on a mid (0 = lowest), from the client's SDP. */
  layerOf(mid: string, rid: string): number | undefined {
    const rids = this.#rids.get(mid);
    const index = rids ? rids.indexOf(rid) : -1;
    if (!rids || index < 0) return undefined;
    return this.#highFirst ? rids.length - 1 - index : index;
  }

  /**
   * Takes this PeerConnection's media off werift (created with mediaPlane 'fast' and connected):
   * SRTP/RTCP datagrams go to `onDatagram`, and the returned bypass sends raw datagrams.
   */
  openBypass(onDatagram: (datagram: Buffer) => void): MediaBypass {
    return openMediaBypass(this.#pc, onDatagram);
  }

  /**
   * The media plane found `mid` started (first packet, or again after silence) or stopped (silent
   * for `noMediaTimerMs`) receiving: the Janus `media` event. The plane keeps the flow state.
   */
  reportMedia(mid: string, kind: 'audio' | 'video', receiving: boolean): void {
    if (!this.#closed) this.events.emit('media', mid, kind, receiving);
  }

  /** How long a mid may go without a packet before it counts as not receiving (config `webrtc.noMediaTimer`), ms. */
  get noMediaTimerMs(): number {
    return this.#options.noMediaTimerMs;
  }

  /** The fast path counted losses over its slow-link threshold on `mid` (drives the `slowlink` events). */
  noteSlowLink(mid: string, kind: 'audio' | 'video', uplink: boolean, lost: number): void {
    if (!this.#closed) this.events.emit('slowlink', mid, kind, uplink, lost);
  }

  /** ICE, DTLS, connection and signalling states, for the Admin API. */
  get states(): { ice: string; dtls: string; connection: string; signaling: string } {
    return {
      ice: this.#pc.iceConnectionState,
      dtls: this.#pc.dtlsTransports[0]?.state ?? 'new',
      connection: this.#pc.connectionState,
      signaling: this.#pc.signalingState,
    };
  }

  /**
   * Datagrams dropped before DTLS, SRTP or ICE state saw them, per reason (foreign source, forged
   * STUN, late plaintext DTLS, …), summed over the PeerConnection's ICE transports; for the Admin API.
   */
  get droppedDatagrams(): DroppedDatagrams {
    const sum: DroppedDatagrams = { foreign_source: 0, unvalidated_source: 0, stun_unauthenticated: 0, malformed: 0, late_plaintext: 0, unauthenticated_alert: 0 };
    const transports = (this.#pc as unknown as { iceTransports: Array<{ connection: object }> }).iceTransports;
    for (const { connection } of transports) {
      const counts = droppedDatagrams(connection);
      for (const key of Object.keys(sum) as Array<keyof DroppedDatagrams>) sum[key] += counts[key];
    }
    return sum;
  }

  /** The remote tracks received so far. */
  get receivedTracks(): ReceivedTrack[] {
    return [...this.#tracks.values()];
  }

  /** The transceivers that send media of `kind` to the client, in m-line order. */
  sendingTransceivers(kind: 'audio' | 'video'): RTCRtpTransceiver[] {
    return this.#pc
      .getTransceivers()
      .filter((t) => t.kind === kind && (t.currentDirection === 'sendrecv' || t.currentDirection === 'sendonly' || t.direction === 'sendrecv' || t.direction === 'sendonly'));
  }

  /**
   * Applies a client's SDP. An offer is validated and set (candidates queued before it are
   * replayed); an answer is accepted only after a gateway offer.
   * @throws InvalidSdpError for SDP that does not parse, NegotiationStateError for a wrong state.
   */
  async applyRemote(jsep: Jsep): Promise<MediaLine[]> {
    return this.#serialise(async () => {
      if (this.#closed) throw new NegotiationStateError('PeerConnection closed');
      const media = summariseSdp(jsep.sdp);
      for (const line of media) if (line.rids) this.#rids.set(line.mid, line.rids);
      this.#bundleMid ??= media[0]?.mid;
      if (jsep.type === 'answer' && !this.#expectAnswer) throw new NegotiationStateError('no offer was sent');
      if (jsep.type === 'offer' && this.#expectAnswer) throw new NegotiationStateError('an offer is already pending');
      // Candidates with a name instead of an address go through the same policy as trickled ones.
      const { sdp, taken } = takeNonIpCandidates(jsep.sdp);
      await this.#pc.setRemoteDescription({ type: jsep.type, sdp });
      if (jsep.type === 'answer') {
        this.#expectAnswer = false;
        this.#watchSenders();
        this.events.emit('negotiated');
      }
      this.#remoteSet = true;
      const pending = [...taken.map((candidate) => ({ candidate, sdpMLineIndex: 0 })), ...this.#pendingCandidates];
      this.#pendingCandidates = [];
      for (const c of pending) await this.#addCandidate(c);
      return media;
    });
  }

  /** Answers the client's pending offer. */
  async createAnswer(options: AnswerOptions): Promise<NegotiatedJsep> {
    return this.#serialise(async () => {
      if (this.#closed) throw new NegotiationStateError('PeerConnection closed');
      if (this.#pc.signalingState !== 'have-remote-offer') throw new NegotiationStateError('no offer to answer');
      for (const t of this.#pc.getTransceivers()) {
        const accepted = t.kind === 'audio' ? options.audio !== false : options.video !== false;
        t.setDirection(accepted ? (options.direction ?? 'sendrecv') : 'inactive');
        const preferred = t.kind === 'audio' ? (options.audioCodec ?? DEFAULT_AUDIO_CODEC) : options.videoCodec;
        if (preferred) this.#preferCodec(t, preferred);
      }
      const answer = await this.#pc.createAnswer();
      await this.#pc.setLocalDescription(answer);
      this.#watchSenders();
      const jsep = negotiated('answer', await this.#localSdpWithCandidates());
      this.events.emit('negotiated');
      return jsep;
    });
  }

  /** Makes a gateway offer of `options.streams`. */
  async createOffer(options: OfferOptions): Promise<NegotiatedJsep> {
    return this.#serialise(async () => {
      if (this.#closed) throw new NegotiationStateError('PeerConnection closed');
      const existing = this.#pc.getTransceivers();
      const claimed = new Set<RTCRtpTransceiver>();
      for (const stream of options.streams) {
        if (stream.kind === 'data') {
          if (!this.#channels.has('JanusDataChannel')) this.#adoptChannel(this.#pc.createDataChannel('JanusDataChannel'));
          continue;
        }
        const direction = stream.direction ?? 'sendonly';
        const byMid = stream.mid === undefined ? undefined : existing.find((x) => x.mid === stream.mid && !claimed.has(x));
        const t =
          byMid ??
          existing.find((x) => x.kind === stream.kind && !claimed.has(x) && (stream.mid !== undefined || !options.streams.some((o) => o.mid !== undefined && o.mid === x.mid))) ??
          this.#pc.addTransceiver(stream.kind, { direction });
        claimed.add(t);
        t.setDirection(direction);
        const codec = stream.codec ?? (stream.kind === 'audio' ? DEFAULT_AUDIO_CODEC : undefined);
        if (codec) this.#preferCodec(t, codec);
      }
      const offer = await this.#pc.createOffer(options.iceRestart ? { iceRestart: true } : undefined);
      await this.#pc.setLocalDescription(offer);
      this.#expectAnswer = true;
      return negotiated('offer', await this.#localSdpWithCandidates());
    });
  }

  /** Adds a trickled candidate, or queues it until the remote SDP is set. `null` ends candidates. */
  async addCandidate(candidate: TrickleCandidate | null): Promise<void> {
    if (this.#closed || candidate === null) return;
    // Janus bundles on the first m-line: candidates for other m-lines (by index or mid) are ignored.
    if ((candidate.sdpMLineIndex ?? 0) > 0) return;
    if (candidate.sdpMid !== undefined && this.#bundleMid !== undefined && candidate.sdpMid !== this.#bundleMid) return;
    if (!this.#remoteSet) {
      if (this.#pendingCandidates.length < MAX_PENDING_CANDIDATES) this.#pendingCandidates.push(candidate);
      return;
    }
    await this.#addCandidate(candidate);
  }

  /**
   * Applies the remote-candidate policy: IP literals go to werift; an mDNS name is resolved by the
   * gateway's shared resolver in the background when one is configured, else ignored; any other
   * name is ignored (see candidateHost.ts). Ignored candidates are counted and logged at debug.
   */
  async #addCandidate(c: TrickleCandidate): Promise<void> {
    const address = candidateAddress(c.candidate);
    const kind = address === undefined ? 'ip' : classifyCandidateHost(address);
    if (kind === 'ip') return this.#addIpCandidate(c);
    const name = address === undefined ? undefined : mdnsName(address);
    const resolver = this.#options.mdnsResolver;
    if (kind === 'hostname' || name === undefined) {
      this.candidateStats.ignoredHostname++;
      this.#log?.debug({ candidate: c.candidate }, 'remote candidate ignored: its address is a host name, not an IP address');
      return;
    }
    if (!resolver) {
      this.candidateStats.ignoredMdns++;
      this.#log?.debug({ candidate: c.candidate }, 'remote mDNS candidate ignored: mDNS resolution is disabled (webrtc.mdns.enabled)');
      return;
    }
    if (this.#resolving >= MAX_RESOLVING) {
      this.candidateStats.unresolvedMdns++;
      this.#log?.debug({ candidate: c.candidate }, 'remote mDNS candidate dropped: too many lookups in flight');
      return;
    }
    // In the background: a trickle is acked at once, and a lookup may take its whole timeout.
    this.#resolving++;
    void resolver
      .resolve(name)
      .then(async (ip) => {
        if (this.#closed) return;
        if (ip === undefined) {
          this.candidateStats.unresolvedMdns++;
          this.#log?.debug({ candidate: c.candidate }, 'remote mDNS candidate dropped: no answer');
          return;
        }
        this.candidateStats.resolvedMdns++;
        await this.#serialise(() => this.#addIpCandidate({ ...c, candidate: withCandidateAddress(c.candidate, ip) }));
      })
      .catch((error: unknown) => this.#log?.warn({ err: error }, 'mDNS candidate could not be added'))
      .finally(() => this.#resolving--);
  }

  async #addIpCandidate(c: TrickleCandidate): Promise<void> {
    const init: { candidate: string; sdpMid?: string; sdpMLineIndex?: number } = { candidate: c.candidate };
    if (c.sdpMid !== undefined) init.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex !== undefined) init.sdpMLineIndex = c.sdpMLineIndex;
    try {
      await this.#pc.addIceCandidate(new RTCIceCandidate(init));
    } catch {
      // A malformed candidate is dropped and counted; the trickle was already acked (Janus does the same).
      this.candidateStats.malformed++;
    }
  }

  /** Asks the client for a keyframe on every video stream it sends (RTCP PLI, RFC 4585 §6.3.1). */
  requestKeyframe(): void {
    for (const t of this.#tracks.values()) {
      if (t.kind === 'video' && t.ssrc !== undefined) void t.transceiver.receiver.sendRtcpPLI(t.ssrc).catch(() => undefined);
    }
  }

  /** Caps what the client sends with REMB (draft-alvestrand-rmcat-remb), refreshed every second; 0 clears. */
  setBitrateCap(bitsPerSecond: number): void {
    this.#bitrateCap = Math.max(0, Math.floor(bitsPerSecond));
    clearInterval(this.#rembTimer);
    this.#rembTimer = undefined;
    if (this.#bitrateCap === 0 || this.#closed) return;
    this.#sendRemb();
    this.#rembTimer = setInterval(() => this.#sendRemb(), REMB_INTERVAL_MS);
  }

  #sendRemb(): void {
    const ssrcs = [...this.#tracks.values()].map((t) => t.ssrc).filter((s): s is number => s !== undefined);
    const transport = this.#pc.dtlsTransports[0];
    if (ssrcs.length === 0 || !transport || !this.#up) return;
    void transport.sendRtcp([buildRemb(this.#bitrateCap, ssrcs)] as never).catch(() => undefined);
  }

  /** Sends text on a data channel, opening `label` if the client has not. */
  sendData(text: string, label = 'JanusDataChannel'): void {
    if (this.#closed) return;
    let channel = this.#channels.get(label);
    if (!channel) {
      channel = this.#pc.createDataChannel(label);
      this.#adoptChannel(channel);
    }
    if (channel.readyState === 'open') channel.send(text);
    else channel.stateChanged.subscribe((s) => { if (s === 'open') channel.send(text); });
  }

  /** Closes the PeerConnection once; `closed` fires with `reason`. Idempotent. */
  close(reason = 'Close PC'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#rembTimer);
    this.#pendingCandidates = [];
    void this.#pc.close().catch(() => undefined);
    this.events.emit('closed', reason);
    this.events.removeAllListeners();
  }

  /** Restricts a transceiver to one codec (by name) when the gateway supports it. */
  #preferCodec(t: RTCRtpTransceiver, name: string): void {
    const kind = t.kind === 'audio' ? 'audio' : 'video';
    const known = t.codecs.length > 0 ? t.codecs : (this.#pc.config.codecs[kind] ?? []);
    const wanted = known.filter((c) => c.name.toLowerCase() === name.toLowerCase());
    if (wanted.length > 0) t.setCodecPreferences(wanted);
  }

  #watchSenders(): void {
    for (const t of this.#pc.getTransceivers()) {
      if (this.#watchedSenders.has(t.sender)) continue;
      this.#watchedSenders.add(t.sender);
      fixSenderNtp(t.sender);
      if (t.kind === 'video') t.sender.onPictureLossIndication.subscribe(() => this.events.emit('keyframeRequested'));
    }
  }

  #serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#negotiation.then(work, work);
    this.#negotiation = run.catch(() => undefined);
    return run;
  }

  async #localSdpWithCandidates(): Promise<string> {
    if (this.#pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { sub.unSubscribe(); resolve(); }, GATHER_TIMEOUT_MS);
        const sub = this.#pc.iceGatheringStateChange.subscribe((state) => {
          if (state === 'complete') {
            clearTimeout(timer);
            sub.unSubscribe();
            resolve();
          }
        });
      });
    }
    const sdp = this.#pc.localDescription?.sdp ?? '';
    return filterLocalCandidates(sdp, this.#options);
  }

  #onTrack(first: MediaStreamTrack): void {
    const transceiver = this.#pc.getTransceivers().find((t) => t.receiver.tracks.includes(first));
    if (!transceiver) return;
    // werift fires onTrack once per transceiver; simulcast layers are the receiver's other tracks.
    for (const track of transceiver.receiver.tracks) {
      if (track.kind !== 'audio' && track.kind !== 'video') continue;
      const mid = transceiver.mid ?? String(this.#tracks.size);
      const kind = track.kind;
      const rid = track.rid;
      const key = rid === undefined ? mid : `${mid}|${rid}`;
      if (this.#tracks.has(key)) continue;
      const rids = this.#rids.get(mid);
      const index = rid === undefined || !rids ? -1 : rids.indexOf(rid);
      const layer = index < 0 || !rids ? undefined : this.#highFirst ? rids.length - 1 - index : index;
      const received: ReceivedTrack = { mid, kind, rid, layer, track, transceiver, ssrc: track.ssrc, lastRtpAt: 0 };
      this.#tracks.set(key, received);
      track.onReceiveRtp.subscribe((rtp) => {
        received.ssrc = rtp.header.ssrc;
        received.lastRtpAt = performance.now();
      });
      this.events.emit('track', received);
    }
  }

  #adoptChannel(channel: RTCDataChannel): void {
    this.#channels.set(channel.label, channel);
    channel.onMessage.subscribe((message) => {
      const text = typeof message === 'string' ? message : message.toString('utf8');
      this.events.emit('data', channel.label, text);
    });
  }
}


/** Remote candidates a PeerConnection dropped or resolved, by reason. */
export interface RemoteCandidateStats {
  /** Candidates werift could not parse. */
  malformed: number;
  /** `.local` candidates ignored because mDNS resolution is disabled. */
  ignoredMdns: number;
  /** Candidates whose address is a host name that is not an mDNS name (never resolved). */
  ignoredHostname: number;
  /** `.local` candidates resolved by the gateway's mDNS resolver and added. */
  resolvedMdns: number;
  /** `.local` candidates dropped: no answer in time, resolver unavailable, or too many lookups. */
  unresolvedMdns: number;
}

/** A gateway JSEP with the summary of its m-lines. */
function negotiated(type: Jsep['type'], sdp: string): NegotiatedJsep {
  return { type, sdp, media: summariseSdp(sdp) };
}

/** Builds an RTCP REMB (PSFB FMT 15) with an 18-bit mantissa and 6-bit exponent. */
function buildRemb(bitsPerSecond: number, ssrcs: number[]): RtcpPayloadSpecificFeedback {
  let exp = 0;
  let mantissa = bitsPerSecond;
  while (mantissa > 0x3ffff) {
    mantissa >>>= 1;
    exp++;
  }
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc: 1,
    mediaSsrc: 0,
    brExp: exp,
    brMantissa: mantissa,
    bitrate: BigInt(bitsPerSecond),
    ssrcNum: ssrcs.length,
    ssrcFeedbacks: ssrcs,
  });
  return new RtcpPayloadSpecificFeedback({ feedback: remb });
}
