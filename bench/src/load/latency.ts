/** Latency percentiles of a sample, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Nearest-rank percentiles (p50, p99) and the maximum of `samples` (milliseconds; sorted in place). */
export function summarizeLatency(samples: number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50Ms: null, p99Ms: null, maxMs: null };
  samples.sort((a, b) => a - b);
  const rank = (p: number): number => samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)] as number;
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return { count: samples.length, p50Ms: round(rank(0.5)), p99Ms: round(rank(0.99)), maxMs: round(samples[samples.length - 1] as number) };
}
