import { isJsonObject, type JsonObject } from '@cardea/plugin-sdk';
import { z } from 'zod';
import { safeEqual } from '../util/safeEqual.ts';
import type { Logger, LogLevelName } from '../util/logger.ts';
import { logLevels } from '../util/logger.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import { PluginManagementError, type PluginRegistry } from '../plugins/PluginRegistry.ts';
import type { HandleInfo, PluginStreamEvent } from '@cardea/admin-types';
import type { EventSink, JanusMessage, RequestContext } from './ApiTypes.ts';
import type { JanusApi } from './JanusApi.ts';
import { JanusError, JanusErrorCode as E } from './JanusErrors.ts';
import { parseFields } from './requestFields.ts';
import type { TokenStore } from './TokenStore.ts';
import type { RemoteCandidateStats } from '../webrtc/WebRtcPeer.ts';

export interface AdminApiDeps {
  api: JanusApi;
  media: MediaPlane;
  log: Logger;
  adminSecret: string;
  /** Built-in and user plugins, and their management. */
  registry: PluginRegistry;
  /** Stored tokens, when token authentication is on. */
  tokens: TokenStore | undefined;
  serverInfo(): JsonObject;
}

/** Cardea's plugin-management requests (one schema each). */
const deployModuleSchema = z.object({
  name: z.string().min(1),
  source: z.string().min(1),
  language: z.enum(['ts', 'js']),
  sourcemap: z.string().optional(),
});
/** A set of files (admin-types' `PluginFilesUpload`; paths and caps are checked by the compiler). */
const deployFilesSchema = z.object({
  name: z.string().min(1),
  files: z.record(z.string(), z.string()),
  entry: z.string().min(1),
});
const nameSchema = z.object({ name: z.string().min(1) });
const unloadSchema = z.object({ name: z.string().min(1), force: z.boolean().optional() });
const logsSchema = z.object({ name: z.string().min(1), limit: z.number().int().min(1).max(500).optional() });
const subscribeSchema = z.object({ plugins: z.array(z.string()).optional() });
/** Janus's token requests. */
const tokenSchema = z.object({ token: z.string().min(1) });
const tokenPluginsSchema = z.object({ token: z.string().min(1), plugins: z.array(z.string()) });
const addTokenSchema = z.object({ token: z.string().min(1), plugins: z.array(z.string()).optional() });

/**
 * The Admin/Monitor API (shared/janus-api.md §6.1): every request but `info` and `ping` carries
 * `admin_secret`. Covers Janus's session/handle inspection and control verbs, Janus's stored-token
 * management, and Cardea's plugin management (list, deploy, rollback, unload, logs) with an event
 * stream of plugin logs and faults for subscribed admin WebSocket connections.
 */
export class AdminApi {
  readonly #deps: AdminApiDeps;
  /** Admin WebSocket connections subscribed to plugin events → plugin names (undefined: all). */
  readonly #subscribers = new Map<EventSink, Set<string> | undefined>();
  readonly #unsubscribe: () => void;

  constructor(deps: AdminApiDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.registry.events.on('stream', (event) => this.#broadcast(event));
  }

  /** Stops the event stream. Idempotent. */
  close(): void {
    this.#unsubscribe();
    this.#subscribers.clear();
  }

  invalidJson(reason = 'JSON error'): JanusMessage {
    return { janus: 'error', error: { code: E.INVALID_JSON, reason } };
  }

  touch(): boolean {
    return false;
  }

  sinkGone(sink: EventSink): void {
    // Admin connections own no sessions; a closed one only leaves the event stream.
    this.#subscribers.delete(sink);
  }

  async handle(request: unknown, ctx: RequestContext): Promise<JanusMessage> {
    let transaction: string | undefined;
    try {
      if (!isJsonObject(request)) throw new JanusError(E.INVALID_JSON_OBJECT);
      if (typeof request.transaction === 'string') transaction = request.transaction;
      const verb = request.janus;
      if (typeof verb !== 'string') throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (janus)');
      if (transaction === undefined) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (transaction)');
      if (verb === 'info') return { janus: 'server_info', transaction, ...this.#deps.serverInfo() };
      if (verb === 'ping') return { janus: 'pong', transaction };
      const secret = request.admin_secret;
      if (typeof secret !== 'string' || !safeEqual(secret, this.#deps.adminSecret)) throw new JanusError(E.UNAUTHORIZED);
      return { janus: 'success', transaction, ...(await this.#dispatch(verb, request, ctx)) };
    } catch (error) {
      const janusError = toJanusError(error);
      const reply: JanusMessage = { janus: 'error', error: { code: janusError.code, reason: janusError.message } };
      if (transaction !== undefined) reply.transaction = transaction;
      return reply;
    }
  }

  async #dispatch(verb: string, request: JsonObject, ctx: RequestContext): Promise<JsonObject> {
    const { api, registry } = this.#deps;
    switch (verb) {
      case 'get_status':
        return {
          status: {
            session_timeout: 0,
            accepting_new_sessions: api.acceptingNewSessions,
            log_level: this.#deps.log.level,
            sessions: api.sessions.size,
            counters: { ...api.counters },
          },
        };
      case 'list_sessions':
        return { sessions: [...api.sessions.keys()] };
      case 'accept_new_sessions': {
        if (typeof request.accept !== 'boolean') throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (accept)');
        api.acceptingNewSessions = request.accept;
        return { accept: request.accept };
      }
      case 'set_log_level': {
        const level = request.level;
        if (typeof level !== 'string' || !logLevels.includes(level as LogLevelName)) throw new JanusError(E.INVALID_ELEMENT_TYPE, 'Invalid element type (level)');
        this.#deps.log.level = level;
        return { level };
      }
      case 'list_plugins':
        return { plugins: registry.list() };
      case 'deploy_plugin': {
        if (request.files !== undefined) {
          const { name, files, entry } = parseFields(deployFilesSchema, request);
          return { plugin: await registry.deploy({ name, files, entry }) };
        }
        const { name, source, language, sourcemap } = parseFields(deployModuleSchema, request);
        return { plugin: await registry.deploy({ name, source, language, ...(sourcemap !== undefined && { sourcemap }) }) };
      }
      case 'get_plugin_source': {
        const { name } = parseFields(nameSchema, request);
        const found = await registry.source(name);
        if (!found) throw new JanusError(E.PLUGIN_NOT_FOUND, `No deployed source for plugin '${name}'`);
        return { ...found };
      }
      case 'get_builtin_source': {
        const { name } = parseFields(nameSchema, request);
        const found = await registry.builtinSource(name);
        if (!found) throw new JanusError(E.PLUGIN_NOT_FOUND, `No built-in plugin with known sources named '${name}'`);
        return { ...found };
      }
      case 'rollback_plugin':
        return { plugin: await registry.rollback(parseFields(nameSchema, request).name) };
      case 'unload_plugin': {
        const { name, force } = parseFields(unloadSchema, request);
        await registry.unload(name, force ?? false);
        return { name };
      }
      case 'plugin_logs': {
        const { name, limit } = parseFields(logsSchema, request);
        return { name, logs: registry.logs(name, limit ?? 100) as unknown as JsonObject[] };
      }
      case 'subscribe_plugin_events': {
        const { plugins } = parseFields(subscribeSchema, request);
        const sink = ctx.sinkFor(0);
        if (sink.transport !== 'websocket') throw new JanusError(E.TRANSPORT_SPECIFIC, 'The plugin event stream is only available on the admin WebSocket');
        this.#subscribers.set(sink, plugins ? new Set(plugins) : undefined);
        return { subscribed: plugins ?? true };
      }
      case 'unsubscribe_plugin_events':
        this.#subscribers.delete(ctx.sinkFor(0));
        return { subscribed: false };
      case 'add_token':
      case 'allow_token':
      case 'disallow_token':
      case 'list_tokens':
      case 'remove_token':
        return this.#tokenVerb(verb, request);
      case 'message_plugin': {
        const name = request.plugin;
        const body = request.request;
        if (typeof name !== 'string') throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (plugin)');
        if (!isJsonObject(body)) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (request)');
        const plugin = registry.get(name);
        if (!plugin) throw new JanusError(E.PLUGIN_NOT_FOUND, `No such plugin '${name}'`);
        return { response: await plugin.handleAdminMessage(body) };
      }
      default:
        return this.#sessionVerb(verb, request);
    }
  }

  async #sessionVerb(verb: string, request: JsonObject): Promise<JsonObject> {
    const { api } = this.#deps;
    const session = typeof request.session_id === 'number' ? api.sessions.get(request.session_id) : undefined;
    if (verb !== 'list_handles' && verb !== 'destroy_session' && verb !== 'handle_info' && verb !== 'detach_handle' && verb !== 'hangup_webrtc') {
      throw new JanusError(E.UNKNOWN_REQUEST, `Unknown request '${verb}'`);
    }
    if (!session) throw new JanusError(E.SESSION_NOT_FOUND, `No such session ${JSON.stringify(request.session_id)}`);
    if (verb === 'list_handles') return { session_id: session.id, handles: [...session.handles.keys()] };
    if (verb === 'destroy_session') {
      await api.destroySession(session, false);
      return { session_id: session.id };
    }
    const handle = typeof request.handle_id === 'number' ? session.handles.get(request.handle_id) : undefined;
    if (!handle) throw new JanusError(E.HANDLE_NOT_FOUND, `No such handle ${JSON.stringify(request.handle_id)}`);
    if (verb === 'detach_handle') {
      await api.detachHandle(handle);
      return { session_id: session.id, handle_id: handle.id };
    }
    if (verb === 'hangup_webrtc') {
      handle.closePeerConnection('Admin API');
      return { session_id: session.id, handle_id: handle.id };
    }
    const counters = this.#deps.media.counters(handle.id);
    return {
      session_id: session.id,
      handle_id: handle.id,
      info: {
        session_id: session.id,
        session_transport: session.sink.transport,
        handle_id: handle.id,
        ...(handle.opaqueId ? { opaque_id: handle.opaqueId } : {}),
        plugin: handle.plugin.descriptor.name,
        plugin_specific: await handle.plugin.querySession(handle.id),
        webrtc: {
          up: handle.peer?.isUp ?? false,
          closed: handle.peer === undefined,
          ...(handle.peer
            ? { ...handle.peer.states, remote_candidates: remoteCandidates(handle.peer.candidateStats), dropped: { ...handle.peer.droppedDatagrams } }
            : {}),
        },
        ...(counters ? { media: { ...counters } } : {}),
      } satisfies HandleInfo,
    };
  }

  /** Janus's stored-token verbs (shared/janus-api.md §6.1); only with `general.tokenAuth` on. */
  #tokenVerb(verb: string, request: JsonObject): JsonObject {
    const tokens = this.#deps.tokens;
    if (!tokens) throw new JanusError(E.UNKNOWN, 'Stored-Token based authentication disabled');
    const known = (plugins: string[]): string[] => {
      for (const name of plugins) if (!this.#deps.registry.get(name)) throw new JanusError(E.PLUGIN_NOT_FOUND, `Invalid plugin '${name}'`);
      return plugins;
    };
    switch (verb) {
      case 'list_tokens':
        return { data: { tokens: tokens.list().map((token) => ({ token, allowed_plugins: tokens.pluginsOf(token) })) } };
      case 'add_token': {
        const { token, plugins } = parseFields(addTokenSchema, request);
        const allowed = plugins ? known(plugins) : this.#deps.registry.all().map((p) => p.descriptor.name);
        if (!tokens.add(token, allowed)) throw new JanusError(E.UNKNOWN, `Token ${token} already exists`);
        return { data: { plugins: tokens.pluginsOf(token) } };
      }
      case 'remove_token': {
        const { token } = parseFields(tokenSchema, request);
        if (!tokens.remove(token)) throw new JanusError(E.TOKEN_NOT_FOUND, `Token ${token} not found`);
        return {};
      }
      default: {
        const { token, plugins } = parseFields(tokenPluginsSchema, request);
        const ok = verb === 'allow_token' ? tokens.allow(token, known(plugins)) : tokens.disallow(token, known(plugins));
        if (!ok) throw new JanusError(E.TOKEN_NOT_FOUND, `Token ${token} not found`);
        return { data: { plugins: tokens.pluginsOf(token) } };
      }
    }
  }

  #broadcast(event: PluginStreamEvent): void {
    if (this.#subscribers.size === 0) return;
    const message = { janus: 'plugin_event', ...event } as unknown as JanusMessage;
    for (const [sink, names] of this.#subscribers) {
      if (names === undefined || names.has(event.plugin)) sink.send(message);
    }
  }
}

/** Plugin-management failures are answered with Janus codes: 460 for an unknown plugin, else 490. */
function toJanusError(error: unknown): JanusError {
  if (error instanceof JanusError) return error;
  if (error instanceof PluginManagementError) {
    return new JanusError(error.message.startsWith('no user plugin') ? E.PLUGIN_NOT_FOUND : E.UNKNOWN, error.message);
  }
  return new JanusError(E.UNKNOWN, (error as Error)?.message);
}

/** A PeerConnection's remote-candidate counters as `handle_info` shows them. */
function remoteCandidates(stats: RemoteCandidateStats): { [counter: string]: number } {
  return {
    malformed: stats.malformed,
    ignored_mdns: stats.ignoredMdns,
    ignored_hostname: stats.ignoredHostname,
    resolved_mdns: stats.resolvedMdns,
    unresolved_mdns: stats.unresolvedMdns,
  };
}
