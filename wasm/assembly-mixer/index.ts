// Cardea's PCM mixing kernel for the audio MCU (core/src/media/audio/MixKernel.ts is its only
// caller and documents the memory layout). Every function takes pointers and lengths only: frames
// live in this module's memory, laid out once by the caller, so a call allocates nothing and no
// view is ever invalidated by a memory growth in the middle of a mix.
//
// Samples are int16 mono; `samples` is always a multiple of 8 (a 20 ms frame at 8/12/16/24/48 kHz
// is 160/240/320/480/960 samples), so the loops run on whole v128 lanes. Sums are int32 (no
// overflow below 65,536 summed frames); outputs saturate to int16 (i16x8.narrow_i32x4_s).

/** First free byte after the module's static data: the caller lays its frames out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * total[i] = Σ frame_k[i] over the `count` frame pointers (u32 each) stored at `listPtr`.
 * `total` is int32, `samples` long.
 */
export function sumFrames(listPtr: usize, count: i32, samples: i32, totalPtr: usize): void {
  memory.fill(totalPtr, 0, <usize>samples << 2);
  for (let k = 0; k < count; k++) {
    const frame = <usize>load<u32>(listPtr + (<usize>k << 2));
    for (let i = 0; i < samples; i += 8) {
      const v = v128.load(frame + (<usize>i << 1));
      const t = totalPtr + (<usize>i << 2);
      v128.store(t, i32x4.add(v128.load(t), i32x4.extend_low_i16x8_s(v)));
      v128.store(t, i32x4.add(v128.load(t, 16), i32x4.extend_high_i16x8_s(v)), 16);
    }
  }
}

/** out[i] = sat16(total[i] − frame[i]): a listener's N−1 mix (everyone but itself). */
export function minusSaturate(totalPtr: usize, framePtr: usize, outPtr: usize, samples: i32): void {
  for (let i = 0; i < samples; i += 8) {
    const v = v128.load(framePtr + (<usize>i << 1));
    const t = totalPtr + (<usize>i << 2);
    const lo = i32x4.sub(v128.load(t), i32x4.extend_low_i16x8_s(v));
    const hi = i32x4.sub(v128.load(t, 16), i32x4.extend_high_i16x8_s(v));
    v128.store(outPtr + (<usize>i << 1), i16x8.narrow_i32x4_s(lo, hi));
  }
}

/** out[i] = sat16(total[i]): the full mix, for listeners who contribute nothing. */
export function saturate(totalPtr: usize, outPtr: usize, samples: i32): void {
  for (let i = 0; i < samples; i += 8) {
    const t = totalPtr + (<usize>i << 2);
    v128.store(outPtr + (<usize>i << 1), i16x8.narrow_i32x4_s(v128.load(t), v128.load(t, 16)));
  }
}

/** frame[i] = sat16(frame[i] × gain / 4096), in place: a participant's volume (Q12, 4096 = unity). */
export function applyGain(framePtr: usize, samples: i32, gainQ12: i32): void {
  const g = i32x4.splat(gainQ12);
  for (let i = 0; i < samples; i += 8) {
    const p = framePtr + (<usize>i << 1);
    const v = v128.load(p);
    const lo = i32x4.shr_s(i32x4.mul(i32x4.extend_low_i16x8_s(v), g), 12);
    const hi = i32x4.shr_s(i32x4.mul(i32x4.extend_high_i16x8_s(v), g), 12);
    v128.store(p, i16x8.narrow_i32x4_s(lo, hi));
  }
}

/**
 * Σ frame[i]² as a float64, for a frame's level in dBov (RFC 6464 §3's definition) when the packet
 * carried no audio-level extension. Pairs are summed in int32 (i32x4.dot_i16x8_s: at most 2³¹ − 2¹⁶
 * unless both samples are −32768, which the clamp below excludes) and accumulated in int64.
 */
export function sumSquares(framePtr: usize, samples: i32): f64 {
  let acc = i64x2.splat(0);
  const floor = i16x8.splat(-32767);
  for (let i = 0; i < samples; i += 8) {
    const v = i16x8.max_s(v128.load(framePtr + (<usize>i << 1)), floor);
    const d = i32x4.dot_i16x8_s(v, v);
    acc = i64x2.add(acc, i64x2.extend_low_i32x4_u(d));
    acc = i64x2.add(acc, i64x2.extend_high_i32x4_u(d));
  }
  return <f64>(i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1));
}
