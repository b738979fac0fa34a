// Packet index and replay state for the node:crypto engine: RFC 3711 §3.3.1 / Appendix A (ROC
// estimation) and §3.3.2 (replay window). The WASM engine implements the same in wasm/assembly/srtp.ts.

/** ROC and highest sequence number of one SRTP stream direction. */
export interface IndexState {
  hasIndex: boolean;
  roc: number;
  /** s_l: the highest sequence number seen with the current ROC. */
  highestSeq: number;
}

/** A 64-packet replay window: `top` is the highest authenticated index, bit i of the map is top − i. */
export interface ReplayWindow {
  hasReplay: boolean;
  /** Highest index (48 bits fit a double exactly). */
  top: number;
  /** Bits 0..31 of the map. */
  low: number;
  /** Bits 32..63 of the map. */
  high: number;
}

/** Estimated ROC of a packet with sequence `seq` (RFC 3711 Appendix A); -1 before ROC 0. */
export function estimateRoc(state: IndexState, seq: number): number {
  if (!state.hasIndex) return 0;
  const { roc, highestSeq: sl } = state;
  if (sl < 32768) return seq > sl && seq - sl > 32768 ? roc - 1 : roc;
  return sl - 32768 > seq ? roc + 1 : roc;
}

/** Records a processed packet's ROC `v` and sequence number. */
export function updateIndex(state: IndexState, v: number, seq: number): void {
  if (!state.hasIndex) {
    state.hasIndex = true;
    state.roc = v;
    state.highestSeq = seq;
  } else if (v > state.roc) {
    state.roc = v;
    state.highestSeq = seq;
  } else if (v === state.roc && seq > state.highestSeq) {
    state.highestSeq = seq;
  }
}

/** True when `index` was already accepted or is older than the window. */
export function isReplay(w: ReplayWindow, index: number): boolean {
  if (!w.hasReplay || index > w.top) return false;
  const back = w.top - index;
  if (back >= 64) return true;
  return back < 32 ? (w.low & (1 << back)) !== 0 : (w.high & (1 << (back - 32))) !== 0;
}

/** Marks an authenticated `index` as seen, sliding the window forward when it is the newest. */
export function acceptIndex(w: ReplayWindow, index: number): void {
  if (!w.hasReplay) {
    w.hasReplay = true;
    w.top = index;
    w.low = 1;
    w.high = 0;
    return;
  }
  if (index > w.top) {
    const ahead = index - w.top;
    if (ahead >= 64) {
      w.low = 0;
      w.high = 0;
    } else if (ahead >= 32) {
      w.high = ahead === 32 ? w.low : w.low << (ahead - 32);
      w.low = 0;
    } else {
      w.high = (w.high << ahead) | (w.low >>> (32 - ahead));
      w.low = w.low << ahead;
    }
    w.low |= 1;
    w.top = index;
    return;
  }
  const back = w.top - index;
  if (back < 32) w.low |= 1 << back;
  else if (back < 64) w.high |= 1 << (back - 32);
}
