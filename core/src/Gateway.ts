import { randomBytes } from 'node:crypto';
import type { DefinedPlugin } from '@cardea/plugin-sdk';
import type { CardeaConfig } from './config/configSchema.ts';
import type { Logger } from './util/logger.ts';
import { AdminApi } from './api/AdminApi.ts';
import { JanusApi } from './api/JanusApi.ts';
import { serverInfo } from './api/serverInfo.ts';
import { FastMediaPlane } from './media/fast/FastMediaPlane.ts';
import { WeriftMediaPlane } from './media/WeriftMediaPlane.ts';
import type { MediaPlane } from './media/MediaPlaneTypes.ts';
import type { LoadedPlugin } from './plugins/PluginHostTypes.ts';
import { PluginRegistry } from './plugins/PluginRegistry.ts';
import type { BuiltinSource } from './plugins/BuiltinSource.ts';
import type { SandboxLimits } from './plugins/sandbox/SandboxProtocol.ts';
import { TokenStore } from './api/TokenStore.ts';
import { HttpTransport } from './transports/HttpTransport.ts';
import { demoFiles } from './transports/StaticFiles.ts';
import { WebSocketTransport } from './transports/WebSocketTransport.ts';
import { applyWeriftPatches } from './webrtc/weriftPatches.ts';
import { webRtcOptionsFromConfig } from './webrtc/WebRtcOptions.ts';
import { MdnsResolver } from './webrtc/MdnsResolver.ts';

/** Bound ports (0 when the listener is disabled). */
export interface GatewayPorts {
  websocket: number;
  http: number;
  admin: number;
}

export interface GatewayOptions {
  config: CardeaConfig;
  log: Logger;
  /**
   * Plugins to load in-process. The core names no plugin package: the caller composes (the
   * `cardea` program passes `builtinPlugins` from `@cardea/app`; `[]` starts a gateway with user
   * plugins only).
   */
  plugins: readonly DefinedPlugin[];
  /**
   * Where each of `plugins` has its source files: for the Admin API's `get_builtin_source` (the
   * studio shows and forks them), and for `plugins.builtinHost: "sandbox"` (which then needs one
   * per plugin). The caller knows (the `cardea` program passes `builtinSources` from
   * `@cardea/app`). Default none: the studio lists the built-ins without their code.
   */
  builtinSources?: readonly BuiltinSource[];
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
  /** Built-in and user plugins; deploys, reloads and unloads go through it. */
  readonly registry: PluginRegistry;
  readonly #closers: Array<() => Promise<void>>;
  #closed = false;

  private constructor(init: {
    api: JanusApi;
    media: MediaPlane;
    ports: GatewayPorts;
    adminSecret: string;
    adminSecretGenerated: boolean;
    registry: PluginRegistry;
    closers: Array<() => Promise<void>>;
  }) {
    this.api = init.api;
    this.media = init.media;
    this.ports = init.ports;
    this.adminSecret = init.adminSecret;
    this.adminSecretGenerated = init.adminSecretGenerated;
    this.registry = init.registry;
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
      const { audioMixerThread, audioMixerNice } = config.media;
      const media =
        config.media.plane === 'fast'
          ? new FastMediaPlane({ engine: config.media.srtpEngine, audioMixerThread, audioMixerNice })
          : new WeriftMediaPlane({ audioMixerThread, audioMixerNice });
      closers.push(async () => media.close());
      media.recorders.events.on('error', (id, handle, error) => log.warn({ err: error, recording: id, handle }, 'recording failed: it stopped writing'));
      const { dir, sandbox } = config.plugins;
      const registry = new PluginRegistry({
        media,
        log,
        dir,
        limits: sandboxLimitsOf(sandbox),
        callTimeoutMs: sandbox.callTimeoutMs,
        ...(options.builtinSources !== undefined && { builtinSources: options.builtinSources }),
      });
      closers.push(() => registry.close());
      const builtinLimits = config.plugins.builtinSandbox;
      await registry.loadBuiltins(
        options.plugins,
        config.plugins.builtinHost === 'sandbox'
          ? {
              sources: options.builtinSources ?? [],
              limits: sandboxLimitsOf(builtinLimits),
              callTimeoutMs: builtinLimits.callTimeoutMs,
              mediaDir: builtinLimits.mediaDir,
            }
          : undefined,
      );
      await registry.restore();
      const tokens = config.general.tokenAuth ? new TokenStore() : undefined;
      const mdnsResolver = await startMdnsResolver(config, log);
      if (mdnsResolver) closers.push(() => mdnsResolver.close());
      const api = new JanusApi({
        config,
        webrtc: { ...webRtcOptionsFromConfig(config), ...(mdnsResolver ? { mdnsResolver } : {}) },
        media,
        log,
        plugin: (name) => registry.get(name),
        plugins: () => registry.all(),
        tokens,
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
            ...(config.demo.enabled
              ? {
                  files: demoFiles({
                    // Read at request time: the admin port is bound after the HTTP one.
                    studioConfig: () => ({
                      admin: { port: ports.admin, path: t.admin.basePath },
                      janus: { httpPath: t.http.basePath, wsPort: ports.websocket },
                    }),
                  }),
                }
              : {}),
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
          registry,
          tokens,
          serverInfo: () => serverInfo(config, registry.all().map((p) => p.descriptor), api.acceptingNewSessions),
        });
        closers.push(async () => admin.close());
        const adminHttp = new HttpTransport(
          { ip: t.admin.ip, port: t.admin.port, basePath: t.admin.basePath, longPollTimeoutMs: 1000, allowOrigin: undefined, maxBody: t.admin.maxBody, maxQueuedEvents: 1 },
          admin,
          log,
        );
        closers.push(() => adminHttp.close());
        ports.admin = await adminHttp.listen();
        const server = adminHttp.server;
        if (server) {
          const adminWs = new WebSocketTransport({ ip: t.admin.ip, port: ports.admin, protocol: 'janus-admin-protocol', maxPayload: t.admin.maxBody, server }, admin, log);
          closers.unshift(() => adminWs.close());
          await adminWs.listen();
        }
      }
      return new Gateway({ api, media, ports, adminSecret, adminSecretGenerated, registry, closers });
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  /** The loaded plugins (built-ins and user plugins). */
  get plugins(): LoadedPlugin[] {
    return this.registry.all();
  }

  /** Stops listening, destroys every session, unloads plugins. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of this.#closers.splice(0).reverse()) await close();
  }
}

/**
 * The gateway's one mDNS resolver when `webrtc.mdns.enabled`, bound to the configured address (or
 * the first IPv4 ICE address). A resolver that cannot bind is logged and left failed, so `.local`
 * candidates are dropped and counted; the gateway still starts.
 */
async function startMdnsResolver(config: CardeaConfig, log: Logger): Promise<MdnsResolver | undefined> {
  const mdns = config.webrtc.mdns;
  if (!mdns.enabled) return undefined;
  const ip = mdns.ip ?? config.webrtc.iceIp.find((address) => !address.includes(':'));
  if (ip === undefined) {
    log.error('webrtc.mdns is enabled but no IPv4 address is configured (webrtc.mdns.ip or an IPv4 iceIp): .local candidates will be ignored');
    return undefined;
  }
  const resolver = new MdnsResolver({ ip, port: mdns.port, timeoutMs: mdns.timeoutMs, maxPending: mdns.maxPending }, log);
  await resolver.open();
  return resolver;
}

/** The runner's limits from a `plugins.sandbox` / `plugins.builtinSandbox` config section. */
function sandboxLimitsOf(c: CardeaConfig['plugins']['sandbox']): SandboxLimits {
  return {
    memoryMb: c.memoryMb,
    deadlineMs: c.deadlineMs,
    cpuMsPerSecond: c.cpuMsPerSecond,
    maxCallsPerSecond: c.maxCallsPerSecond,
    maxCallBytes: c.maxCallBytes,
    maxLogLinesPerSecond: c.maxLogLinesPerSecond,
  };
}
