import type { TalkingOptions } from '@cardea/plugin-sdk';
import type { AudioPacketSink } from './audio/AudioEndpointTypes.ts';
import type { MediaPlaneEvents } from './MediaPlaneTypes.ts';
import type { HandleTap } from './recording/MediaRecorders.ts';
import { rtpPayloadOffset, rtpSequence } from './fast/rtpHeader.ts';
import { TalkingDetector } from './TalkingDetector.ts';
import type { TypedEmitter } from '../util/TypedEmitter.ts';

/**
 * One optional consumer of an incoming stream's decrypted RTP packets (talking detection, a
 * recording, the audio mixer's input, a werift-plane RTP forwarder). Called on the packet path:
 * must not allocate, must not keep `packet` past the call.
 */
export interface StreamTap {
  /** `packet[0, length)` is one decrypted RTP packet; `level` its RFC 6464 audio level (−dBov), −1 unknown. */
  rtp(packet: Uint8Array, length: number, level: number): void;
}

/** Whether a mid is receiving media (Janus `media` events), kept by the plane per packet. */
export interface FlowEntry {
  readonly mid: string;
  readonly kind: 'audio' | 'video';
  /** performance.now() of the last packet on the mid (0 before any). */
  at: number;
  /** True from the first packet until the no-media timer finds the mid silent. */
  receiving: boolean;
}

/**
 * The taps of one incoming mid of a handle, in a list rebuilt only when the control part changes
 * them (talking on/off, a recording starts, a mixer joins): the packet path runs `list[0, count)`
 * per packet and allocates nothing. Simulcast layers and RTX of a mid share it.
 */
export class StreamTaps {
  readonly mid: string;
  readonly kind: 'audio' | 'video';
  readonly codecs: ReadonlyMap<number, string>;
  readonly list: StreamTap[] = [];
  count = 0;
  /** True when some tap reads the audio level (the path parses the extension only then). */
  wantsLevel = false;
  /** True when the audio mixer consumes this stream's packets: the path does not route them. */
  consumed = false;
  readonly flow: FlowEntry;
  readonly #onFlow: (entry: FlowEntry) => void;

  constructor(mid: string, kind: 'audio' | 'video', codecs: ReadonlyMap<number, string>, flow: FlowEntry, onFlow: (entry: FlowEntry) => void) {
    this.mid = mid;
    this.kind = kind;
    this.codecs = codecs;
    this.flow = flow;
    this.#onFlow = onFlow;
  }

  /** A packet arrived on the mid at `now`: media flows (reports only the change to receiving). */
  noteFlow(now: number): void {
    const flow = this.flow;
    flow.at = now;
    if (!flow.receiving) {
      flow.receiving = true;
      this.#onFlow(flow);
    }
  }

  /** Runs every tap on one packet. */
  run(packet: Uint8Array, length: number, level: number): void {
    const list = this.list;
    for (let i = 0; i < this.count; i++) (list[i] as StreamTap).rtp(packet, length, level);
  }

  /** Replaces the taps (control path only). */
  set(taps: readonly StreamTap[], wantsLevel: boolean, consumed: boolean): void {
    this.list.length = 0;
    for (const tap of taps) this.list.push(tap);
    this.count = taps.length;
    this.wantsLevel = wantsLevel;
    this.consumed = consumed;
  }
}

/** Voice activity of one mid (TalkingDetector), reported as a `talking` event on each change. */
export class TalkingTap implements StreamTap {
  readonly #handleId: number;
  readonly #mid: string;
  readonly #detector: TalkingDetector;
  readonly #events: TypedEmitter<MediaPlaneEvents>;

  constructor(handleId: number, mid: string, options: TalkingOptions, events: TypedEmitter<MediaPlaneEvents>) {
    this.#handleId = handleId;
    this.#mid = mid;
    this.#detector = new TalkingDetector(options);
    this.#events = events;
  }

  rtp(_packet: Uint8Array, _length: number, level: number): void {
    if (level < 0) return;
    const change = this.#detector.add(level);
    if (change) this.#events.emit('talking', { handle: this.#handleId, mid: this.#mid, talking: change.talking, level: change.level });
  }
}

/** A handle's `.mjr` recordings, fed the packets of one mid. */
export class RecorderTap implements StreamTap {
  readonly #tap: HandleTap;
  readonly #mid: string;
  readonly #kind: 'audio' | 'video';
  readonly #codecs: ReadonlyMap<number, string>;

  constructor(tap: HandleTap, taps: StreamTaps) {
    this.#tap = tap;
    this.#mid = taps.mid;
    this.#kind = taps.kind;
    this.#codecs = taps.codecs;
  }

  rtp(packet: Uint8Array, length: number): void {
    this.#tap.rtp(this.#mid, this.#kind, packet, length, this.#codecs);
  }
}

/** The audio mixer's input: the payload (a view, valid during the call) with its sequence number and level. */
export class AudioSinkTap implements StreamTap {
  readonly #sink: AudioPacketSink;

  constructor(sink: AudioPacketSink) {
    this.#sink = sink;
  }

  rtp(packet: Uint8Array, length: number, level: number): void {
    const at = rtpPayloadOffset(packet, length);
    if (at >= 0) this.#sink(rtpSequence(packet), packet.subarray(at, length), level);
  }
}
