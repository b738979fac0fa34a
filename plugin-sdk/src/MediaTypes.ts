
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
  from: HandleId;
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
}
