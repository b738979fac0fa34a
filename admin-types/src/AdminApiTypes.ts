// The Admin API's wire shapes: what the gateway answers (core/src/api/AdminApi.ts, with the rows
// core/src/plugins builds) and what the studio and the tests read. Types only, importing nothing,
// so every layer and every client may depend on it (the studio imports it as types only; Vite
// erases it). `type` aliases rather than interfaces on purpose: an object type alias is assignable
// to a JSON-object index signature (the SDK's `JsonObject`), an interface is not.

/** Plain JSON, as it crosses the wire. */
export type AdminJson = null | boolean | number | string | AdminJson[] | { [key: string]: AdminJson };

/**
 * Any Admin API reply: `janus` is `success`, `error`, `server_info`, `pong`, or `plugin_event` on
 * the event stream; the other fields depend on the verb.
 */
export type AdminReply = {
  janus: string;
  transaction?: string;
  error?: { code: number; reason: string };
  [field: string]: unknown;
};

/** Severity of a plugin log line. */
export type PluginLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How a plugin is hosted: `in-process` (built-ins), `sandbox` (user plugins, QuickJS). */
export type PluginHostKind = 'in-process' | 'sandbox';

/** Life of a plugin as `list_plugins` reports it (built-ins are always `running`). */
export type PluginState = 'running' | 'restarting' | 'failed' | 'unloaded';

/** Why the sandbox stopped a plugin version. */
export type FaultKind = 'cpu' | 'memory' | 'crash';

/** One loaded version of a user plugin. */
export type PluginVersionInfo = {
  version: string;
  hash: string;
  handles: number;
  /** `serving`: gets new attaches; `draining`: keeps its handles until they detach. */
  role: 'serving' | 'draining';
};

/** A row of `list_plugins`. */
export type PluginListing = {
  name: string;
  version: string;
  /** Content hash of the running module (null for built-ins). */
  hash: string | null;
  host: PluginHostKind;
  handles: number;
  state: PluginState;
  description: string;
  author: string;
  /** User plugins only: the loaded versions (serving, and draining ones that keep their handles). */
  versions?: PluginVersionInfo[];
  /** Set on the built-ins' rows, whether they run in-process or sandboxed (`plugins.builtinHost`). */
  builtin?: true;
  /** Built-ins only: true when the gateway knows their sources (`get_builtin_source`), so they can be read and forked. */
  forkable?: boolean;
};

/** What `deploy_plugin` and `rollback_plugin` did (their `plugin`). */
export type DeployOutcome = {
  name: string;
  version: string;
  hash: string;
  /** The version it replaced, if any. */
  previous: { version: string; hash: string } | null;
  /** Handles moved to the new version with their state (exportState → importState). */
  migrated: number;
  /** Handles left on the previous version until they detach (no state handover). */
  draining: number;
  /** Milliseconds from the request to the new version serving. */
  reloadMs: number;
  /** True when the upload was identical to the running version (nothing changed). */
  unchanged: boolean;
};

/** One line of a plugin's log, as `plugin_logs` and the event stream show it. */
export type PluginLogEntry = {
  /** ISO 8601 time. */
  at: string;
  level: PluginLogLevel;
  message: string;
  /** Version that wrote it. */
  version: string;
  fields?: { [key: string]: AdminJson };
  /** Source-mapped stack, for errors. */
  stack?: string;
};

/** A message of the admin event stream (`janus: "plugin_event"`, after `subscribe_plugin_events`). */
export type PluginStreamEvent =
  | { event: 'log'; plugin: string; entry: PluginLogEntry }
  | { event: 'fault'; plugin: string; version: string; kind: FaultKind; message: string; handles: number }
  | { event: 'deployed'; plugin: string; outcome: DeployOutcome }
  | { event: 'rolled_back'; plugin: string; outcome: DeployOutcome }
  | { event: 'unloaded'; plugin: string };

/**
 * `deploy_plugin`'s upload, beside `name` (and `admin_secret`), in one of two shapes:
 * - one module: `{ source, language: 'ts' | 'js', sourcemap? }`, which may import only
 *   `@cardea/plugin-sdk` (e.g. a studio that bundled its files itself, with a source map back to them);
 * - a set of files: `{ files: { 'src/index.ts': '…', 'src/Room.ts': '…' }, entry: 'src/index.ts' }`,
 *   bundled by the gateway. Relative imports (`./Room.ts`, `./Room`, `./Room.js`, `./rooms/index.ts`)
 *   resolve among the files, never above their root; the only other import allowed is
 *   `@cardea/plugin-sdk`. Paths are POSIX and relative, ending in `.ts`, `.mts`, `.js` or `.mjs`
 *   (each compiled by its extension); at most 256 files and 2 MiB of text in all. Stack traces and
 *   the stored source map point into each file by its path.
 */
export type PluginUpload = PluginModuleUpload | PluginFilesUpload;

/** One module (`deploy_plugin` with `source`). */
export type PluginModuleUpload = {
  language: 'ts' | 'js';
  source: string;
  /** Source map of `source` (JSON text), composed into the stored map. */
  sourcemap?: string;
};

/** A set of files and its entry (`deploy_plugin` with `files`). */
export type PluginFilesUpload = {
  /** File path → text. */
  files: { [path: string]: string };
  /** The path of the file whose default export is the plugin (one of `files`). */
  entry: string;
};

/**
 * `get_plugin_source`: what was uploaded for a user plugin's current version. For a set of files,
 * `files` and `entry` are as uploaded, `source` is the entry's text and `language` the entry's.
 */
export type PluginSource = {
  name: string;
  version: string;
  hash: string;
  language: 'ts' | 'js';
  source: string;
  /** The uploaded source map, when there was one. */
  sourcemap?: string;
  /** The uploaded files, when the upload was a set of files. */
  files?: { [path: string]: string };
  /** The entry of `files`. */
  entry?: string;
};

/**
 * `get_builtin_source`: every file of a built-in plugin's source folder, for the studio to show
 * read-only and to fork into a user plugin under another name.
 */
export type BuiltinPluginSource = {
  name: string;
  version: string;
  /** The file the plugin starts from, e.g. `src/index.ts`. */
  entry: string;
  /** Path relative to the plugin's package folder (`src/index.ts`, `src/Room.ts`) → text: every source file beside the entry and below. */
  files: { [path: string]: string };
};

/** `handle_info`'s `info`. */
export type HandleInfo = {
  session_id: number;
  session_transport?: string;
  handle_id: number;
  opaque_id?: string;
  plugin: string;
  plugin_specific?: { [key: string]: AdminJson };
  /** The PeerConnection: up, closed, and (while it exists) its ICE, DTLS, connection and signalling states. */
  webrtc?: {
    up: boolean;
    closed: boolean;
    ice?: string;
    dtls?: string;
    connection?: string;
    signaling?: string;
    /** Remote candidates by outcome (malformed, ignored_mdns, ignored_hostname, resolved_mdns, unresolved_mdns). */
    remote_candidates?: { [counter: string]: number };
    /** Datagrams dropped before DTLS/SRTP/STUN state, by reason (foreign_source, stun_unauthenticated, …). */
    dropped?: { [reason: string]: number };
  };
  /** Media counters of the handle (packets and bytes by direction). */
  media?: { [counter: string]: number };
};
