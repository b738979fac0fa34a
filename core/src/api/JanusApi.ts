import { isJsonObject, type Jsep, type JsonObject } from '@cardea/plugin-sdk';
import type { CardeaConfig } from '../config/configSchema.ts';
import { safeEqual } from '../util/safeEqual.ts';
import type { Logger } from '../util/logger.ts';
import { uniqueId } from '../util/ids.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import type { LoadedPlugin } from '../plugins/PluginHostTypes.ts';
import { InvalidSdpError } from '../webrtc/sdpSummary.ts';
import { NegotiationStateError, type TrickleCandidate } from '../webrtc/WebRtcPeer.ts';
import type { WebRtcOptions } from '../webrtc/WebRtcOptions.ts';
import type { EventSink, JanusMessage, RequestContext } from './ApiTypes.ts';
import { Handle } from './Handle.ts';
import { JanusError, JanusErrorCode as E } from './JanusErrors.ts';
import { attachSchema, candidateSchema, createSchema, jsepSchema, messageSchema, parseFields } from './requestFields.ts';
import { serverInfo } from './serverInfo.ts';
import { Session } from './Session.ts';
import type { TokenStore } from './TokenStore.ts';

const rootVerbs = new Set(['info', 'ping', 'create']);
const sessionVerbs = new Set(['attach', 'destroy', 'keepalive', 'claim']);
const handleVerbs = new Set(['message', 'trickle', 'detach', 'hangup']);

/** Counters of the API layer (bad input is counted, never fatal). */
export interface ApiCounters {
  requests: number;
  errors: number;
  invalidJson: number;
  sessionsCreated: number;
  sessionsTimedOut: number;
}

export interface JanusApiDeps {
  config: CardeaConfig;
  webrtc: WebRtcOptions;
  media: MediaPlane;
  log: Logger;
  /** Finds a loaded plugin by package name. */
  plugin(name: string): LoadedPlugin | undefined;
  /** All loaded plugins (for `server_info`). */
  plugins(): LoadedPlugin[];
  /** Stored tokens, when `general.tokenAuth` is on (managed through the Admin API). */
  tokens?: TokenStore | undefined;
}

/**
 * The Janus API state machine: validates requests in Janus's order (JSON, envelope, root verbs,
 * auth, session, handle, verb), keeps sessions and handles, expires idle sessions, and turns
 * plugin results into `success`/`ack`/`event`. Transport-independent: transports hand it parsed
 * JSON and a context, and deliver what it returns.
 */
export class JanusApi {
  readonly sessions = new Map<number, Session>();
  readonly counters: ApiCounters = { requests: 0, errors: 0, invalidJson: 0, sessionsCreated: 0, sessionsTimedOut: 0 };
  acceptingNewSessions: boolean;
  readonly #deps: JanusApiDeps;
  readonly #watchdog: NodeJS.Timeout;
  #closed = false;

  constructor(deps: JanusApiDeps) {
    this.#deps = deps;
    this.acceptingNewSessions = deps.config.general.acceptNewSessions;
    const timeoutMs = deps.config.general.sessionTimeout * 1000;
    // Janus's watchdog checks every 2 s; shorter timeouts (tests) are checked proportionally.
    const period = timeoutMs > 0 ? Math.min(2000, Math.max(50, timeoutMs / 4)) : 2000;
    this.#watchdog = setInterval(() => this.#expire(), period);
    this.#watchdog.unref();
  }

  /** Answers a request that did not parse as JSON (454, no transaction). */
  invalidJson(reason = 'JSON error'): JanusMessage {
    this.counters.invalidJson++;
    this.counters.errors++;
    return errorMessage(new JanusError(E.INVALID_JSON, reason), undefined, undefined);
  }

  /**
   * Handles one parsed request and returns the direct reply (`success`, `ack`, `error`,
   * `server_info` or `pong`). Async messages go to the session's sink.
   */
  async handle(request: unknown, ctx: RequestContext): Promise<JanusMessage> {
    this.counters.requests++;
    let transaction: string | undefined;
    let sessionId: number | undefined;
    try {
      if (!isJsonObject(request)) throw new JanusError(E.INVALID_JSON_OBJECT);
      if (typeof request.transaction === 'string') transaction = request.transaction;
      const verb = request.janus;
      if (verb === undefined) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (janus)');
      if (typeof verb !== 'string') throw new JanusError(E.INVALID_ELEMENT_TYPE, 'Invalid element type (janus should be a string)');
      if (request.transaction === undefined) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (transaction)');
      if (transaction === undefined) throw new JanusError(E.INVALID_ELEMENT_TYPE, 'Invalid element type (transaction should be a string)');
      const rawSession = request.session_id;
      const rawHandle = request.handle_id;
      if (rawSession === undefined && rawHandle === undefined) {
        if (verb === 'info') return { janus: 'server_info', transaction, ...this.#serverInfo() };
        if (verb === 'ping') return { janus: 'pong', transaction };
        if (!rootVerbs.has(verb)) throw new JanusError(E.INVALID_REQUEST_PATH, `Unhandled request '${verb}' at this path`);
        this.#checkAuth(request);
        return this.#create(request, transaction, ctx);
      }
      if (typeof rawSession === 'number' && Number.isSafeInteger(rawSession) && rawSession > 0) sessionId = rawSession;
      this.#checkAuth(request);
      if (typeof rawSession !== 'number' || !Number.isSafeInteger(rawSession) || rawSession < 1) {
        throw new JanusError(E.SESSION_NOT_FOUND, `No such session ${JSON.stringify(rawSession)}`);
      }
      sessionId = rawSession;
      const session = this.sessions.get(rawSession);
      if (!session || session.destroyed) throw new JanusError(E.SESSION_NOT_FOUND, `No such session ${rawSession}`);
      session.lastActivity = performance.now();
      if (rawHandle === undefined) {
        if (handleVerbs.has(verb)) throw new JanusError(E.INVALID_REQUEST_PATH, `Unhandled request '${verb}' at this path`);
        if (!sessionVerbs.has(verb)) throw new JanusError(E.UNKNOWN_REQUEST, `Unknown request '${verb}'`);
        return await this.#sessionRequest(verb, session, request, transaction, ctx);
      }
      if (typeof rawHandle !== 'number') throw new JanusError(E.HANDLE_NOT_FOUND, `No such handle ${JSON.stringify(rawHandle)} in session ${rawSession}`);
      const handle = session.handles.get(rawHandle);
      if (!handle || handle.closed) throw new JanusError(E.HANDLE_NOT_FOUND, `No such handle ${rawHandle} in session ${rawSession}`);
      if (verb === 'attach' || verb === 'destroy' || verb === 'claim') throw new JanusError(E.INVALID_REQUEST_PATH, `Unhandled request '${verb}' at this path`);
      if (verb === 'keepalive') return { janus: 'ack', session_id: session.id, transaction };
      if (!handleVerbs.has(verb)) throw new JanusError(E.UNKNOWN_REQUEST, `Unknown request '${verb}'`);
      return await this.#handleRequest(verb, handle, request, transaction);
    } catch (error) {
      this.counters.errors++;
      if (error instanceof JanusError) return errorMessage(error, transaction, sessionId);
      this.#deps.log.error({ err: error }, 'unexpected error handling a request');
      return errorMessage(new JanusError(E.UNKNOWN, (error as Error)?.message), transaction, sessionId);
    }
  }

  /** An HTTP long poll counts as a keepalive; false when the session does not exist. */
  touch(sessionId: number): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.destroyed) return false;
    session.lastActivity = performance.now();
    return true;
  }

  /** A transport connection went away: destroy (or park for reclaim) the sessions it owned. */
  sinkGone(sink: EventSink): void {
    const reclaimMs = this.#deps.config.general.reclaimSessionTimeout * 1000;
    for (const session of [...this.sessions.values()]) {
      if (session.sink !== sink) continue;
      if (reclaimMs > 0) session.reclaimDeadline = performance.now() + reclaimMs;
      else void this.destroySession(session, false);
    }
  }

  /** Destroys a session and every handle (no `detached` events, as Janus). */
  async destroySession(session: Session, notifyTimeout: boolean): Promise<void> {
    if (session.destroyed) return;
    if (notifyTimeout) session.sink.send({ janus: 'timeout', session_id: session.id });
    session.markDestroyed();
    this.sessions.delete(session.id);
    session.sink.sessionGone?.(session.id);
    await Promise.all([...session.handles.values()].map((h) => h.close(false, 'Close PC')));
    session.handles.clear();
  }

  /** Detaches a handle: `hangup` (if it had a PeerConnection) then `detached` to the client. */
  async detachHandle(handle: Handle): Promise<void> {
    if (handle.closed) return;
    handle.session.handles.delete(handle.id);
    await handle.close(true, 'Detach');
    handle.session.send({ janus: 'detached', sender: handle.id });
  }

  /** Stops the watchdog and destroys every session. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    await Promise.all([...this.sessions.values()].map((s) => this.destroySession(s, false)));
  }

  #serverInfo(): JsonObject {
    return serverInfo(this.#deps.config, this.#deps.plugins().map((p) => p.descriptor), this.acceptingNewSessions);
  }

  /** Whether a request's credentials (`apisecret`, `token`) pass; HTTP long polls carry them in the query. */
  authorized(credentials: JsonObject): boolean {
    try {
      this.#checkAuth(credentials);
      return true;
    } catch {
      return false; // JanusError 403: the caller answers with its transport's refusal
    }
  }

  /** Janus's rule: with both a secret and stored tokens configured, either one authorizes. */
  #checkAuth(request: JsonObject): void {
    const secret = this.#deps.config.general.apiSecret;
    const tokens = this.#deps.tokens;
    if (secret === undefined && tokens === undefined) return;
    const given = request.apisecret;
    if (secret !== undefined && typeof given === 'string' && safeEqual(given, secret)) return;
    if (tokens !== undefined && typeof request.token === 'string' && tokens.has(request.token)) return;
    throw new JanusError(E.UNAUTHORIZED);
  }

  /** A stored token must be allowed the plugin (405), unless the API secret authorized the request. */
  #checkPluginToken(request: JsonObject, plugin: string): void {
    const tokens = this.#deps.tokens;
    if (tokens === undefined) return;
    const secret = this.#deps.config.general.apiSecret;
    if (secret !== undefined && typeof request.apisecret === 'string' && safeEqual(request.apisecret, secret)) return;
    if (typeof request.token !== 'string' || !tokens.allows(request.token, plugin)) {
      throw new JanusError(E.UNAUTHORIZED_PLUGIN, `Provided token can't access plugin '${plugin}'`);
    }
  }

  #create(request: JsonObject, transaction: string, ctx: RequestContext): JanusMessage {
    if (request.janus !== 'create') throw new JanusError(E.INVALID_REQUEST_PATH);
    if (!this.acceptingNewSessions) throw new JanusError(E.NOT_ACCEPTING_SESSIONS);
    const { id: wanted } = parseFields(createSchema, request);
    if (wanted !== undefined && this.sessions.has(wanted)) throw new JanusError(E.SESSION_CONFLICT, `Session ID ${wanted} already in use`);
    const id = wanted ?? uniqueId(this.sessions);
    const session = new Session(id, ctx.sinkFor(id), performance.now());
    this.sessions.set(id, session);
    this.counters.sessionsCreated++;
    return { janus: 'success', transaction, data: { id } };
  }

  async #sessionRequest(verb: string, session: Session, request: JsonObject, transaction: string, ctx: RequestContext): Promise<JanusMessage> {
    switch (verb) {
      case 'keepalive':
        return { janus: 'ack', session_id: session.id, transaction };
      case 'claim': {
        const sink = ctx.sinkFor(session.id);
        if (sink !== session.sink) {
          session.sink.sessionGone?.(session.id);
          session.sink = sink;
        }
        session.reclaimDeadline = undefined;
        return { janus: 'success', session_id: session.id, transaction };
      }
      case 'destroy':
        await this.destroySession(session, false);
        return { janus: 'success', session_id: session.id, transaction };
      default:
        return this.#attach(session, request, transaction);
    }
  }

  async #attach(session: Session, request: JsonObject, transaction: string): Promise<JanusMessage> {
    const { plugin: name, opaque_id } = parseFields(attachSchema, request);
    const plugin = this.#deps.plugin(name);
    if (!plugin) throw new JanusError(E.PLUGIN_NOT_FOUND, `No such plugin '${name}'`);
    this.#checkPluginToken(request, name);
    const id = uniqueId(session.handles);
    const handle = new Handle(id, session, plugin, opaque_id, {
      media: this.#deps.media,
      webrtc: this.#deps.webrtc,
      log: this.#deps.log,
      candidatesTimeoutMs: this.#deps.config.general.candidatesTimeout * 1000,
      onPluginEnd: (h) => void this.detachHandle(h),
    });
    try {
      await plugin.createSession(handle);
    } catch (error) {
      throw new JanusError(E.PLUGIN_ATTACH, `Couldn't attach to plugin: ${(error as Error)?.message ?? String(error)}`);
    }
    if (session.destroyed) {
      await plugin.destroySession(id);
      throw new JanusError(E.SESSION_NOT_FOUND, `No such session ${session.id}`);
    }
    session.handles.set(id, handle);
    return { janus: 'success', session_id: session.id, transaction, data: { id } };
  }

  async #handleRequest(verb: string, handle: Handle, request: JsonObject, transaction: string): Promise<JanusMessage> {
    const sessionId = handle.session.id;
    switch (verb) {
      case 'detach':
        await this.detachHandle(handle);
        return { janus: 'success', session_id: sessionId, transaction };
      case 'hangup':
        handle.closePeerConnection('Janus API');
        return { janus: 'success', session_id: sessionId, transaction };
      case 'trickle':
        await this.#trickle(handle, request);
        return { janus: 'ack', session_id: sessionId, transaction };
      default:
        return this.#message(handle, request, transaction);
    }
  }

  async #trickle(handle: Handle, request: JsonObject): Promise<void> {
    const hasOne = request.candidate !== undefined;
    const hasMany = request.candidates !== undefined;
    if (hasOne && hasMany) throw new JanusError(E.INVALID_JSON, "Can't have both candidate and candidates");
    if (!hasOne && !hasMany) throw new JanusError(E.MISSING_MANDATORY_ELEMENT, 'Missing mandatory element (candidate|candidates)');
    if (hasMany) {
      if (!Array.isArray(request.candidates)) throw new JanusError(E.INVALID_ELEMENT_TYPE, 'Invalid element type (candidates should be an array)');
      for (const raw of request.candidates) {
        const parsed = candidateSchema.safeParse(raw);
        if (parsed.success) await handle.trickle(toCandidate(parsed.data));
        else if (!isJsonObject(raw) || 'completed' in raw) await handle.trickle(null);
        // other malformed entries are skipped silently, as Janus does
      }
      return;
    }
    const raw = request.candidate;
    if (!isJsonObject(raw) || 'completed' in raw) {
      await handle.trickle(null);
      return;
    }
    await handle.trickle(toCandidate(parseFields(candidateSchema, raw)));
  }

  async #message(handle: Handle, request: JsonObject, transaction: string): Promise<JanusMessage> {
    const sessionId = handle.session.id;
    const { body, jsep: rawJsep } = parseFields(messageSchema, request);
    let jsep: Jsep | undefined;
    if (rawJsep !== undefined) {
      if (!isJsonObject(rawJsep)) throw new JanusError(E.INVALID_JSON_OBJECT, 'Invalid jsep object');
      const parsed = parseFields(jsepSchema, rawJsep as Record<string, unknown>);
      if (parsed.type !== 'offer' && parsed.type !== 'answer') throw new JanusError(E.JSEP_UNKNOWN_TYPE, `JSEP error: unknown message type '${parsed.type}'`);
      jsep = { type: parsed.type, sdp: parsed.sdp };
      if (parsed.e2ee) jsep.e2ee = true;
    }
    let incoming;
    if (jsep) {
      try {
        incoming = await handle.applyRemoteJsep(jsep);
      } catch (error) {
        if (error instanceof InvalidSdpError) throw new JanusError(E.JSEP_INVALID_SDP, `Invalid SDP: ${error.message}`);
        if (error instanceof NegotiationStateError) {
          throw new JanusError(jsep.type === 'answer' ? E.UNEXPECTED_ANSWER : E.WEBRTC_STATE, error.message);
        }
        throw new JanusError(E.JSEP_INVALID_SDP, `Error processing SDP: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    const message = incoming
      ? { handle: handle.id, transaction, body: body as JsonObject, jsep: incoming }
      : { handle: handle.id, transaction, body: body as JsonObject };
    const result = await handle.plugin.handleMessage(message);
    switch (result.kind) {
      case 'ok':
        return {
          janus: 'success',
          session_id: sessionId,
          transaction,
          sender: handle.id,
          plugindata: { plugin: handle.plugin.descriptor.name, data: result.data },
        };
      case 'wait':
        return result.hint === undefined
          ? { janus: 'ack', session_id: sessionId, transaction }
          : { janus: 'ack', session_id: sessionId, transaction, hint: result.hint };
      default:
        throw new JanusError(E.PLUGIN_MESSAGE, result.reason);
    }
  }

  #expire(): void {
    const now = performance.now();
    const timeoutMs = this.#deps.config.general.sessionTimeout * 1000;
    for (const session of [...this.sessions.values()]) {
      if (session.reclaimDeadline !== undefined && now > session.reclaimDeadline) {
        void this.destroySession(session, false);
      } else if (timeoutMs > 0 && now - session.lastActivity > timeoutMs) {
        this.counters.sessionsTimedOut++;
        void this.destroySession(session, true);
      }
    }
  }
}

function toCandidate(c: { candidate: string; sdpMid?: string | undefined; sdpMLineIndex?: number | undefined }): TrickleCandidate {
  const out: TrickleCandidate = { candidate: c.candidate };
  if (c.sdpMid !== undefined) out.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== undefined) out.sdpMLineIndex = c.sdpMLineIndex;
  return out;
}

function errorMessage(error: JanusError, transaction: string | undefined, sessionId: number | undefined): JanusMessage {
  const message: JanusMessage = { janus: 'error' };
  if (sessionId !== undefined && sessionId > 0) message.session_id = sessionId;
  if (transaction !== undefined) message.transaction = transaction;
  message.error = { code: error.code, reason: error.message };
  return message;
}
