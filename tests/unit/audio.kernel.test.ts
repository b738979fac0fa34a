import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MixKernel } from '../../core/src/media/audio/MixKernel.ts';

const sat = (v: number): number => Math.max(-32768, Math.min(32767, v));

describe('audio mix kernel (AssemblyScript, SIMD)', () => {
  it('sums frames and makes saturated N−1 and full mixes like the JS reference', () => {
    const k = new MixKernel(320, 2);
    const slots = [k.allocSlot(), k.allocSlot(), k.allocSlot(), k.allocSlot()];
    const frames = slots.map((s, n) => {
      const f = k.frame(s);
      for (let i = 0; i < f.length; i++) f[i] = ((i * 7919 + n * 1013) % 40001) - 20000;
      return Int16Array.from(f);
    });
    assert.ok(k.capacity >= 4, 'the kernel grew past its initial two slots');
    k.clearList();
    for (const s of slots) k.addToList(s);
    k.sum();
    const total = (i: number) => frames.reduce((n, f) => n + (f[i] as number), 0);
    const full = Int16Array.from(k.full());
    let saturated = 0;
    for (let i = 0; i < 320; i++) {
      assert.equal(full[i], sat(total(i)), `full mix sample ${i}`);
      if (Math.abs(total(i)) > 32767) saturated++;
    }
    assert.ok(saturated > 0, 'the data exercises saturation');
    for (const [n, s] of slots.entries()) {
      const minus = k.minus(s);
      for (let i = 0; i < 320; i++) assert.equal(minus[i], sat(total(i) - (frames[n]?.[i] as number)), `N−1 of ${n}, sample ${i}`);
    }
  });

  it('applies a volume with saturation and measures levels in −dBov', () => {
    const k = new MixKernel(160);
    const s = k.allocSlot();
    const f = k.frame(s);
    f.fill(16384);
    k.gain(s, 50);
    assert.equal(f[0], 8192);
    k.gain(s, 1000);
    assert.equal(f[0], 32767, 'saturates');
    f.fill(0);
    assert.equal(k.level(s), 127, 'digital silence');
    for (let i = 0; i < f.length; i++) f[i] = i % 2 === 0 ? 32767 : -32767;
    assert.equal(k.level(s), 0, 'full scale');
  });
});
