import type { DefinedPlugin } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import { TypedEmitter } from '../util/TypedEmitter.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import { InProcessPluginHost } from './InProcessPluginHost.ts';
import { contentHash, PluginArtifactStore, type PluginArtifact } from './PluginArtifactStore.ts';
import type { LoadedPlugin } from './PluginHostTypes.ts';
import { readBuiltinFiles, type BuiltinSource } from './BuiltinSource.ts';
import { compilePlugin } from './sandbox/compilePlugin.ts';
import { languageOf } from './sandbox/pluginFileSet.ts';
import type { SandboxLimits } from './sandbox/SandboxProtocol.ts';
import { UserPlugin } from './UserPlugin.ts';
import type { BuiltinPluginSource, PluginSource } from '@cardea/admin-types';
import type { DeployOutcome, DeployRequest, PluginListing, PluginLogEntry, PluginStreamEvent } from './UserPluginTypes.ts';

/** A plugin-management request that cannot be done (the Admin API answers it with an error). */
export class PluginManagementError extends Error {
  override name = 'PluginManagementError';
}

export interface PluginRegistryOptions {
  media: MediaPlane;
  log: Logger;
  /** Directory of deployed user plugins. */
  dir: string;
  limits: SandboxLimits;
  callTimeoutMs: number;
  /** Where the built-ins' sources are (for `get_builtin_source`). Default: none known. */
  builtinSources?: readonly BuiltinSource[];
}

/** How to run the built-ins sandboxed (`plugins.builtinHost: "sandbox"`). */
export interface SandboxedBuiltins {
  /** Where each built-in's source files are; every built-in needs one. */
  sources: readonly BuiltinSource[];
  /** The built-ins' sandbox limits (`plugins.builtinSandbox`). */
  limits: SandboxLimits;
  callTimeoutMs: number;
  /** Directory the built-ins' played and recorded files resolve in (`plugins.builtinSandbox.mediaDir`). */
  mediaDir: string;
}

export type PluginRegistryEvents = {
  /** Logs, faults and deploys of user plugins, for the admin event stream. */
  stream: [event: PluginStreamEvent];
};

/** Names a user plugin may take: Janus-style package names. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Every loaded plugin: the trusted built-ins (in-process) and the user plugins (sandboxed), under
 * one lookup by name. Deploys, reloads, rollbacks and unloads of user plugins go through here,
 * one at a time per gateway, and are persisted by content hash so they survive a restart.
 */
export class PluginRegistry {
  readonly events: TypedEmitter<PluginRegistryEvents>;
  readonly #opts: PluginRegistryOptions;
  /** Built-ins by name: in-process, or sandboxed from their sources (never deployed, unloaded or stored). */
  readonly #builtins = new Map<string, InProcessPluginHost | UserPlugin>();
  readonly #user = new Map<string, UserPlugin>();
  readonly #store: PluginArtifactStore;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: PluginRegistryOptions) {
    this.#opts = options;
    this.#store = new PluginArtifactStore(options.dir);
    this.events = new TypedEmitter<PluginRegistryEvents>((error) => options.log.error({ err: error }, 'plugin registry listener threw'));
  }

  /**
   * Loads the built-ins: in-process, or with `sandboxed` each one bundled from its source files and
   * run in its own sandbox under the same name (rejects when a built-in has no source or does not load).
   */
  async loadBuiltins(plugins: readonly DefinedPlugin[], sandboxed?: SandboxedBuiltins): Promise<void> {
    for (const definition of plugins) {
      if (!sandboxed) {
        this.#builtins.set(definition.name, await InProcessPluginHost.load(definition, this.#opts.media, this.#opts.log));
        continue;
      }
      const source = sandboxed.sources.find((s) => s.name === definition.name);
      if (!source) throw new PluginManagementError(`builtinHost "sandbox": no source files given for built-in '${definition.name}'`);
      this.#builtins.set(definition.name, await this.#loadSandboxedBuiltin(source, sandboxed));
    }
  }

  async #loadSandboxedBuiltin(source: BuiltinSource, sandboxed: SandboxedBuiltins): Promise<UserPlugin> {
    const startedAt = performance.now();
    const upload = await readBuiltinFiles(source);
    const compiled = await compilePlugin({ name: source.name, ...upload });
    const artifact: PluginArtifact = { hash: contentHash(compiled.code), name: source.name, ...compiled, language: languageOf(upload.entry) };
    const plugin = new UserPlugin(source.name, {
      media: this.#opts.media,
      log: this.#opts.log,
      limits: sandboxed.limits,
      callTimeoutMs: sandboxed.callTimeoutMs,
      mediaDir: sandboxed.mediaDir,
    });
    try {
      await plugin.activate(artifact, startedAt);
    } catch (error) {
      await plugin.close();
      throw new PluginManagementError(`built-in '${source.name}' did not load in the sandbox: ${(error as Error).message}`);
    }
    const fileCount = Object.keys(upload.files).length;
    this.#opts.log.info({ plugin: source.name, files: fileCount, ms: Math.round(performance.now() - startedAt) }, 'built-in loaded in the sandbox');
    return plugin;
  }

  /** Loads the user plugins deployed before the last stop; a plugin that fails to load is logged and skipped. */
  async restore(): Promise<void> {
    const current = await this.#store.current();
    for (const [name, hash] of current) {
      try {
        await this.#activate(name, await this.#store.read(hash), performance.now());
      } catch (error) {
        this.#opts.log.error({ err: error, plugin: name, hash }, 'stored user plugin failed to load');
      }
    }
  }

  /** The plugin clients attach to by `name`. */
  get(name: string): LoadedPlugin | undefined {
    return this.#builtins.get(name) ?? this.#user.get(name);
  }

  all(): LoadedPlugin[] {
    return [...this.#builtins.values(), ...this.#user.values()];
  }

  /** Rows of `list_plugins`. */
  list(): PluginListing[] {
    const rows: PluginListing[] = [];
    for (const host of this.#builtins.values()) {
      if (host instanceof UserPlugin) {
        rows.push({ ...host.listing(), builtin: true, forkable: this.#builtinSourceOf(host.name) !== undefined });
        continue;
      }
      const d = host.descriptor;
      rows.push({
        name: d.name,
        version: d.version,
        hash: null,
        host: d.host,
        handles: host.handleCount,
        state: 'running',
        description: d.description,
        author: d.author,
        builtin: true,
        forkable: this.#builtinSourceOf(d.name) !== undefined,
      });
    }
    for (const plugin of this.#user.values()) rows.push(plugin.listing());
    return rows;
  }

  /** The source uploaded for a user plugin's current version (the studio reopens it). */
  async source(name: string): Promise<PluginSource | undefined> {
    const plugin = this.#user.get(name);
    const upload = await this.#store.upload(name);
    if (!plugin || !upload) return undefined;
    const version = plugin.descriptor.version;
    if ('files' in upload) {
      const { hash, language, files, entry } = upload;
      return { name, version, hash, language, source: files[entry] ?? '', files, entry };
    }
    return { name, version, ...upload };
  }

  /** Every source file of a built-in, when the launcher said where they are (the studio shows and forks them). */
  async builtinSource(name: string): Promise<BuiltinPluginSource | undefined> {
    const host = this.#builtins.get(name);
    const source = this.#builtinSourceOf(name);
    if (!host || !source) return undefined;
    const upload = await readBuiltinFiles(source).catch((error: unknown) => {
      throw new PluginManagementError(`cannot read the sources of ${name}: ${(error as Error).message}`);
    });
    return { name, version: host.descriptor.version, ...upload };
  }

  #builtinSourceOf(name: string): BuiltinSource | undefined {
    return this.#opts.builtinSources?.find((s) => s.name === name);
  }

  /** Compiles, validates, stores and loads (or hot-reloads) a user plugin. */
  deploy(request: DeployRequest): Promise<DeployOutcome> {
    const startedAt = performance.now();
    return this.#serial(async () => {
      this.#checkName(request.name);
      const compiled = await compilePlugin(request).catch((error: unknown) => {
        throw new PluginManagementError(`compile failed: ${(error as Error).message}`);
      });
      const language = 'files' in request ? languageOf(request.entry) : request.language;
      const artifact: PluginArtifact = { hash: contentHash(compiled.code), name: request.name, ...compiled, language };
      const existing = this.#user.get(request.name);
      if (existing?.artifact?.hash === artifact.hash && existing.state === 'running') {
        const d = existing.descriptor;
        return {
          name: request.name,
          version: d.version,
          hash: artifact.hash,
          previous: null,
          migrated: 0,
          draining: 0,
          reloadMs: performance.now() - startedAt,
          unchanged: true,
        };
      }
      // The files first (harmless if the load fails), the manifest only once the version serves.
      await this.#store.write(artifact);
      await this.#store.writeUpload(artifact.hash, request);
      const outcome = await this.#activate(request.name, artifact, startedAt);
      await this.#store.setCurrent(request.name, artifact.hash);
      this.events.emit('stream', { event: 'deployed', plugin: request.name, outcome });
      return outcome;
    });
  }

  /** Makes the previous version of a user plugin serve again. */
  rollback(name: string): Promise<DeployOutcome> {
    const startedAt = performance.now();
    return this.#serial(async () => {
      const plugin = this.#user.get(name);
      if (!plugin) throw new PluginManagementError(`no user plugin '${name}'`);
      const previous = await this.#store.previous(name);
      if (previous === undefined) throw new PluginManagementError(`plugin '${name}' has no previous version`);
      const outcome = await this.#activate(name, await this.#store.read(previous), startedAt);
      await this.#store.popCurrent(name);
      this.events.emit('stream', { event: 'rolled_back', plugin: name, outcome });
      return outcome;
    });
  }

  /** Unloads a user plugin; refuses while handles are attached unless `force`. */
  unload(name: string, force: boolean): Promise<void> {
    return this.#serial(async () => {
      if (this.#builtins.has(name)) throw new PluginManagementError(`'${name}' is a built-in plugin and cannot be unloaded`);
      const plugin = this.#user.get(name);
      if (!plugin) throw new PluginManagementError(`no user plugin '${name}'`);
      try {
        await plugin.unload(force);
      } catch (error) {
        throw new PluginManagementError((error as Error).message);
      }
      this.#user.delete(name);
      await this.#store.remove(name);
      this.events.emit('stream', { event: 'unloaded', plugin: name });
    });
  }

  /** Recent log lines and errors of a user plugin. */
  logs(name: string, limit: number): PluginLogEntry[] {
    const builtin = this.#builtins.get(name);
    if (builtin instanceof UserPlugin) return builtin.logs(limit); // a sandboxed built-in keeps its lines like a user plugin
    const plugin = this.#user.get(name);
    if (!plugin) {
      if (builtin) throw new PluginManagementError(`'${name}' is a built-in plugin: its logs are in the gateway log`);
      throw new PluginManagementError(`no user plugin '${name}'`);
    }
    return plugin.logs(limit);
  }

  /** Unloads every plugin. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    for (const plugin of this.#user.values()) await plugin.close();
    this.#user.clear();
    for (const host of this.#builtins.values()) await host.close();
  }

  async #activate(name: string, artifact: PluginArtifact, startedAt: number): Promise<DeployOutcome> {
    let plugin = this.#user.get(name);
    const created = plugin === undefined;
    plugin ??= new UserPlugin(name, {
      media: this.#opts.media,
      log: this.#opts.log,
      limits: this.#opts.limits,
      callTimeoutMs: this.#opts.callTimeoutMs,
    });
    if (created) plugin.events.on('stream', (event) => this.events.emit('stream', event));
    try {
      const outcome = await plugin.activate(artifact, startedAt);
      if (created) this.#user.set(name, plugin);
      return outcome;
    } catch (error) {
      if (created) await plugin.close();
      throw new PluginManagementError(`plugin did not load: ${(error as Error).message}`);
    }
  }

  #checkName(name: string): void {
    if (!NAME.test(name)) throw new PluginManagementError(`invalid plugin name '${name}'`);
    if (this.#builtins.has(name)) throw new PluginManagementError(`'${name}' is a built-in plugin`);
  }

  /** Runs management operations one at a time. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new PluginManagementError('gateway is stopping'));
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
