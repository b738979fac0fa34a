import type { JsonObject } from '@cardea/plugin-sdk';
import { VideoCallError, VideoCallFailure } from './videocallErrors.ts';

/** The VideoCall requests, all asynchronous (shared/janus-api.md §5.2). */
export type VideoCallRequest =
  | { request: 'list' }
  | { request: 'register'; username: string }
  | { request: 'call'; username: string }
  | { request: 'accept' }
  | { request: 'set'; audio?: boolean; video?: boolean; bitrate?: number }
  | { request: 'hangup'; reason?: string };

function field<T extends 'string' | 'boolean' | 'number'>(body: JsonObject, key: string, type: T, required: boolean): unknown {
  const value = body[key];
  if (value === undefined) {
    if (required) throw new VideoCallFailure(VideoCallError.MISSING_ELEMENT, `Missing element (${key})`);
    return undefined;
  }
  if (typeof value !== type) throw new VideoCallFailure(VideoCallError.INVALID_ELEMENT, `Invalid element (${key} should be a ${type})`);
  return value;
}

/** Validates a request body (malformed requests are answered synchronously, as Janus does). */
export function parseVideoCallRequest(body: JsonObject): VideoCallRequest {
  const request = field(body, 'request', 'string', true) as string;
  switch (request) {
    case 'list':
    case 'accept':
      return { request };
    case 'register':
    case 'call':
      return { request, username: field(body, 'username', 'string', true) as string };
    case 'set': {
      const out: VideoCallRequest = { request };
      const audio = field(body, 'audio', 'boolean', false) as boolean | undefined;
      const video = field(body, 'video', 'boolean', false) as boolean | undefined;
      const bitrate = field(body, 'bitrate', 'number', false) as number | undefined;
      if (audio !== undefined) out.audio = audio;
      if (video !== undefined) out.video = video;
      if (bitrate !== undefined) out.bitrate = bitrate;
      return out;
    }
    case 'hangup': {
      const reason = field(body, 'reason', 'string', false) as string | undefined;
      return reason === undefined ? { request } : { request, reason };
    }
    default:
      throw new VideoCallFailure(VideoCallError.INVALID_REQUEST, `Unknown request '${request}'`);
  }
}
