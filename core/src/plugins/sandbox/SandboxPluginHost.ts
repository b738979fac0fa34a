import type { Json, JsonObject, LogLevel, MediaKind, MessageResult, PluginMessage } from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';
import { TypedEmitter } from '../../util/TypedEmitter.ts';
import type { MediaPlane, PlaneRoute } from '../../media/MediaPlaneTypes.ts';
import type { CoreHandle, LoadedPlugin, PluginDescriptor } from '../PluginHostTypes.ts';
import type { PluginLogEntry } from '../UserPluginTypes.ts';
import { isApiOp, parseApiArgs } from './sandboxApiSchemas.ts';
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
import { mixerOps, SandboxMixers } from './SandboxMixers.ts';
import { recordingOps, SandboxRecordings } from './SandboxRecordings.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const allKinds: readonly MediaKind[] = ['audio', 'video', 'data'];
const STORE_MAX_KEYS = 1000;
const STORE_MAX_VALUE_BYTES = 64 * 1024;
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
 * JSON, and the API calls the plugin makes come back here, where they are validated and checked
 * (a plugin can only name handles attached to this version) before they touch a handle or the
 * media plane.
 */
export class SandboxPluginHost implements LoadedPlugin {
  readonly descriptor: PluginDescriptor;
  readonly hash: string;
  readonly identity: SandboxIdentity;
  readonly events: TypedEmitter<SandboxHostEvents>;
  readonly #opts: SandboxHostOptions;
  readonly #handles = new Map<number, CoreHandle>();
  /** Routes this version drew, to remove them if it faults. */
  readonly #routes = new Map<string, PlaneRoute>();
  readonly #stacks: StackMapper;
  readonly #log: Logger;
  readonly #mixers: SandboxMixers;
  readonly #recordings: SandboxRecordings;
  /** Unsubscribes from the media plane's talking events (set when the plugin has `handleTalking`). */
  readonly #offTalking: (() => void) | undefined;
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
    const files = new ConfinedFiles({ root: mediaDir });
    this.#mixers = new SandboxMixers(opts.media.audio, files, (h) => this.#handle(h), (event) => {
      if (this.identity.handlers.includes('handleMixerEvent')) void this.#contain('handleMixerEvent', [event]);
    });
    this.#recordings = new SandboxRecordings(opts.media.recorders, files, (h) => this.#handle(h));
    // Talking changes of this version's handles only (the detection itself runs in the media plane);
    // a handle that moves to the next version on reload takes its events along.
    this.#offTalking = identity.handlers.includes('handleTalking')
      ? opts.media.events.on('talking', (event) => {
          if (this.#dead || !this.#handles.has(event.handle)) return;
          void this.#contain('handleTalking', [{ handle: event.handle, mid: event.mid, talking: event.talking, level: event.level }]);
        })
      : undefined;
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
    return this.#handles.size;
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
    return [...this.#handles.keys()];
  }

  async createSession(handle: CoreHandle): Promise<void> {
    this.#handles.set(handle.id, handle);
    try {
      const info: JsonObject = handle.opaqueId === undefined ? { handle: handle.id } : { handle: handle.id, opaqueId: handle.opaqueId };
      await this.#call('createSession', [info]);
    } catch (error) {
      this.#handles.delete(handle.id);
      throw new Error(this.#describe(error));
    }
  }

  async destroySession(handleId: number): Promise<void> {
    if (!this.#handles.has(handleId)) return;
    await this.#contain('destroySession', [handleId]);
    this.#handles.delete(handleId);
    this.#forgetRoutes(handleId);
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
    if (!this.identity.handlers.includes('handleData') || !this.#handles.has(handleId)) return;
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
  adopt(handle: CoreHandle, routes: PlaneRoute[]): void {
    this.#handles.set(handle.id, handle);
    for (const route of routes) this.#routes.set(routeKey(route), route);
  }

  /** Hot reload: lets a handle go to the next version without `destroySession`; returns it and its routes. */
  release(handleId: number): { handle: CoreHandle; routes: PlaneRoute[] } | undefined {
    const handle = this.#handles.get(handleId);
    if (!handle) return undefined;
    this.#handles.delete(handleId);
    const routes = [...this.#routes.entries()].filter(([, r]) => r.from === handleId || r.to === handleId);
    for (const [key] of routes) this.#routes.delete(key);
    return { handle, routes: routes.map(([, r]) => r) };
  }

  /** How many audio mixers this version owns. */
  get mixerCount(): number {
    return this.#mixers.size;
  }

  /** Hot reload: gives up this version's mixers (still running) for the next version to adopt. */
  releaseMixers(): number[] {
    return this.#mixers.release();
  }

  /** Hot reload: takes over the previous version's mixers (their events now reach this version). */
  adoptMixers(ids: readonly number[]): void {
    this.#mixers.adopt(ids);
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
    for (const route of this.#routes.values()) this.#opts.media.removeRoute(route);
    this.#routes.clear();
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    return handles;
  }

  /** Unload: `destroy`, then the sandbox is dropped. Handles must have been detached or moved. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#handles.keys()]) await this.destroySession(id);
    if (this.identity.handlers.includes('destroy')) await this.#contain('destroy', []);
    this.#drop();
  }

  #drop(): void {
    this.#closed = true;
    this.#dead = true;
    this.#offTalking?.();
    void this.#mixers.close();
    void this.#recordings.close();
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
    this.#offTalking?.();
    void this.#mixers.close();
    void this.#recordings.close();
    this.events.emit('fault', kind, message);
  }

  #onApi(m: ApiCallMessage): void {
    const { runner, instance } = this.#opts;
    this.#execute(m.op, m.args).then(
      (value) => runner.settle(instance, m.callId, true, value),
      (error: unknown) =>
        runner.settle(instance, m.callId, false, `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`),
    );
  }

  #handle(id: number): CoreHandle {
    const handle = this.#handles.get(id);
    if (!handle || this.#dead) throw new Error(`handle ${id} is not attached to ${this.identity.name}`);
    return handle;
  }

  async #execute(op: string, rawArgs: Json[]): Promise<Json> {
    if (!isApiOp(op)) throw new TypeError(`unknown API call ${op}`);
    if (recordingOps.has(op)) {
      if (this.#dead) throw new Error('plugin instance is stopped');
      return this.#recordings.execute(op, rawArgs);
    }
    if (mixerOps.has(op)) {
      if (this.#dead) throw new Error('plugin instance is stopped');
      return this.#mixers.execute(op, rawArgs);
    }
    const media = this.#opts.media;
    switch (op) {
      case 'pushEvent': {
        const [h, event] = parseApiArgs(op, rawArgs);
        this.#handle(h).pushEvent(event);
        return null;
      }
      case 'negotiate': {
        const [h, request] = parseApiArgs(op, rawArgs);
        return (await this.#handle(h).negotiate(request)) as unknown as JsonObject;
      }
      case 'closePeerConnection': {
        const [h, reason] = parseApiArgs(op, rawArgs);
        this.#handle(h).closePeerConnection(reason ?? 'Close PC');
        return null;
      }
      case 'endHandle': {
        const [h] = parseApiArgs(op, rawArgs);
        this.#handle(h).end();
        return null;
      }
      case 'sendData': {
        const [h, text, label] = parseApiArgs(op, rawArgs);
        this.#handle(h).sendData(text, label ?? undefined);
        return null;
      }
      case 'media.addRoute':
      case 'media.removeRoute': {
        const [r] = parseApiArgs(op, rawArgs);
        this.#handle(r.from);
        this.#handle(r.to);
        const route: PlaneRoute = { from: r.from, to: r.to, kinds: r.kinds ?? allKinds, fromMid: r.fromMid, toMid: r.toMid };
        if (op === 'media.addRoute') {
          media.addRoute(route);
          this.#routes.set(routeKey(route), route);
        } else {
          media.removeRoute(route);
          this.#routes.delete(routeKey(route));
        }
        return null;
      }
      case 'media.requestKeyframe': {
        const [h] = parseApiArgs(op, rawArgs);
        this.#handle(h);
        media.requestKeyframe(h);
        return null;
      }
      case 'media.setBitrateCap': {
        const [h, bps] = parseApiArgs(op, rawArgs);
        this.#handle(h).setBitrateCap(bps);
        return null;
      }
      case 'media.setSending': {
        const [h, kind, sending] = parseApiArgs(op, rawArgs);
        this.#handle(h);
        media.setSending(h, kind, sending);
        return null;
      }
      case 'media.setSimulcastTarget': {
        const [h, mid, target] = parseApiArgs(op, rawArgs);
        this.#handle(h);
        media.setSimulcastTarget(h, mid, target);
        return null;
      }
      case 'media.detectTalking': {
        const [h, options] = parseApiArgs(op, rawArgs);
        this.#handle(h);
        media.detectTalking(h, options);
        return null;
      }
      case 'store.get': {
        const [key] = parseApiArgs(op, rawArgs);
        return this.#opts.kv.get(key) ?? null;
      }
      case 'store.set': {
        const [key, value] = parseApiArgs(op, rawArgs);
        if (JSON.stringify(value).length > STORE_MAX_VALUE_BYTES) throw new RangeError('store value too large');
        const kv = this.#opts.kv;
        if (!kv.has(key) && kv.size >= STORE_MAX_KEYS) throw new RangeError('store full');
        kv.set(key, value);
        return null;
      }
      case 'store.delete': {
        const [key] = parseApiArgs(op, rawArgs);
        this.#opts.kv.delete(key);
        return null;
      }
      default:
        throw new TypeError(`unknown API call ${op}`);
    }
  }

  #forgetRoutes(handleId: number): void {
    for (const [key, route] of this.#routes) if (route.from === handleId || route.to === handleId) this.#routes.delete(key);
  }
}

function routeKey(route: PlaneRoute): string {
  return JSON.stringify([route.from, route.to, [...route.kinds].sort(), route.fromMid ?? null, route.toMid ?? null]);
}

function loadError(error: unknown, stacks: StackMapper, prefix = ''): Error {
  if (error instanceof SandboxCallFailed) {
    const stack = stacks.map(error.info.stack);
    const out = new Error(`${prefix}${error.info.name}: ${error.info.message}${stack ? `\n${stack}` : ''}`);
    return out;
  }
  return error instanceof Error ? error : new Error(String(error));
}
