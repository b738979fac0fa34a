import type {
  JsonObject,
  NegotiatedJsep,
  MessageResult,
  NegotiationRequest,
  PluginEvent,
  PluginMessage,
} from '@cardea/plugin-sdk';

/**
 * What the plugin host needs of a handle, implemented by the API layer (so the host never imports
 * it: layers import downwards only).
 */
export interface CoreHandle {
  readonly id: number;
  readonly opaqueId: string | undefined;
  /** Deliver a plugin event to the client (formatted as a Janus `event`). */
  pushEvent(event: PluginEvent): void;
  /** Negotiate on the handle's PeerConnection (created on demand). */
  negotiate(request: NegotiationRequest): Promise<NegotiatedJsep>;
  /** Close the PeerConnection; the client gets `hangup` with `reason`. */
  closePeerConnection(reason: string): void;
  /** End the handle as a plugin-initiated detach; the client gets `detached`. */
  end(): void;
  sendData(text: string, label: string | undefined): void;
  /** Cap the client's sending bitrate (REMB). */
  setBitrateCap(bitsPerSecond: number): void;
}

/** How a plugin runs. */
export type HostKind = 'in-process' | 'sandbox';

/** Identity and state of a loaded plugin, as `server_info` and the Admin API list it. */
export interface PluginDescriptor {
  name: string;
  version: string;
  description: string;
  author: string;
  host: HostKind;
}

/**
 * A plugin loaded in some host. The API layer calls these; each call is contained (a plugin's
 * exception never escapes as an exception of the core).
 */
export interface LoadedPlugin {
  readonly descriptor: PluginDescriptor;
  /** Attach a handle. Rejects (→ Janus 461) if the plugin refuses. */
  createSession(handle: CoreHandle): Promise<void>;
  /** Detach a handle; always resolves. */
  destroySession(handleId: number): Promise<void>;
  handleMessage(message: PluginMessage): Promise<MessageResult>;
  /** An Admin API `message_plugin` request; plugins without the handler answer an error object. */
  handleAdminMessage(body: JsonObject): Promise<JsonObject>;
  setupMedia(handleId: number): Promise<void>;
  /** Data-channel text from a handle's client, for plugins that opted in with `handleData`. */
  handleData?(handleId: number, label: string, text: string): Promise<void>;
  hangupMedia(handleId: number): Promise<void>;
  querySession(handleId: number): Promise<JsonObject>;
  /** Handles currently attached. */
  readonly handleCount: number;
  /** Unload: destroy, release timers. Idempotent. */
  close(): Promise<void>;
}
