// One audio mixer (an AudioBridge room): every 20 ms it plays out each participant's jitter buffer,
// decodes, mixes in the WASM kernel and sends every listener the mix of everyone but itself.
//
// Full mode (Janus's way): every unmuted participant is decoded and mixed, and each one gets its
// own N−1 encode; listeners who contribute nothing (muted) share one encode of the whole mix.
// Active-speaker mode (for big rooms): only participants whose level says they speak are decoded,
// the loudest `speakers` are mixed, each of them gets its own N−1 encode and everyone else gets ONE
// shared encode of the speakers' mix — codec work stops growing with the room. Decoders of recent
// speakers stay warm for a hangover; a cold decoder first replays the last packets it skipped, and
// entering or leaving speakers are faded over one frame, so a speaker starts without a click.
import type { MixerEvent, MixerId, MixerOptions, MixerSampleRate, MixerStats } from '@cardea/plugin-sdk';
import { closeFdQuietly } from '../../util/closeFd.ts';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioTransport } from './AudioEndpointTypes.ts';
import { AudioFilePlayer } from './AudioFilePlayer.ts';
import { Playout, type JitterStats } from './JitterBuffer.ts';
import { MixClock, type MixClockOptions } from './MixClock.ts';
import { MixerParticipant, TalkingDetector, type ParticipantSettings } from './MixerParticipant.ts';
import { MixKernel } from './MixKernel.ts';
import { OggOpusWriter } from './OggOpus.ts';
import { OPUS_RATES, OpusFrameEncoder } from './OpusCodec.ts';
import { createParticipantCodecs } from './participantCodecs.ts';
import { RtpMixForwarder, type MixForward } from './RtpMixForwarder.ts';

/** Level (−dBov) under which a participant counts as speaking for active-speaker mixing. */
export const SPEECH_LEVEL = 50;
/** A speaker keeps its place this many frames after it last spoke (400 ms). */
const SPEAKER_HANGOVER = 20;
/** Decoders of recent speakers stay warm this many frames (2 s). */
const WARM_HANGOVER = 100;
/** dB a challenger must be louder by to take a current speaker's place. */
const SWITCH_MARGIN = 6;
/** Packets a cold decoder replays (output discarded) before its output is mixed. */
const WARMUP_PACKETS = 3;
/** RTP timestamp step per frame: Opus's RTP clock is 48 kHz whatever the rate (RFC 7587 §4.1). */
const TS_STEP = 960;

/** Mixer options with every default applied. */
export type ResolvedMixerOptions = Required<Omit<MixerOptions, 'talkingEvents'>> & {
  talking: { threshold: number; packets: number } | undefined;
};

export function resolveMixerOptions(options: MixerOptions = {}): ResolvedMixerOptions {
  const sampleRate = options.sampleRate ?? 16000;
  if (!OPUS_RATES.includes(sampleRate)) throw new RangeError(`sampleRate ${sampleRate}: must be one of ${OPUS_RATES.join(', ')}`);
  const t = options.talkingEvents;
  return {
    sampleRate,
    mode: options.mode ?? 'auto',
    speakers: Math.max(1, Math.floor(options.speakers ?? 3)),
    activeSpeakerAbove: Math.max(0, Math.floor(options.activeSpeakerAbove ?? 16)),
    prebuffer: clamp(options.prebuffer ?? 6, 0, 50),
    complexity: clamp(options.complexity ?? 4, 0, 10),
    bitrate: Math.max(0, options.bitrate ?? 0),
    talking: t ? { threshold: t.threshold ?? 25, packets: t.packets ?? 100 } : undefined,
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(n)));
}

/** How a mixer reports to its owner. */
export interface MixerHooks {
  /** Talking changes and ended announcements. */
  emit(event: MixerEvent): void;
  /** A tick threw (a bug): log it; the clock goes on with the next frame. */
  onError(error: unknown): void;
  /** Runs at the start of every tick (the worker drains its packet ring here). */
  beforeTick?(): void;
}

/** A file being played and the kernel slot its frames go to. */
interface PlayingFile {
  player: AudioFilePlayer;
  slot: number;
}

/** Codec work counters. */
interface CodecCounters {
  decodes: number;
  /** Cold decoders warmed up by replaying skipped packets before their output was mixed. */
  warmups: number;
  encodes: number;
  concealed: number;
  fecRecovered: number;
  decodeErrors: number;
}

export class AudioMixer {
  readonly id: MixerId;
  readonly options: ResolvedMixerOptions;
  readonly clock: MixClock;
  readonly counters: CodecCounters = { decodes: 0, warmups: 0, encodes: 0, concealed: 0, fecRecovered: 0, decodeErrors: 0 };
  readonly #kernel: MixKernel;
  readonly #transport: AudioTransport;
  readonly #hooks: MixerHooks;
  /** Ticks that threw (each logged by the owner); the clock goes on. */
  tickErrors = 0;
  readonly #shared: OpusFrameEncoder;
  readonly #participants = new Map<number, MixerParticipant>();
  /** The participants as an array, rebuilt on join/leave, so a tick iterates without allocating. */
  #list: MixerParticipant[] = [];
  readonly #players = new Map<number, PlayingFile>();
  #nextFileId = 1;
  #recorder: OggOpusWriter | undefined;
  readonly #forwarders = new Map<number, RtpMixForwarder>();
  #nextForwarderId = 1;
  /** Endpoints that get the shared mix this tick (reused array). */
  readonly #shareTargets: AudioEndpoint[] = [];
  readonly #history: Uint8Array[] = [];
  readonly #warmupPcm: Int16Array;
  #frame = 0;
  #activeNow = false;
  #speakers: number[] = [];
  readonly #startedAt: number;
  #closed = false;

  private constructor(
    id: MixerId,
    options: ResolvedMixerOptions,
    transport: AudioTransport,
    hooks: MixerHooks,
    shared: OpusFrameEncoder,
    clock: MixClockOptions,
  ) {
    this.id = id;
    this.options = options;
    this.#transport = transport;
    this.#hooks = hooks;
    this.#shared = shared;
    this.#kernel = new MixKernel(options.sampleRate / 50);
    this.#warmupPcm = new Int16Array(options.sampleRate / 50);
    this.clock = new MixClock(
      (index) => this.tick(index),
      (error) => this.#onTickError(error),
      clock,
    );
    this.#startedAt = performance.now();
  }

  /** Creates a mixer; its clock starts unless `clock.manual` (tests drive tick() themselves). */
  static async create(
    id: MixerId,
    options: MixerOptions,
    transport: AudioTransport,
    hooks: MixerHooks,
    clock: MixClockOptions & { manual?: boolean } = {},
  ): Promise<AudioMixer> {
    const resolved = resolveMixerOptions(options);
    const shared = await OpusFrameEncoder.create({
      sampleRate: resolved.sampleRate,
      complexity: resolved.complexity,
      bitrate: resolved.bitrate,
      expectedLoss: 0,
    });
    const mixer = new AudioMixer(id, resolved, transport, hooks, shared, clock);
    if (!clock.manual) mixer.clock.start();
    return mixer;
  }

  get size(): number {
    return this.#participants.size;
  }

  has(handleId: number): boolean {
    return this.#participants.has(handleId);
  }

  /** The mode the last tick ran in. */
  get mode(): 'full' | 'active-speaker' {
    return this.#activeNow ? 'active-speaker' : 'full';
  }

  /** Participant settings with the mixer's defaults for what `partial` leaves out. */
  settingsFor(partial: Partial<ParticipantSettings>): ParticipantSettings {
    const o = this.options;
    return {
      muted: partial.muted ?? false,
      suspended: partial.suspended ?? false,
      volume: clamp(partial.volume ?? 100, 0, 1000),
      prebuffer: clamp(partial.prebuffer ?? o.prebuffer, 0, 50),
      complexity: clamp(partial.complexity ?? o.complexity, 0, 10),
      bitrate: Math.max(0, partial.bitrate ?? o.bitrate),
      expectedLoss: clamp(partial.expectedLoss ?? 0, 0, 100),
      codec: partial.codec ?? 'opus',
    };
  }

  /** Adds a participant (its codec states are created here); `peer` when its PeerConnection exists. */
  async add(handleId: number, settings: ParticipantSettings, peer: WebRtcPeer | undefined): Promise<void> {
    if (this.#closed || this.#participants.has(handleId)) return;
    const { decoder, encoder } = await createParticipantCodecs(settings, this.options.sampleRate);
    if (this.#closed || this.#participants.has(handleId)) {
      decoder.free();
      encoder.free();
      return;
    }
    const p = new MixerParticipant(handleId, settings, decoder, encoder, this.#kernel.allocSlot());
    if (this.options.talking) p.talking = new TalkingDetector(this.options.talking);
    this.#participants.set(handleId, p);
    this.#list = [...this.#participants.values()];
    if (peer) this.attachPeer(handleId, peer);
  }

  update(handleId: number, partial: Partial<ParticipantSettings>): void {
    const p = this.#participants.get(handleId);
    if (!p) return;
    // The codec is fixed at add(): the decoder, encoder and negotiated stream were made for it.
    const next = this.settingsFor({ ...p.settings, ...partial, codec: p.settings.codec });
    if (next.prebuffer !== p.settings.prebuffer) p.jitter.setPrebuffer(next.prebuffer);
    p.encoder.configure(next);
    p.settings = next;
  }

  remove(handleId: number): void {
    const p = this.#participants.get(handleId);
    if (!p) return;
    this.#participants.delete(handleId);
    this.#list = [...this.#participants.values()];
    this.#kernel.freeSlot(p.slot);
    p.free();
  }

  /** Connects a participant to its (new) PeerConnection. */
  attachPeer(handleId: number, peer: WebRtcPeer): void {
    const p = this.#participants.get(handleId);
    if (!p) return;
    p.endpoint?.close();
    p.endpoint = this.#transport.open(handleId, peer, (seq, payload, level) => this.#onPacket(p, seq, payload, level));
  }

  /** A participant's PeerConnection went away: it stays in the mixer, silent and deaf. */
  detachPeer(handleId: number): void {
    const p = this.#participants.get(handleId);
    if (!p) return;
    p.endpoint?.close();
    p.endpoint = undefined;
    p.jitter.reset();
  }

  /** Drops a participant's decoder history and queued packets (Janus `resetdecoder`). */
  async resetDecoder(handleId: number): Promise<void> {
    const p = this.#participants.get(handleId);
    if (!p) return;
    p.jitter.reset();
    p.warm = false;
    await p.decoder.reset();
  }

  /** Starts mixing a file (read from `path`, or its content `bytes`) into everyone's mix; rejects when it cannot be read. */
  async playFile(path: string, loop: boolean, bytes?: Uint8Array): Promise<number> {
    const id = this.#nextFileId++;
    const player = await AudioFilePlayer.open(id, path, this.options.sampleRate, loop, bytes);
    if (this.#closed) {
      player.free();
      throw new Error('mixer closed');
    }
    this.#players.set(id, { player, slot: this.#kernel.allocSlot() });
    return id;
  }

  /** Stops a file; returns false for an unknown id. */
  stopFile(fileId: number): boolean {
    const playing = this.#players.get(fileId);
    if (!playing) return false;
    this.#players.delete(fileId);
    this.#kernel.freeSlot(playing.slot);
    playing.player.free();
    return true;
  }

  /** Sends the full mix as plain RTP to host:port (Janus `rtp_forward`); returns the forwarder id. */
  forward(forward: MixForward): number {
    const id = this.#nextForwarderId++;
    this.#forwarders.set(id, new RtpMixForwarder(id, forward));
    return id;
  }

  stopForward(id: number): boolean {
    const forwarder = this.#forwarders.get(id);
    if (!forwarder) return false;
    this.#forwarders.delete(id);
    forwarder.close();
    return true;
  }

  /** Ids of the files playing now. */
  get files(): number[] {
    return [...this.#players.keys()];
  }

  /**
   * Starts recording the mix to an Ogg Opus file, or with `null` stops and closes it. `fd`: the
   * file already open for writing, owned (and closed) by the recording from here on, used or not.
   */
  async record(path: string | null, fd?: number): Promise<void> {
    const previous = this.#recorder;
    this.#recorder = undefined;
    if (previous) await previous.close();
    if (path === null || this.#closed) {
      if (fd !== undefined) closeFdQuietly(fd);
      return;
    }
    const rate = this.options.sampleRate;
    const preSkip = Math.round((this.#shared.lookahead * 48000) / rate);
    this.#recorder = await OggOpusWriter.open(path, { sampleRate: rate, preSkip, ...(fd !== undefined ? { fd } : {}) });
  }

  get recordingPath(): string | undefined {
    return this.#recorder?.path;
  }

  stats(): MixerStats {
    const c = this.clock.stats;
    const elapsed = performance.now() - this.#startedAt;
    const stats: MixerStats = {
      participants: this.#participants.size,
      sampleRate: this.options.sampleRate,
      mode: this.mode,
      frames: c.frames,
      lateFrames: c.late,
      skippedFrames: c.skipped,
      maxLatenessMs: Math.round(c.maxLatenessMs * 100) / 100,
      load: elapsed > 0 ? Math.min(1, c.busyMs / elapsed) : 0,
      ...this.counters,
      speakers: [...this.#speakers],
    };
    if (this.#recorder) stats.recording = { path: this.#recorder.path, frames: this.#recorder.packets };
    return stats;
  }

  /** One participant's jitter-buffer counters (late, lost, invalid packets…), for tests and the admin. */
  participantStats(handleId: number): JitterStats | undefined {
    const p = this.#participants.get(handleId);
    return p ? { ...p.jitter.stats } : undefined;
  }

  /** Stops the clock and frees every codec state, file and recording. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.clock.stop();
    for (const id of [...this.#participants.keys()]) this.remove(id);
    for (const id of [...this.#players.keys()]) this.stopFile(id);
    for (const id of [...this.#forwarders.keys()]) this.stopForward(id);
    this.#shared.free();
    await this.record(null);
  }

  /** Produces frame `index`: play out, decode, mix, encode, send. Driven by the clock (or a test). */
  tick(index: number): void {
    if (this.#closed) return;
    this.#hooks.beforeTick?.();
    this.#frame = index;
    const list = this.#list;
    const o = this.options;
    this.#activeNow = o.mode === 'active-speaker' || (o.mode === 'auto' && list.length > o.activeSpeakerAbove);
    for (let i = 0; i < list.length; i++) this.#playout(list[i] as MixerParticipant, index);
    if (this.#activeNow) this.#selectSpeakers(index);
    else for (let i = 0; i < list.length; i++) (list[i] as MixerParticipant).selected = (list[i] as MixerParticipant).hasFrame;
    this.#buildMix();
    this.#send(index * TS_STEP);
  }

  #onPacket(p: MixerParticipant, seq: number, payload: Uint8Array, level: number): void {
    p.jitter.push(seq, payload, level);
    p.noteArrival(level, this.#frame);
    if (level >= 0 && p.talking && !p.settings.muted && !p.settings.suspended) this.#feedTalking(p, level);
  }

  #feedTalking(p: MixerParticipant, level: number): void {
    const change = p.talking?.add(level);
    if (change) this.#hooks.emit({ type: 'talking', mixer: this.id, handle: p.handleId, talking: change.talking, level: change.level });
  }

  /** Takes this tick's packet from the jitter buffer and decodes it when the participant needs it. */
  #playout(p: MixerParticipant, frame: number): void {
    p.age(frame);
    p.hasFrame = false;
    const kind = p.jitter.pop();
    const s = p.settings;
    if (s.muted || s.suspended) {
      if (kind !== Playout.none) p.warm = false;
      return;
    }
    if (p.level < SPEECH_LEVEL || p.mixed) p.warmUntil = frame + WARM_HANGOVER;
    const decode = !this.#activeNow || !p.hasLevelExtension || p.warmUntil >= frame;
    if (kind === Playout.none) return;
    if (!decode) {
      p.warm = false;
      return;
    }
    if (!p.warm) this.#warmUp(p);
    const out = this.#kernel.frame(p.slot);
    const jitter = p.jitter;
    const result = p.decoder.decodeInto(
      out,
      kind === Playout.packet ? jitter.payload : undefined,
      kind === Playout.lost ? jitter.next : undefined,
    );
    const c = this.counters;
    c.decodes++;
    if (result === 'plc') c.concealed++;
    else if (result === 'fec') c.fecRecovered++;
    else if (result === 'error') {
      c.decodeErrors++;
      c.concealed++;
    }
    p.warm = true;
    if (!p.hasLevelExtension) {
      const level = this.#kernel.level(p.slot);
      p.noteDecoded(level);
      if (p.talking && result === 'packet') this.#feedTalking(p, level);
    }
    this.#kernel.gain(p.slot, s.volume);
    p.hasFrame = true;
  }

  /** Replays the last packets a cold decoder skipped, so its first mixed frame has history. */
  #warmUp(p: MixerParticipant): void {
    const n = p.jitter.history(WARMUP_PACKETS, this.#history);
    if (n > 0) this.counters.warmups++;
    for (let i = 0; i < n; i++) {
      p.decoder.decodeInto(this.#warmupPcm, this.#history[i], undefined);
      this.counters.decodes++;
    }
  }

  /**
   * Active-speaker selection: among participants with a frame, those that speak (or spoke within the
   * hangover) compete; current speakers get a margin; the `speakers` loudest are mixed.
   */
  #selectSpeakers(frame: number): void {
    const list = this.#list;
    const k = this.options.speakers;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as MixerParticipant;
      p.selected = false;
      if (!p.hasFrame) continue;
      if (p.level < SPEECH_LEVEL) p.speakerUntil = frame + SPEAKER_HANGOVER;
    }
    for (let picked = 0; picked < k; picked++) {
      let best: MixerParticipant | undefined;
      let bestScore = Infinity;
      for (let i = 0; i < list.length; i++) {
        const p = list[i] as MixerParticipant;
        if (p.selected || !p.hasFrame || p.speakerUntil < frame) continue;
        const score = p.level - (p.mixed ? SWITCH_MARGIN : 0);
        if (score < bestScore) {
          bestScore = score;
          best = p;
        }
      }
      if (!best) break;
      best.selected = true;
    }
  }

  /** Fills the kernel's mix list: selected participants (faded in when new), leavers faded out, files. */
  #buildMix(): void {
    const kernel = this.#kernel;
    kernel.clearList();
    const list = this.#list;
    this.#speakers.length = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as MixerParticipant;
      p.inMix = false;
      if (p.selected) {
        if (!p.mixed) ramp(kernel.frame(p.slot), true);
        p.inMix = true;
      } else if (p.mixed && p.hasFrame) {
        ramp(kernel.frame(p.slot), false);
        p.inMix = true;
      }
      p.mixed = p.selected;
      if (p.inMix) {
        kernel.addToList(p.slot);
        this.#speakers.push(p.handleId);
      }
    }
    for (const [id, playing] of this.#players) {
      if (playing.player.next(kernel.frame(playing.slot))) kernel.addToList(playing.slot);
      else {
        this.stopFile(id);
        this.#hooks.emit({ type: 'announcement-ended', mixer: this.id, fileId: id });
      }
    }
    kernel.sum();
  }

  /** Encodes and sends: an own N−1 stream for everyone in the mix, one shared stream for the rest. */
  #send(timestamp: number): void {
    const list = this.#list;
    const targets = this.#shareTargets;
    let shared = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as MixerParticipant;
      const endpoint = p.endpoint;
      if (!endpoint || p.settings.suspended || !endpoint.canSend) continue;
      if (p.inMix) {
        const packet = p.encoder.encode(this.#kernel.minus(p.slot));
        this.counters.encodes++;
        endpoint.send(packet, timestamp);
      } else if (p.settings.codec !== 'opus') {
        // A G.711 listener cannot take the shared Opus packet: its own (cheap) encode of the full mix.
        const packet = p.encoder.encode(this.#kernel.full());
        this.counters.encodes++;
        endpoint.send(packet, timestamp);
      } else targets[shared++] = endpoint;
    }
    if (shared === 0 && !this.#recorder && this.#forwarders.size === 0) return;
    const packet = this.#shared.encode(this.#kernel.full());
    this.counters.encodes++;
    if (shared > 0) this.#transport.sendMany(targets, shared, packet, timestamp);
    // Forwarders are plain UDP, not the transport's endpoints: they get the shared packet directly.
    for (const forwarder of this.#forwarders.values()) forwarder.send(packet, timestamp);
    this.#recorder?.write(packet);
  }

  #onTickError(error: unknown): void {
    this.tickErrors++;
    this.#hooks.onError(error);
  }
}

/** A linear fade over one frame (in or out), so a speaker entering or leaving the mix never clicks. */
function ramp(frame: Int16Array, up: boolean): void {
  const n = frame.length;
  for (let i = 0; i < n; i++) {
    const g = up ? i / n : (n - i) / n;
    frame[i] = Math.round((frame[i] as number) * g);
  }
}

export type { MixerSampleRate };
