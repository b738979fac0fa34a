// The audio-mixer calls of one sandboxed plugin version, checked before they reach the media
// plane: a plugin names only mixers it created (at most MAX_MIXERS) and handles attached to it;
// files it plays or records are regular files inside its own media directory, opened here without
// following symlinks (ConfinedFiles) and handed to the mixer already open or read; its mixes may be forwarded as
// plain RTP to loopback addresses only (a sandboxed plugin must not aim the gateway's UDP at
// arbitrary hosts). Mixers are destroyed when the version is unloaded or faults, unless a hot reload
// handed them to the next version first (release → adopt): then their participants, forwarders,
// recordings and files keep running untouched, as the handles' PeerConnections do.
import { isIP } from 'node:net';
import type { Json, JsonObject, MixerEvent } from '@cardea/plugin-sdk';
import type { AudioMixers } from '../../media/audio/AudioMixers.ts';
import { closeFdQuietly } from '../../util/closeFd.ts';
import type { ConfinedFiles } from './ConfinedFiles.ts';
import { parseApiArgs, type ApiOp } from './sandboxApiSchemas.ts';

/** Most mixers one sandboxed plugin may hold: each one is a 20 ms timer and codec work. */
const MAX_MIXERS = 16;

/** The mixer operations, as `sandboxApiSchemas` names them. */
export const mixerOps = new Set<ApiOp>([
  'media.createMixer',
  'media.destroyMixer',
  'media.addToMixer',
  'media.updateMixerParticipant',
  'media.removeFromMixer',
  'media.resetMixerDecoder',
  'media.playFile',
  'media.stopFile',
  'media.recordMixer',
  'media.mixerStats',
  'media.forwardMixer',
  'media.stopMixerForward',
]);

const isLoopback = (host: string): boolean => (isIP(host) === 4 && host.startsWith('127.')) || host === '::1' || host === 'localhost';

export class SandboxMixers {
  readonly #audio: AudioMixers;
  readonly #files: ConfinedFiles;
  readonly #checkHandle: (id: number) => void;
  readonly #mixers = new Set<number>();
  readonly #off: () => void;

  /**
   * `onEvent` receives the events of this version's mixers; `checkHandle` throws for a handle not
   * attached to the version.
   */
  constructor(audio: AudioMixers, files: ConfinedFiles, checkHandle: (id: number) => void, onEvent: (event: MixerEvent) => void) {
    this.#audio = audio;
    this.#files = files;
    this.#checkHandle = checkHandle;
    this.#off = audio.events.on('event', (event) => {
      if (this.#mixers.has(event.mixer)) onEvent(event);
    });
  }

  /** Runs one mixer operation (validated here) and returns its JSON result. */
  async execute(op: ApiOp, rawArgs: Json[]): Promise<Json> {
    const audio = this.#audio;
    switch (op) {
      case 'media.createMixer': {
        const [options] = parseApiArgs(op, rawArgs);
        if (this.#mixers.size >= MAX_MIXERS) throw new RangeError(`at most ${MAX_MIXERS} mixers per plugin`);
        const id = await audio.create(options ?? {});
        this.#mixers.add(id);
        return id;
      }
      case 'media.destroyMixer': {
        const [mixer] = parseApiArgs(op, rawArgs);
        if (this.#mixers.delete(mixer)) await audio.destroy(mixer);
        return null;
      }
      case 'media.addToMixer': {
        const [h, mixer, options] = parseApiArgs(op, rawArgs);
        this.#checkHandle(h);
        await audio.add(h, this.#own(mixer), options ?? {});
        return null;
      }
      case 'media.updateMixerParticipant': {
        const [h, mixer, options] = parseApiArgs(op, rawArgs);
        this.#checkHandle(h);
        audio.update(h, this.#own(mixer), options);
        return null;
      }
      case 'media.removeFromMixer':
      case 'media.resetMixerDecoder': {
        const [h, mixer] = parseApiArgs(op, rawArgs);
        this.#checkHandle(h);
        if (op === 'media.removeFromMixer') audio.remove(h, this.#own(mixer));
        else await audio.resetDecoder(h, this.#own(mixer));
        return null;
      }
      case 'media.playFile': {
        const [mixer, path, options] = parseApiArgs(op, rawArgs);
        this.#own(mixer);
        const { bytes, full } = await this.#files.readFile(path);
        return audio.playFile(this.#own(mixer), full, options?.loop ?? false, bytes);
      }
      case 'media.stopFile': {
        const [mixer, fileId] = parseApiArgs(op, rawArgs);
        audio.stopFile(this.#own(mixer), fileId);
        return null;
      }
      case 'media.recordMixer': {
        const [mixer, path] = parseApiArgs(op, rawArgs);
        this.#own(mixer);
        if (path === null) {
          await audio.record(mixer, null);
          return null;
        }
        // The mixer (maybe in the mixer worker: descriptors are per process) takes the descriptor
        // over and closes it with the recording, or at once when it cannot use it.
        const { fd, full } = await this.#files.openForWrite(path);
        if (!this.#mixers.has(mixer)) closeFdQuietly(fd); // destroyed while the file was opened
        await audio.record(this.#own(mixer), full, fd);
        return null;
      }
      case 'media.mixerStats': {
        const [mixer] = parseApiArgs(op, rawArgs);
        return audio.stats(this.#own(mixer)) as unknown as JsonObject;
      }
      case 'media.forwardMixer': {
        const [mixer, forward] = parseApiArgs(op, rawArgs);
        if (!isLoopback(forward.host)) throw new RangeError('sandboxed plugins may forward to loopback addresses only');
        return audio.forward(this.#own(mixer), forward);
      }
      case 'media.stopMixerForward': {
        const [mixer, id] = parseApiArgs(op, rawArgs);
        audio.stopForward(this.#own(mixer), id);
        return null;
      }
      default:
        throw new TypeError(`${op} is not a mixer operation`);
    }
  }

  /** How many mixers this version owns. */
  get size(): number {
    return this.#mixers.size;
  }

  /** Hot reload: gives up every mixer without destroying it; returns their ids for the next version. */
  release(): number[] {
    const ids = [...this.#mixers];
    this.#mixers.clear();
    return ids;
  }

  /**
   * Hot reload: takes over mixers released by the previous version. Mixers that no longer exist
   * are skipped; the per-plugin cap is not applied (the ids were the plugin's already).
   */
  adopt(ids: readonly number[]): void {
    const live = new Set(this.#audio.ids());
    for (const id of ids) if (live.has(id)) this.#mixers.add(id);
  }

  /** Destroys every mixer of this version. Idempotent. */
  async close(): Promise<void> {
    this.#off();
    for (const id of [...this.#mixers]) await this.#audio.destroy(id);
    this.#mixers.clear();
  }

  #own(mixer: number): number {
    if (!this.#mixers.has(mixer)) throw new RangeError(`mixer ${mixer} does not belong to this plugin`);
    return mixer;
  }
}
