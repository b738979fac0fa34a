import type { JsonObject } from './json.ts';
import type {
  HandleId,
  Jsep,
  MediaKind,
  MediaRoute,
  NegotiatedJsep,
  NegotiationRequest,
  RtpEndpointId,
  RtpEndpointInfo,
  RtpEndpointOptions,
  RtpEndpointStats,
  RtpForward,
  SimulcastTarget,
  TalkingOptions,
} from './MediaTypes.ts';
import type { MixerForward, MixerId, MixerOptions, MixerParticipantOptions, MixerStats, PlayFileOptions } from './MixerTypes.ts';
import type { RecordingId, RecordingInfo, RecordingOptions } from './RecordingTypes.ts';

/** Severity of a plugin log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A plugin's logger: lines are tagged with the plugin's name and kept for the Admin API. */
export interface PluginLogger {
  debug(message: string, fields?: JsonObject): void;
  info(message: string, fields?: JsonObject): void;
  warn(message: string, fields?: JsonObject): void;
  error(message: string, fields?: JsonObject): void;
}

/** An event a plugin pushes to one of its handles. */
export interface PluginEvent {
  /** Transaction of the request this event answers; omit for unsolicited events. */
  transaction?: string;
  /** Goes to the client as `plugindata.data`. */
  data: JsonObject;
  /** Optional JSEP (typically the result of {@link PluginApi.negotiate}). */
  jsep?: Jsep;
}

/** Opaque timer id handed out by {@link PluginTimers}. */
export type TimerId = number;

/** Timers owned by the host, released when the plugin unloads. */
export interface PluginTimers {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerId;
  /** Calls `callback` every `ms` milliseconds (at least 10 ms). */
  setInterval(callback: () => void, ms: number): TimerId;
  /** Cancels a timer; unknown ids are ignored. */
  clear(id: TimerId): void;
}

/** A small per-plugin key-value store (values are JSON; sizes are capped by the host). */
export interface PluginStore {
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, value: JsonObject): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Media-plane control: the plugin draws routes, the core moves the packets. */
export interface PluginMedia {
  /** Forward what `route.from` sends towards `route.to` (a handle may route to itself: an echo). */
  addRoute(route: MediaRoute): Promise<void>;
  /** Remove a route (kinds default to all); unknown routes are ignored. */
  removeRoute(route: MediaRoute): Promise<void>;
  /** Ask the sender of `handle`'s incoming video for a keyframe (PLI), rate-limited by the core. */
  requestKeyframe(handle: HandleId): Promise<void>;
  /** Cap what the client behind `handle` sends us, in bits per second (REMB); 0 removes the cap. */
  setBitrateCap(handle: HandleId, bitsPerSecond: number): Promise<void>;
  /** Pause or resume what the gateway sends to `handle` for one kind. */
  setSending(handle: HandleId, kind: MediaKind, sending: boolean): Promise<void>;
  /** Choose the simulcast layer `handle` receives on `mid`; switches happen on keyframes. */
  setSimulcastTarget(handle: HandleId, mid: string, target: SimulcastTarget): Promise<void>;
  /** Start (or with `null` stop) voice-activity detection on `handle`'s audio; changes reach `handleTalking`. */
  detectTalking(handle: HandleId, options: TalkingOptions | null): Promise<void>;
  /** Send a plain-RTP copy of one of `handle`'s incoming streams to host:port; returns the forwarder id. */
  forwardRtp(handle: HandleId, forward: RtpForward): Promise<number>;
  /** Stop a forwarder; unknown ids are ignored. */
  stopRtpForward(id: number): Promise<void>;
  /**
   * Opens a plain RTP/RTCP leg (optionally SDES-SRTP) on local UDP ports; its id is usable in
   * {@link addRoute} like a handle (`from` for what it receives, `to` for what it should send).
   * It belongs to this plugin: closed when the plugin unloads. Rejects when no port is free or
   * the media plane cannot carry it (the `werift` plane cannot).
   */
  openRtpEndpoint(options: RtpEndpointOptions): Promise<RtpEndpointInfo>;
  /** Closes one of this plugin's RTP endpoints: its sockets and routes go; unknown ids are ignored. */
  closeRtpEndpoint(id: RtpEndpointId): Promise<void>;
  /** An RTP endpoint's counters (undefined for ids that are not this plugin's open endpoints). */
  rtpEndpointStats(id: RtpEndpointId): Promise<RtpEndpointStats | undefined>;
  /**
   * Record one of `handle`'s incoming streams (by mid, or the first of a kind) to a Janus `.mjr` file;
   * recording starts with the next packet, even if the PeerConnection comes up later. Rejects when the
   * file cannot be created. Recordings of a handle stop when it goes, and all when the plugin unloads.
   */
  startRecording(handle: HandleId, options: RecordingOptions): Promise<RecordingId>;
  /** Stop a recording; resolves once its file is flushed and closed, with its final counters (undefined for unknown ids). */
  stopRecording(id: RecordingId): Promise<RecordingInfo | undefined>;

  // --- Audio mixing (MCU): the core decodes, mixes and encodes; the plugin only says who is in. ---

  /** Creates an audio mixer (a room's mix, ticking every 20 ms); released when the plugin unloads. */
  createMixer(options?: MixerOptions): Promise<MixerId>;
  /** Destroys a mixer: its participants stop receiving the mix, recordings and files stop. */
  destroyMixer(mixer: MixerId): Promise<void>;
  /**
   * Puts `handle`'s audio into `mixer` (taking it out of any other mixer first): what it sends is
   * mixed, and it receives the mix of everyone else on its first sending audio stream.
   */
  addToMixer(handle: HandleId, mixer: MixerId, options?: MixerParticipantOptions): Promise<void>;
  /** Changes a participant's options (mute, volume, suspend, encoder settings). */
  updateMixerParticipant(handle: HandleId, mixer: MixerId, options: MixerParticipantOptions): Promise<void>;
  /** Takes `handle` out of `mixer`; unknown participants are ignored. */
  removeFromMixer(handle: HandleId, mixer: MixerId): Promise<void>;
  /** Drops a participant's decoder history and jitter buffer (Janus `resetdecoder`). */
  resetMixerDecoder(handle: HandleId, mixer: MixerId): Promise<void>;
  /** Mixes an Ogg Opus file (RFC 7845) into everyone's mix; returns the file id. */
  playFile(mixer: MixerId, path: string, options?: PlayFileOptions): Promise<number>;
  /** Stops a file started by {@link playFile}; unknown ids are ignored. */
  stopFile(mixer: MixerId, fileId: number): Promise<void>;
  /** Records the mix to an Ogg Opus file at `path`, or with `null` stops (and closes) the recording. */
  recordMixer(mixer: MixerId, path: string | null): Promise<void>;
  /** Sends the mixer's full mix as plain RTP to host:port; returns the forwarder id. */
  forwardMixer(mixer: MixerId, forward: MixerForward): Promise<number>;
  /** Stops a mixer forwarder; unknown ids are ignored. */
  stopMixerForward(mixer: MixerId, forwarderId: number): Promise<void>;
  /** A mixer's counters (frames, late frames, codec work, who is mixed now). */
  mixerStats(mixer: MixerId): Promise<MixerStats>;
}

/**
 * Everything a plugin may do, handed to each handler. Every call is checked by the host:
 * a plugin can only name handles attached to it.
 */
export interface PluginApi {
  readonly log: PluginLogger;
  readonly timers: PluginTimers;
  readonly store: PluginStore;
  readonly media: PluginMedia;
  /** Push an event (with optional JSEP) to a handle. */
  pushEvent(handle: HandleId, event: PluginEvent): Promise<void>;
  /**
   * Make the gateway's SDP for a handle: an answer to the client's pending offer, or an offer of
   * the given streams. The result carries every gateway candidate (half-trickle).
   */
  negotiate(handle: HandleId, request: NegotiationRequest): Promise<NegotiatedJsep>;
  /** Close a handle's PeerConnection; the client gets `hangup` with `reason` (default "Close PC"). */
  closePeerConnection(handle: HandleId, reason?: string): Promise<void>;
  /** End a handle as if the client detached: the client gets `detached`. */
  endHandle(handle: HandleId): Promise<void>;
  /** Send a text message on a handle's data channel (label default `JanusDataChannel`). */
  sendData(handle: HandleId, text: string, label?: string): Promise<void>;
}
