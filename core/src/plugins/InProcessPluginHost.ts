import type {
  DefinedPlugin,
  HandleId,
  JsonObject,
  MediaKind,
  MessageResult,
  PluginApi,
  PluginMedia,
  PluginMessage,
  PluginStore,
  PluginTimers,
} from '@cardea/plugin-sdk';
import { SDK_VERSION } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import type { CoreHandle, LoadedPlugin, PluginDescriptor } from './PluginHostTypes.ts';
import { PluginRtpEndpoints } from './PluginRtpEndpoints.ts';

const allKinds: readonly MediaKind[] = ['audio', 'video', 'data'];

/** A handle id the plugin named that is not attached to it. */
export class ForeignHandleError extends Error {
  override name = 'ForeignHandleError';
}

/** A mixer id the plugin named that it did not create. */
export class ForeignMixerError extends Error {
  override name = 'ForeignMixerError';
}

/** How many detached handle ids a host remembers, to tell "gone" from "never mine". */
const DEPARTED_MEMORY = 10_000;

/** Limits of the per-plugin store (keys and serialised JSON size). */
const STORE_MAX_KEYS = 1000;
const STORE_MAX_VALUE_BYTES = 64 * 1024;
/** Most timers a plugin may hold at once. */
const MAX_TIMERS = 10_000;

/**
 * Runs a trusted plugin in the gateway process: direct calls, full speed. Every handler call is
 * wrapped so that a throwing plugin answers with an error instead of breaking the core, and every
 * API call is checked (a plugin may only name its own handles).
 */
export class InProcessPluginHost implements LoadedPlugin {
  readonly descriptor: PluginDescriptor;
  readonly #plugin: DefinedPlugin;
  readonly #handles = new Map<number, CoreHandle>();
  /** Recently detached handles: calls naming them are no-ops (a race with the client, not a bug). */
  readonly #departed = new Set<number>();
  readonly #media: MediaPlane;
  readonly #log: Logger;
  readonly #api: PluginApi;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #store = new Map<string, JsonObject>();
  /** RTP forwarders this plugin created (it may only stop its own). */
  readonly #forwarders = new Set<number>();
  /** `.mjr` recordings this plugin started (it may only stop its own; stopped on unload). */
  readonly #recordings = new Set<number>();
  #offTalking: (() => void) | undefined;
  #offLayer: (() => void) | undefined;
  /** Audio mixers this plugin created (it may only use its own; destroyed on unload). */
  readonly #mixers = new Set<number>();
  /** RTP endpoints (negative ids, usable in routes): their own ownership table, PluginRtpEndpoints. */
  readonly #rtpEndpoints: PluginRtpEndpoints;
  #offMixer: (() => void) | undefined;
  #nextTimer = 1;
  #closed = false;

  private constructor(plugin: DefinedPlugin, media: MediaPlane, log: Logger) {
    this.#plugin = plugin;
    this.#media = media;
    this.#rtpEndpoints = new PluginRtpEndpoints(media, plugin.name);
    this.#log = log.child({ plugin: plugin.name });
    this.descriptor = {
      name: plugin.name,
      version: plugin.version,
      description: plugin.description ?? '',
      author: plugin.author ?? '',
      host: 'in-process',
    };
    this.#api = this.#buildApi();
  }

  /** Loads a plugin and runs its `init`. */
  static async load(plugin: DefinedPlugin, media: MediaPlane, log: Logger): Promise<InProcessPluginHost> {
    if (plugin.sdkVersion !== SDK_VERSION) {
      throw new Error(`plugin ${plugin.name} was built for SDK ${plugin.sdkVersion}, the core runs SDK ${SDK_VERSION}`);
    }
    const host = new InProcessPluginHost(plugin, media, log);
    if (plugin.handleTalking) {
      host.#offTalking = media.events.on('talking', (event) => {
        if (host.#handles.has(event.handle)) void host.#contain('handleTalking', () => plugin.handleTalking?.(event, host.#api));
      });
    }
    if (plugin.handleLayerSwitch) {
      host.#offLayer = media.events.on('layer', (event) => {
        if (host.#handles.has(event.handle)) void host.#contain('handleLayerSwitch', () => plugin.handleLayerSwitch?.(event, host.#api));
      });
    }
    const offEvent = media.audio.events.on('event', (event) => {
      if (plugin.handleMixerEvent && host.#mixers.has(event.mixer)) void host.#contain('handleMixerEvent', () => plugin.handleMixerEvent?.(event, host.#api));
    });
    const offError = media.audio.events.on('error', (error, mixer) => {
      if (host.#mixers.has(mixer)) host.#log.error({ err: error, mixer }, 'mixer tick threw');
    });
    host.#offMixer = () => {
      offEvent();
      offError();
    };
    await plugin.init?.(host.#api);
    return host;
  }

  get handleCount(): number {
    return this.#handles.size;
  }

  async createSession(handle: CoreHandle): Promise<void> {
    this.#handles.set(handle.id, handle);
    try {
      const info = handle.opaqueId === undefined ? { handle: handle.id } : { handle: handle.id, opaqueId: handle.opaqueId };
      await this.#plugin.createSession?.(info, this.#api);
    } catch (error) {
      this.#handles.delete(handle.id);
      throw error;
    }
  }

  async destroySession(handleId: number): Promise<void> {
    if (!this.#handles.has(handleId)) return;
    await this.#contain('destroySession', () => this.#plugin.destroySession?.(handleId, this.#api));
    this.#handles.delete(handleId);
    this.#departed.add(handleId);
    if (this.#departed.size > DEPARTED_MEMORY) this.#departed.delete(this.#departed.values().next().value as number);
  }

  async handleMessage(message: PluginMessage): Promise<MessageResult> {
    try {
      return await this.#plugin.handleMessage(message, this.#api);
    } catch (error) {
      this.#log.error({ err: error }, 'handleMessage threw');
      return { kind: 'error', reason: `plugin error: ${(error as Error)?.message ?? String(error)}` };
    }
  }

  async handleAdminMessage(body: JsonObject): Promise<JsonObject> {
    if (!this.#plugin.handleAdminMessage) return { error: 'plugin does not handle admin messages' };
    try {
      return await this.#plugin.handleAdminMessage(body, this.#api);
    } catch (error) {
      this.#log.error({ err: error }, 'handleAdminMessage threw');
      return { error: `plugin error: ${(error as Error)?.message ?? String(error)}` };
    }
  }

  async setupMedia(handleId: number): Promise<void> {
    await this.#contain('setupMedia', () => this.#plugin.setupMedia?.(handleId, this.#api));
  }

  async handleData(handleId: number, label: string, text: string): Promise<void> {
    if (!this.#plugin.handleData || !this.#handles.has(handleId)) return;
    await this.#contain('handleData', () => this.#plugin.handleData?.({ handle: handleId, label, text }, this.#api));
  }

  async hangupMedia(handleId: number): Promise<void> {
    await this.#contain('hangupMedia', () => this.#plugin.hangupMedia?.(handleId, this.#api));
  }

  async querySession(handleId: number): Promise<JsonObject> {
    try {
      return (await this.#plugin.querySession?.(handleId, this.#api)) ?? {};
    } catch (error) {
      this.#log.warn({ err: error }, 'querySession threw');
      return {};
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#handles.keys()]) await this.destroySession(id);
    await this.#contain('destroy', () => this.#plugin.destroy?.(this.#api));
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#offTalking?.();
    this.#offLayer?.();
    this.#offMixer?.();
    for (const id of this.#mixers) await this.#media.audio.destroy(id);
    this.#mixers.clear();
    for (const id of this.#forwarders) this.#media.stopRtpForward(id);
    this.#forwarders.clear();
    this.#rtpEndpoints.close();
    await Promise.all([...this.#recordings].map((id) => this.#media.recorders.stop(id)));
    this.#recordings.clear();
  }

  async #contain(what: string, work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#log.error({ err: error }, `${what} threw`);
    }
  }

  #handle(id: HandleId): CoreHandle {
    const handle = this.#handles.get(id);
    if (!handle) throw new ForeignHandleError(`handle ${id} is not attached to ${this.#plugin.name}`);
    return handle;
  }

  /**
   * Runs `work` on a live handle. For a handle that detached meanwhile (the client left while the
   * plugin was busy) it is a no-op, as Janus's push_event on a gone handle: the plugin goes on.
   */
  #onLive<T>(id: HandleId, fallback: T, work: (handle: CoreHandle) => T): T {
    const handle = this.#handles.get(id);
    if (handle) return work(handle);
    if (this.#departed.has(id)) return fallback;
    throw new ForeignHandleError(`handle ${id} is not attached to ${this.#plugin.name}`);
  }

  /** True for a live handle, false for a departed one; throws for a handle that was never this plugin's. */
  #live(id: HandleId): boolean {
    if (id < 0) return this.#rtpEndpoints.live(id); // an RTP endpoint id (routes, keyframes)
    return this.#onLive(id, false, () => true);
  }

  #buildApi(): PluginApi {
    const log = this.#log;
    const media = this.#media;
    const fields = (f?: JsonObject) => f ?? {};
    const timers: PluginTimers = {
      setTimeout: (callback, ms) => this.#addTimer(callback, ms, false),
      setInterval: (callback, ms) => this.#addTimer(callback, Math.max(10, ms), true),
      clear: (id) => {
        const t = this.#timers.get(id);
        if (t) clearTimeout(t);
        this.#timers.delete(id);
      },
    };
    const store: PluginStore = {
      get: async (key) => this.#store.get(key),
      set: async (key, value) => {
        if (JSON.stringify(value).length > STORE_MAX_VALUE_BYTES) throw new RangeError('store value too large');
        if (!this.#store.has(key) && this.#store.size >= STORE_MAX_KEYS) throw new RangeError('store full');
        this.#store.set(key, structuredClone(value));
      },
      delete: async (key) => {
        this.#store.delete(key);
      },
    };
    const mediaApi: PluginMedia = {
      addRoute: async (route) => {
        if (!this.#live(route.from) || !this.#live(route.to)) return;
        media.addRoute({ from: route.from, to: route.to, kinds: route.kinds ?? allKinds, fromMid: route.fromMid, toMid: route.toMid });
      },
      removeRoute: async (route) => {
        if (!this.#live(route.from) || !this.#live(route.to)) return;
        media.removeRoute({ from: route.from, to: route.to, kinds: route.kinds ?? allKinds, fromMid: route.fromMid, toMid: route.toMid });
      },
      requestKeyframe: async (handle) => {
        if (!this.#live(handle)) return;
        media.requestKeyframe(handle);
      },
      setBitrateCap: async (handle, bps) => this.#onLive(handle, undefined, (h) => h.setBitrateCap(bps)),
      setSending: async (handle, kind, sending) => {
        if (!this.#live(handle)) return;
        media.setSending(handle, kind, sending);
      },
      setSimulcastTarget: async (handle, mid, target) => {
        if (!this.#live(handle)) return;
        media.setSimulcastTarget(handle, mid, target);
      },
      detectTalking: async (handle, options) => {
        if (!this.#live(handle)) return;
        media.detectTalking(handle, options);
      },
      forwardRtp: async (handle, forward) => {
        this.#handle(handle);
        const id = media.forwardRtp(handle, forward);
        this.#forwarders.add(id);
        return id;
      },
      stopRtpForward: async (id) => {
        if (!this.#forwarders.delete(id)) return;
        media.stopRtpForward(id);
      },
      startRecording: async (handle, options) => {
        if (this.#closed) throw new Error('plugin unloaded');
        this.#handle(handle);
        // Recordings the core stopped (their handle went) no longer need remembering.
        for (const id of this.#recordings) if (media.recorders.info(id) === undefined) this.#recordings.delete(id);
        const id = await media.recorders.start(handle, options);
        if (!this.#handles.has(handle) || this.#closed) {
          // The handle went (or the plugin unloaded) while the file was being opened: nothing to record.
          await media.recorders.stop(id);
          throw new Error(`handle ${handle} went away`);
        }
        this.#recordings.add(id);
        return id;
      },
      stopRecording: async (id) => {
        if (!this.#recordings.delete(id)) return undefined;
        return media.recorders.stop(id);
      },
      ...this.#mixerApi(),
      ...this.#rtpEndpoints.api(),
    };
    const api: PluginApi = {
      log: Object.freeze({
        debug: (m: string, f?: JsonObject) => log.debug(fields(f), m),
        info: (m: string, f?: JsonObject) => log.info(fields(f), m),
        warn: (m: string, f?: JsonObject) => log.warn(fields(f), m),
        error: (m: string, f?: JsonObject) => log.error(fields(f), m),
      }),
      timers: Object.freeze(timers),
      store: Object.freeze(store),
      media: Object.freeze(mediaApi),
      pushEvent: async (handle, event) => this.#onLive(handle, undefined, (h) => h.pushEvent(event)),
      negotiate: async (handle, request) => this.#handle(handle).negotiate(request),
      closePeerConnection: async (handle, reason) => this.#onLive(handle, undefined, (h) => h.closePeerConnection(reason ?? 'Close PC')),
      endHandle: async (handle) => this.#onLive(handle, undefined, (h) => h.end()),
      sendData: async (handle, text, label) => this.#onLive(handle, undefined, (h) => h.sendData(text, label)),
    };
    return Object.freeze(api);
  }

  /** The mixer calls: a plugin may only name its own mixers and its own handles. */
  #mixerApi(): Pick<
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
  > {
    const audio = this.#media.audio;
    const own = (id: number): number => {
      if (!this.#mixers.has(id)) throw new ForeignMixerError(`mixer ${id} does not belong to ${this.#plugin.name}`);
      return id;
    };
    return {
      createMixer: async (options) => {
        if (this.#closed) throw new Error('plugin unloaded');
        const id = await audio.create(options ?? {});
        this.#mixers.add(id);
        return id;
      },
      destroyMixer: async (mixer) => {
        if (!this.#mixers.delete(mixer)) return;
        await audio.destroy(mixer);
      },
      addToMixer: async (handle, mixer, options) => {
        own(mixer);
        if (!this.#live(handle)) return;
        await audio.add(handle, mixer, options ?? {});
      },
      updateMixerParticipant: async (handle, mixer, options) => {
        own(mixer);
        if (!this.#live(handle)) return;
        audio.update(handle, mixer, options);
      },
      removeFromMixer: async (handle, mixer) => {
        own(mixer);
        if (!this.#live(handle)) return;
        audio.remove(handle, mixer);
      },
      resetMixerDecoder: async (handle, mixer) => {
        own(mixer);
        if (!this.#live(handle)) return;
        await audio.resetDecoder(handle, mixer);
      },
      playFile: async (mixer, path, options) => audio.playFile(own(mixer), path, options?.loop ?? false),
      stopFile: async (mixer, fileId) => audio.stopFile(own(mixer), fileId),
      recordMixer: async (mixer, path) => audio.record(own(mixer), path),
      mixerStats: async (mixer) => audio.stats(own(mixer)),
      forwardMixer: async (mixer, forward) => audio.forward(own(mixer), forward),
      stopMixerForward: async (mixer, id) => audio.stopForward(own(mixer), id),
    };
  }

  #addTimer(callback: () => void, ms: number, repeat: boolean): number {
    if (this.#closed) return 0;
    if (this.#timers.size >= MAX_TIMERS) throw new RangeError('too many timers');
    const id = this.#nextTimer++;
    const run = (): void => {
      if (!repeat) this.#timers.delete(id);
      try {
        callback();
      } catch (error) {
        this.#log.error({ err: error }, 'timer callback threw');
      }
    };
    this.#timers.set(id, repeat ? setInterval(run, ms) : setTimeout(run, ms));
    return id;
  }
}
