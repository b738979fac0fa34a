import { z } from 'zod';

/**
 * The pieces of the argument schemas of the API calls a sandboxed plugin makes, as they arrive
 * from the worker: untrusted JSON, validated (by the rows of `sandboxApiTable.ts`) before the host
 * touches a handle or the media plane. Bounds are those the SDK's types document.
 */

export const handleId = z.number().int().positive();
export const jsonObject = z.record(z.string(), z.json());
export const kind = z.enum(['audio', 'video', 'data']);
export const direction = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export const jsep = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string(), e2ee: z.boolean().optional() });

export const event = z.object({ transaction: z.string().optional(), data: jsonObject, jsep: jsep.optional() });

/** An RTP endpoint's id (negative, so it never equals a handle id). */
export const rtpEndpointId = z.number().int().negative();
/** What a route or a keyframe request names: a handle, or one of the plugin's RTP endpoints. */
export const mediaNode = z.union([handleId, rtpEndpointId]);

export const route = z.object({
  from: mediaNode,
  to: mediaNode,
  kinds: z.array(kind).optional(),
  fromMid: z.string().optional(),
  toMid: z.string().optional(),
});

export const negotiation = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('answer'),
    audio: z.boolean().optional(),
    video: z.boolean().optional(),
    data: z.boolean().optional(),
    audioCodec: z.string().optional(),
    videoCodec: z.string().optional(),
    direction: direction.optional(),
  }),
  z.object({
    type: z.literal('offer'),
    streams: z.array(z.object({ kind, codec: z.string().optional(), direction: direction.optional() })).max(64),
    iceRestart: z.boolean().optional(),
  }),
]);

export const storeKey = z.string().min(1).max(256);

export const mixerId = z.number().int().positive();
export const mixerOptions = z.object({
  sampleRate: z.union([z.literal(8000), z.literal(12000), z.literal(16000), z.literal(24000), z.literal(48000)]).optional(),
  mode: z.enum(['full', 'active-speaker', 'auto']).optional(),
  speakers: z.number().int().min(1).max(16).optional(),
  activeSpeakerAbove: z.number().int().min(0).max(100_000).optional(),
  prebuffer: z.number().int().min(0).max(50).optional(),
  complexity: z.number().int().min(0).max(10).optional(),
  bitrate: z.number().int().min(0).max(512_000).optional(),
  talkingEvents: z.object({ threshold: z.number().int().min(0).max(127).optional(), packets: z.number().int().min(1).max(1000).optional() }).nullable().optional(),
});
export const participantOptions = z.object({
  muted: z.boolean().optional(),
  suspended: z.boolean().optional(),
  volume: z.number().int().min(0).max(1000).optional(),
  prebuffer: z.number().int().min(0).max(50).optional(),
  complexity: z.number().int().min(0).max(10).optional(),
  bitrate: z.number().int().min(0).max(512_000).optional(),
  expectedLoss: z.number().int().min(0).max(100).optional(),
  codec: z.enum(['opus', 'pcmu', 'pcma']).optional(),
});
export const mediaPath = z.string().min(1).max(1024);
export const recordingOptions = z.object({
  mid: z.string().min(1).max(64).optional(),
  kind: z.enum(['audio', 'video']).optional(),
  file: mediaPath,
});
export const rtpForward = z.object({
  mid: z.string().min(1).max(64),
  host: z.string().max(256),
  port: z.number().int().min(1).max(65535),
  ssrc: z.number().int().min(0).max(0xffffffff).optional(),
  payloadType: z.number().int().min(0).max(127).optional(),
});
export const mixerForward = z.object({
  host: z.string().max(256),
  port: z.number().int().min(1).max(65535),
  ssrc: z.number().int().min(0).max(0xffffffff).optional(),
  payloadType: z.number().int().min(0).max(127).optional(),
});

export const simulcastTarget = z.object({
  substream: z.number().int().min(0).max(2).optional(),
  temporal: z.number().int().min(0).max(2).optional(),
});
// Bounds as TalkingOptions documents them: a level in −dBov (RFC 6464 §3) and a packet window.
export const talkingOptions = z.object({
  threshold: z.number().int().min(0).max(127).optional(),
  packets: z.number().int().min(1).max(1000).optional(),
});
export const mid = z.string().min(1).max(64);
export const positiveId = z.number().int().positive();

const port = z.number().int().min(1).max(65535);
export const rtpEndpointOptions = z.object({
  kind: z.enum(['audio', 'video']),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly']).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  portRange: z.tuple([port, port]).optional(),
  host: z.string().max(256).optional(),
  remote: z.object({ host: z.string().max(256), port, rtcpPort: port.optional() }).optional(),
  rtcp: z.boolean().optional(),
  srtp: z
    .object({
      suite: z.enum(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM']),
      key: z.string().max(256).optional(),
      remoteKey: z.string().max(256).optional(),
    })
    .optional(),
  payloadType: z.number().int().min(0).max(127).optional(),
  codec: z.string().min(1).max(32).optional(),
  clockRate: z.number().int().min(1000).max(192_000).optional(),
  ssrc: z.number().int().min(0).max(0xffffffff).optional(),
});
