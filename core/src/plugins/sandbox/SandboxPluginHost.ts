import type { Json, JsonObject, LogLevel, MessageResult, PluginMessage } from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';
import { TypedEmitter } from '../../util/TypedEmitter.ts';
import type { MediaPlane } from '../../media/MediaPlaneTypes.ts';
import { PluginCapabilities, type ReleasedHandle } from '../capabilities/PluginCapabilities.ts';
import type { CoreHandle, LoadedPlugin, PluginDescriptor } from '../PluginHostTypes.ts';
import type { PluginLogEntry } from '../UserPluginTypes.ts';
import { runApiCall } from './sandboxApiTable.ts';
import { SANDBOX_LIMITS } from './sandboxPolicy.ts';
import { SandboxCallFailed, type PluginRunner } from './PluginRunner.ts';
import type {
  ApiCallMessage,
  FaultKind,
  LogMessage,
  SandboxErrorInfo,
  SandboxIdentity,
  SandboxLimits,
  SandboxMethod,
} from './SandboxProtocol.ts';
import { StackMapper } from './StackMapper.ts';
import { ConfinedFiles } from './ConfinedFiles.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Milliseconds a version may take to load and run `init`. */
const LOAD_TIMEOUT_MS = 10_000;

/** A per-plugin key-value store shared by all versions of the plugin. */
export type PluginKv = Map<string, JsonObject>;

/**
 * A handler's result as a MessageResult, or undefined when it is not one. The value is JSON already
 * (it was parsed from the worker's message), so only its shape is checked; this is the hot path.
 */
function toMessageResult(raw: Json): MessageResult | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  switch (raw.kind) {
    case 'ok':
      return typeof raw.data === 'object' && raw.data !== null && !Array.isArray(raw.data) ? { kind: 'ok', data: raw.data } : undefined;
    case 'wait':
      return typeof raw.hint === 'string'
        ? { kind: 'wait', hint: raw.hint }
        : raw.hint === undefined || raw.hint === null
          ? { kind: 'wait' }
          : undefined;
    case 'error':
      return typeof raw.reason === 'string' ? { kind: 'error', reason: raw.reason } : undefined;
    default:
      return undefined;
  }
}

/** Events of one sandboxed version, for the user plugin that owns it. */
export type SandboxHostEvents = {
  log: [entry: PluginLogEntry];
  /** The sandbox was stopped (deadline, memory cap, crash); the host is dead afterwards. */
  fault: [kind: FaultKind, message: string];
};

export interface SandboxHostOptions {
  runner: PluginRunner;
  /** Unique id of this instance in the runner. */
  instance: string;
  code: string;
  map: string;
  filename: string;
  hash: string;
  /** The name the plugin must declare. */
  expectedName: string;
  limits: SandboxLimits;
  callTimeoutMs: number;
  media: MediaPlane;
  kv: PluginKv;
  log: Logger;
  /**
   * Directory the plugin's played and recorded files resolve in (default
   * `<os tmpdir>/cardea-media/<plugin name>`); paths outside it, symlinks below it and anything
   * but regular files are refused (ConfinedFiles).
   */
  mediaDir?: string;
}

/**
 * One version of a user plugin running in a QuickJS sandbox of a plugin-runner worker. Implements
 * the same `LoadedPlugin` contract as the in-process host; handler calls cross to the worker as
 * JSON, and the API calls the plugin makes come back here, where the API table validates them and
 * maps them, under the sandbox policy, onto the core's one plugin API (PluginCapabilities: a plugin
 * names only handles attached to this version, and its own mixers, forwarders and recordings).
 */
export class SandboxPluginHost implements LoadedPlugin {
  readonly descriptor: PluginDescriptor;
  readonly hash: string;
  readonly identity: SandboxIdentity;
  readonly events: TypedEmitter<SandboxHostEvents>;
  readonly #opts: SandboxHostOptions;
  readonly #stacks: StackMapper;
  readonly #log: Logger;
  /** The plugin API this version's calls run against: ownership, limits, and what it made. */
  readonly #capabilities: PluginCapabilities;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #dead = false;
  #closed = false;

  private constructor(opts: SandboxHostOptions, identity: SandboxIdentity, events: TypedEmitter<SandboxHostEvents>, stacks: StackMapper) {
    this.#opts = opts;
    this.identity = identity;
    this.hash = opts.hash;
    this.events = events;
    this.#stacks = stacks;
    this.#log = opts.log.child({ plugin: identity.name, version: identity.version, host: 'sandbox' });
    this.descriptor = {
      name: identity.name,
      version: identity.version,
      description: identity.description,
      author: identity.author,
      host: 'sandbox',
    };
    const mediaDir = opts.mediaDir ?? join(tmpdir(), 'cardea-media', identity.name.replace(/[^\w.-]/g, '_'));
    const wants = (handler: SandboxMethod): boolean => identity.handlers.includes(handler);
    // Events of this version's handles and mixers only (detection runs in the media plane); a
    // handle that moves to the next version on reload takes its events along.
    this.#capabilities = new PluginCapabilities({
      name: identity.name,
      media: opts.media,
      log: this.#log,
      kv: opts.kv,
      limits: SANDBOX_LIMITS,
      files: new ConfinedFiles({ root: mediaDir }),
      events: {
        ...(wants('handleTalking') && {
          talking: (e) => {
            if (!this.#dead) void this.#contain('handleTalking', [{ handle: e.handle, mid: e.mid, talking: e.talking, level: e.level }]);
          },
        }),
        ...(wants('handleLayerSwitch') && {
          layer: (e) => {
            const event: JsonObject = { handle: e.handle, mid: e.mid };
            if (e.substream !== undefined) event.substream = e.substream;
            if (e.temporal !== undefined) event.temporal = e.temporal;
            if (!this.#dead) void this.#contain('handleLayerSwitch', [event]);
          },
        }),
        ...(wants('handleMixerEvent') && {
          mixer: (e) => {
            if (!this.#dead) void this.#contain('handleMixerEvent', [e]);
          },
        }),
      },
    });
  }

  /** Loads a version into a fresh sandbox and runs its `init`; rejects if it does not load. */
  static async load(opts: SandboxHostOptions): Promise<SandboxPluginHost> {
    const events = new TypedEmitter<SandboxHostEvents>((error) => opts.log.error({ err: error }, 'sandbox host listener threw'));
    const stacks = new StackMapper(opts.filename, opts.map);
    // The runner may report before the host exists (logs of the module's top level): they wait here.
    const ref: { host?: SandboxPluginHost } = {};
    const early: LogMessage[] = [];
    const listener = {
      api: (m: ApiCallMessage): void => {
        if (ref.host) ref.host.#onApi(m);
        else opts.runner.settle(opts.instance, m.callId, false, 'Error: the API is not available while the module loads');
      },
      log: (m: LogMessage): void => {
        if (ref.host) ref.host.#onLog(m);
        else early.push(m);
      },
      fault: (kind: FaultKind, message: string): void => {
        if (ref.host) ref.host.#onFault(kind, message);
      },
    };
    let identity: SandboxIdentity;
    try {
      identity = await opts.runner.load(opts.instance, opts.code, opts.filename, opts.limits, listener, LOAD_TIMEOUT_MS);
    } catch (error) {
      throw loadError(error, stacks);
    }
    const host = new SandboxPluginHost(opts, identity, events, stacks);
    ref.host = host;
    for (const m of early) host.#onLog(m);
    if (identity.name !== opts.expectedName) {
      host.#drop();
      throw new Error(`the module declares plugin '${identity.name}', not '${opts.expectedName}'`);
    }
    if (identity.handlers.includes('init')) {
      try {
        await host.#call('init', []);
      } catch (error) {
        host.#drop();
        throw loadError(error, stacks, 'init failed: ');
      }
    }
    return host;
  }

  get handleCount(): number {
    return this.#capabilities.handles.size;
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Implements `exportState` and `importState` respectively. */
  get canExport(): boolean {
    return this.identity.handlers.includes('exportState');
  }

  get canImport(): boolean {
    return this.identity.handlers.includes('importState');
  }

  /** Ids of the handles attached to this version. */
  handleIds(): number[] {
    return this.#capabilities.handles.ids();
  }

  async createSession(handle: CoreHandle): Promise<void> {
    this.#capabilities.attach(handle);
    try {
      const info: JsonObject = handle.opaqueId === undefined ? { handle: handle.id } : { handle: handle.id, opaqueId: handle.opaqueId };
      await this.#call('createSession', [info]);
    } catch (error) {
      this.#capabilities.detach(handle.id);
      throw new Error(this.#describe(error));
    }
  }

  async destroySession(handleId: number): Promise<void> {
    if (!this.#capabilities.handles.has(handleId)) return;
    await this.#contain('destroySession', [handleId]);
    this.#capabilities.detach(handleId);
  }

  async handleMessage(message: PluginMessage): Promise<MessageResult> {
    let raw: Json;
    try {
      raw = await this.#call('handleMessage', [message as unknown as JsonObject]);
    } catch (error) {
      return { kind: 'error', reason: `plugin error: ${this.#describe(error)}` };
    }
    return toMessageResult(raw) ?? { kind: 'error', reason: 'plugin error: handleMessage must return ok(), wait() or fail()' };
  }

  async handleAdminMessage(body: JsonObject): Promise<JsonObject> {
    if (!this.identity.handlers.includes('handleAdminMessage')) return { error: 'plugin does not handle admin messages' };
    try {
      const result = await this.#call('handleAdminMessage', [body]);
      return typeof result === 'object' && result !== null && !Array.isArray(result) ? result : { result };
    } catch (error) {
      return { error: `plugin error: ${this.#describe(error)}` };
    }
  }

  async setupMedia(handleId: number): Promise<void> {
    await this.#contain('setupMedia', [handleId]);
  }

  async hangupMedia(handleId: number): Promise<void> {
    await this.#contain('hangupMedia', [handleId]);
  }

  /** Data-channel text, only for plugins that implement `handleData` (others never see data cross). */
  async handleData(handleId: number, label: string, text: string): Promise<void> {
    if (!this.identity.handlers.includes('handleData') || !this.#capabilities.handles.has(handleId)) return;
    await this.#contain('handleData', [{ handle: handleId, label, text }]);
  }

  async querySession(handleId: number): Promise<JsonObject> {
    if (!this.identity.handlers.includes('querySession')) return {};
    try {
      const result = await this.#call('querySession', [handleId]);
      return typeof result === 'object' && result !== null && !Array.isArray(result) ? result : {};
    } catch (_error) {
      // query_session is informational: a failing plugin shows nothing (the error was logged).
      return {};
    }
  }

  /** Hot reload: the plugin's exported state (rejects if the plugin throws). */
  async exportState(): Promise<JsonObject> {
    const state = await this.#call('exportState', []);
    if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new Error('exportState must return a JSON object');
    return state;
  }

  /** Hot reload: hands the previous version's state to this one. */
  async importState(state: JsonObject): Promise<void> {
    await this.#call('importState', [state]);
  }

  /** Hot reload: takes over a live handle without `createSession` (its state came through importState). */
  adopt(released: ReleasedHandle): void {
    this.#capabilities.adopt(released);
  }

  /**
   * Hot reload: lets a handle go to the next version without `destroySession`; returns it with its
   * routes, RTP forwarders and recordings, which keep running. This version treats it as departed from now on (its late calls naming it are ignored).
   */
  release(handleId: number): ReleasedHandle | undefined {
    return this.#capabilities.release(handleId);
  }

  /** How many audio mixers this version owns. */
  get mixerCount(): number {
    return this.#capabilities.mixerCount;
  }

  /** Hot reload: gives up this version's mixers (still running) for the next version to adopt. */
  releaseMixers(): number[] {
    return this.#capabilities.releaseMixers();
  }

  /** Hot reload: takes over the previous version's mixers (their events now reach this version). */
  adoptMixers(ids: readonly number[]): void {
    this.#capabilities.adoptMixers(ids);
  }

  /** Hot reload: gives up this version's RTP endpoints (still open) for the next version. */
  releaseRtpEndpoints(): number[] {
    return this.#capabilities.releaseRtpEndpoints();
  }

  /** Hot reload: takes over RTP endpoints released by the previous version. */
  adoptRtpEndpoints(ids: readonly number[]): void {
    this.#capabilities.adoptRtpEndpoints(ids);
  }

  /** Resolves when no handler call is in flight (or after `timeoutMs`). */
  idle(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A faulted version's handles, for the owner to notify and detach; its routes are removed. */
  takeHandles(): CoreHandle[] {
    return this.#capabilities.takeHandles();
  }

  /** Unload: `destroy`, then the sandbox is dropped. Handles must have been detached or moved. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of this.#capabilities.handles.ids()) await this.destroySession(id);
    if (this.identity.handlers.includes('destroy')) await this.#contain('destroy', []);
    this.#drop();
  }

  #drop(): void {
    this.#closed = true;
    this.#dead = true;
    void this.#capabilities.close();
    this.#opts.runner.drop(this.#opts.instance);
  }

  async #call(method: SandboxMethod, args: Json[]): Promise<Json> {
    if (this.#dead) throw new SandboxCallFailed({ name: 'SandboxFault', message: 'plugin instance is stopped', stack: '' });
    this.#inFlight++;
    try {
      return await this.#opts.runner.call(this.#opts.instance, method, args, this.#opts.callTimeoutMs);
    } catch (error) {
      if (error instanceof SandboxCallFailed && error.info.name !== 'SandboxFault') this.#recordError(`${method} threw`, error.info);
      throw error;
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  async #contain(method: SandboxMethod, args: Json[]): Promise<void> {
    try {
      await this.#call(method, args);
    } catch (_error) {
      // Recorded by #call; a failing lifecycle hook must not break the core's teardown.
    }
  }

  #describe(error: unknown): string {
    if (error instanceof SandboxCallFailed) return error.info.message;
    return error instanceof Error ? error.message : String(error);
  }

  #recordError(message: string, info: SandboxErrorInfo): void {
    const stack = this.#stacks.map(info.stack);
    this.#emitLog('error', `${message}: ${info.name}: ${info.message}`, undefined, stack);
  }

  #onLog(m: LogMessage): void {
    if (m.error) this.#recordError(m.message, m.error);
    else this.#emitLog(m.level, m.message, m.fields, undefined);
  }

  #emitLog(level: LogLevel, message: string, fields: JsonObject | undefined, stack: string | undefined): void {
    const entry: PluginLogEntry = { at: new Date().toISOString(), level, message, version: this.identity.version };
    if (fields) entry.fields = fields;
    if (stack) entry.stack = stack;
    this.#log[level]({ ...(fields ? { fields } : {}), ...(stack ? { stack } : {}) }, message);
    this.events.emit('log', entry);
  }

  #onFault(kind: FaultKind, message: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#closed = true;
    this.#log.error({ kind }, `plugin stopped: ${message}`);
    void this.#capabilities.close();
    this.events.emit('fault', kind, message);
  }

  #onApi(m: ApiCallMessage): void {
    const { runner, instance } = this.#opts;
    const run = this.#dead
      ? Promise.reject(new Error('plugin instance is stopped'))
      : runApiCall(this.#capabilities.api, m.op, m.args);
    run.then(
      (value) => runner.settle(instance, m.callId, true, value),
      (error: unknown) =>
        runner.settle(instance, m.callId, false, `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`),
    );
  }
}

function loadError(error: unknown, stacks: StackMapper, prefix = ''): Error {
  if (error instanceof SandboxCallFailed) {
    const stack = stacks.map(error.info.stack);
    const out = new Error(`${prefix}${error.info.name}: ${error.info.message}${stack ? `\n${stack}` : ''}`);
    return out;
  }
  return error instanceof Error ? error : new Error(String(error));
}
