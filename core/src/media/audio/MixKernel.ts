// The PCM side of the mixer in WebAssembly: wasm/assembly-mixer/index.ts (AssemblyScript, SIMD)
// sums frames and makes the N−1 mixes, ~70 ns per participant frame against ~1.5 µs in plain JS
// (shared/research/opus-wasm.md §B.3). Every frame lives in the kernel's own memory and every
// call passes pointers only; the memory grows only in allocSlot(), after which views are rebuilt.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The WebAssembly JS API as far as this file uses it (the root tsconfig has no DOM lib). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The kernel's exports (wasm/assembly-mixer/index.ts documents each). */
interface MixerWasmExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  sumFrames(listPtr: number, count: number, samples: number, totalPtr: number): void;
  minusSaturate(totalPtr: number, framePtr: number, outPtr: number, samples: number): void;
  saturate(totalPtr: number, outPtr: number, samples: number): void;
  applyGain(framePtr: number, samples: number, gainQ12: number): void;
  sumSquares(framePtr: number, samples: number): number;
}

const PAGE = 65536;
/** Largest frame: 20 ms at 48 kHz. */
const MAX_SAMPLES = 960;
let compiled: object | undefined;

/** Path of the built kernel (`npm run build:wasm:mixer`, run by `npm install` through `prepare`). */
export function mixerWasmPath(): string {
  return fileURLToPath(import.meta.resolve('@cardea/wasm/mixer.wasm'));
}

function compiledModule(): object {
  if (compiled) return compiled;
  let bytes: Buffer;
  try {
    bytes = readFileSync(mixerWasmPath());
  } catch (error) {
    throw new Error(`${mixerWasmPath()} is missing: run 'npm run build:wasm:mixer'`, { cause: error });
  }
  compiled = new wasmApi.Module(bytes);
  return compiled;
}

/**
 * One mixer's frames and kernel instance. Layout from the module's heap base: the mix list
 * (u32 frame pointers), the int32 total, one int16 output frame, then the frame slots.
 */
export class MixKernel {
  /** Samples per frame (20 ms at the room's rate). */
  readonly samples: number;
  readonly #wasm: MixerWasmExports;
  readonly #listPtr: number;
  readonly #totalPtr: number;
  readonly #outPtr: number;
  readonly #slotsPtr: number;
  readonly #slotBytes: number;
  #capacity = 0;
  #list: Uint32Array;
  #out: Int16Array;
  #frames: Int16Array[] = [];
  readonly #free: number[] = [];
  #listCount = 0;

  constructor(samples: number, initialSlots = 16) {
    if (samples % 8 !== 0 || samples > MAX_SAMPLES)
      throw new RangeError(`frame of ${samples} samples: must be a multiple of 8, at most ${MAX_SAMPLES}`);
    this.samples = samples;
    this.#wasm = new wasmApi.Instance(compiledModule(), { env: {} }).exports as MixerWasmExports;
    const base = (this.#wasm.heapBase() + 15) & ~15;
    this.#slotBytes = samples * 2;
    this.#listPtr = base;
    // The list holds every slot at most once; its room is sized with the slots (see #grow).
    this.#totalPtr = base + 4 * 4096;
    this.#outPtr = this.#totalPtr + MAX_SAMPLES * 4;
    this.#slotsPtr = this.#outPtr + MAX_SAMPLES * 2;
    this.#list = new Uint32Array(0);
    this.#out = new Int16Array(0);
    this.#grow(Math.max(1, initialSlots));
  }

  /** Slots the kernel can hold without growing. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Takes a free frame slot (zeroed), growing the memory when none is left. */
  allocSlot(): number {
    if (this.#free.length === 0) this.#grow(Math.min(4096, this.#capacity * 2));
    const slot = this.#free.pop();
    if (slot === undefined) throw new RangeError('mixer is full (4096 frame slots)');
    (this.#frames[slot] as Int16Array).fill(0);
    return slot;
  }

  freeSlot(slot: number): void {
    if (slot >= 0 && slot < this.#capacity && !this.#free.includes(slot)) this.#free.push(slot);
  }

  /** A view of a slot's frame; fetch it again after any allocSlot() (growth replaces views). */
  frame(slot: number): Int16Array {
    return this.#frames[slot] as Int16Array;
  }

  /** Starts a new mix list. */
  clearList(): void {
    this.#listCount = 0;
  }

  /** Adds a slot to the mix list. */
  addToList(slot: number): void {
    this.#list[this.#listCount++] = this.#slotsPtr + slot * this.#slotBytes;
  }

  get listCount(): number {
    return this.#listCount;
  }

  /** total = Σ frames of the mix list. */
  sum(): void {
    this.#wasm.sumFrames(this.#listPtr, this.#listCount, this.samples, this.#totalPtr);
  }

  /** The N−1 mix of `slot` (total minus its frame, saturated); valid until the next kernel call. */
  minus(slot: number): Int16Array {
    this.#wasm.minusSaturate(this.#totalPtr, this.#slotsPtr + slot * this.#slotBytes, this.#outPtr, this.samples);
    return this.#out;
  }

  /** The full mix (saturated total); valid until the next kernel call. */
  full(): Int16Array {
    this.#wasm.saturate(this.#totalPtr, this.#outPtr, this.samples);
    return this.#out;
  }

  /** Scales a slot's frame by `percent` / 100 (Janus `volume`), saturating. */
  gain(slot: number, percent: number): void {
    if (percent === 100) return;
    this.#wasm.applyGain(this.#slotsPtr + slot * this.#slotBytes, this.samples, Math.round((percent * 4096) / 100));
  }

  /** Level of a slot's frame in −dBov, 0 (loudest) to 127 (silence), as RFC 6464 §3 defines it. */
  level(slot: number): number {
    const energy = this.#wasm.sumSquares(this.#slotsPtr + slot * this.#slotBytes, this.samples);
    if (energy <= 0) return 127;
    const rms = Math.sqrt(energy / this.samples) / 32768;
    return Math.min(127, Math.max(0, Math.round(-20 * Math.log10(rms))));
  }

  #grow(slots: number): void {
    if (slots <= this.#capacity) return;
    const end = this.#slotsPtr + slots * this.#slotBytes;
    const have = this.#wasm.memory.buffer.byteLength;
    if (end > have) this.#wasm.memory.grow(Math.ceil((end - have) / PAGE));
    for (let s = slots - 1; s >= this.#capacity; s--) this.#free.push(s);
    this.#capacity = slots;
    this.#views();
  }

  #views(): void {
    const buffer = this.#wasm.memory.buffer;
    this.#list = new Uint32Array(buffer, this.#listPtr, 4096);
    this.#out = new Int16Array(buffer, this.#outPtr, this.samples);
    this.#frames = [];
    for (let s = 0; s < this.#capacity; s++) this.#frames.push(new Int16Array(buffer, this.#slotsPtr + s * this.#slotBytes, this.samples));
  }
}
