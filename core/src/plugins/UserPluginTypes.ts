import type { JsonObject, LogLevel } from '@cardea/plugin-sdk';
import type { HostKind } from './PluginHostTypes.ts';
import type { PluginLanguage } from './sandbox/compilePlugin.ts';
import type { FaultKind } from './sandbox/SandboxProtocol.ts';

/** One line of a plugin's log, as `plugin_logs` and the admin event stream show it. */
export interface PluginLogEntry {
  /** ISO 8601 time. */
  at: string;
  level: LogLevel;
  message: string;
  /** Version that wrote it. */
  version: string;
  fields?: JsonObject;
  /** Source-mapped stack, for errors. */
  stack?: string;
}

/** Life of a user plugin as `list_plugins` reports it. */
export type UserPluginState = 'running' | 'restarting' | 'failed' | 'unloaded';

/** One loaded version of a user plugin. */
export interface PluginVersionInfo {
  version: string;
  hash: string;
  handles: number;
  /** `serving`: gets new attaches; `draining`: keeps its handles until they detach. */
  role: 'serving' | 'draining';
}

/** A row of `list_plugins`. */
export interface PluginListing extends JsonObject {
  name: string;
  version: string;
  /** Content hash of the running module (null for built-ins). */
  hash: string | null;
  host: HostKind;
  handles: number;
  state: UserPluginState;
  description: string;
  author: string;
}

/** What a deploy (or rollback) did. */
export interface DeployOutcome extends JsonObject {
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
}

/** An event for the admin event stream. */
export type PluginStreamEvent =
  | { event: 'log'; plugin: string; entry: PluginLogEntry }
  | { event: 'fault'; plugin: string; version: string; kind: FaultKind; message: string; handles: number }
  | { event: 'deployed'; plugin: string; outcome: DeployOutcome }
  | { event: 'rolled_back'; plugin: string; outcome: DeployOutcome }
  | { event: 'unloaded'; plugin: string };

/** A deploy request, as the Admin API validated it. */
export interface DeployRequest {
  name: string;
  source: string;
  language: PluginLanguage;
  sourcemap?: string | undefined;
}
