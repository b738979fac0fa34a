
/** An opaque handle id as the core hands it to a plugin. Plugins may only name handles attached to them. */
export type HandleId = number;

/** The kinds of media a PeerConnection carries. `data` is the SCTP data channel. */
export type MediaKind = 'audio' | 'video' | 'data';

/** SDP direction of an m-line, from the gateway's point of view where the core reports it. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** A session description as it travels on the Janus API. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  /** Set when the client uses insertable streams / SFrame. */
  e2ee?: boolean;
}

/** One m-line of a client's SDP, summarised by the core so plugins never parse SDP. */
export interface MediaLine {
  /** Index of the m-line. */
  mindex: number;
  /** The m-line's mid. */
  mid: string;
  kind: MediaKind;
  /** Direction as the client declared it. */
  direction: Direction;
  /** Codec names offered, lower case (`opus`, `vp8`, ...); empty for data. */
  codecs: string[];
  /** Simulcast rids, when the client sends simulcast. */
  rids?: string[];
}

/** A JSEP the gateway made, with the summary of its m-lines (the mids the client will see). */
export interface NegotiatedJsep extends Jsep {
  media: MediaLine[];
}

/** A JSEP received from a client, with the core's summary of it. */
export interface IncomingJsep extends Jsep {
  media: MediaLine[];
  /** True when this SDP renegotiates an existing PeerConnection. */
  update: boolean;
}

/** What the gateway should accept when it answers a client's offer. Every field defaults to "as offered". */
export interface AnswerOptions {
  type: 'answer';
  /** Accept audio m-lines (default true). Rejected m-lines get port 0. */
  audio?: boolean;
  /** Accept video m-lines (default true). */
  video?: boolean;
  /** Accept the data channel (default true). */
  data?: boolean;
  /** Preferred audio codec (e.g. `opus`); default: the first the gateway supports. */
  audioCodec?: string;
  /** Preferred video codec (e.g. `vp8`); default: the first the gateway supports. */
  videoCodec?: string;
  /** Direction the gateway answers with for media m-lines (default `sendrecv`). */
  direction?: Direction;
}

/** One stream the gateway offers to a client. */
export interface OfferStream {
  kind: MediaKind;
  /** Codec to offer, e.g. `opus` or `vp8` (default: every codec the gateway supports, in its order). */
  codec?: string;
  /** Direction from the gateway's point of view (default `sendonly`). */
  direction?: Direction;
  /** Reuse the m-line with this mid (from an earlier negotiation) instead of the next free one. */
  mid?: string;
}

/** A gateway-originated offer. */
export interface OfferOptions {
  type: 'offer';
  streams: OfferStream[];
  /** Restart ICE. */
  iceRestart?: boolean;
}

/** What a plugin asks the core to negotiate. */
export type NegotiationRequest = AnswerOptions | OfferOptions;

/**
 * A media route: the core forwards what `from` sends to the gateway towards `to`.
 * Packets never pass through plugin code; the plugin only draws the edges.
 */
export interface MediaRoute {
  /** A handle, or one of the plugin's RTP endpoints ({@link RtpEndpointId}, negative; the same number type). */
  from: HandleId;
  /** A handle, or one of the plugin's RTP endpoints. */
  to: HandleId;
  /** Which kinds to forward (default: audio, video and data). Ignored when `fromMid` is set. */
  kinds?: MediaKind[];
  /**
   * Forward only the stream received on this mid of `from` (default: every stream of the kinds,
   * the i-th received stream of a kind going to the i-th sending stream of that kind).
   */
  fromMid?: string;
  /** With `fromMid`: the mid of `to` that carries it (default: the i-th sending stream of the kind). */
  toMid?: string;
}

/** Which simulcast layer a subscriber receives on one of its mids. */
export interface SimulcastTarget {
  /** Spatial layer: 0 = lowest rid, up to the number of rids − 1 (default: highest). */
  substream?: number;
  /** Temporal layer (VP8 TID, 0–2; default: every layer); enforced by the fast media plane. */
  temporal?: number;
}

/** Voice activity detection over the RFC 6464 audio-level header extension. */
export interface TalkingOptions {
  /** Average level in −dBov below which a participant talks (default 25, as Janus's audio_level_average). */
  threshold?: number;
  /** Packets averaged per decision (default 100, as Janus's audio_active_packets). */
  packets?: number;
}

/**
 * A simulcast switch took effect on one of a handle's sending mids: the substream now forwarded,
 * or the VP8 temporal layer now forwarded (one of the two per event, as Janus reports them).
 */
export interface LayerSwitchEvent {
  handle: HandleId;
  mid: string;
  substream?: number;
  temporal?: number;
}

/** A change of voice activity on one of a handle's incoming audio streams. */
export interface TalkingEvent {
  handle: HandleId;
  mid: string;
  talking: boolean;
  /** Average level of the window in −dBov (0 loudest, 127 silence). */
  level: number;
}

/** A plain-RTP copy of one incoming stream sent to an address (Janus `rtp_forward`). */
export interface RtpForward {
  /** The mid of the handle's incoming stream. */
  mid: string;
  host: string;
  port: number;
  /** SSRC to write (default: keep the original). */
  ssrc?: number;
  /** Payload type to write (default: keep the original). */
  payloadType?: number;
  /** Kind of the stream (default: looked up from the handle's negotiated m-line of `mid`). */
  kind?: 'audio' | 'video';
}

/**
 * An RTP endpoint's id: a negative integer, so it never equals a {@link HandleId} (always positive),
 * and usable wherever a route names a handle ({@link MediaRoute} `from` / `to`).
 */
export type RtpEndpointId = number;

/** SRTP crypto suites an RTP endpoint accepts for SDES keys (RFC 4568 §6.2, RFC 7714 §12). */
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32' | 'AEAD_AES_128_GCM';

/** SDES-SRTP keying of an RTP endpoint (the `inline:` key of an SDP `a=crypto` line, RFC 4568 §6.1). */
export interface RtpEndpointSrtp {
  /**
   * The suite. `AES_CM_128_HMAC_SHA1_80` and `AEAD_AES_128_GCM` are implemented; the 32-bit-tag
   * suite is refused (the SRTP engine has no 4-byte tag yet).
   */
  suite: SrtpSuite;
  /** Base64 of master key || master salt (16 + 14 bytes; GCM 16 + 12) the gateway protects with (default: generated, returned). */
  key?: string;
  /** Base64 key the remote protects with (default: `key`, one key for both directions). */
  remoteKey?: string;
}

/** Where an RTP endpoint sends (and from where alone it accepts) packets. */
export interface RtpEndpointRemote {
  host: string;
  port: number;
  /** RTCP port (default `port` + 1, RFC 3550 §11). */
  rtcpPort?: number;
}

/**
 * A plain RTP/RTCP leg of the media plane (no ICE, no DTLS): what SIP, RTP/RTSP sources and
 * gateway-to-gateway forwarding use. It carries one stream of one kind, named mid `'0'` in routes.
 */
export interface RtpEndpointOptions {
  kind: 'audio' | 'video';
  /**
   * From the gateway's point of view: `recvonly` receives RTP (routes from it), `sendonly` sends
   * what is routed to it, `sendrecv` both (default `sendrecv`).
   */
  direction?: 'sendrecv' | 'sendonly' | 'recvonly';
  /** Local RTP port (default 0: any free even port). */
  port?: number;
  /** Pick the RTP port from this inclusive range instead (even ports, RTCP on the next one). */
  portRange?: [number, number];
  /** Address to bind (default `127.0.0.1`; the sandbox allows loopback only). */
  host?: string;
  /**
   * The remote's address. Without it the endpoint latches to the source of the first valid RTP
   * packet (as Janus does) and drops, and counts, packets from any other source from then on.
   */
  remote?: RtpEndpointRemote;
  /** Open an RTCP socket on RTP port + 1 and send receiver/sender reports (default true). */
  rtcp?: boolean;
  /** SDES-SRTP instead of plain RTP (default: plain). */
  srtp?: RtpEndpointSrtp;
  /** Payload type of the stream (default: video 96, audio 111; incoming packets of another type are dropped and counted). */
  payloadType?: number;
  /** Codec name, lower case (default: video `vp8`, audio `opus`); routes map it to each browser's payload type. */
  codec?: string;
  /** RTP clock rate (default: 90000 for video, 48000 for Opus, 8000 for PCMU/PCMA). */
  clockRate?: number;
  /** SSRC the endpoint sends with (default: random). */
  ssrc?: number;
}

/** An open RTP endpoint. */
export interface RtpEndpointInfo {
  id: RtpEndpointId;
  /** Local ports; `rtcp` is 0 when RTCP is off. */
  ports: { rtp: number; rtcp: number };
  /** With SRTP: the suite and the key the gateway protects with (to put into its SDP). */
  srtp?: { suite: SrtpSuite; key: string };
}

/** An RTP endpoint's counters. */
export interface RtpEndpointStats {
  packetsIn: number;
  bytesIn: number;
  /** Packets lost and interarrival jitter (RTP clock units) of the received stream (RFC 3550 §6.4.1). */
  lost: number;
  jitter: number;
  packetsOut: number;
  bytesOut: number;
  /** Source address now latched or configured (`host:port`), if any. */
  remote: string | undefined;
  /** Dropped: from another source than the latched/configured one, malformed RTP/RTCP, failed SRTP, unexpected payload type, sent before a remote was known, socket errors. */
  foreignSource: number;
  malformed: number;
  srtpFailed: number;
  wrongPayloadType: number;
  unsent: number;
  socketErrors: number;
  /** RTCP: reports and PLI/FIR received from the remote, and sent to it. */
  rtcpIn: number;
  rtcpOut: number;
  keyframeRequestsIn: number;
  keyframeRequestsOut: number;
}
