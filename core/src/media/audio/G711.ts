// ITU-T G.711 companding (µ-law and A-law) as lookup tables.
//
// Written by hand: G.711 is a fixed table-based transform (ITU-T Rec. G.711 (11/1988), Tables 1a/1b
// and 2a/2b) with no maintained npm package that works on preallocated Int16Array/Uint8Array frames
// without allocating. The tables are built once at module load from the segment (chord) rules of
// the recommendation; per sample, encoding and decoding are one table load each.

/** The two G.711 laws, as the SDP names them (RFC 3551 §4.5.14: PCMU = µ-law, PCMA = A-law). */
export type G711Law = 'pcmu' | 'pcma';

/** µ-law bias added before the segment search (G.711 §3: the 8159-step companding curve, ×4 for 16-bit). */
const ULAW_BIAS = 0x84;
/** Largest magnitude µ-law encodes without clipping, on the 16-bit scale. */
const ULAW_CLIP = 32635;

/** One µ-law code for a 16-bit linear sample (G.711 Table 2a): sign, 3-bit segment, 4-bit step, inverted. */
function ulawFromLinear(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = sample < 0 ? -sample : sample;
  if (magnitude > ULAW_CLIP) magnitude = ULAW_CLIP;
  magnitude += ULAW_BIAS;
  // The segment is the position of the highest set bit above bit 7 (0…7).
  let segment = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && segment > 0; mask >>= 1) segment--;
  const step = (magnitude >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | step) & 0xff;
}

/** The 16-bit linear value of a µ-law code (G.711 Table 2a, decision midpoints). */
function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** Upper ends of the eight A-law segments on the 13-bit scale (G.711 Table 1a). */
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** One A-law code for a 16-bit linear sample (G.711 Table 1a): even bits inverted (XOR 0x55). */
function alawFromLinear(sample: number): number {
  // Positive values carry the sign bit set; −1 keeps −32768 in range after negation.
  const mask = sample >= 0 ? 0xd5 : 0x55;
  const magnitude = (sample >= 0 ? sample : -sample - 1) >> 3;
  let segment = 0;
  while (segment < 8 && magnitude > (ALAW_SEGMENT_END[segment] as number)) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const step = segment < 2 ? (magnitude >> 1) & 0x0f : (magnitude >> segment) & 0x0f;
  return ((segment << 4) | step) ^ mask;
}

/** The 16-bit linear value of an A-law code (G.711 Table 1a, decision midpoints). */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else if (segment === 1) magnitude += 0x108;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  // Indexed by the sample's 16-bit two's-complement pattern: 64 KiB, one load per sample.
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i < 32768 ? i : i - 65536);
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

const ULAW_ENCODE = buildEncodeTable(ulawFromLinear);
const ALAW_ENCODE = buildEncodeTable(alawFromLinear);
const ULAW_DECODE = buildDecodeTable(ulawToLinear);
const ALAW_DECODE = buildDecodeTable(alawToLinear);

/** Compands `n` samples of `pcm` into `out` (one byte per sample). */
export function g711Encode(law: G711Law, pcm: Int16Array, out: Uint8Array, n: number): void {
  const table = law === 'pcmu' ? ULAW_ENCODE : ALAW_ENCODE;
  for (let i = 0; i < n; i++) out[i] = table[(pcm[i] as number) & 0xffff] as number;
}

/** Expands `n` G.711 bytes of `codes` into `out`. */
export function g711Decode(law: G711Law, codes: Uint8Array, out: Int16Array, n: number): void {
  const table = law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE;
  for (let i = 0; i < n; i++) out[i] = table[codes[i] as number] as number;
}
