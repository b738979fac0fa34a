import type { Json, JsonObject, LogLevel, PluginHandlerName } from '@cardea/plugin-sdk';

/**
 * The messages between the gateway's main thread and a plugin-runner worker. Everything is plain
 * JSON (structured clone of JSON values): no functions, no shared memory, no views into a
 * sandbox's WebAssembly memory.
 */

/** Limits of one sandboxed plugin version. */
export interface SandboxLimits {
  /** WebAssembly memory cap in MiB (the QuickJS heap lives in it). */
  memoryMb: number;
  /** Milliseconds one entry into the sandbox may run. */
  deadlineMs: number;
  /** Milliseconds of sandbox time allowed per one-second window, summed over entries. */
  cpuMsPerSecond: number;
  /** API calls per second (events, media calls, store). */
  maxCallsPerSecond: number;
  /** Largest serialised payload crossing the bridge, in bytes. */
  maxCallBytes: number;
  /** Log lines per second kept. */
  maxLogLinesPerSecond: number;
}

/** Why a sandbox was stopped. */
export type FaultKind = 'cpu' | 'memory' | 'crash';

/** An error as it leaves the sandbox: strings only, created in the sandbox's realm. */
export interface SandboxErrorInfo {
  name: string;
  message: string;
  /** QuickJS stack (`    at fn (file:line:col)` lines), source-mapped on the main thread. */
  stack: string;
}

/** What a loaded plugin declared. */
export interface SandboxIdentity {
  name: string;
  version: string;
  description: string;
  author: string;
  /** The optional handlers it implements (`exportState`, `importState`, ...). */
  handlers: string[];
}

/** The handlers the core may call (the SDK's list); each takes JSON arguments (the API is appended in the sandbox). */
export type SandboxMethod = PluginHandlerName;

// --- main thread → worker ---

export interface LoadRequest {
  type: 'load';
  id: number;
  instance: string;
  /** The bundled ES module. */
  code: string;
  /** Module file name, as stack traces show it. */
  filename: string;
  limits: SandboxLimits;
}

export interface CallRequest {
  type: 'call';
  id: number;
  instance: string;
  method: SandboxMethod;
  args: Json[];
}

/** The outcome of an API call the plugin made. */
export interface SettleMessage {
  type: 'settle';
  instance: string;
  callId: number;
  ok: boolean;
  /** The value (ok) or the error message (not ok). */
  value: Json;
}

/** Forget an instance without disposing it (dispose can abort after an interrupt). */
export interface DropMessage {
  type: 'drop';
  instance: string;
}

export type ToWorker = LoadRequest | CallRequest | SettleMessage | DropMessage;

// --- worker → main thread ---

export type ReplyMessage =
  { type: 'reply'; id: number; ok: true; value: Json } | { type: 'reply'; id: number; ok: false; error: SandboxErrorInfo };

/** The plugin called an API function that the main thread executes (and checks). */
export interface ApiCallMessage {
  type: 'api';
  instance: string;
  callId: number;
  op: string;
  args: Json[];
}

export interface LogMessage {
  type: 'log';
  instance: string;
  level: LogLevel;
  message: string;
  fields?: JsonObject;
  /** Set when the line reports an exception (e.g. a timer callback threw). */
  error?: SandboxErrorInfo;
}

export interface FaultMessage {
  type: 'fault';
  instance: string;
  kind: FaultKind;
  message: string;
}

export type FromWorker = ReplyMessage | ApiCallMessage | LogMessage | FaultMessage;
