/**
 * The few members of the WebAssembly JavaScript API the sandbox uses, typed locally: TypeScript's
 * ES libraries do not declare the `WebAssembly` global (only the DOM library does).
 */

/** A compiled WebAssembly module (opaque; instantiated by quickjs-emscripten). */
export interface WasmModule {
  readonly __wasmModule: never;
}

/** A WebAssembly linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/** The global `WebAssembly` object. */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
