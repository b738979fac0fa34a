// What the main thread and the mixer worker say to each other. Control calls and their replies are
// rare postMessages carrying plain JSON (the SDK's option objects pass through untouched, so new
// mixer or participant options need no change here); packets and mix frames go through SabRing.
import type { MixerEvent, MixerStats } from '@cardea/plugin-sdk';
import type { MixClockOptions } from './MixClock.ts';

/** What the worker is started with (workerData). */
export interface MixerWorkerData {
  /** Main → worker: participants' packets. */
  input: SharedArrayBuffer;
  /** Worker → main: encoded mix frames with their target handles. */
  output: SharedArrayBuffer;
  /** Int32 flags: [0] = 1 while a wake message is in flight (at most one). */
  flags: SharedArrayBuffer;
  clock: MixClockOptions;
  /** Nice value of the worker thread (0: inherit). */
  nice: number;
}

/**
 * Body layout of an input record: float64 handle (handle ids are up to 2^53), int32 mixer, uint16
 * seq, int16 level, payload.
 */
export const IN_HEADER = 16;
/**
 * Body layout of an output record: int32 mixer, int32 count, uint32 timestamp, pad, float64 ready
 * time (performance.timeOrigin + now, ms), `count` float64 handles, then the Opus payload.
 */
export const OUT_HEADER = 24;

/** The calls the main thread makes; `args` are plain JSON. */
export type MixerCall =
  | { op: 'create'; mixer: number; options: object }
  | { op: 'destroy'; mixer: number }
  | { op: 'add'; mixer: number; handle: number; settings: object; attached: boolean }
  | { op: 'update'; mixer: number; handle: number; settings: object }
  | { op: 'remove'; mixer: number; handle: number }
  | { op: 'attach'; mixer: number; handle: number }
  | { op: 'detach'; mixer: number; handle: number }
  | { op: 'canSend'; mixer: number; handle: number; value: boolean }
  | { op: 'resetDecoder'; mixer: number; handle: number }
  | { op: 'playFile'; mixer: number; path: string; loop: boolean; bytes?: Uint8Array }
  | { op: 'stopFile'; mixer: number; fileId: number }
  | { op: 'record'; mixer: number; path: string | null; fd?: number }
  | { op: 'forward'; mixer: number; forward: { host: string; port: number; ssrc?: number; payloadType?: number } }
  | { op: 'stopForward'; mixer: number; forwarderId: number }
  | { op: 'stats'; mixer: number }
  /** Tests only: throws outside any handler, as a bug in the worker would, so the worker dies. */
  | { op: 'crash'; mixer: number };

/** Main → worker. */
export type ToWorker = { type: 'call'; id: number; call: MixerCall };

/** Worker → main. */
export type FromWorker =
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'fail'; id: number; name: string; message: string }
  /** Output records are waiting (flags[0] was set by the worker). */
  | { type: 'wake' }
  | { type: 'event'; event: MixerEvent }
  | { type: 'tickError'; mixer: number; message: string; stack: string | undefined };

/** The stats reply: the mixer's own, plus the worker-side counters. */
export type WorkerMixerStats = MixerStats & { unknownPackets?: number };
