import type {
  JsonObject,
  LayerSwitchEvent,
  MediaKind,
  MediaRoute,
  MixerEvent,
  PluginApi,
  PluginLogger,
  PluginMedia,
  TalkingEvent,
} from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';
import type { MediaPlane, PlaneRoute } from '../../media/MediaPlaneTypes.ts';
import type { CoreHandle } from '../PluginHostTypes.ts';
import { PluginUnloadedError } from './capabilityErrors.ts';
import { HostTimers } from './HostTimers.ts';
import { kvStore, type StoreLimits } from './kvStore.ts';
import { PluginHandles } from './PluginHandles.ts';
import type { PluginFiles } from './PluginFiles.ts';
import { PluginMixers } from './PluginMixers.ts';
import { PluginRtpEndpoints } from './PluginRtpEndpoints.ts';

const allKinds: readonly MediaKind[] = ['audio', 'video', 'data'];

/** How much of each resource one plugin may hold at once. */
export interface CapabilityLimits extends StoreLimits {
  /** Audio mixers (default unlimited). */
  mixers?: number;
  /** `.mjr` recordings (default unlimited). */
  recordings?: number;
  /** RTP forwarders of incoming streams (default unlimited). */
  forwarders?: number;
  /** Host timers (default 10,000). */
  timers?: number;
}

/** What a hot reload moves from one version to the next with a live handle. */
export interface ReleasedHandle {
  handle: CoreHandle;
  /** Routes from or to the handle. */
  routes: PlaneRoute[];
  /** RTP forwarders of the handle's streams, still forwarding. */
  forwarders: number[];
  /** Recordings of the handle's streams, still recording. */
  recordings: number[];
}

/** The media-plane events a plugin asked for (each one is subscribed only when given). */
export interface CapabilityEvents {
  talking?: (event: TalkingEvent) => void;
  layer?: (event: LayerSwitchEvent) => void;
  mixer?: (event: MixerEvent) => void;
}

export interface PluginCapabilitiesOptions {
  /** The plugin's name, in error messages. */
  name: string;
  media: MediaPlane;
  /** The plugin's logger (its lines are tagged with the plugin already). */
  log: Logger;
  /** The key-value store (default: a new one; a user plugin's versions share theirs). */
  kv?: Map<string, JsonObject>;
  limits?: CapabilityLimits;
  events?: CapabilityEvents;
  /** How files the plugin names are opened (default: as given, for trusted built-ins; see {@link PluginFiles}). */
  files?: PluginFiles;
}

/**
 * The one implementation of the plugin API ({@link PluginApi}) over the core: every call a plugin
 * makes is checked here, whichever host runs it. A plugin names only handles attached to it (a
 * handle that just left is ignored: see {@link PluginHandles}), only mixers, forwarders and
 * recordings it created, holds at most what its limits allow, and gets only the events of its own
 * handles and mixers. The in-process host hands {@link api} to built-ins as is; the sandbox host
 * maps its wire operations onto the same object (`sandbox/sandboxApiTable.ts`), after its policy.
 *
 * Everything the plugin made is released by {@link close}: timers, mixers, forwarders, recordings.
 */
export class PluginCapabilities {
  readonly api: PluginApi;
  readonly handles: PluginHandles;
  readonly #media: MediaPlane;
  readonly #limits: CapabilityLimits;
  readonly #files: PluginFiles | undefined;
  readonly #timers: HostTimers;
  readonly #mixers: PluginMixers;
  /** RTP endpoints (negative ids, usable in routes like handles). */
  readonly #rtpEndpoints: PluginRtpEndpoints;
  /** Routes drawn, by key: removed when the plugin stops abruptly, handed over on hot reload. */
  readonly #routes = new Map<string, PlaneRoute>();
  readonly #forwarders = new Set<number>();
  readonly #recordings = new Set<number>();
  readonly #offMedia: Array<() => void> = [];
  #closed = false;

  constructor(opts: PluginCapabilitiesOptions) {
    const limits = opts.limits ?? {};
    this.#media = opts.media;
    this.#limits = limits;
    this.#files = opts.files;
    this.handles = new PluginHandles(opts.name);
    this.#timers = new HostTimers(opts.log, limits.timers ?? 10_000);
    this.#mixers = new PluginMixers(opts.name, opts.media.audio, this.handles, limits.mixers ?? Infinity, opts.log, opts.events?.mixer, opts.files);
    this.#rtpEndpoints = new PluginRtpEndpoints(opts.media, opts.name);
    const { talking, layer } = opts.events ?? {};
    if (talking) this.#offMedia.push(opts.media.events.on('talking', (e) => this.handles.has(e.handle) && talking(e)));
    if (layer) this.#offMedia.push(opts.media.events.on('layer', (e) => this.handles.has(e.handle) && layer(e)));
    this.api = Object.freeze({
      log: pluginLogger(opts.log),
      timers: this.#timers.api(),
      store: kvStore(opts.kv ?? new Map<string, JsonObject>(), limits),
      media: Object.freeze(this.#mediaMembers()),
      pushEvent: async (handle, event) => this.handles.live(handle)?.pushEvent(event),
      negotiate: async (handle, request) => this.handles.require(handle).negotiate(request),
      closePeerConnection: async (handle, reason) => this.handles.live(handle)?.closePeerConnection(reason ?? 'Close PC'),
      endHandle: async (handle) => this.handles.live(handle)?.end(),
      sendData: async (handle, text, label) => this.handles.live(handle)?.sendData(text, label),
    } satisfies PluginApi);
  }

  /** Audio mixers owned now. */
  get mixerCount(): number {
    return this.#mixers.size;
  }

  /** A handle attached. */
  attach(handle: CoreHandle): void {
    this.handles.attach(handle);
  }

  /**
   * Hot reload: takes over a handle released by the previous version, with its routes, forwarders
   * and recordings (still running: a reload never touches media). The caps are not applied: these
   * were the plugin's already.
   */
  adopt(released: ReleasedHandle): void {
    this.handles.attach(released.handle);
    for (const route of released.routes) this.#routes.set(routeKey(route), route);
    for (const id of released.forwarders) this.#forwarders.add(id);
    for (const id of released.recordings) this.#recordings.add(id);
  }

  /** A handle detached: later calls naming it are ignored; the media plane forgets its routes. */
  detach(handleId: number): void {
    this.handles.depart(handleId);
    for (const [key, route] of this.#routes) if (route.from === handleId || route.to === handleId) this.#routes.delete(key);
  }

  /**
   * Hot reload: a handle moves to the next version with its routes, forwarders and recordings
   * (this one treats it as departed from now on, and no longer owns them).
   */
  release(handleId: number): ReleasedHandle | undefined {
    const handle = this.handles.depart(handleId);
    if (!handle) return undefined;
    const routes: PlaneRoute[] = [];
    for (const [key, route] of this.#routes) {
      if (route.from !== handleId && route.to !== handleId) continue;
      routes.push(route);
      this.#routes.delete(key);
    }
    const ofHandle = new Set(this.#media.listRtpForwarders(handleId).map((f) => f.id));
    const forwarders = [...this.#forwarders].filter((id) => ofHandle.has(id));
    for (const id of forwarders) this.#forwarders.delete(id);
    const recordings = [...this.#recordings].filter((id) => this.#media.recorders.info(id)?.handle === handleId);
    for (const id of recordings) this.#recordings.delete(id);
    return { handle, routes, forwarders, recordings };
  }

  /** The plugin stopped abruptly: its routes are removed and its handles returned for the owner to end. */
  takeHandles(): CoreHandle[] {
    for (const route of this.#routes.values()) this.#media.removeRoute(route);
    this.#routes.clear();
    return this.handles.departAll();
  }

  /** Hot reload: gives up the mixers (still running) for the next version. */
  releaseMixers(): number[] {
    return this.#mixers.release();
  }

  /** Hot reload: takes over the previous version's mixers. */
  adoptMixers(ids: readonly number[]): void {
    this.#mixers.adopt(ids);
  }

  /** Hot reload: gives up the RTP endpoints (still open, routes intact) for the next version. */
  releaseRtpEndpoints(): number[] {
    return this.#rtpEndpoints.release();
  }

  /** Hot reload: takes over the previous version's RTP endpoints. */
  adoptRtpEndpoints(ids: readonly number[]): void {
    this.#rtpEndpoints.adopt(ids);
  }

  /** Releases everything the plugin made: timers, events, mixers, endpoints, forwarders, recordings. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.close();
    for (const off of this.#offMedia.splice(0)) off();
    await this.#mixers.close();
    this.#rtpEndpoints.close();
    for (const id of this.#forwarders) this.#media.stopRtpForward(id);
    this.#forwarders.clear();
    const recordings = [...this.#recordings];
    this.#recordings.clear();
    await Promise.all(recordings.map((id) => this.#media.recorders.stop(id)));
  }

  #mediaMembers(): PluginMedia {
    const media = this.#media;
    const handles = this.handles;
    const endpoints = this.#rtpEndpoints;
    /**
     * Runs `work` when every named handle or RTP endpoint (negative id) is live; a departed handle
     * or closed endpoint makes the call a no-op.
     */
    const onLive = async (ids: readonly number[], work: () => void): Promise<void> => {
      let live = true;
      // Every id is checked: a foreign one throws.
      for (const id of ids) if (!(id < 0 ? endpoints.live(id) : handles.live(id))) live = false;
      if (live) work();
    };
    return {
      addRoute: (route) =>
        onLive([route.from, route.to], () => {
          const planeRoute = toPlaneRoute(route);
          media.addRoute(planeRoute);
          this.#routes.set(routeKey(planeRoute), planeRoute);
        }),
      removeRoute: (route) =>
        onLive([route.from, route.to], () => {
          const planeRoute = toPlaneRoute(route);
          media.removeRoute(planeRoute);
          this.#routes.delete(routeKey(planeRoute));
        }),
      requestKeyframe: (handle) => onLive([handle], () => media.requestKeyframe(handle)),
      setBitrateCap: async (handle, bps) => handles.live(handle)?.setBitrateCap(bps),
      setSending: (handle, kind, sending) => onLive([handle], () => media.setSending(handle, kind, sending)),
      setSimulcastTarget: (handle, mid, target) => onLive([handle], () => media.setSimulcastTarget(handle, mid, target)),
      detectTalking: (handle, options) => onLive([handle], () => media.detectTalking(handle, options)),
      forwardRtp: async (handle, forward) => {
        this.#alive();
        handles.require(handle);
        if (this.#forwarders.size >= (this.#limits.forwarders ?? Infinity)) {
          // Forwarders the core stopped (their handle went) no longer count.
          const live = new Set(media.listRtpForwarders().map((f) => f.id));
          for (const id of this.#forwarders) if (!live.has(id)) this.#forwarders.delete(id);
          if (this.#forwarders.size >= (this.#limits.forwarders ?? Infinity))
            throw new RangeError(`at most ${this.#limits.forwarders} RTP forwarders per plugin`);
        }
        const id = media.forwardRtp(handle, forward);
        this.#forwarders.add(id);
        return id;
      },
      stopRtpForward: async (id) => {
        if (this.#forwarders.delete(id)) media.stopRtpForward(id);
      },
      startRecording: async (handle, options) => {
        this.#alive();
        handles.require(handle);
        // Recordings the core stopped (their handle went) no longer count.
        for (const id of this.#recordings) if (media.recorders.info(id) === undefined) this.#recordings.delete(id);
        const max = this.#limits.recordings ?? Infinity;
        if (this.#recordings.size >= max) throw new RangeError(`at most ${max} recordings per plugin`);
        const files = this.#files;
        const id = files
          ? await media.recorders.start(handle, { ...options, file: files.resolve(options.file).full }, () => files.openWritable(options.file))
          : await media.recorders.start(handle, options);
        if (!handles.has(handle) || this.#closed) {
          // The handle went (or the plugin unloaded) while the file was being opened: nothing to record.
          await media.recorders.stop(id);
          handles.require(handle);
          throw new PluginUnloadedError('plugin unloaded');
        }
        this.#recordings.add(id);
        return id;
      },
      stopRecording: async (id) => (this.#recordings.delete(id) ? media.recorders.stop(id) : undefined),
      ...this.#mixers.members(),
      ...endpoints.api(),
    };
  }

  #alive(): void {
    if (this.#closed) throw new PluginUnloadedError('plugin unloaded');
  }
}

function pluginLogger(log: Logger): PluginLogger {
  const fields = (f?: JsonObject): JsonObject => f ?? {};
  return Object.freeze({
    debug: (m: string, f?: JsonObject) => log.debug(fields(f), m),
    info: (m: string, f?: JsonObject) => log.info(fields(f), m),
    warn: (m: string, f?: JsonObject) => log.warn(fields(f), m),
    error: (m: string, f?: JsonObject) => log.error(fields(f), m),
  });
}

function toPlaneRoute(route: MediaRoute): PlaneRoute {
  return { from: route.from, to: route.to, kinds: route.kinds ?? allKinds, fromMid: route.fromMid, toMid: route.toMid };
}

function routeKey(route: PlaneRoute): string {
  return JSON.stringify([route.from, route.to, [...route.kinds].sort(), route.fromMid ?? null, route.toMid ?? null]);
}
