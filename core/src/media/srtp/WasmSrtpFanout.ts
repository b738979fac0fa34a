// The WASM engine: wasm/build/cardea.wasm (AssemblyScript sources in wasm/assembly/) owns the
// per-packet path (RTP rewrite, AES-CM/GCM keystream XOR, HMAC-SHA1/GHASH, ROC, replay window) in
// memory laid out once at creation. This class writes subscriber ids into WASM memory and, after a
// fan-out that asked for it, refills keystream caches with one AES-ECB call per run (AES-NI through
// node:crypto; see wasm/assembly/keystream.ts). The Buffers it exposes are views on WASM memory,
// which never grows after init (growth would detach them).
import { createCipheriv, randomInt, type Cipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deriveSrtpSessionKeys } from './srtpKeyDerivation.ts';
import { StreamIds } from './StreamIds.ts';
import {
  FanoutCapacityError,
  SrtpProfile,
  type RtpRewrite,
  type SrtpFanout,
  type SrtpFanoutOptions,
  type SrtpFanoutStats,
  type SrtpMasterKey,
} from './SrtpFanoutTypes.ts';

/**
 * The WebAssembly JS API as far as this file uses it. The root tsconfig has no DOM lib, and
 * @types/node does not declare the WebAssembly globals, so they are typed here.
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: object) => { exports: unknown };
}
type CompiledModule = { readonly __brand: 'WebAssembly.Module' };
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The module's exports (wasm/assembly/index.ts documents each). */
export interface CardeaWasmExports {
  /** Exported linear memory; grown only by init(). */
  memory: { readonly buffer: ArrayBuffer };
  init(
    contexts: number,
    subscribers: number,
    slotBytes: number,
    slots: number,
    packetBytes: number,
    caches: number,
    cacheMinBytes: number,
  ): number;
  inputPtr(): number;
  subscribersPtr(): number;
  outOffsetsPtr(): number;
  outLengthsPtr(): number;
  keysPtr(): number;
  statsPtr(): number;
  ctxSetup(id: number, kind: number, profile: number): number;
  ctxFree(id: number): void;
  ctxRewrite(id: number, ssrc: number, pt: number, tsStep: number, initSeq: number, initTs: number): number;
  ctxRebase(id: number, tsStep: number): number;
  ctxLastSeq(id: number): number;
  ctxShiftSeq(id: number, delta: number): number;
  fanout(len: number, n: number): number;
  ksRefillCount(): number;
  ksRefillIdsPtr(): number;
  ksRefillOffsetsPtr(): number;
  ksRefillLengthsPtr(): number;
  ksCommit(): void;
  unprotect(id: number, len: number): number;
  protectRtcp(id: number, len: number): number;
  unprotectRtcp(id: number, len: number): number;
  testAesCm(len: number): void;
  testHmac(keyLen: number, len: number): void;
}

const kindEgress = 1;
const kindIngress = 2;

let compiled: CompiledModule | undefined;

/** Path of the built module (`npm run build:wasm`, also run by `npm install` through `prepare`). */
export function cardeaWasmPath(): string {
  return fileURLToPath(import.meta.resolve('@cardea/wasm/cardea.wasm'));
}

/** Compiles the module once per process (synchronously: it is ~8 KB). */
function module(): CompiledModule {
  if (compiled !== undefined) return compiled;
  let bytes: Buffer;
  try {
    bytes = readFileSync(cardeaWasmPath());
  } catch (error) {
    throw new Error(`${cardeaWasmPath()} is missing: run 'npm run build:wasm'`, { cause: error });
  }
  const compiledNow = new wasmApi.Module(bytes);
  compiled = compiledNow;
  return compiledNow;
}

/** Instantiates the raw module with its memory laid out (used by the engine and the kernel tests). */
export function instantiateCardeaWasm(options: Required<SrtpFanoutOptions>): CardeaWasmExports {
  const exports = new wasmApi.Instance(module(), {}).exports as CardeaWasmExports;
  const slotBytes = slotBytesFor(options.maxPacketBytes);
  const rc = exports.init(
    options.maxStreams,
    options.maxSubscribers,
    slotBytes,
    options.arenaSlots,
    options.maxPacketBytes,
    Number.isFinite(options.nativeAesMinBytes) ? options.keystreamCaches : 0,
    Math.min(options.nativeAesMinBytes, 0xffffffff),
  );
  if (rc !== 0) throw new RangeError(`cardea.wasm init failed (${rc}): check maxStreams/maxSubscribers/arenaSlots`);
  return exports;
}

/** Arena slot size: the packet plus the largest trailer (GCM SRTCP: 16-byte tag + 4-byte index), 16-aligned. */
export function slotBytesFor(maxPacketBytes: number): number {
  return (maxPacketBytes + 32 + 15) & ~15;
}

/** Options with the defaults of SrtpFanoutOptions applied. */
export function resolveFanoutOptions(options: SrtpFanoutOptions = {}): Required<SrtpFanoutOptions> {
  const maxSubscribers = options.maxSubscribers ?? 128;
  return {
    maxStreams: options.maxStreams ?? 1024,
    maxSubscribers,
    maxPacketBytes: options.maxPacketBytes ?? 1500,
    arenaSlots: options.arenaSlots ?? 4 * maxSubscribers,
    nativeAesMinBytes: options.nativeAesMinBytes ?? 300,
    keystreamCaches: options.keystreamCaches ?? maxSubscribers,
  };
}

/** The WASM engine; create it with createSrtpFanout({ engine: 'wasm' }). */
export class WasmSrtpFanout implements SrtpFanout {
  readonly engine = 'wasm' as const;
  readonly maxSubscribers: number;
  readonly maxPacketBytes: number;
  readonly input: Buffer;
  readonly arena: Buffer;
  readonly outOffsets: Uint32Array;
  readonly outLengths: Uint32Array;
  readonly #wasm: CardeaWasmExports;
  readonly #subscribers: Uint32Array;
  readonly #stats: Uint32Array;
  readonly #ids: StreamIds;
  /** Per egress stream: a long-lived AES-128-ECB cipher under its SRTP key, for keystream refills. */
  readonly #ecb: (Cipheriv | undefined)[];
  readonly #refillIds: Uint32Array;
  readonly #refillOffsets: Uint32Array;
  readonly #refillLengths: Uint32Array;

  constructor(options: SrtpFanoutOptions = {}) {
    const resolved = resolveFanoutOptions(options);
    this.#wasm = instantiateCardeaWasm(resolved);
    const buffer = this.#wasm.memory.buffer;
    this.maxSubscribers = resolved.maxSubscribers;
    this.maxPacketBytes = resolved.maxPacketBytes;
    this.input = Buffer.from(buffer, this.#wasm.inputPtr(), slotBytesFor(resolved.maxPacketBytes));
    this.arena = Buffer.from(buffer);
    this.outOffsets = new Uint32Array(buffer, this.#wasm.outOffsetsPtr(), resolved.maxSubscribers);
    this.outLengths = new Uint32Array(buffer, this.#wasm.outLengthsPtr(), resolved.maxSubscribers);
    this.#subscribers = new Uint32Array(buffer, this.#wasm.subscribersPtr(), resolved.maxSubscribers);
    this.#stats = new Uint32Array(buffer, this.#wasm.statsPtr(), 16);
    this.#ids = new StreamIds(resolved.maxStreams);
    this.#ecb = new Array<Cipheriv | undefined>(resolved.maxStreams).fill(undefined);
    const runs = 2 * resolved.maxSubscribers;
    this.#refillIds = new Uint32Array(buffer, this.#wasm.ksRefillIdsPtr(), runs);
    this.#refillOffsets = new Uint32Array(buffer, this.#wasm.ksRefillOffsetsPtr(), runs);
    this.#refillLengths = new Uint32Array(buffer, this.#wasm.ksRefillLengthsPtr(), runs);
  }

  addEgress(key: SrtpMasterKey, rewrite: RtpRewrite): number {
    const id = this.#setup(key, kindEgress);
    this.setRewrite(id, {
      ...rewrite,
      initialSequence: rewrite.initialSequence ?? randomInt(0x10000),
      initialTimestamp: rewrite.initialTimestamp ?? randomInt(0x100000000),
    });
    return id;
  }

  addIngress(key: SrtpMasterKey): number {
    return this.#setup(key, kindIngress);
  }

  setRewrite(id: number, rewrite: RtpRewrite): void {
    const { ssrc, payloadType = -1, timestampStep = 3000, initialSequence = 0, initialTimestamp = 0 } = rewrite;
    const rc = this.#wasm.ctxRewrite(id, ssrc >>> 0, payloadType, timestampStep >>> 0, initialSequence & 0xffff, initialTimestamp >>> 0);
    if (rc < 0) throw new RangeError(`stream ${id} is not an egress stream`);
  }

  rebase(id: number, timestampStep: number): void {
    if (this.#wasm.ctxRebase(id, timestampStep >>> 0) < 0) throw new RangeError(`stream ${id} is not an egress stream`);
  }

  shiftSequence(id: number, delta: number): void {
    if (this.#wasm.ctxShiftSeq(id, delta | 0) < 0) throw new RangeError(`stream ${id} is not an egress stream`);
  }

  remove(id: number): void {
    this.#wasm.ctxFree(id);
    if (this.#ids.has(id)) this.#ecb[id] = undefined;
    this.#ids.release(id);
  }

  unprotect(id: number, length: number): number {
    return this.#wasm.unprotect(id, length);
  }

  fanout(length: number, subscribers: ArrayLike<number>, count: number): number {
    if (count > this.maxSubscribers)
      throw new FanoutCapacityError(`fanout to ${count} subscribers exceeds maxSubscribers ${this.maxSubscribers}`);
    const list = this.#subscribers;
    for (let i = 0; i < count; i++) list[i] = subscribers[i] ?? 0xffffffff;
    const n = this.#wasm.fanout(length, count);
    const runs = this.#wasm.ksRefillCount();
    if (runs > 0) this.#refill(runs);
    return n;
  }

  /**
   * Turns the counter blocks the last fanout() wrote into keystream for later packets: one AES-ECB
   * call (AES-NI) per run, in place, then lets the module mark those cache entries valid.
   */
  #refill(runs: number): void {
    const arena = this.arena;
    for (let r = 0; r < runs; r++) {
      const at = this.#refillOffsets[r] ?? 0;
      const ecb = this.#ecb[this.#refillIds[r] ?? 0];
      // Every egress stream gets its cipher in #setup; without one the entries stay uncommitted
      // (invalid), never counter blocks served as keystream.
      if (!ecb) throw new Error(`internal: keystream refill for stream ${this.#refillIds[r]} without a cipher`);
      arena.set(ecb.update(arena.subarray(at, at + (this.#refillLengths[r] ?? 0))), at);
    }
    this.#wasm.ksCommit();
  }

  protectRtcp(id: number, length: number): number {
    return this.#wasm.protectRtcp(id, length);
  }

  unprotectRtcp(id: number, length: number): number {
    return this.#wasm.unprotectRtcp(id, length);
  }

  stats(): SrtpFanoutStats {
    const s = this.#stats;
    return {
      packets: s[0] ?? 0,
      copies: s[1] ?? 0,
      malformed: s[2] ?? 0,
      authFailed: s[3] ?? 0,
      replayed: s[4] ?? 0,
      badStream: s[5] ?? 0,
      tooLong: s[6] ?? 0,
      unprotected: s[7] ?? 0,
      keystreamCacheHits: s[8] ?? 0,
    };
  }

  /** Last sequence number written for an egress stream, or -1 before its first packet. */
  lastSequence(id: number): number {
    return this.#wasm.ctxLastSeq(id);
  }

  #setup(key: SrtpMasterKey, kind: number): number {
    if (key.profile === SrtpProfile.plain) return this.#setupPlain(kind);
    const keys = deriveSrtpSessionKeys(key);
    const id = this.#ids.take();
    const staging = Buffer.from(this.#wasm.memory.buffer, this.#wasm.keysPtr(), 128);
    staging.fill(0);
    staging.set(keys.rtpKey, 0);
    staging.set(keys.rtpSalt, 16);
    staging.set(keys.rtpAuthKey, 32);
    staging.set(keys.rtcpKey, 64);
    staging.set(keys.rtcpSalt, 80);
    staging.set(keys.rtcpAuthKey, 96);
    const rc = this.#wasm.ctxSetup(id, kind, key.profile);
    if (rc < 0) {
      this.#ids.release(id);
      throw new RangeError(`cardea.wasm ctxSetup failed (${rc})`);
    }
    let ecb: Cipheriv | undefined;
    if (kind === kindEgress) {
      ecb = createCipheriv('aes-128-ecb', keys.rtpKey, null);
      ecb.setAutoPadding(false);
    }
    this.#ecb[id] = ecb;
    return id;
  }

  /** A plain (unprotected) egress context: no keys, no keystream cache (never asked for one). */
  #setupPlain(kind: number): number {
    const id = this.#ids.take();
    if (this.#wasm.ctxSetup(id, kind, SrtpProfile.plain) < 0) {
      this.#ids.release(id);
      throw new RangeError('plain (unprotected) streams are egress only');
    }
    this.#ecb[id] = undefined;
    return id;
  }
}
