import type { JsonObject, MessageResult, PluginMessage } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import { TypedEmitter } from '../util/TypedEmitter.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import type { PluginArtifact } from './PluginArtifactStore.ts';
import type { CoreHandle, LoadedPlugin, PluginDescriptor } from './PluginHostTypes.ts';
import { PluginRunner } from './sandbox/PluginRunner.ts';
import { SandboxPluginHost, type PluginKv } from './sandbox/SandboxPluginHost.ts';
import type { FaultKind, SandboxLimits } from './sandbox/SandboxProtocol.ts';
import type {
  DeployOutcome,
  PluginListing,
  PluginLogEntry,
  PluginStreamEvent,
  PluginVersionInfo,
  UserPluginState,
} from './UserPluginTypes.ts';

/** Log lines and errors kept per plugin for `plugin_logs`. */
const LOG_RING = 500;
/** A plugin that faults this often within the window is not restarted. */
const MAX_FAULTS = 3;
const FAULT_WINDOW_MS = 60_000;
/** How long a reload waits for the previous version's in-flight calls before it moves handles. */
const MIGRATION_IDLE_MS = 2000;
/** Janus-style error code of the event a handle gets when its plugin is stopped. */
const PLUGIN_STOPPED = 499;

export interface UserPluginDeps {
  media: MediaPlane;
  log: Logger;
  limits: SandboxLimits;
  callTimeoutMs: number;
  /** Directory the plugin's played and recorded files resolve in (default: the sandbox host's, per plugin). */
  mediaDir?: string | undefined;
}

export type UserPluginEvents = {
  stream: [event: PluginStreamEvent];
};

/**
 * A user plugin under one name, across its versions: the stable `LoadedPlugin` that handles
 * point at, while versions come and go behind it. New attaches go to the serving version; each
 * live handle is routed to the version that owns it. A reload moves handles to the new version
 * with their state (`exportState` → `importState`) when both versions implement it, else leaves
 * them on the old one until they detach. PeerConnections and media routes live in the core, keyed
 * by handle, so a reload never touches them.
 */
export class UserPlugin implements LoadedPlugin {
  readonly name: string;
  readonly events: TypedEmitter<UserPluginEvents>;
  readonly #deps: UserPluginDeps;
  readonly #runner: PluginRunner;
  readonly #kv: PluginKv = new Map();
  readonly #owner = new Map<number, SandboxPluginHost>();
  readonly #logs: PluginLogEntry[] = [];
  #versions: SandboxPluginHost[] = [];
  #current: SandboxPluginHost | undefined;
  #artifact: PluginArtifact | undefined;
  #state: UserPluginState = 'restarting';
  #gate: Promise<void> | undefined;
  #restarting: Promise<void> | undefined;
  #faults: number[] = [];
  #nextInstance = 1;
  #closed = false;

  constructor(name: string, deps: UserPluginDeps) {
    this.name = name;
    this.#deps = deps;
    this.#runner = new PluginRunner(name, deps.log);
    this.events = new TypedEmitter<UserPluginEvents>((error) => deps.log.error({ err: error }, 'user plugin listener threw'));
  }

  get descriptor(): PluginDescriptor {
    const identity = this.#current?.identity;
    return {
      name: this.name,
      version: identity?.version ?? '0.0.0',
      description: identity?.description ?? '',
      author: identity?.author ?? '',
      host: 'sandbox',
    };
  }

  get handleCount(): number {
    return this.#owner.size;
  }

  get state(): UserPluginState {
    return this.#state;
  }

  /** The serving version's artifact. */
  get artifact(): PluginArtifact | undefined {
    return this.#artifact;
  }

  /**
   * Loads `artifact` and makes it the serving version (a first load, a hot reload or a rollback).
   * Rejects, with nothing changed, when the new version does not load.
   */
  async activate(artifact: PluginArtifact, startedAt: number): Promise<DeployOutcome> {
    const host = await this.#load(artifact);
    const old = this.#current;
    const previous = old ? { version: old.identity.version, hash: old.hash } : null;
    this.#current = host;
    this.#artifact = artifact;
    this.#state = 'running';
    let migrated = 0;
    // Live handles and the mixers they are mixed in move together; a version whose only live
    // resources are mixers (e.g. a room created in init) hands those over as well.
    if (old && !old.dead && (old.handleCount > 0 || old.mixerCount > 0) && old.canExport && host.canImport)
      migrated = await this.#migrate(old, host);
    let draining = 0;
    if (old) {
      draining = old.handleCount;
      if (draining === 0) await this.#retire(old);
    }
    return {
      name: this.name,
      version: host.identity.version,
      hash: host.hash,
      previous,
      migrated,
      draining,
      reloadMs: performance.now() - startedAt,
      unchanged: false,
    };
  }

  /** A row of `list_plugins`, with its loaded versions. */
  listing(): PluginListing & { versions: PluginVersionInfo[] } {
    const d = this.descriptor;
    return {
      name: this.name,
      version: d.version,
      hash: this.#current?.hash ?? null,
      host: 'sandbox',
      handles: this.handleCount,
      state: this.#state,
      description: d.description,
      author: d.author,
      versions: this.#versions.map((v) => ({
        version: v.identity.version,
        hash: v.hash,
        handles: v.handleCount,
        role: v === this.#current ? 'serving' : 'draining',
      })),
    };
  }

  /** The most recent log lines and errors, oldest first. */
  logs(limit: number): PluginLogEntry[] {
    return this.#logs.slice(-limit);
  }

  /** Unload: refuses while handles are attached unless `force`, which detaches them first. */
  async unload(force: boolean): Promise<void> {
    if (this.handleCount > 0 && !force)
      throw new Error(`plugin ${this.name} has ${this.handleCount} attached handle(s); unload with force to detach them`);
    this.#state = 'unloaded';
    const handles: CoreHandle[] = [];
    for (const version of this.#versions) handles.push(...version.takeHandles());
    this.#owner.clear();
    for (const handle of handles) handle.end();
    await this.close();
  }

  // --- LoadedPlugin: every call goes to the version that owns the handle ---

  async createSession(handle: CoreHandle): Promise<void> {
    await this.#settled();
    if (this.#restarting) await this.#restarting;
    const host = this.#current;
    if (!host || this.#state !== 'running') throw new Error(`plugin ${this.name} is ${this.#state}`);
    this.#owner.set(handle.id, host);
    try {
      await host.createSession(handle);
    } catch (error) {
      this.#owner.delete(handle.id);
      throw error;
    }
  }

  async destroySession(handleId: number): Promise<void> {
    const host = await this.#ownerOf(handleId);
    if (!host) return;
    await host.destroySession(handleId);
    this.#owner.delete(handleId);
    if (host !== this.#current && host.handleCount === 0) await this.#retire(host);
  }

  async handleMessage(message: PluginMessage): Promise<MessageResult> {
    const host = await this.#ownerOf(message.handle);
    if (!host) return { kind: 'error', reason: `plugin ${this.name} is ${this.#state}` };
    return host.handleMessage(message);
  }

  async handleAdminMessage(body: JsonObject): Promise<JsonObject> {
    await this.#settled();
    return this.#current ? this.#current.handleAdminMessage(body) : { error: `plugin ${this.name} is ${this.#state}` };
  }

  async setupMedia(handleId: number): Promise<void> {
    await (await this.#ownerOf(handleId))?.setupMedia(handleId);
  }

  async hangupMedia(handleId: number): Promise<void> {
    await (await this.#ownerOf(handleId))?.hangupMedia(handleId);
  }

  /** Always present: whether a version wants data is known per version, and versions change under a handle. */
  async handleData(handleId: number, label: string, text: string): Promise<void> {
    await (await this.#ownerOf(handleId))?.handleData(handleId, label, text);
  }

  async querySession(handleId: number): Promise<JsonObject> {
    const host = await this.#ownerOf(handleId);
    return host ? host.querySession(handleId) : {};
  }

  /** Unloads every version and stops the runner worker. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#state !== 'unloaded') this.#state = 'unloaded';
    const versions = this.#versions;
    this.#versions = [];
    this.#current = undefined;
    for (const version of versions) await version.close();
    await this.#runner.close();
  }

  // --- internals ---

  async #load(artifact: PluginArtifact): Promise<SandboxPluginHost> {
    if (this.#closed) throw new Error(`plugin ${this.name} is unloaded`);
    const host = await SandboxPluginHost.load({
      runner: this.#runner,
      instance: `${this.name}#${this.#nextInstance++}`,
      code: artifact.code,
      map: artifact.map,
      filename: artifact.filename,
      hash: artifact.hash,
      expectedName: this.name,
      limits: this.#deps.limits,
      callTimeoutMs: this.#deps.callTimeoutMs,
      media: this.#deps.media,
      kv: this.#kv,
      log: this.#deps.log,
      ...(this.#deps.mediaDir !== undefined && { mediaDir: this.#deps.mediaDir }),
    });
    host.events.on('log', (entry) => this.#record(entry));
    host.events.on('fault', (kind, message) => this.#onFault(host, kind, message));
    this.#versions.push(host);
    return host;
  }

  /**
   * Moves every handle and audio mixer of `from` to `to` with the exported state; calls wait at the
   * gate meanwhile.
   */
  async #migrate(from: SandboxPluginHost, to: SandboxPluginHost): Promise<number> {
    let open: () => void = () => undefined;
    this.#gate = new Promise<void>((resolve) => (open = resolve));
    let moved = 0;
    try {
      await from.idle(MIGRATION_IDLE_MS);
      const state = await from.exportState();
      await to.importState(state);
      for (const id of from.handleIds()) {
        const released = from.release(id);
        if (!released) continue;
        to.adopt(released);
        this.#owner.set(id, to);
        moved++;
      }
      // The mixers v1 created become v2's with participants, forwarders and recordings intact (the
      // ids came over in the exported state); v1's unload then destroys only what it still owns.
      to.adoptMixers(from.releaseMixers());
      // Likewise its RTP endpoints: their sockets and routes stay as they are.
      to.adoptRtpEndpoints(from.releaseRtpEndpoints());
    } catch (error) {
      // The handles stay on the previous version, which keeps serving them until they detach.
      this.#record({
        at: new Date().toISOString(),
        level: 'error',
        message: `state handover failed, handles stay on ${from.identity.version}: ${(error as Error).message}`,
        version: to.identity.version,
      });
    } finally {
      this.#gate = undefined;
      open();
    }
    return moved;
  }

  async #retire(host: SandboxPluginHost): Promise<void> {
    this.#versions = this.#versions.filter((v) => v !== host);
    await host.close();
  }

  async #settled(): Promise<void> {
    while (this.#gate) await this.#gate;
  }

  async #ownerOf(handleId: number): Promise<SandboxPluginHost | undefined> {
    await this.#settled();
    return this.#owner.get(handleId);
  }

  #record(entry: PluginLogEntry): void {
    this.#logs.push(entry);
    if (this.#logs.length > LOG_RING) this.#logs.splice(0, this.#logs.length - LOG_RING);
    this.events.emit('stream', { event: 'log', plugin: this.name, entry });
  }

  /** A version was stopped: its handles get an error event and are detached; the plugin restarts. */
  #onFault(host: SandboxPluginHost, kind: FaultKind, message: string): void {
    const handles = host.takeHandles();
    for (const handle of handles) {
      this.#owner.delete(handle.id);
      handle.pushEvent({ data: { error_code: PLUGIN_STOPPED, error: `plugin ${this.name} was stopped: ${message}`, fault: kind } });
      handle.end();
    }
    this.#versions = this.#versions.filter((v) => v !== host);
    this.#record({
      at: new Date().toISOString(),
      level: 'error',
      message: `plugin stopped (${kind}): ${message}; ${handles.length} handle(s) detached`,
      version: host.identity.version,
    });
    this.events.emit('stream', {
      event: 'fault',
      plugin: this.name,
      version: host.identity.version,
      kind,
      message,
      handles: handles.length,
    });
    if (host !== this.#current || this.#closed) return;
    this.#current = undefined;
    const now = performance.now();
    this.#faults = [...this.#faults.filter((t) => now - t < FAULT_WINDOW_MS), now];
    const artifact = this.#artifact;
    if (!artifact || this.#faults.length > MAX_FAULTS) {
      this.#state = 'failed';
      return;
    }
    this.#state = 'restarting';
    this.#restarting = this.#load(artifact)
      .then(
        (fresh) => {
          this.#current = fresh;
          this.#state = 'running';
        },
        (error: unknown) => {
          this.#state = 'failed';
          this.#record({
            at: new Date().toISOString(),
            level: 'error',
            message: `restart failed: ${(error as Error).message}`,
            version: host.identity.version,
          });
        },
      )
      .finally(() => {
        this.#restarting = undefined;
      });
  }
}
