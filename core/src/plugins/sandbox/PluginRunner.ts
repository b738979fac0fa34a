import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Json } from '@cardea/plugin-sdk';
import type { Logger } from '../../util/logger.ts';
import type { RunnerWorkerData } from './pluginRunnerWorker.ts';
import type {
  ApiCallMessage,
  FaultKind,
  FromWorker,
  LogMessage,
  SandboxErrorInfo,
  SandboxIdentity,
  SandboxLimits,
  SandboxMethod,
  ToWorker,
} from './SandboxProtocol.ts';
import { sdkModuleSource } from './sdkModule.ts';
import { wasm, type WasmModule } from './webAssembly.ts';

/** A handler call that the plugin answered with an error (or that the sandbox could not run). */
export class SandboxCallFailed extends Error {
  override name = 'SandboxCallFailed';
  readonly info: SandboxErrorInfo;

  constructor(info: SandboxErrorInfo) {
    super(`${info.name}: ${info.message}`);
    this.info = info;
  }
}

/** What the runner tells the owner of one instance. */
export interface InstanceListener {
  api(message: ApiCallMessage): void;
  log(message: LogMessage): void;
  fault(kind: FaultKind, message: string): void;
}

let quickjsModule: Promise<WasmModule> | undefined;

/** The QuickJS WebAssembly module, compiled once per process and instantiated per plugin version. */
function compiledQuickJs(): Promise<WasmModule> {
  quickjsModule ??= (async () => {
    const require = createRequire(import.meta.url);
    return wasm.compile(await readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  })();
  return quickjsModule;
}

interface Pending {
  resolve(value: Json): void;
  reject(error: Error): void;
  /** performance.now() after which the request fails. */
  deadline: number;
  timeoutMs: number;
}

/** How often pending requests are checked against their deadlines (a timer per request costs more than the call). */
const SWEEP_MS = 100;

/**
 * The main thread's side of one plugin-runner worker (one per user plugin; every version of the
 * plugin runs in it). Correlates requests and replies, routes the worker's API calls, logs and
 * faults to the instance they belong to, and respawns the worker on the next load if it died.
 */
export class PluginRunner {
  readonly #name: string;
  readonly #log: Logger;
  readonly #listeners = new Map<string, InstanceListener>();
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #starting: Promise<Worker> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;

  constructor(name: string, log: Logger) {
    this.#name = name;
    this.#log = log;
  }

  /** Loads one version into a fresh sandbox; resolves with what the plugin declared. */
  async load(
    instance: string,
    code: string,
    filename: string,
    limits: SandboxLimits,
    listener: InstanceListener,
    timeoutMs: number,
  ): Promise<SandboxIdentity> {
    const worker = await this.#ensureWorker();
    this.#listeners.set(instance, listener);
    try {
      const value = await this.#request(worker, (id) => ({ type: 'load', id, instance, code, filename, limits }), timeoutMs);
      return value as unknown as SandboxIdentity;
    } catch (error) {
      this.#listeners.delete(instance);
      throw error;
    }
  }

  /** Calls a handler of an instance; rejects with SandboxCallFailed when the plugin fails. */
  async call(instance: string, method: SandboxMethod, args: Json[], timeoutMs: number): Promise<Json> {
    const worker = this.#worker;
    if (!worker) throw new SandboxCallFailed({ name: 'SandboxFault', message: 'plugin runner is not running', stack: '' });
    return this.#request(worker, (id) => ({ type: 'call', id, instance, method, args }), timeoutMs);
  }

  /** Answers an API call the plugin made. */
  settle(instance: string, callId: number, ok: boolean, value: Json): void {
    this.#send({ type: 'settle', instance, callId, ok, value });
  }

  /** Forgets an instance (dropped, not disposed). */
  drop(instance: string): void {
    this.#listeners.delete(instance);
    this.#send({ type: 'drop', instance });
  }

  /** Instances still loaded. */
  get instances(): number {
    return this.#listeners.size;
  }

  /** Stops the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    const worker = this.#worker ?? (await this.#starting?.catch(() => undefined));
    this.#worker = undefined;
    if (worker) await worker.terminate();
    this.#rejectAll('plugin runner closed');
    clearInterval(this.#sweep);
  }

  #send(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  #request(worker: Worker, build: (id: number) => ToWorker, timeoutMs: number): Promise<Json> {
    const id = this.#nextId++;
    if (!this.#sweep) {
      this.#sweep = setInterval(() => this.#expire(), SWEEP_MS);
      this.#sweep.unref();
    }
    return new Promise<Json>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, deadline: performance.now() + timeoutMs, timeoutMs });
      worker.postMessage(build(id));
    });
  }

  #expire(): void {
    const now = performance.now();
    for (const [id, pending] of this.#pending) {
      if (now <= pending.deadline) continue;
      this.#pending.delete(id);
      pending.reject(
        new SandboxCallFailed({ name: 'TimeoutError', message: `plugin did not answer within ${pending.timeoutMs} ms`, stack: '' }),
      );
    }
  }

  async #ensureWorker(): Promise<Worker> {
    if (this.#closed) throw new Error('plugin runner closed');
    if (this.#worker) return this.#worker;
    this.#starting ??= this.#spawn();
    try {
      return await this.#starting;
    } finally {
      this.#starting = undefined;
    }
  }

  async #spawn(): Promise<Worker> {
    const [wasmModule, sdkSource] = await Promise.all([compiledQuickJs(), sdkModuleSource()]);
    const data: RunnerWorkerData = { wasmModule, sdkSource };
    const worker = new Worker(new URL('./pluginRunnerWorker.ts', import.meta.url), {
      workerData: data,
      name: `cardea-plugin:${this.#name}`,
      // The worker needs nothing of the environment; plugins could not read it anyway.
      env: {},
    });
    worker.on('message', (message: FromWorker) => this.#onMessage(message));
    worker.on('error', (error) => this.#log.error({ err: error, plugin: this.#name }, 'plugin runner failed'));
    worker.on('exit', (code) => this.#onExit(worker, code));
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'reply': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new SandboxCallFailed(message.error));
        return;
      }
      case 'api':
        this.#listeners.get(message.instance)?.api(message);
        return;
      case 'log':
        this.#listeners.get(message.instance)?.log(message);
        return;
      case 'fault': {
        const listener = this.#listeners.get(message.instance);
        this.#listeners.delete(message.instance);
        listener?.fault(message.kind, message.message);
        return;
      }
    }
  }

  #onExit(worker: Worker, code: number): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    if (this.#closed) return;
    this.#log.error({ plugin: this.#name, code }, 'plugin runner exited; its instances are stopped');
    this.#rejectAll(`plugin runner exited with code ${code}`);
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const listener of listeners) listener.fault('crash', `plugin runner exited with code ${code}`);
  }

  #rejectAll(reason: string): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new SandboxCallFailed({ name: 'SandboxFault', message: reason, stack: '' }));
    }
    this.#pending.clear();
  }
}
