import { randomBytes } from 'node:crypto';
import type { DefinedPlugin } from '@cardea/plugin-sdk';
import type { CardeaConfig } from './config/configSchema.ts';
import type { Logger } from './util/logger.ts';
import { AdminApi } from './api/AdminApi.ts';
import { JanusApi } from './api/JanusApi.ts';
import { serverInfo } from './api/serverInfo.ts';
import { WeriftMediaPlane } from './media/WeriftMediaPlane.ts';
import type { MediaPlane } from './media/MediaPlaneTypes.ts';
import { InProcessPluginHost } from './plugins/InProcessPluginHost.ts';
import type { LoadedPlugin } from './plugins/PluginHostTypes.ts';
import { HttpTransport } from './transports/HttpTransport.ts';
import { demoFiles } from './transports/StaticFiles.ts';
import { WebSocketTransport } from './transports/WebSocketTransport.ts';
import { applyWeriftPatches } from './webrtc/weriftPatches.ts';
import { webRtcOptionsFromConfig } from './webrtc/WebRtcOptions.ts';
import { builtinPlugins } from './builtinPlugins.ts';

/** Bound ports (0 when the listener is disabled). */
export interface GatewayPorts {
  websocket: number;
  http: number;
  admin: number;
}

export interface GatewayOptions {
  config: CardeaConfig;
  log: Logger;
  /** Plugins to load in-process (default: the built-ins). */
  plugins?: readonly DefinedPlugin[];
}

/**
 * A running Cardea gateway: plugins, the Janus API state machine, the media plane, and the
 * WebSocket, HTTP and Admin listeners. Parents create children; `close()` cascades down.
 */
export class Gateway {
  readonly api: JanusApi;
  readonly media: MediaPlane;
  readonly ports: GatewayPorts;
  /** The Admin API secret in force (configured, or generated at start). */
  readonly adminSecret: string;
  /** True when the admin secret was generated because none was configured. */
  readonly adminSecretGenerated: boolean;
  readonly #plugins: Map<string, LoadedPlugin>;
  readonly #closers: Array<() => Promise<void>>;
  #closed = false;

  private constructor(init: {
    api: JanusApi;
    media: MediaPlane;
    ports: GatewayPorts;
    adminSecret: string;
    adminSecretGenerated: boolean;
    plugins: Map<string, LoadedPlugin>;
    closers: Array<() => Promise<void>>;
  }) {
    this.api = init.api;
    this.media = init.media;
    this.ports = init.ports;
    this.adminSecret = init.adminSecret;
    this.adminSecretGenerated = init.adminSecretGenerated;
    this.#plugins = init.plugins;
    this.#closers = init.closers;
  }

  /** Starts a gateway; on failure everything started so far is closed again. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    applyWeriftPatches();
    const { config, log } = options;
    const closers: Array<() => Promise<void>> = [];
    const closeAll = async (): Promise<void> => {
      for (const close of closers.splice(0).reverse()) await close();
    };
    try {
      const media = new WeriftMediaPlane();
      closers.push(async () => media.close());
      const plugins = new Map<string, LoadedPlugin>();
      for (const definition of options.plugins ?? builtinPlugins) {
        const host = await InProcessPluginHost.load(definition, media, log);
        plugins.set(definition.name, host);
        closers.push(() => host.close());
      }
      const api = new JanusApi({
        config,
        webrtc: webRtcOptionsFromConfig(config),
        media,
        log,
        plugin: (name) => plugins.get(name),
        plugins: () => [...plugins.values()],
      });
      closers.push(() => api.close());
      const ports: GatewayPorts = { websocket: 0, http: 0, admin: 0 };
      const t = config.transports;
      if (t.websocket.enabled) {
        const ws = new WebSocketTransport({ ip: t.websocket.ip, port: t.websocket.port, protocol: 'janus-protocol', maxPayload: t.websocket.maxPayload }, api, log);
        closers.push(() => ws.close());
        ports.websocket = await ws.listen();
      }
      if (t.http.enabled) {
        const http = new HttpTransport(
          {
            ip: t.http.ip,
            port: t.http.port,
            basePath: t.http.basePath,
            longPollTimeoutMs: t.http.longPollTimeout * 1000,
            allowOrigin: t.http.allowOrigin,
            maxBody: t.http.maxBody,
            maxQueuedEvents: config.general.maxQueuedEvents,
            ...(config.demo.enabled ? { files: demoFiles() } : {}),
          },
          api,
          log,
        );
        closers.push(() => http.close());
        ports.http = await http.listen();
      }
      const adminSecretGenerated = config.general.adminSecret === undefined;
      const adminSecret = config.general.adminSecret ?? randomBytes(18).toString('base64url');
      if (t.admin.enabled) {
        const admin = new AdminApi({
          api,
          media,
          log,
          adminSecret,
          plugin: (name) => plugins.get(name),
          plugins: () => [...plugins.values()],
          serverInfo: () => serverInfo(config, [...plugins.values()].map((p) => p.descriptor), api.acceptingNewSessions),
        });
        const adminHttp = new HttpTransport(
          { ip: t.admin.ip, port: t.admin.port, basePath: t.admin.basePath, longPollTimeoutMs: 1000, allowOrigin: undefined, maxBody: t.http.maxBody, maxQueuedEvents: 1 },
          admin,
          log,
        );
        closers.push(() => adminHttp.close());
        ports.admin = await adminHttp.listen();
        const server = adminHttp.server;
        if (server) {
          const adminWs = new WebSocketTransport({ ip: t.admin.ip, port: ports.admin, protocol: 'janus-admin-protocol', maxPayload: t.websocket.maxPayload, server }, admin, log);
          closers.unshift(() => adminWs.close());
          await adminWs.listen();
        }
      }
      return new Gateway({ api, media, ports, adminSecret, adminSecretGenerated, plugins, closers });
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  /** The loaded plugins. */
  get plugins(): LoadedPlugin[] {
    return [...this.#plugins.values()];
  }

  /** Stops listening, destroys every session, unloads plugins. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of this.#closers.splice(0).reverse()) await close();
  }
}
