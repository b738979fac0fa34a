// The media plane's audio MCU: every mixer of the gateway, which handle is in which mixer, and the
// handles' PeerConnections (the plane reports attach/detach/forget), so a participant is wired to
// its endpoint whenever both exist. Plugin hosts call it after their ownership checks.
import type { MixerEvent, MixerId, MixerOptions, MixerParticipantOptions, MixerStats } from '@cardea/plugin-sdk';
import { closeFdQuietly } from '../../util/closeFd.ts';
import { TypedEmitter } from '../../util/TypedEmitter.ts';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioTransport } from './AudioEndpointTypes.ts';
import { AudioMixer } from './AudioMixer.ts';
import type { MixClockOptions } from './MixClock.ts';
import { LocalMixer, type MixerControl } from './MixerControl.ts';
import type { ParticipantSettings } from './MixerParticipant.ts';
import { MixerWorkerHost } from './MixerWorkerHost.ts';
import type { MixForward } from './RtpMixForwarder.ts';
import { WeriftAudioTransport } from './WeriftAudioTransport.ts';

/** A mixer id that does not exist (destroyed, or never created). */
export class UnknownMixerError extends Error {
  override name = 'UnknownMixerError';
}

export type AudioMixersEvents = {
  /** Something a mixer reports (talking, an announcement ended). */
  event: [event: MixerEvent];
  /** A mixer tick threw: a bug, logged by the owner of this object. */
  error: [error: unknown, mixer: MixerId];
};

export interface AudioMixersOptions {
  /** The per-packet path (default: werift's own). */
  transport?: AudioTransport;
  /** Clock settings of new mixers (tests use a manual or fake clock). */
  clock?: MixClockOptions & { manual?: boolean };
  /**
   * Where mixers run (config `media.audioMixerThread`): 'main' in this event loop (manual and fake
   * clocks need it), 'worker' in one worker thread for all mixers (MixerWorkerHost). Default 'main'
   * here; the gateway's config default is 'worker'.
   */
  thread?: 'main' | 'worker';
  /** Nice value of the mixer worker thread (config `media.audioMixerNice`; default 0, inherit). */
  workerNice?: number;
}

/** The options of an SDK call as participant settings (undefined fields left out). */
function partialSettings(options: MixerParticipantOptions): Partial<ParticipantSettings> {
  const out: Partial<ParticipantSettings> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

export class AudioMixers {
  readonly events = new TypedEmitter<AudioMixersEvents>();
  readonly #transport: AudioTransport;
  readonly #clock: MixClockOptions & { manual?: boolean };
  readonly #mixers = new Map<MixerId, MixerControl>();
  readonly #thread: 'main' | 'worker';
  readonly #nice: number;
  /** The mixer worker, started with the first mixer in 'worker' mode. */
  #worker: MixerWorkerHost | undefined;
  readonly #peers = new Map<number, WebRtcPeer>();
  /** The mixer each handle is in (a handle is in at most one). */
  readonly #membership = new Map<number, MixerId>();
  #nextId = 1;
  #closed = false;

  constructor(options: AudioMixersOptions = {}) {
    this.#transport = options.transport ?? new WeriftAudioTransport();
    this.#clock = options.clock ?? {};
    this.#thread = options.thread ?? 'main';
    this.#nice = options.workerNice ?? 0;
  }

  async create(options: MixerOptions = {}): Promise<MixerId> {
    if (this.#closed) throw new Error('media plane closed');
    const id = this.#nextId++;
    if (this.#thread === 'worker') {
      const proxy = await this.#startedWorker().create(id, options);
      if (this.#closed) await proxy.close();
      else this.#mixers.set(id, proxy);
      return id;
    }
    const hooks = {
      emit: (event: MixerEvent) => this.events.emit('event', event),
      onError: (error: unknown) => this.events.emit('error', error, id),
    };
    this.#mixers.set(id, new LocalMixer(await AudioMixer.create(id, options, this.#transport, hooks, this.#clock)));
    return id;
  }

  /** The mixer worker, started on first use; a crashed one's mixers are lost (their rooms were told), new mixers get a new worker. */
  #startedWorker(): MixerWorkerHost {
    if (this.#worker && !this.#worker.failed) return this.#worker;
    if (this.#worker) void this.#worker.close();
    const hooks = {
      event: (event: MixerEvent) => this.events.emit('event', event),
      error: (error: unknown, mixer: MixerId) => this.events.emit('error', error, mixer),
    };
    this.#worker = new MixerWorkerHost(this.#transport, hooks, this.#clock, this.#nice);
    return this.#worker;
  }

  /** The in-process mixer, for the core and tests ('main' mode only; plugins go through the host). */
  get(id: MixerId): AudioMixer {
    const mixer = this.#mixers.get(id);
    if (!(mixer instanceof LocalMixer)) throw new UnknownMixerError(`no in-process mixer ${id}`);
    return mixer.mixer;
  }

  #control(id: MixerId): MixerControl {
    const mixer = this.#mixers.get(id);
    if (!mixer) throw new UnknownMixerError(`no mixer ${id}`);
    return mixer;
  }

  /** The mixer worker ('worker' mode, once a mixer was created), for tests. */
  get workerHost(): MixerWorkerHost | undefined {
    return this.#worker;
  }

  /** Ids of the live mixers. */
  ids(): MixerId[] {
    return [...this.#mixers.keys()];
  }

  has(id: MixerId): boolean {
    return this.#mixers.has(id);
  }

  async destroy(id: MixerId): Promise<void> {
    const mixer = this.#mixers.get(id);
    if (!mixer) return;
    this.#mixers.delete(id);
    for (const [handle, m] of this.#membership) if (m === id) this.#membership.delete(handle);
    await mixer.close();
  }

  /** Puts a handle into a mixer, taking it out of the one it was in. */
  async add(handleId: number, id: MixerId, options: MixerParticipantOptions = {}): Promise<void> {
    const mixer = this.#control(id);
    const previous = this.#membership.get(handleId);
    if (previous === id && mixer.has(handleId)) {
      mixer.update(handleId, partialSettings(options));
      return;
    }
    if (previous !== undefined) this.#mixers.get(previous)?.remove(handleId);
    this.#membership.set(handleId, id);
    await mixer.join(handleId, partialSettings(options), this.#peers.get(handleId));
    // The handle left (or moved on) while its codec states were being created: undo.
    if (this.#membership.get(handleId) !== id) mixer.remove(handleId);
  }

  update(handleId: number, id: MixerId, options: MixerParticipantOptions): void {
    this.#control(id).update(handleId, partialSettings(options));
  }

  remove(handleId: number, id: MixerId): void {
    this.#mixers.get(id)?.remove(handleId);
    if (this.#membership.get(handleId) === id) this.#membership.delete(handleId);
  }

  async resetDecoder(handleId: number, id: MixerId): Promise<void> {
    await this.#control(id).resetDecoder(handleId);
  }

  /** Plays `path`, or (`bytes` given) the file already read from it: a sandboxed plugin's files are read by its host. */
  playFile(id: MixerId, path: string, loop: boolean, bytes?: Uint8Array): Promise<number> {
    return this.#control(id).playFile(path, loop, bytes);
  }

  stopFile(id: MixerId, fileId: number): void {
    this.#mixers.get(id)?.stopFile(fileId);
  }

  /**
   * Records the mix into `path` (null: stops). With `fd`, the file is already open (a sandboxed
   * plugin's, opened confined by its host): the mixer owns the descriptor from here on and closes it.
   */
  record(id: MixerId, path: string | null, fd?: number): Promise<void> {
    let control: MixerControl;
    try {
      control = this.#control(id);
    } catch (error) {
      if (fd !== undefined) closeFdQuietly(fd);
      throw error;
    }
    return control.record(path, fd);
  }

  forward(id: MixerId, forward: MixForward): Promise<number> {
    return this.#control(id).forward(forward);
  }

  stopForward(id: MixerId, forwarderId: number): void {
    this.#mixers.get(id)?.stopForward(forwarderId);
  }

  stats(id: MixerId): Promise<MixerStats> {
    return this.#control(id).stats();
  }

  // --- from the media plane ---

  /** A handle has a (new) PeerConnection. */
  attach(handleId: number, peer: WebRtcPeer): void {
    this.#peers.set(handleId, peer);
    const id = this.#membership.get(handleId);
    if (id !== undefined) this.#mixers.get(id)?.attachPeer(handleId, peer);
  }

  /** A handle's PeerConnection went away; it stays in its mixer. */
  detach(handleId: number): void {
    this.#peers.delete(handleId);
    const id = this.#membership.get(handleId);
    if (id !== undefined) this.#mixers.get(id)?.detachPeer(handleId);
  }

  /** A handle is gone for good: out of its mixer too. */
  forget(handleId: number): void {
    this.#peers.delete(handleId);
    const id = this.#membership.get(handleId);
    if (id !== undefined) this.remove(handleId, id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#mixers.keys()]) await this.destroy(id);
    await this.#worker?.close();
    this.#peers.clear();
    this.events.removeAllListeners();
  }
}
