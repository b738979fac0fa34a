import { isJsonObject, type JsonObject } from '@cardea/plugin-sdk';
import { safeEqual } from '../util/safeEqual.ts';
import type { Logger, LogLevelName } from '../util/logger.ts';
import { logLevels } from '../util/logger.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import type { LoadedPlugin } from '../plugins/PluginHostTypes.ts';
import type { EventSink, JanusMessage, RequestContext } from './ApiTypes.ts';
import type { JanusApi } from './JanusApi.ts';
import { JanusError, JanusErrorCode as E } from './JanusErrors.ts';

export interface AdminApiDeps {
  api: JanusApi;
  media: MediaPlane;
  log: Logger;
  adminSecret: string;
  plugin(name: string): LoadedPlugin | undefined;
  plugins(): LoadedPlugin[];
  serverInfo(): JsonObject;
}

/**
 * The Admin/Monitor API (shared/janus-api.md §6.1): every request but `info` and `ping` carries
 * `admin_secret`. Covers Janus's session/handle inspection and control verbs; plugin management
 * verbs join with the sandbox host.
 */
export class AdminApi {
  readonly #deps: AdminApiDeps;

  constructor(deps: AdminApiDeps) {
    this.#deps = deps;
  }

  invalidJson(reason = 'JSON error'): JanusMessage {
    return { janus: 'error', error: { code: E.INVALID_JSON, reason } };
  }

  touch(): boolean {
    return false;
  }

  sinkGone(_sink: EventSink): void {
    // Admin connections own no sessions.
  }

  async handle(request: unknown, _ctx: RequestContext): Promise<JanusMessage> {
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
      return { janus: 'success', transaction, ...(await this.#dispatch(verb, request)) };
    } catch (error) {
      const janusError = error instanceof JanusError ? error : new JanusError(E.UNKNOWN, (error as Error)?.message);
      const reply: JanusMessage = { janus: 'error', error: { code: janusError.code, reason: janusError.message } };
      if (transaction !== undefined) reply.transaction = transaction;
      return reply;
    }
  }

  async #dispatch(verb: string, request: JsonObject): Promise<JsonObject> {
    const { api } = this.#deps;
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
        return { plugins: this.#deps.plugins().map((p) => ({ ...p.descriptor, handles: p.handleCount })) };
      case 'message_plugin': {
        const name = request.plugin;
        const body = request.request;
        if (typeof name !== 'string') throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (plugin)');
        if (!isJsonObject(body)) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (request)');
        const plugin = this.#deps.plugin(name);
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
        webrtc: { up: handle.peer?.isUp ?? false, closed: handle.peer === undefined },
        ...(counters ? { media: { ...counters } } : {}),
      },
    };
  }
}
