import type { JsonObject } from './json.ts';
import type { HandleId, IncomingJsep, LayerSwitchEvent, TalkingEvent } from './MediaTypes.ts';
import type { MixerEvent } from './MixerTypes.ts';
import type { PluginApi } from './PluginApi.ts';

/** A handle as a plugin first sees it. */
export interface HandleInfo {
  handle: HandleId;
  /** The `opaque_id` the client gave on attach, if any. */
  opaqueId?: string;
}

/** A client's `message` request. */
export interface PluginMessage {
  handle: HandleId;
  /** The request's transaction: echo it on the event that answers this message. */
  transaction: string;
  body: JsonObject;
  /** The client's SDP, already applied by the core (validated, candidates queued). */
  jsep?: IncomingJsep;
}

/** A data-channel message from a client. */
export interface PluginDataMessage {
  handle: HandleId;
  label: string;
  text: string;
}

/**
 * What `handleMessage` returns (Janus's OK / OK_WAIT / ERROR):
 * - `ok`: a synchronous answer; the client gets `success` with `data` as `plugindata.data`.
 * - `wait`: events follow; the client gets `ack` (with `hint`, if given) now.
 * - `error`: the core answers with Janus error 462 and `reason`. Plugin-level errors
 *   (`error_code` in data) are `ok` results in Janus, so use {@link pluginError} for those.
 */
export type MessageResult =
  | { kind: 'ok'; data: JsonObject }
  | { kind: 'wait'; hint?: string }
  | { kind: 'error'; reason: string };

/** Optional identity fields, shown in `server_info` and the Admin API. */
export interface PluginIdentity {
  /** Package name clients attach to, e.g. `janus.plugin.echotest`. */
  name: string;
  /** Semver of the plugin. */
  version: string;
  /** Short description (default: empty). */
  description?: string;
  /** Author (default: empty). */
  author?: string;
}

/**
 * The handlers of a plugin. Every handler receives the plugin API as its last argument and may be
 * async. Exceptions are contained by the host: a throwing `handleMessage` answers that request with
 * error 462 and the session goes on.
 */
export interface PluginHandlers {
  /** Called once when the plugin loads. */
  init?(api: PluginApi): void | Promise<void>;
  /** Called once when the plugin unloads; host timers are released afterwards. */
  destroy?(api: PluginApi): void | Promise<void>;
  /** A client attached a handle (Janus `create_session`). Throw to refuse (error 461). */
  createSession?(info: HandleInfo, api: PluginApi): void | Promise<void>;
  /** A handle went away: detach, session destroy or timeout (Janus `destroy_session`). */
  destroySession?(handle: HandleId, api: PluginApi): void | Promise<void>;
  /** Plugin-specific state for the Admin API's `handle_info` (Janus `query_session`). */
  querySession?(handle: HandleId, api: PluginApi): JsonObject | Promise<JsonObject>;
  /** A client's `message` request. */
  handleMessage(message: PluginMessage, api: PluginApi): MessageResult | Promise<MessageResult>;
  /**
   * Optional: a request through the Admin API's `message_plugin` (Janus `handle_admin_message`),
   * answered synchronously with a JSON object.
   */
  handleAdminMessage?(body: JsonObject, api: PluginApi): JsonObject | Promise<JsonObject>;
  /** The handle's PeerConnection is up (ICE and DTLS); called just before the client's `webrtcup`. */
  setupMedia?(handle: HandleId, api: PluginApi): void | Promise<void>;
  /** The handle's PeerConnection went away. */
  hangupMedia?(handle: HandleId, api: PluginApi): void | Promise<void>;
  /**
   * Opt-in: data-channel text from a client. Data is low-rate control traffic, so it may pass
   * through plugin code; RTP never does. Media routes with `data` still forward it as well.
   */
  handleData?(message: PluginDataMessage, api: PluginApi): void | Promise<void>;
  /** Voice activity changed on a handle whose talking detection the plugin started. */
  handleTalking?(event: TalkingEvent, api: PluginApi): void | Promise<void>;
  /** Opt-in: a simulcast substream or temporal-layer switch took effect on a handle's sending mid. */
  handleLayerSwitch?(event: LayerSwitchEvent, api: PluginApi): void | Promise<void>;
  /** A mixer this plugin created reports talking changes or the end of a played file. */
  handleMixerEvent?(event: MixerEvent, api: PluginApi): void | Promise<void>;
  /** Hot reload: the state of live handles to hand to the next version. */
  exportState?(api: PluginApi): JsonObject | Promise<JsonObject>;
  /** Hot reload: receive the previous version's exported state. */
  importState?(state: JsonObject, api: PluginApi): void | Promise<void>;
}

/** A complete plugin: identity plus handlers. */
export interface PluginDefinition extends PluginIdentity, PluginHandlers {}

/** What `definePlugin` returns: the definition stamped with the contract version it was built for. */
export interface DefinedPlugin extends PluginDefinition {
  readonly sdkVersion: number;
}
