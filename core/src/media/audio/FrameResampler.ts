// A fixed-ratio resampler for 20 ms mono frames, used where a G.711 participant (8 kHz) meets a room
// running at another rate.
//
// Written by hand: libopus resamples only inside its own codec, and the npm resamplers either
// allocate per call or run on the audio thread of a browser. This one is a windowed-sinc
// interpolator (linear phase: the kernel is symmetric, so every frequency is delayed by the same
// WINDOW_S), evaluated only at the output instants. Its weights are precomputed for one frame
// (the ratios Cardea needs, 8 kHz ↔ 8/12/16/24/48 kHz, repeat every 20 ms), so a frame costs
// `outputs × taps` multiply-adds and allocates nothing. The low-pass cut-off is below both Nyquist
// frequencies (G.711's band ends at 3.4 kHz), which makes the same kernel the anti-imaging filter
// when upsampling and the anti-aliasing filter when downsampling.

/** Half width of the kernel, seconds (1.5 ms: 12 taps each side at 8 kHz); also the added delay. */
const WINDOW_S = 0.0015;

export class FrameResampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Samples of one 20 ms frame in and out. */
  readonly inLength: number;
  readonly outLength: number;
  /** Input history kept before the current frame (the kernel reaches back this far). */
  readonly #history: number;
  /** History followed by the current frame (then zero padding), as floats. */
  readonly #buffer: Float32Array;
  /** Per output sample: index of its first tap in #buffer. */
  readonly #starts: Int32Array;
  /** Per output sample: `#taps` weights (zero-padded). */
  readonly #weights: Float32Array;
  readonly #taps: number;
  readonly #identity: boolean;

  /** `cutoffHz` defaults to 0.45 × the lower rate. */
  constructor(inRate: number, outRate: number, cutoffHz = 0.45 * Math.min(inRate, outRate)) {
    this.inRate = inRate;
    this.outRate = outRate;
    this.inLength = inRate / 50;
    this.outLength = outRate / 50;
    if (!Number.isInteger(this.inLength) || !Number.isInteger(this.outLength))
      throw new RangeError(`rates ${inRate}/${outRate}: 20 ms must be whole samples`);
    this.#identity = inRate === outRate;
    this.#history = Math.ceil(2 * WINDOW_S * inRate) + 2;
    this.#taps = Math.ceil(2 * WINDOW_S * inRate) + 2;
    // Zero padding after the frame: the last outputs' zero-weight taps may reach past it.
    this.#buffer = new Float32Array(this.#history + this.inLength + this.#taps);
    this.#starts = new Int32Array(this.outLength);
    this.#weights = new Float32Array(this.outLength * this.#taps);
    const fc = cutoffHz / inRate; // cycles per input sample
    const halfWidth = WINDOW_S * inRate; // in input samples
    for (let n = 0; n < this.outLength; n++) {
      // Output n stands for time n/outRate − WINDOW_S, in input samples from the frame's start.
      const t = (n * inRate) / outRate - halfWidth;
      const first = Math.ceil(t - halfWidth);
      this.#starts[n] = this.#history + first;
      let sum = 0;
      for (let j = 0; j < this.#taps; j++) {
        const x = first + j - t;
        let w = 0;
        if (Math.abs(x) < halfWidth) {
          const sinc = x === 0 ? 1 : Math.sin(2 * Math.PI * fc * x) / (2 * Math.PI * fc * x);
          const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / halfWidth); // Hann
          w = sinc * window;
        }
        this.#weights[n * this.#taps + j] = w;
        sum += w;
      }
      // Unity gain at DC whatever the phase of this output.
      for (let j = 0; j < this.#taps; j++) this.#weights[n * this.#taps + j] = (this.#weights[n * this.#taps + j] as number) / sum;
    }
  }

  /** Resamples one frame (`inLength` samples) into `out` (`outLength` samples). */
  process(input: Int16Array, out: Int16Array): void {
    if (this.#identity) {
      out.set(input.subarray(0, this.outLength));
      return;
    }
    const buf = this.#buffer;
    const h = this.#history;
    for (let i = 0; i < this.inLength; i++) buf[h + i] = input[i] as number;
    const taps = this.#taps;
    const weights = this.#weights;
    const starts = this.#starts;
    for (let n = 0; n < this.outLength; n++) {
      const s = starts[n] as number;
      const base = n * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += (buf[s + j] as number) * (weights[base + j] as number);
      out[n] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    // The frame's tail is the next frame's history.
    buf.copyWithin(0, this.inLength, this.inLength + h);
  }

  /** Forgets the history (a reset decoder starts from silence). */
  reset(): void {
    this.#buffer.fill(0);
  }
}
