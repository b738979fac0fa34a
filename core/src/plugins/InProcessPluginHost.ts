import type { DefinedPlugin, JsonObject, MessageResult, PluginApi, PluginMessage } from '@cardea/plugin-sdk';
import { SDK_VERSION } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import { PluginCapabilities } from './capabilities/PluginCapabilities.ts';
import type { CoreHandle, LoadedPlugin, PluginDescriptor } from './PluginHostTypes.ts';

export { ForeignHandleError, ForeignMixerError } from './capabilities/capabilityErrors.ts';

/**
 * Runs a trusted plugin in the gateway process: direct calls, full speed. Every handler call is
 * wrapped so that a throwing plugin answers with an error instead of breaking the core; the API it
 * gets is the core's one implementation ({@link PluginCapabilities}), which checks every call (a
 * plugin may only name its own handles, mixers, forwarders and recordings).
 */
export class InProcessPluginHost implements LoadedPlugin {
  readonly descriptor: PluginDescriptor;
  readonly #plugin: DefinedPlugin;
  readonly #log: Logger;
  readonly #capabilities: PluginCapabilities;
  readonly #api: PluginApi;
  #closed = false;

  private constructor(plugin: DefinedPlugin, media: MediaPlane, log: Logger) {
    this.#plugin = plugin;
    this.#log = log.child({ plugin: plugin.name });
    this.descriptor = {
      name: plugin.name,
      version: plugin.version,
      description: plugin.description ?? '',
      author: plugin.author ?? '',
      host: 'in-process',
    };
    const contain = (what: 'handleTalking' | 'handleLayerSwitch' | 'handleMixerEvent', work: () => unknown): void =>
      void this.#contain(what, work);
    this.#capabilities = new PluginCapabilities({
      name: plugin.name,
      media,
      log: this.#log,
      events: {
        ...(plugin.handleTalking && { talking: (event) => contain('handleTalking', () => plugin.handleTalking?.(event, this.#api)) }),
        ...(plugin.handleLayerSwitch && {
          layer: (event) => contain('handleLayerSwitch', () => plugin.handleLayerSwitch?.(event, this.#api)),
        }),
        ...(plugin.handleMixerEvent && { mixer: (event) => contain('handleMixerEvent', () => plugin.handleMixerEvent?.(event, this.#api)) }),
      },
    });
    this.#api = this.#capabilities.api;
  }

  /** Loads a plugin and runs its `init`. */
  static async load(plugin: DefinedPlugin, media: MediaPlane, log: Logger): Promise<InProcessPluginHost> {
    if (plugin.sdkVersion !== SDK_VERSION) {
      throw new Error(`plugin ${plugin.name} was built for SDK ${plugin.sdkVersion}, the core runs SDK ${SDK_VERSION}`);
    }
    const host = new InProcessPluginHost(plugin, media, log);
    await plugin.init?.(host.#api);
    return host;
  }

  get handleCount(): number {
    return this.#capabilities.handles.size;
  }

  async createSession(handle: CoreHandle): Promise<void> {
    this.#capabilities.attach(handle);
    try {
      const info = handle.opaqueId === undefined ? { handle: handle.id } : { handle: handle.id, opaqueId: handle.opaqueId };
      await this.#plugin.createSession?.(info, this.#api);
    } catch (error) {
      this.#capabilities.detach(handle.id);
      throw error;
    }
  }

  async destroySession(handleId: number): Promise<void> {
    if (!this.#capabilities.handles.has(handleId)) return;
    await this.#contain('destroySession', () => this.#plugin.destroySession?.(handleId, this.#api));
    this.#capabilities.detach(handleId);
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
    if (!this.#plugin.handleData || !this.#capabilities.handles.has(handleId)) return;
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
    for (const id of this.#capabilities.handles.ids()) await this.destroySession(id);
    await this.#contain('destroy', () => this.#plugin.destroy?.(this.#api));
    await this.#capabilities.close();
  }

  async #contain(what: string, work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#log.error({ err: error }, `${what} threw`);
    }
  }
}
