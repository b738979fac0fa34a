import { NodeCryptoSrtpFanout } from './NodeCryptoSrtpFanout.ts';
import type { SrtpEngineKind, SrtpFanout, SrtpFanoutOptions } from './SrtpFanoutTypes.ts';
import { WasmSrtpFanout } from './WasmSrtpFanout.ts';

/** Options of createSrtpFanout(): the engine plus the sizing every engine shares. */
export interface CreateSrtpFanoutOptions extends SrtpFanoutOptions {
  /** Which per-packet implementation (config `media.srtpEngine`; default 'wasm'). */
  engine?: SrtpEngineKind;
}

/** Creates a fan-out engine; the one entry point the media plane uses. */
export function createSrtpFanout(options: CreateSrtpFanoutOptions = {}): SrtpFanout {
  const { engine = 'wasm', ...sizing } = options;
  return engine === 'wasm' ? new WasmSrtpFanout(sizing) : new NodeCryptoSrtpFanout(sizing);
}
