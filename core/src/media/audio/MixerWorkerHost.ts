// The main-thread side of the mixer worker (media.audioMixerThread 'worker'): it starts the worker,
// owns the real AudioEndpoints (the participants' packets go into the input ring from the
// transport's sink, with no postMessage per packet), and on each 'wake' sends the frames the worker
// left in the output ring through the real AudioTransport. It measures the hand-off delay (frame
// ready in the worker → sent here), which is where main-thread stalls now show instead of in the
// mixer's clock. Why a worker: see mixerWorker.ts.
import { Worker } from 'node:worker_threads';
import type { MixerEvent, MixerOptions, MixerStats } from '@cardea/plugin-sdk';
import { closeFdQuietly } from '../../util/closeFd.ts';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioTransport } from './AudioEndpointTypes.ts';
import type { MixClockOptions } from './MixClock.ts';
import type { MixerControl } from './MixerControl.ts';
import type { ParticipantSettings } from './MixerParticipant.ts';
import { IN_HEADER, OUT_HEADER, type FromWorker, type MixerCall, type MixerWorkerData, type ToWorker } from './MixerWorkerProtocol.ts';
import type { MixForward } from './RtpMixForwarder.ts';
import { SabRing } from './SabRing.ts';

/** Input ring: ~20 ticks of a 1000-participant room at ~100 B per packet. */
const INPUT_BYTES = 4 << 20;
/** Output ring: ~20 ticks of 200 own N−1 frames plus shared frames with their target lists. */
const OUTPUT_BYTES = 4 << 20;
/** How often endpoints' sendability is pushed to the worker (it gates encodes there). */
const CAN_SEND_POLL_MS = 50;
/** How long close() waits for the worker to destroy a mixer (a stuck worker is terminated anyway). */
const DESTROY_TIMEOUT_MS = 2000;
/** Upper bounds (ms) of the hand-off delay histogram's buckets; the last bucket is everything above. */
export const HANDOFF_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100] as const;

/** Hand-off delay of one mixer's frames: ready in the worker → handed to the transport here. */
export interface HandoffStats {
  frames: number;
  maxMs: number;
  /** 99th percentile, as the upper bound of its histogram bucket (ms; the max above the last bucket). */
  p99Ms: number;
  /** Frame counts per bucket: ≤1, ≤2, ≤5, ≤10, ≤20, ≤50, ≤100, >100 ms. */
  histogram: number[];
  /** Packets the input ring and frames the output ring dropped (shared by all mixers). */
  inputDropped: number;
  outputDropped: number;
}

/** Where the host reports (AudioMixers' events). */
export interface MixerWorkerHooks {
  event(event: MixerEvent): void;
  error(error: unknown, mixer: number): void;
}

/** The worker is gone (crashed, or closed): every call on its mixers fails with this. */
export class MixerWorkerError extends Error {
  override name = 'MixerWorkerError';
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class MixerWorkerHost {
  readonly #transport: AudioTransport;
  readonly #hooks: MixerWorkerHooks;
  readonly #worker: Worker;
  readonly #input = SabRing.create(INPUT_BYTES);
  readonly #output = SabRing.create(OUTPUT_BYTES);
  readonly #flags = new Int32Array(new SharedArrayBuffer(16));
  readonly #pending = new Map<number, Pending>();
  readonly #mixers = new Map<number, WorkerMixer>();
  readonly #targets: AudioEndpoint[] = [];
  readonly #poll: NodeJS.Timeout;
  #nextCall = 1;
  #failure: MixerWorkerError | undefined;
  #closed = false;

  /** `nice`: the worker thread's nice value (config `media.audioMixerNice`, 0 = inherit). */
  constructor(transport: AudioTransport, hooks: MixerWorkerHooks, clock: MixClockOptions, nice = 0) {
    this.#transport = transport;
    this.#hooks = hooks;
    // Timer settings only: a scheduler (functions) cannot cross threads.
    const { periodMs, lateMs, maxBehindFrames } = clock;
    const data: MixerWorkerData = {
      input: this.#input.buffer,
      output: this.#output.buffer,
      flags: this.#flags.buffer,
      nice,
      clock: {
        ...(periodMs !== undefined ? { periodMs } : {}),
        ...(lateMs !== undefined ? { lateMs } : {}),
        ...(maxBehindFrames !== undefined ? { maxBehindFrames } : {}),
      },
    };
    this.#worker = new Worker(new URL('./mixerWorker.ts', import.meta.url), { workerData: data, name: 'cardea-audio-mixers' });
    this.#worker.on('message', (message: FromWorker) => this.#onMessage(message));
    this.#worker.on('error', (error: Error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`exited with code ${code}`));
    });
    this.#poll = setInterval(() => this.#pollCanSend(), CAN_SEND_POLL_MS);
    this.#poll.unref();
  }

  /** Creates mixer `id` in the worker. */
  async create(id: number, options: MixerOptions): Promise<WorkerMixer> {
    await this.call({ op: 'create', mixer: id, options });
    const mixer = new WorkerMixer(id, this, this.#transport);
    this.#mixers.set(id, mixer);
    return mixer;
  }

  /** Runs a call in the worker; rejects with the worker's error (its class name kept when standard). */
  call(call: MixerCall): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new MixerWorkerError('audio mixers closed'));
    const id = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const message: ToWorker = { type: 'call', id, call };
      this.#worker.postMessage(message);
    });
  }

  /** A call whose result nobody awaits: its failure is reported as the mixer's error. */
  send(call: MixerCall): void {
    this.call(call).catch((error: unknown) => this.#hooks.error(error, call.mixer));
  }

  /** Queues one packet of `handle` for mixer `mixer` (dropped and counted when the ring is full). */
  writePacket(mixer: number, handle: number, seq: number, payload: Uint8Array, level: number): void {
    const ring = this.#input;
    const at = ring.begin(IN_HEADER + payload.length);
    if (at < 0) return;
    const v = ring.view;
    v.setFloat64(at, handle, true);
    v.setInt32(at + 8, mixer, true);
    v.setUint16(at + 12, seq, true);
    v.setInt16(at + 14, level, true);
    ring.bytes.set(payload, at + IN_HEADER);
    ring.commit();
  }

  forget(id: number): void {
    this.#mixers.delete(id);
  }

  /** True once the worker crashed. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  get inputDropped(): number {
    return this.#input.dropped;
  }

  get outputDropped(): number {
    return this.#output.dropped;
  }

  /** Terminates the worker. Idempotent; mixers should be destroyed first (recordings get closed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    this.#rejectAll(new MixerWorkerError('audio mixers closed'));
    for (const mixer of this.#mixers.values()) mixer.closeEndpoints();
    this.#mixers.clear();
    this.#worker.removeAllListeners('message');
    await this.#worker.terminate();
    this.#worker.removeAllListeners();
  }

  #onMessage(message: FromWorker): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'wake':
        this.#drainOutput();
        return;
      case 'reply':
      case 'fail': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.type === 'reply') pending.resolve(message.value);
        else pending.reject(rebuildError(message.name, message.message));
        return;
      }
      case 'event':
        this.#hooks.event(message.event);
        return;
      case 'tickError': {
        const error = new Error(message.message);
        if (message.stack) error.stack = message.stack;
        this.#hooks.error(error, message.mixer);
        return;
      }
    }
  }

  /** Sends every frame the worker queued. */
  #drainOutput(): void {
    // Cleared before reading: a frame committed after this drain's last read posts a new wake.
    Atomics.store(this.#flags, 0, 0);
    const ring = this.#output;
    const v = ring.view;
    const now = performance.timeOrigin + performance.now();
    const targets = this.#targets;
    for (let at = ring.next(); at >= 0; at = ring.next()) {
      const mixer = this.#mixers.get(v.getInt32(at, true));
      if (mixer) {
        const count = v.getInt32(at + 4, true);
        const timestamp = v.getUint32(at + 8, true);
        mixer.noteHandoff(now - v.getFloat64(at + 16, true));
        let k = 0;
        for (let i = 0, o = at + OUT_HEADER; i < count; i++, o += 8) {
          const endpoint = mixer.endpoint(v.getFloat64(o, true));
          if (endpoint) targets[k++] = endpoint;
        }
        const start = at + OUT_HEADER + 8 * count;
        const payload = ring.bytes.subarray(start, at + ring.size);
        // A transport that keeps the payload past the call (werift's async send) needs its own copy.
        const frame = this.#transport.sendsSynchronously === true ? payload : payload.slice();
        if (k === 1) (targets[0] as AudioEndpoint).send(frame, timestamp);
        else if (k > 1) this.#transport.sendMany(targets, k, frame, timestamp);
      }
      ring.release();
    }
  }

  #pollCanSend(): void {
    for (const mixer of this.#mixers.values()) mixer.pollCanSend();
  }

  #fail(error: Error): void {
    if (this.#failure || this.#closed) return;
    this.#failure = new MixerWorkerError(`audio mixer worker failed: ${error.message}`);
    this.#failure.cause = error;
    this.#rejectAll(this.#failure);
    clearInterval(this.#poll);
    for (const [id, mixer] of this.#mixers) {
      mixer.closeEndpoints();
      this.#hooks.error(this.#failure, id);
      this.#hooks.event({ type: 'mixer-failed', mixer: id, error: this.#failure.message });
    }
  }

  #rejectAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }
}

function rebuildError(name: string, message: string): Error {
  const error = name === 'RangeError' ? new RangeError(message) : name === 'TypeError' ? new TypeError(message) : new Error(message);
  if (error.name !== name) error.name = name;
  return error;
}

interface Attached {
  endpoint: AudioEndpoint;
  /** Last sendability reported to the worker. */
  canSend: boolean;
}

/** One mixer in the worker, seen from the main thread. */
export class WorkerMixer implements MixerControl {
  readonly id: number;
  readonly #host: MixerWorkerHost;
  readonly #transport: AudioTransport;
  readonly #members = new Set<number>();
  readonly #attached = new Map<number, Attached>();
  readonly #histogram = new Array<number>(HANDOFF_BUCKETS_MS.length + 1).fill(0);
  #handoffFrames = 0;
  #handoffMax = 0;
  #closed = false;

  constructor(id: number, host: MixerWorkerHost, transport: AudioTransport) {
    this.id = id;
    this.#host = host;
    this.#transport = transport;
  }

  has(handleId: number): boolean {
    return this.#members.has(handleId);
  }

  async join(handleId: number, settings: Partial<ParticipantSettings>, peer: WebRtcPeer | undefined): Promise<void> {
    if (this.#closed || this.#members.has(handleId)) return;
    this.#members.add(handleId);
    if (peer) this.#open(handleId, peer);
    await this.#host.call({ op: 'add', mixer: this.id, handle: handleId, settings, attached: peer !== undefined });
  }

  update(handleId: number, settings: Partial<ParticipantSettings>): void {
    if (this.#members.has(handleId)) this.#host.send({ op: 'update', mixer: this.id, handle: handleId, settings });
  }

  remove(handleId: number): void {
    if (!this.#members.delete(handleId)) return;
    this.#closeEndpoint(handleId);
    this.#host.send({ op: 'remove', mixer: this.id, handle: handleId });
  }

  attachPeer(handleId: number, peer: WebRtcPeer): void {
    if (this.#closed || !this.#members.has(handleId)) return;
    this.#open(handleId, peer);
    this.#host.send({ op: 'attach', mixer: this.id, handle: handleId });
  }

  detachPeer(handleId: number): void {
    if (!this.#members.has(handleId)) return;
    this.#closeEndpoint(handleId);
    this.#host.send({ op: 'detach', mixer: this.id, handle: handleId });
  }

  async resetDecoder(handleId: number): Promise<void> {
    await this.#host.call({ op: 'resetDecoder', mixer: this.id, handle: handleId });
  }

  async playFile(path: string, loop: boolean, bytes?: Uint8Array): Promise<number> {
    return (await this.#host.call({ op: 'playFile', mixer: this.id, path, loop, ...(bytes ? { bytes } : {}) })) as number;
  }

  stopFile(fileId: number): void {
    this.#host.send({ op: 'stopFile', mixer: this.id, fileId });
  }

  /**
   * A descriptor posted to the worker is the worker's to close (descriptors are per process). If
   * the worker is gone before the call is posted, it is closed here; one lost inside a worker
   * that crashed mid-call stays open (rare: the worker dies only on a bug).
   */
  async record(path: string | null, fd?: number): Promise<void> {
    if (fd !== undefined && this.#host.failed) {
      closeFdQuietly(fd);
      throw new MixerWorkerError('the mixer worker is gone');
    }
    await this.#host.call({ op: 'record', mixer: this.id, path, ...(fd !== undefined ? { fd } : {}) });
  }

  async forward(forward: MixForward): Promise<number> {
    return (await this.#host.call({ op: 'forward', mixer: this.id, forward })) as number;
  }

  stopForward(forwarderId: number): void {
    this.#host.send({ op: 'stopForward', mixer: this.id, forwarderId });
  }

  async stats(): Promise<MixerStats> {
    const stats = (await this.#host.call({ op: 'stats', mixer: this.id })) as MixerStats;
    stats.handoff = this.handoff();
    return stats;
  }

  /** The hand-off delay so far. */
  handoff(): HandoffStats {
    const h = this.#histogram;
    let p99Ms = 0;
    const limit = Math.ceil(this.#handoffFrames * 0.99);
    for (let i = 0, seen = 0; i < h.length; i++) {
      seen += h[i] as number;
      if (seen >= limit) {
        // Above the last bucket the max is the only bound there is (Infinity would not survive JSON).
        p99Ms = HANDOFF_BUCKETS_MS[i] ?? this.#handoffMax;
        break;
      }
    }
    return {
      frames: this.#handoffFrames,
      maxMs: Math.round(this.#handoffMax * 100) / 100,
      p99Ms: this.#handoffFrames > 0 ? Math.round(p99Ms * 100) / 100 : 0,
      histogram: [...h],
      inputDropped: this.#host.inputDropped,
      outputDropped: this.#host.outputDropped,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.closeEndpoints();
    this.#members.clear();
    this.#host.forget(this.id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DESTROY_TIMEOUT_MS);
    });
    const destroyed = this.#host.call({ op: 'destroy', mixer: this.id }).then(
      () => undefined,
      () => {
        // The worker is gone (crash or gateway close): there is nothing left to destroy.
      },
    );
    await Promise.race([destroyed, timeout]);
    clearTimeout(timer);
  }

  // --- for the host ---

  /** The endpoint frames for `handleId` go to. */
  endpoint(handleId: number): AudioEndpoint | undefined {
    return this.#attached.get(handleId)?.endpoint;
  }

  noteHandoff(ms: number): void {
    this.#handoffFrames++;
    if (ms > this.#handoffMax) this.#handoffMax = ms;
    let i = 0;
    while (i < HANDOFF_BUCKETS_MS.length && ms > (HANDOFF_BUCKETS_MS[i] as number)) i++;
    this.#histogram[i] = (this.#histogram[i] as number) + 1;
  }

  /** Tells the worker which endpoints can be sent to now (it skips encodes for the others). */
  pollCanSend(): void {
    for (const [handleId, a] of this.#attached) {
      const now = a.endpoint.canSend;
      if (now === a.canSend) continue;
      a.canSend = now;
      this.#host.send({ op: 'canSend', mixer: this.id, handle: handleId, value: now });
    }
  }

  closeEndpoints(): void {
    for (const id of [...this.#attached.keys()]) this.#closeEndpoint(id);
  }

  #open(handleId: number, peer: WebRtcPeer): void {
    this.#closeEndpoint(handleId);
    const host = this.#host;
    const mixer = this.id;
    // One closure per endpoint (not per packet): the packet is copied into the input ring.
    const endpoint = this.#transport.open(handleId, peer, (seq, payload, level) => host.writePacket(mixer, handleId, seq, payload, level));
    this.#attached.set(handleId, { endpoint, canSend: false });
  }

  #closeEndpoint(handleId: number): void {
    const a = this.#attached.get(handleId);
    if (!a) return;
    this.#attached.delete(handleId);
    a.endpoint.close();
  }
}
