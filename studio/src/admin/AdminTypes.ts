// Wire shapes of the Admin API as the studio uses them (core/src/api/AdminApi.ts and
// core/src/plugins/UserPluginTypes.ts answer with these; the studio keeps its own copy so it
// never imports the gateway's internals).

/** Janus error code of a request without a valid `admin_secret`. */
export const UNAUTHORIZED = 403;
/** Janus error code of a verb the gateway does not know. */
export const UNKNOWN_REQUEST = 453;

/** Severity of a plugin log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A row of `list_plugins`. */
export interface PluginListing {
  name: string;
  version: string;
  /** Content hash of the running module (null for built-ins). */
  hash: string | null;
  /** `in-process` for built-ins, `sandbox` for user plugins. */
  host: string;
  handles: number;
  state: 'running' | 'restarting' | 'failed' | 'unloaded';
  description: string;
  author: string;
  /** Loaded versions of a user plugin (serving, and draining ones that keep their handles). */
  versions?: Array<{ version: string; hash: string; handles: number; role: 'serving' | 'draining' }>;
}

/** What `deploy_plugin` and `rollback_plugin` did. */
export interface DeployOutcome {
  name: string;
  version: string;
  hash: string;
  previous: { version: string; hash: string } | null;
  migrated: number;
  draining: number;
  reloadMs: number;
  unchanged: boolean;
}

/** One line of a plugin's log. */
export interface PluginLogEntry {
  at: string;
  level: LogLevel;
  message: string;
  version: string;
  fields?: Record<string, unknown>;
  /** Source-mapped stack, for errors. */
  stack?: string;
}

/** Why the sandbox stopped a plugin version. */
export type FaultKind = 'cpu' | 'memory' | 'crash';

/** A message of the admin event stream (`janus: "plugin_event"`). */
export type PluginStreamEvent =
  | { event: 'log'; plugin: string; entry: PluginLogEntry }
  | { event: 'fault'; plugin: string; version: string; kind: FaultKind; message: string; handles: number }
  | { event: 'deployed'; plugin: string; outcome: DeployOutcome }
  | { event: 'rolled_back'; plugin: string; outcome: DeployOutcome }
  | { event: 'unloaded'; plugin: string };

/**
 * A deployed plugin's sources, as the proposed `get_plugin_source { name }` returns them: what was
 * uploaded (`source`, `language`, and the uploaded `sourcemap` when there was one) and which
 * version it is.
 */
export interface PluginSource {
  name: string;
  version: string;
  hash: string;
  language: 'ts' | 'js';
  source: string;
  sourcemap?: string;
}

/** `handle_info`'s `info`. */
export interface HandleInfo {
  session_id: number;
  session_transport?: string;
  handle_id: number;
  opaque_id?: string;
  plugin: string;
  plugin_specific?: Record<string, unknown>;
  webrtc?: { up: boolean; closed: boolean; ice?: string; dtls?: string };
  media?: Record<string, number>;
}
