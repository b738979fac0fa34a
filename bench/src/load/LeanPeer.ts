// One WebRTC participant of the load generator. werift does what must be real (SDP, ICE, DTLS-SRTP
// key agreement); once connected, the peer takes werift out of the media path: received datagrams
// are tapped from werift's UDP socket before werift sees them (RTP is counted from its clear
// header, and only a sample is decrypted to verify integrity; SRTCP is decrypted to answer PLI/FIR),
// and media is protected by Cardea's WASM SRTP engine and written straight to the socket. See
// shared/research/werift.md for why: werift's own media path costs ~60–120 µs per packet.
import type { RemoteInfo, Socket } from 'node:dgram';
import { RTCPeerConnection, RTCRtpCodecParameters, useAudioLevelIndication, type RTCDtlsTransport, type RTCRtpTransceiver } from 'werift';
import { srtpKeysFromWerift } from '../../../core/src/media/srtp/srtpKeysFromWerift.ts';
import type { SrtpFanout } from '../../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { audioClockRate, videoClockRate, type FixtureFrame, type MediaFixtures } from './MediaFixtures.ts';
import { reportBlockBytes, StreamCounter, type TrafficTotals } from './TrafficCounters.ts';

/** What a LeanPeer shares with every other peer of its generator. */
export interface LeanPeerContext {
  /** The only address candidates are gathered on and offered (127.0.0.2 in a bench namespace). */
  iceIp: string;
  engine: SrtpFanout;
  fixtures: MediaFixtures;
  totals: TrafficTotals;
  /** Decrypt and verify one received RTP packet in this many (default 64). */
  sampleEvery: number;
}

/**
 * What a participant's microphone does: `speaker` sends the speech loop continuously (50 packets/s);
 * `silent-dtx` is a silent participant whose Opus encoder runs DTX (RFC 7587 §3.1.3): it sends only
 * the comfort-noise updates libopus emits, about one packet per 400 ms, its RTP timestamp still
 * advancing with the clock (MediaFixtures.audioDtx).
 */
export type AudioBehaviour = 'speaker' | 'silent-dtx';

/** The RFC 6464 header extension (client-to-mixer audio level), in an extmap line (RFC 8285 §5). */
const audioLevelUri = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** Per-peer options. */
export interface LeanPeerOptions {
  /** How the peer's audio streams start (default `speaker`); setAudioBehaviour() changes it. */
  audio?: AudioBehaviour;
  /**
   * Offers the RFC 6464 audio level header extension (as Chrome does) and, when the answer keeps
   * it, writes every audio packet's level in it (default false: no header extension, as before).
   */
  audioLevel?: boolean;
  /**
   * What this peer receives is a gateway's own encoding (an AudioBridge mix), not a payload that
   * was sent: the integrity sample then checks that it decrypts (SRTP authentication), not its bytes.
   */
  receivesMix?: boolean;
}

/** One outgoing RTP stream, driven by the MediaPacer. */
export interface OutgoingStream {
  readonly kind: 'audio' | 'video';
  /** Fixture frame index to send next. */
  frame: number;
  /** performance.now() when the next frame is due. */
  dueMs: number;
  seq: number;
  /** RTP timestamp of the frame being sent: taken from the send time (see LoadGenerator.#tick). */
  timestamp: number;
  /** RTP timestamp at `originMs` (random, RFC 3550 §5.1). */
  readonly timestampOrigin: number;
  readonly originMs: number;
  /** Set by a PLI/FIR: the next video frame is the GOP's keyframe. */
  keyframeRequested: boolean;
  /** RTP packets and payload octets sent: the sender report's counts (RFC 3550 §6.4.1). */
  packets: number;
  octets: number;
  /** Audio only: what the microphone does (LeanPeer.setAudioBehaviour). */
  audio: AudioBehaviour;
  /** Set when the stream starts speaking: the next packet opens a talkspurt (marker bit, RFC 3551 §4.1). */
  talkspurt: boolean;
}

/** Where a stream's packets go: its SRTP egress stream (a one-element id list, reused per packet). */
interface Egress {
  ids: number[];
  payloadType: number;
  ssrc: number;
  /** Negotiated one-byte header extension id of the audio level, 0 when not negotiated. */
  audioLevelId: number;
}

const rtpHeaderBytes = 12;
/** The first received packet sampled for integrity (then one in `sampleEvery`). */
const firstSampleAfter = 8;
/** One-byte-header extension block holding one 1-byte element (RFC 8285 §4.2): 4 + 1 + 1, padded to 8. */
const levelExtensionBytes = 8;
/** A level at or under this (−dBov) sets RFC 6464's V (voice activity) flag, as a browser's VAD would. */
const voiceLevel = 50;
/** One RTCP report per PeerConnection per second (RFC 3550 §6.2 lets a profile fix the interval). */
const rtcpIntervalMs = 1000;
/** Report blocks one SR/RR can hold (its 5-bit count). */
const maxBlocksPerReport = 31;
/** Seconds from the NTP epoch (1900) to the Unix epoch (RFC 3550 §4). */
const ntpUnixOffset = 2_208_988_800;
const cname = Buffer.from('cardea-bench');

function codecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return {
    audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 111 })],
    video: [
      new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90_000,
        payloadType: 96,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      }),
    ],
  };
}

/** A participant's PeerConnection (werift for signalling and keys, raw sockets for media). */
export class LeanPeer {
  readonly pc: RTCPeerConnection;
  readonly #ctx: LeanPeerContext;
  readonly #streams = new Map<number, StreamCounter>();
  readonly #clockByPt = new Map<number, number>();
  readonly outgoing: OutgoingStream[] = [];
  readonly #egress = new Map<OutgoingStream, Egress>();
  /** performance.now() when this peer's next RTCP report is due (the generator's pacer sends it). */
  rtcpDueMs = Infinity;
  /** SSRC of our reports when we send nothing (a receive-only PeerConnection). */
  #reportSsrc = 0;
  #socket: Socket | undefined;
  #remote: [string, number] | undefined;
  #dtls: RTCDtlsTransport | undefined;
  #sampleCountdown: number;
  readonly #sampleEvery: number;
  readonly #receivesMix: boolean;
  readonly #audio: AudioBehaviour;
  readonly #audioLevel: boolean;
  #audioLevelId = 0;
  #closed = false;

  constructor(ctx: LeanPeerContext, options: LeanPeerOptions = {}) {
    this.#ctx = ctx;
    this.#receivesMix = options.receivesMix ?? false;
    this.#audio = options.audio ?? 'speaker';
    this.#audioLevel = options.audioLevel ?? false;
    // A mix's sample only proves SRTP authentication, and werift's JS decrypt costs ~40 times a
    // counted packet: a mix receiver samples 8 times less often (1000 receivers of a 50 pps mix
    // would otherwise spend ~10% of the generator's core on it). The first sample comes early, so
    // short runs still check every peer.
    this.#sampleEvery = this.#receivesMix ? ctx.sampleEvery * 8 : ctx.sampleEvery;
    this.#sampleCountdown = Math.min(firstSampleAfter, this.#sampleEvery);
    this.pc = new RTCPeerConnection({
      codecs: codecs(),
      headerExtensions: { audio: this.#audioLevel ? [useAudioLevelIndication()] : [], video: [] },
      bundlePolicy: 'max-bundle',
      iceServers: [],
      iceUseIpv4: true,
      iceUseIpv6: false,
      iceUseTcp: false,
      iceAdditionalHostAddresses: [ctx.iceIp],
      iceInterfaceAddresses: { udp4: ctx.iceIp },
    });
  }

  /** The RFC 6464 extension id the answer kept (written in every audio packet), 0 when none. */
  get audioLevelId(): number {
    return this.#audioLevelId;
  }

  /** RTP packets received on this peer (all streams). */
  get packetsIn(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.packets;
    return n;
  }

  /** Makes an offer with one transceiver per entry (e.g. audio + video sendonly) once gathering is complete. */
  async offer(media: { kind: 'audio' | 'video'; direction: 'sendonly' | 'sendrecv' | 'recvonly' }[]): Promise<string> {
    for (const m of media) this.pc.addTransceiver(m.kind, { direction: m.direction });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.#gatheredSdp();
  }

  /** Applies the gateway's answer to our offer. */
  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /**
   * Answers a gateway's offer (a subscription): every m-line received only. Also answers a
   * re-offer on a connected peer (a VideoRoom `subscribe` adding feeds): the new m-lines are
   * bundled on the same transport, so the tap counts their packets without more work.
   */
  async answer(sdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    for (const t of this.pc.getTransceivers()) t.setDirection('recvonly');
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    if (this.#socket) this.#silenceWeriftRtcp(); // a re-offer's new transceivers: their RTCP is ours too
    return this.#gatheredSdp();
  }

  /**
   * Resolves once ICE and DTLS are up, then moves media off werift: taps the selected socket and
   * registers an SRTP egress stream per sending transceiver. Rejects after `timeoutMs`.
   */
  async connected(timeoutMs: number): Promise<void> {
    if (this.pc.connectionState !== 'connected') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.unSubscribe();
          reject(new Error(`PeerConnection not connected after ${timeoutMs} ms (state ${this.pc.connectionState})`));
        }, timeoutMs);
        const sub = this.pc.connectionStateChange.subscribe((state) => {
          if (state === 'connected' || state === 'failed' || state === 'closed') {
            clearTimeout(timer);
            sub.unSubscribe();
            if (state === 'connected') resolve();
            else reject(new Error(`PeerConnection ${state}`));
          }
        });
      });
    }
    this.#takeMediaPath();
  }

  /** Switches every audio stream of this peer between speaking and silent with DTX. */
  setAudioBehaviour(audio: AudioBehaviour): void {
    for (const s of this.outgoing) {
      if (s.kind !== 'audio' || s.audio === audio) continue;
      s.audio = audio;
      s.talkspurt = audio === 'speaker';
    }
  }

  /** Sends one fixture frame on `stream` (its packets back to back), as the pacer decides. */
  sendFrame(stream: OutgoingStream, frame: FixtureFrame): void {
    const egress = this.#egress.get(stream);
    const socket = this.#socket;
    const remote = this.#remote;
    if (!egress || !socket || !remote || this.#closed) return;
    const { engine, totals } = this.#ctx;
    const dtx = stream.audio === 'silent-dtx';
    for (const packet of frame.packets) {
      const input = engine.input;
      let marker = packet.marker;
      if (stream.talkspurt) {
        marker = true;
        stream.talkspurt = false;
      }
      input[1] = (marker ? 0x80 : 0) | egress.payloadType;
      input.writeUInt16BE(stream.seq, 2);
      input.writeUInt32BE(stream.timestamp >>> 0, 4);
      input.writeUInt32BE(0, 8); // the engine writes the stream's SSRC
      let header = rtpHeaderBytes;
      if (egress.audioLevelId > 0) {
        // RFC 8285 §4.2 one-byte header: 0xBEDE, length 1 word; element ID | (len − 1 = 0), then
        // RFC 6464 §3: V flag and the level in −dBov; two bytes of padding.
        input[0] = 0x90;
        input[12] = 0xbe;
        input[13] = 0xde;
        input[14] = 0;
        input[15] = 1;
        input[16] = egress.audioLevelId << 4;
        input[17] = (packet.level <= voiceLevel ? 0x80 : 0) | (packet.level & 0x7f);
        input[18] = 0;
        input[19] = 0;
        header += levelExtensionBytes;
      } else {
        input[0] = 0x80;
      }
      input.set(packet.payload, header);
      stream.seq = (stream.seq + 1) & 0xffff;
      const n = engine.fanout(header + packet.payload.length, egress.ids, 1);
      if (n !== 1) {
        totals.sendErrors++;
        continue;
      }
      const offset = engine.outOffsets[0] as number;
      const length = engine.outLengths[0] as number;
      try {
        socket.send(engine.arena, offset, length, remote[1], remote[0]);
        totals.rtpOut++;
        totals.bytesOut += length;
        stream.packets++;
        stream.octets += packet.payload.length;
        if (stream.kind === 'audio') {
          if (dtx) totals.dtxPacketsOut++;
          else totals.speechPacketsOut++;
        }
      } catch (_error) {
        totals.sendErrors++; // socket closed while the pacer ran: counted, the peer is going away
      }
    }
  }

  /**
   * Sends this PeerConnection's RTCP report (RFC 3550 §6.4), SRTCP-protected with werift's session
   * (the one werift's own RTCP used, so the SRTCP index stays one sequence): an SR per stream we send
   * (the first carrying the reception report blocks), or an RR when we send nothing, reception
   * blocks past 31 in further RRs, and an SDES CNAME (a compound packet needs one, §6.1). Once a
   * second per peer, so it may allocate.
   */
  sendReports(nowMs: number): void {
    this.rtcpDueMs = nowMs + rtcpIntervalMs;
    const socket = this.#socket;
    const remote = this.#remote;
    const dtls = this.#dtls;
    if (!socket || !remote || !dtls || this.#closed) return;
    const totals = this.#ctx.totals;
    const received = [...this.#streams];
    const senders = [...this.#egress];
    const ownSsrc = senders[0]?.[1].ssrc ?? this.#reportSsrc;
    const parts: Buffer[] = [];
    const blocks = (from: number, count: number): Buffer => {
      const out = Buffer.allocUnsafe(count * reportBlockBytes);
      for (let i = 0; i < count; i++) {
        const [ssrc, counter] = received[from + i] as [number, StreamCounter];
        counter.writeReportBlock(ssrc, out, i * reportBlockBytes, nowMs);
      }
      totals.reportBlocks += count;
      return out;
    };
    let next = 0;
    if (senders.length > 0) {
      // NTP time of now and the RTP time it corresponds to on each stream's clock (§6.4.1).
      const wallMs = performance.timeOrigin + nowMs;
      const ntpSeconds = Math.floor(wallMs / 1000) + ntpUnixOffset;
      const ntpFraction = Math.floor(((wallMs % 1000) / 1000) * 0x100000000);
      for (const [stream, egress] of senders) {
        const count = next === 0 ? Math.min(maxBlocksPerReport, received.length) : 0;
        const header = Buffer.allocUnsafe(28);
        header[0] = 0x80 | count;
        header[1] = 200;
        header.writeUInt16BE(6 + count * 6, 2);
        header.writeUInt32BE(egress.ssrc >>> 0, 4);
        header.writeUInt32BE(ntpSeconds >>> 0, 8);
        header.writeUInt32BE(ntpFraction >>> 0, 12);
        const clock = stream.kind === 'video' ? videoClockRate : audioClockRate;
        header.writeUInt32BE((stream.timestampOrigin + Math.round(((nowMs - stream.originMs) * clock) / 1000)) >>> 0, 16);
        header.writeUInt32BE(stream.packets >>> 0, 20);
        header.writeUInt32BE(stream.octets >>> 0, 24);
        parts.push(header, blocks(next, count));
        next += count;
      }
    }
    while (next < received.length || parts.length === 0) {
      const count = Math.min(maxBlocksPerReport, received.length - next);
      const header = Buffer.allocUnsafe(8);
      header[0] = 0x80 | count;
      header[1] = 201;
      header.writeUInt16BE(1 + count * 6, 2);
      header.writeUInt32BE(ownSsrc >>> 0, 4);
      parts.push(header, blocks(next, count));
      next += count;
    }
    // SDES (§6.5): one chunk, CNAME item, END, padded to 32 bits.
    const chunkBytes = Math.ceil((4 + 2 + cname.length + 1) / 4) * 4;
    const sdes = Buffer.alloc(4 + chunkBytes);
    sdes[0] = 0x81;
    sdes[1] = 202;
    sdes.writeUInt16BE(chunkBytes / 4, 2);
    sdes.writeUInt32BE(ownSsrc >>> 0, 4);
    sdes[8] = 1;
    sdes[9] = cname.length;
    cname.copy(sdes, 10);
    parts.push(sdes);
    try {
      socket.send(dtls.srtcp.encrypt(Buffer.concat(parts)), remote[1], remote[0]);
      totals.rtcpOut++;
    } catch (_error) {
      totals.sendErrors++; // socket closed under us: counted, the peer is going away
    }
  }

  /** Closes the PeerConnection and frees the SRTP streams. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { ids } of this.#egress.values()) this.#ctx.engine.remove(ids[0] as number);
    this.#egress.clear();
    this.outgoing.length = 0;
    await this.pc.close().catch(() => undefined); // a half-set-up PC may reject its close: nothing else to release
  }

  async #gatheredSdp(): Promise<string> {
    if (this.pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const sub = this.pc.iceGatheringStateChange.subscribe((state) => {
          if (state === 'complete') {
            sub.unSubscribe();
            resolve();
          }
        });
      });
    }
    const sdp = this.pc.localDescription?.sdp ?? '';
    // werift also gathers the namespace's other addresses: offer only the bench address.
    return sdp
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === this.#ctx.iceIp)
      .join('\r\n');
  }

  #takeMediaPath(): void {
    const iceTransport = this.pc.iceTransports[0];
    const dtls = this.pc.dtlsTransports[0];
    const pair = iceTransport?.connection.nominated;
    if (!iceTransport || !dtls || !pair) throw new Error('connected PeerConnection without a selected candidate pair');
    const transport = (pair.protocol as unknown as { transport: { socket: Socket } }).transport;
    this.#socket = transport.socket;
    this.#remote = [pair.remoteAddr[0], pair.remoteAddr[1]];
    this.#dtls = dtls;
    for (const line of (this.pc.remoteDescription?.sdp ?? '').split('\r\n')) {
      const m = /^a=rtpmap:(\d+) [^/]+\/(\d+)/.exec(line);
      if (m) this.#clockByPt.set(Number(m[1]), Number(m[2]));
    }
    const keys = srtpKeysFromWerift(dtls);
    this.#audioLevelId = this.#audioLevel ? negotiatedExtensionId(this.pc.remoteDescription?.sdp ?? '', audioLevelUri) : 0;
    for (const t of this.pc.getTransceivers()) this.#addOutgoing(t, keys.local, this.#audioLevelId);
    this.#reportSsrc = this.pc.getTransceivers()[0]?.sender.ssrc ?? 0;
    this.#silenceWeriftRtcp();
    // Reports spread over the second, so that peers joining together do not report together.
    this.rtcpDueMs = performance.now() + Math.random() * rtcpIntervalMs;
    // The tap replaces werift's 'message' listeners on the socket (one hop and an address array per
    // datagram less: a 1000-participant room sends the generator 50 000 mix packets a second);
    // STUN (0–3) and DTLS (20–63) still go to them (RFC 7983).
    const socket = transport.socket;
    const weriftListeners = socket.listeners('message') as ((data: Buffer, info: RemoteInfo) => void)[];
    for (const listener of weriftListeners) socket.removeListener('message', listener);
    socket.on('message', (data: Buffer, info: RemoteInfo) => {
      const b0 = data[0] as number;
      if (b0 < 128 || b0 > 191) {
        for (const listener of weriftListeners) listener(data, info);
        return;
      }
      const b1 = data[1] as number;
      if (b1 >= 192 && b1 <= 223) this.#onRtcp(data);
      else this.#onRtp(data);
    });
  }

  /**
   * Stops werift's own RTCP loops: with media off werift, its SRs would say nothing was sent and its
   * RRs would carry no blocks. sendReports() reports instead.
   */
  #silenceWeriftRtcp(): void {
    for (const t of this.pc.getTransceivers()) {
      for (const part of [t.sender, t.receiver] as unknown as { rtcpRunning: boolean; rtcpCancel: AbortController }[]) {
        part.rtcpRunning = false;
        part.rtcpCancel.abort();
      }
    }
  }

  #addOutgoing(t: RTCRtpTransceiver, key: ReturnType<typeof srtpKeysFromWerift>['local'], audioLevelId: number): void {
    if (t.currentDirection !== 'sendonly' && t.currentDirection !== 'sendrecv') return;
    const payloadType = t.sender.codec?.payloadType;
    if (payloadType === undefined) return;
    const kind = t.kind === 'video' ? 'video' : 'audio';
    const stream: OutgoingStream = {
      kind,
      // Audio starts at a random point of its loop, so that participants of a mixed room do not all
      // say the same thing at once; video starts on its keyframe.
      frame: kind === 'audio' ? Math.floor(Math.random() * 1_000_000) : 0,
      dueMs: performance.now() + Math.random() * 20,
      seq: (Math.random() * 0xffff) | 0,
      timestamp: 0,
      timestampOrigin: (Math.random() * 0xffffffff) >>> 0,
      originMs: performance.now(),
      keyframeRequested: false,
      packets: 0,
      octets: 0,
      audio: this.#audio,
      talkspurt: false,
    };
    const id = this.#ctx.engine.addEgress(key, { ssrc: t.sender.ssrc, payloadType });
    this.#egress.set(stream, { ids: [id], payloadType, ssrc: t.sender.ssrc, audioLevelId: kind === 'audio' ? audioLevelId : 0 });
    this.outgoing.push(stream);
  }

  #onRtp(data: Buffer): void {
    const totals = this.#ctx.totals;
    totals.rtpIn++;
    totals.bytesIn += data.length;
    const ssrc = data.readUInt32BE(8);
    let stream = this.#streams.get(ssrc);
    if (!stream) {
      stream = new StreamCounter(this.#clockByPt.get((data[1] as number) & 0x7f) ?? 90_000);
      this.#streams.set(ssrc, stream);
    }
    stream.onPacket(data.readUInt16BE(2), data.readUInt32BE(4), data.length, performance.now(), totals);
    if (--this.#sampleCountdown <= 0) {
      this.#sampleCountdown = this.#sampleEvery;
      this.#verify(data);
    }
  }

  /** Decrypts one packet with werift's session (allocates: only on the sample) and checks its payload. */
  #verify(data: Buffer): void {
    const totals = this.#ctx.totals;
    let plain: Buffer;
    try {
      plain = (this.#dtls as RTCDtlsTransport).srtp.decrypt(data);
    } catch (_error) {
      totals.decryptFailures++; // counted: a failing integrity sample is the finding
      return;
    }
    totals.sampled++;
    if (this.#receivesMix) return; // a mix is the gateway's encoding: authenticated and decrypted is all we can check
    const cc = (plain[0] as number) & 0x0f;
    let offset = rtpHeaderBytes + cc * 4;
    if ((plain[0] as number) & 0x10) offset += 4 + plain.readUInt16BE(offset + 2) * 4;
    let end = plain.length;
    if ((plain[0] as number) & 0x20) end -= plain[end - 1] as number;
    if (!this.#ctx.fixtures.isKnownPayload(plain.subarray(offset, end))) totals.corrupt++;
  }

  /** SRTCP from the gateway: counted, and PLI/FIR answered with a keyframe (RFC 4585 §6.3.1, RFC 5104 §4.3.1). */
  #onRtcp(data: Buffer): void {
    const totals = this.#ctx.totals;
    totals.rtcpIn++;
    let plain: Buffer;
    try {
      plain = (this.#dtls as RTCDtlsTransport).srtcp.decrypt(data);
    } catch (_error) {
      totals.rtcpDecryptFailures++; // counted and reported; an undecryptable RTCP packet carries no request we could answer
      return;
    }
    for (let offset = 0; offset + 4 <= plain.length;) {
      const fmt = (plain[offset] as number) & 0x1f;
      const pt = plain[offset + 1] as number;
      if (pt === 200 && offset + 16 <= plain.length) {
        // SR: keep the middle 32 bits of its NTP time and when it came, for our LSR/DLSR (§6.4.1).
        totals.senderReportsIn++;
        const counter = this.#streams.get(plain.readUInt32BE(offset + 4));
        if (counter) {
          counter.lastSr = ((plain.readUInt16BE(offset + 10) << 16) | plain.readUInt16BE(offset + 12)) >>> 0;
          counter.lastSrAtMs = performance.now();
        }
      } else if (pt === 206 && (fmt === 1 || fmt === 4)) {
        totals.keyframeRequests++;
        for (const s of this.outgoing) if (s.kind === 'video') s.keyframeRequested = true;
      }
      offset += (plain.readUInt16BE(offset + 2) + 1) * 4;
    }
  }
}

/**
 * The id the answer gives `uri` (a=extmap, RFC 8285 §5), or 0 when it was not kept. Only the
 * one-byte form's ids 1–14 are usable: we write the one-byte header (§4.2).
 */
function negotiatedExtensionId(sdp: string, uri: string): number {
  for (const line of sdp.split('\r\n')) {
    const m = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(line);
    if (m && m[2] === uri) {
      const id = Number(m[1]);
      return id >= 1 && id <= 14 ? id : 0;
    }
  }
  return 0;
}
