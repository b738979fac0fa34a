import type { JsonObject } from '@cardea/plugin-sdk';

/** The EchoTest's single nameless request (all fields optional). */
export interface EchoTestRequest {
  audio?: boolean;
  video?: boolean;
  /** Bitrate cap for the client's video, bits per second; 0 removes it. */
  bitrate?: number;
  /** Ask the client for a keyframe now (Cardea extension). */
  keyframe?: boolean;
  audiocodec?: string;
  videocodec?: string;
}

const booleans = ['audio', 'video', 'keyframe'] as const;
const strings = ['audiocodec', 'videocodec'] as const;

/** Validates a request body; returns the parsed request or the name of the first bad element. */
export function parseEchoTestRequest(body: JsonObject): EchoTestRequest | { invalid: string } {
  const out: EchoTestRequest = {};
  for (const key of booleans) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return { invalid: `${key} should be a boolean` };
    out[key] = v;
  }
  for (const key of strings) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return { invalid: `${key} should be a string` };
    out[key] = v.toLowerCase();
  }
  const bitrate = body.bitrate;
  if (bitrate !== undefined) {
    if (typeof bitrate !== 'number' || !Number.isInteger(bitrate) || bitrate < 0) return { invalid: 'bitrate should be a positive integer' };
    out.bitrate = bitrate;
  }
  return out;
}
