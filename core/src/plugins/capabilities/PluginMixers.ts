import type { MixerEvent, PluginMedia } from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';
import type { AudioMixers } from '../../media/audio/AudioMixers.ts';
import { ForeignMixerError, PluginUnloadedError } from './capabilityErrors.ts';
import type { PluginHandles } from './PluginHandles.ts';
import type { PluginFiles } from './PluginFiles.ts';
import { closeFdQuietly } from '../../util/closeFd.ts';

/** The mixer members of {@link PluginMedia}. */
export type MixerMembers = Pick<
  PluginMedia,
  | 'createMixer'
  | 'destroyMixer'
  | 'addToMixer'
  | 'updateMixerParticipant'
  | 'removeFromMixer'
  | 'resetMixerDecoder'
  | 'playFile'
  | 'stopFile'
  | 'recordMixer'
  | 'mixerStats'
  | 'forwardMixer'
  | 'stopMixerForward'
>;

/**
 * The audio mixers one plugin owns: it names only mixers it created (at most `max`) and handles
 * attached to it. Mixers are destroyed when the plugin closes, unless a hot reload handed them to
 * the next version first (release → adopt): then their participants, forwarders, recordings and
 * files keep running untouched, as the handles' PeerConnections do.
 */
export class PluginMixers {
  readonly #owner: string;
  readonly #files: PluginFiles | undefined;
  readonly #audio: AudioMixers;
  readonly #handles: PluginHandles;
  readonly #max: number;
  readonly #mine = new Set<number>();
  readonly #off: () => void;
  #closed = false;

  /** `onEvent` receives the events of this plugin's mixers (omit it to receive none). */
  constructor(
    owner: string,
    audio: AudioMixers,
    handles: PluginHandles,
    max: number,
    log: Logger,
    onEvent?: (event: MixerEvent) => void,
    files?: PluginFiles,
  ) {
    this.#owner = owner;
    this.#files = files;
    this.#audio = audio;
    this.#handles = handles;
    this.#max = max;
    const offEvent = onEvent
      ? audio.events.on('event', (event) => {
          if (this.#mine.has(event.mixer)) onEvent(event);
        })
      : () => undefined;
    const offError = audio.events.on('error', (error, mixer) => {
      if (this.#mine.has(mixer)) log.error({ err: error, mixer }, 'mixer tick threw');
    });
    this.#off = () => {
      offEvent();
      offError();
    };
  }

  get size(): number {
    return this.#mine.size;
  }

  members(): MixerMembers {
    const audio = this.#audio;
    const own = (id: number): number => {
      if (!this.#mine.has(id)) throw new ForeignMixerError(`mixer ${id} does not belong to ${this.#owner}`);
      return id;
    };
    /** Runs `work` for a live handle in an own mixer; a departed handle is ignored (see PluginHandles). */
    const participant = async (handle: number, mixer: number, work: () => unknown): Promise<void> => {
      own(mixer);
      if (this.#handles.live(handle)) await work();
    };
    return {
      createMixer: async (options) => {
        if (this.#closed) throw new PluginUnloadedError('plugin unloaded');
        if (this.#mine.size >= this.#max) throw new RangeError(`at most ${this.#max} mixers per plugin`);
        const id = await audio.create(options ?? {});
        if (this.#closed) {
          await audio.destroy(id);
          throw new PluginUnloadedError('plugin unloaded');
        }
        this.#mine.add(id);
        return id;
      },
      destroyMixer: async (mixer) => {
        if (this.#mine.delete(mixer)) await audio.destroy(mixer);
      },
      addToMixer: (handle, mixer, options) => participant(handle, mixer, () => audio.add(handle, mixer, options ?? {})),
      updateMixerParticipant: (handle, mixer, options) => participant(handle, mixer, () => audio.update(handle, mixer, options)),
      removeFromMixer: (handle, mixer) => participant(handle, mixer, () => audio.remove(handle, mixer)),
      resetMixerDecoder: (handle, mixer) => participant(handle, mixer, () => audio.resetDecoder(handle, mixer)),
      playFile: async (mixer, path, options) => {
        own(mixer);
        if (!this.#files) return audio.playFile(mixer, path, options?.loop ?? false);
        const { bytes, full } = await this.#files.readFile(path);
        return audio.playFile(own(mixer), full, options?.loop ?? false, bytes);
      },
      stopFile: async (mixer, fileId) => audio.stopFile(own(mixer), fileId),
      recordMixer: async (mixer, path) => {
        own(mixer);
        if (!this.#files || path === null) return audio.record(mixer, path);
        // The mixer (maybe in the mixer worker: descriptors are per process) takes the descriptor
        // over and closes it with the recording, or at once when it cannot use it.
        const { fd, full } = await this.#files.openForWrite(path);
        if (!this.#mine.has(mixer)) closeFdQuietly(fd); // destroyed while the file was opened
        return audio.record(own(mixer), full, fd);
      },
      mixerStats: async (mixer) => audio.stats(own(mixer)),
      forwardMixer: async (mixer, forward) => audio.forward(own(mixer), forward),
      stopMixerForward: async (mixer, id) => audio.stopForward(own(mixer), id),
    };
  }

  /** Hot reload: gives up every mixer without destroying it; returns their ids for the next version. */
  release(): number[] {
    const ids = [...this.#mine];
    this.#mine.clear();
    return ids;
  }

  /**
   * Hot reload: takes over mixers released by the previous version. Mixers that no longer exist are
   * skipped; the cap is not applied (the ids were the plugin's already).
   */
  adopt(ids: readonly number[]): void {
    const live = new Set(this.#audio.ids());
    for (const id of ids) if (live.has(id)) this.#mine.add(id);
  }

  /** Destroys every mixer still owned. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#off();
    const ids = [...this.#mine];
    this.#mine.clear();
    for (const id of ids) await this.#audio.destroy(id);
  }
}
