import type { MediaKind, TalkingOptions } from '@cardea/plugin-sdk';
import type { TypedEmitter } from '../util/TypedEmitter.ts';
import type { WebRtcPeer } from '../webrtc/WebRtcPeer.ts';
import type { AudioPacketSink } from './audio/AudioEndpointTypes.ts';
import type { MediaCounters, MediaEndpoint, MediaPlaneEvents } from './MediaPlaneTypes.ts';
import type { HandleTap } from './recording/MediaRecorders.ts';
import { AudioSinkTap, RecorderTap, StreamTaps, TalkingTap, type FlowEntry, type StreamTap } from './StreamTaps.ts';

/** A tap a packet path adds to one mid of a handle (a werift-plane RTP forwarder). */
export interface ExtraTap {
  readonly mid: string;
  readonly tap: StreamTap;
}

/**
 * The control state of one attached handle, the same on every packet path: what it must not be
 * sent (mute), its counters, the optional taps of each incoming mid, and whether media flows on
 * each mid (Janus `media` events, read by the no-media timer). Created by MediaControl at attach,
 * closed at detach; the packet path keeps its own per-packet state beside it.
 */
export class MediaNode implements MediaEndpoint {
  readonly handleId: number;
  readonly peer: WebRtcPeer;
  readonly muted = new Set<MediaKind>();
  readonly counters: MediaCounters = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropped: 0 };
  /** Undone at close (event subscriptions, timers of the control part and of the path). */
  readonly disposers: Array<() => void> = [];
  readonly #events: TypedEmitter<MediaPlaneEvents>;
  readonly #taps = new Map<string, StreamTaps>();
  readonly #extra: ExtraTap[] = [];
  /** Talking detectors by mid: kept across rebuilds for other taps, restarted by setTalking. */
  readonly #talkers = new Map<string, TalkingTap>();
  #talking: TalkingOptions | undefined;
  #recorder: HandleTap | undefined;
  #audioSink: AudioPacketSink | undefined;
  #closed = false;

  constructor(endpoint: MediaEndpoint, events: TypedEmitter<MediaPlaneEvents>, settings: { talking: TalkingOptions | undefined; recorder: HandleTap | undefined; audioSink: AudioPacketSink | undefined }) {
    this.handleId = endpoint.handleId;
    this.peer = endpoint.peer;
    this.#events = events;
    this.#talking = settings.talking;
    this.#recorder = settings.recorder;
    this.#audioSink = settings.audioSink;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The taps of incoming `mid` (created on the first stream of the mid; later streams of it, such
   * as simulcast layers and RTX, share them). Called by the path when it learns a stream.
   */
  tapsFor(mid: string, kind: 'audio' | 'video', codecs: ReadonlyMap<number, string>): StreamTaps {
    let taps = this.#taps.get(mid);
    if (!taps) {
      const flow: FlowEntry = { mid, kind, at: 0, receiving: false };
      taps = new StreamTaps(mid, kind, codecs, flow, (entry) => this.#reportFlow(entry));
      this.#taps.set(mid, taps);
      this.#build(taps);
    }
    return taps;
  }

  /** Starts (options) or stops (undefined) talking detection on the handle's audio; detectors restart. */
  setTalking(options: TalkingOptions | undefined): void {
    this.#talking = options;
    this.#talkers.clear();
    this.#rebuild();
  }

  setRecorder(tap: HandleTap | undefined): void {
    this.#recorder = tap;
    this.#rebuild();
  }

  setAudioSink(sink: AudioPacketSink | undefined): void {
    this.#audioSink = sink;
    this.#rebuild();
  }

  addExtraTap(extra: ExtraTap): void {
    this.#extra.push(extra);
    this.#rebuild();
  }

  removeExtraTap(tap: StreamTap): void {
    const at = this.#extra.findIndex((e) => e.tap === tap);
    if (at < 0) return;
    this.#extra.splice(at, 1);
    this.#rebuild();
  }

  /** The mids' flow states (the no-media timer, the Admin API). */
  flows(): IterableIterator<FlowEntry> {
    const taps = this.#taps.values();
    return (function* () {
      for (const t of taps) yield t.flow;
    })();
  }

  /** Marks mids silent for longer than `timeoutMs` as not receiving and reports each (Janus `media` receiving false). */
  checkFlow(now: number, timeoutMs: number): void {
    for (const taps of this.#taps.values()) {
      const flow = taps.flow;
      if (flow.receiving && now - flow.at > timeoutMs) {
        flow.receiving = false;
        this.#reportFlow(flow);
      }
    }
  }

  /** Runs the disposers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  #reportFlow(entry: FlowEntry): void {
    if (!this.#closed) this.peer.reportMedia(entry.mid, entry.kind, entry.receiving);
  }

  #rebuild(): void {
    for (const taps of this.#taps.values()) this.#build(taps);
  }

  /** Talking, recordings, the path's extra taps, then the mixer (which consumes the packet). */
  #build(taps: StreamTaps): void {
    const list: StreamTap[] = [];
    const audio = taps.kind === 'audio';
    const talking = audio && this.#talking !== undefined;
    if (talking) {
      let talker = this.#talkers.get(taps.mid);
      if (!talker) this.#talkers.set(taps.mid, (talker = new TalkingTap(this.handleId, taps.mid, this.#talking as TalkingOptions, this.#events)));
      list.push(talker);
    }
    if (this.#recorder) list.push(new RecorderTap(this.#recorder, taps));
    for (const extra of this.#extra) if (extra.mid === taps.mid) list.push(extra.tap);
    const sink = audio ? this.#audioSink : undefined;
    if (sink) list.push(new AudioSinkTap(sink));
    taps.set(list, talking || sink !== undefined, sink !== undefined);
  }
}
