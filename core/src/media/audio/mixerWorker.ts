// The mixer worker (media.audioMixerThread 'worker'): the unchanged AudioMixer runs here, off the
// main event loop, so its 20 ms clock is not held up by packet handling, DTLS/ICE handshakes and
// signalling on the main thread — the OS schedules this thread on its own. Packets arrive through
// the input SabRing and are drained at the start of every tick (a packet that came in after a
// tick's drain would not be played before the next tick anyway, so no extra poll is needed); mix
// frames leave through the output SabRing, and one 'wake' postMessage per burst tells the main
// thread to send them through the real AudioTransport.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { MixerEvent, MixerOptions } from '@cardea/plugin-sdk';
import { closeFdQuietly } from '../../util/closeFd.ts';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioEndpoint, AudioPacketSink, AudioTransport } from './AudioEndpointTypes.ts';
import { AudioMixer } from './AudioMixer.ts';
import { IN_HEADER, OUT_HEADER, type FromWorker, type MixerCall, type MixerWorkerData, type ToWorker } from './MixerWorkerProtocol.ts';
import { SabRing } from './SabRing.ts';

const port = parentPort;
if (!port) throw new Error('mixerWorker.ts runs as a worker thread only');
const data = workerData as MixerWorkerData;
const input = SabRing.attach(data.input);
const output = SabRing.attach(data.output);
const flags = new Int32Array(data.flags);

/**
 * Applies `data.nice` to this thread only (Linux: setpriority on the thread id; a negative value
 * needs CAP_SYS_NICE). Returns why it failed, or undefined.
 */
function applyNice(): string | undefined {
  if (data.nice === 0) return undefined;
  try {
    // /proc/thread-self → "<pid>/task/<tid>": Node exposes no thread id, setpriority takes one.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, data.nice);
    return undefined;
  } catch (error) {
    return `could not set the mixer thread's nice value to ${data.nice}: ${(error as Error).message}`;
  }
}
let niceError = applyNice();

/** The worker's endpoints never touch a PeerConnection; AudioMixer only hands this to the transport. */
const NO_PEER = {} as WebRtcPeer;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

/** Output was written since the last wake: post one (at most one in flight, see flags[0]). */
let pendingWake = false;
function wake(): void {
  pendingWake = false;
  if (Atomics.compareExchange(flags, 0, 0, 1) === 0) post({ type: 'wake' });
}
function outputWritten(): void {
  if (pendingWake) return;
  pendingWake = true;
  // After the current tick (a macrotask) finishes: one wake for all of its frames.
  queueMicrotask(wake);
}

/** Writes one frame for `count` handles to the output ring (dropped and counted when full). */
function writeFrame(mixer: number, handles: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void {
  const at = output.begin(OUT_HEADER + 8 * count + payload.length);
  if (at < 0) return;
  const v = output.view;
  v.setInt32(at, mixer, true);
  v.setInt32(at + 4, count, true);
  v.setUint32(at + 8, timestamp >>> 0, true);
  v.setFloat64(at + 16, performance.timeOrigin + performance.now(), true);
  let o = at + OUT_HEADER;
  for (let i = 0; i < count; i++, o += 8) v.setFloat64(o, (handles[i] as AudioEndpoint).handleId, true);
  output.bytes.set(payload, o);
  output.commit();
  outputWritten();
}

/** What a mixer's endpoints share with the worker's bookkeeping (exists before the mixer). */
interface Links {
  sinks: Map<number, AudioPacketSink>;
  /** Handles the main thread can send to now (it reports changes). */
  sendable: Set<number>;
}

/** One mixer's state in the worker. */
interface Hosted extends Links {
  mixer: AudioMixer;
  /** Handles whose PeerConnection exists on the main thread. */
  attached: Set<number>;
  unknownPackets: number;
}

const mixers = new Map<number, Hosted>();

class RingEndpoint implements AudioEndpoint {
  readonly handleId: number;
  readonly #hosted: Links;
  readonly #mixer: number;
  readonly #one: AudioEndpoint[];
  #closed = false;

  constructor(mixer: number, hosted: Links, handleId: number, sink: AudioPacketSink) {
    this.handleId = handleId;
    this.#mixer = mixer;
    this.#hosted = hosted;
    this.#one = [this];
    hosted.sinks.set(handleId, sink);
  }

  get canSend(): boolean {
    return !this.#closed && this.#hosted.sendable.has(this.handleId);
  }

  send(payload: Uint8Array, timestamp: number): void {
    if (!this.#closed) writeFrame(this.#mixer, this.#one, 1, payload, timestamp);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hosted.sinks.delete(this.handleId);
  }
}

/** The AudioTransport the worker's mixers see: the rings. */
class RingTransport implements AudioTransport {
  readonly #mixer: number;
  readonly #links: Links;

  constructor(mixer: number, links: Links) {
    this.#mixer = mixer;
    this.#links = links;
  }

  open(handleId: number, _peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint {
    return new RingEndpoint(this.#mixer, this.#links, handleId, sink);
  }

  sendMany(endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array, timestamp: number): void {
    writeFrame(this.#mixer, endpoints, count, payload, timestamp);
  }
}

/** Hands every queued packet to its participant's sink (any mixer's tick drains for all). */
function drainInput(): void {
  const v = input.view;
  for (let at = input.next(); at >= 0; at = input.next()) {
    const handle = v.getFloat64(at, true);
    const hosted = mixers.get(v.getInt32(at + 8, true));
    const sink = hosted?.sinks.get(handle);
    if (sink) sink(v.getUint16(at + 12, true), input.bytes.subarray(at + IN_HEADER, at + input.size), v.getInt16(at + 14, true));
    else if (hosted) hosted.unknownPackets++;
    input.release();
  }
}

function hostedOf(mixer: number): Hosted {
  const hosted = mixers.get(mixer);
  if (!hosted) throw new Error(`no mixer ${mixer}`);
  return hosted;
}

async function create(id: number, options: MixerOptions): Promise<null> {
  const links: Links = { sinks: new Map(), sendable: new Set() };
  const hooks = {
    emit: (event: MixerEvent) => post({ type: 'event', event }),
    onError: (error: unknown) =>
      post({ type: 'tickError', mixer: id, message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack }),
    beforeTick: drainInput,
  };
  const mixer = await AudioMixer.create(id, options, new RingTransport(id, links), hooks, data.clock);
  mixers.set(id, { ...links, mixer, attached: new Set(), unknownPackets: 0 });
  // Reported once, through the first mixer (the owner logs its errors).
  if (niceError !== undefined) hooks.onError(new Error(niceError));
  niceError = undefined;
  return null;
}

async function handle(call: MixerCall): Promise<unknown> {
  if (call.op === 'create') return create(call.mixer, call.options);
  if (call.op === 'crash') {
    setImmediate(() => {
      throw new Error('crash requested');
    });
    return null;
  }
  if (call.op === 'destroy') {
    const hosted = mixers.get(call.mixer);
    mixers.delete(call.mixer);
    await hosted?.mixer.close();
    return null;
  }
  // A recording's descriptor is this worker's to close, even when its mixer is already gone.
  if (call.op === 'record' && call.fd !== undefined && !mixers.has(call.mixer)) closeFdQuietly(call.fd);
  const hosted = hostedOf(call.mixer);
  const mixer = hosted.mixer;
  switch (call.op) {
    case 'add': {
      if (call.attached) hosted.attached.add(call.handle);
      await mixer.add(call.handle, mixer.settingsFor(call.settings), undefined);
      // Attached while the codec states were being created (or before): wire it now.
      if (hosted.attached.has(call.handle)) mixer.attachPeer(call.handle, NO_PEER);
      return null;
    }
    case 'update':
      mixer.update(call.handle, call.settings);
      return null;
    case 'remove':
      hosted.attached.delete(call.handle);
      hosted.sendable.delete(call.handle);
      mixer.remove(call.handle);
      return null;
    case 'attach':
      hosted.attached.add(call.handle);
      // A new endpoint on the main thread: it reports its sendability afresh.
      hosted.sendable.delete(call.handle);
      mixer.attachPeer(call.handle, NO_PEER);
      return null;
    case 'detach':
      hosted.attached.delete(call.handle);
      hosted.sendable.delete(call.handle);
      mixer.detachPeer(call.handle);
      return null;
    case 'canSend':
      if (call.value) hosted.sendable.add(call.handle);
      else hosted.sendable.delete(call.handle);
      return null;
    case 'resetDecoder':
      await mixer.resetDecoder(call.handle);
      return null;
    case 'playFile':
      return mixer.playFile(call.path, call.loop, call.bytes);
    case 'stopFile':
      return mixer.stopFile(call.fileId);
    case 'record':
      await mixer.record(call.path, call.fd);
      return null;
    case 'forward':
      return mixer.forward(call.forward);
    case 'stopForward':
      return mixer.stopForward(call.forwarderId);
    case 'stats':
      return { ...mixer.stats(), unknownPackets: hosted.unknownPackets };
  }
  return null;
}

port.on('message', (message: ToWorker) => {
  handle(message.call).then(
    (value) => post({ type: 'reply', id: message.id, value: value ?? null }),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ type: 'fail', id: message.id, name: e.name, message: e.message });
    },
  );
});
