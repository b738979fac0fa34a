import { z } from 'zod';

/**
 * The arguments of every API call a sandboxed plugin can make, as they arrive from the worker:
 * untrusted JSON, validated here before the host touches a handle or the media plane.
 */

const handleId = z.number().int().positive();
const jsonObject = z.record(z.string(), z.json());
const kind = z.enum(['audio', 'video', 'data']);
const direction = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

const jsep = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string(), e2ee: z.boolean().optional() });

const event = z.object({ transaction: z.string().optional(), data: jsonObject, jsep: jsep.optional() });

const route = z.object({
  from: handleId,
  to: handleId,
  kinds: z.array(kind).optional(),
  fromMid: z.string().optional(),
  toMid: z.string().optional(),
});

const negotiation = z.discriminatedUnion('type', [
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

const storeKey = z.string().min(1).max(256);

const mixerId = z.number().int().positive();
const mixerOptions = z.object({
  sampleRate: z.union([z.literal(8000), z.literal(12000), z.literal(16000), z.literal(24000), z.literal(48000)]).optional(),
  mode: z.enum(['full', 'active-speaker', 'auto']).optional(),
  speakers: z.number().int().min(1).max(16).optional(),
  activeSpeakerAbove: z.number().int().min(0).max(100_000).optional(),
  prebuffer: z.number().int().min(0).max(50).optional(),
  complexity: z.number().int().min(0).max(10).optional(),
  bitrate: z.number().int().min(0).max(512_000).optional(),
  talkingEvents: z.object({ threshold: z.number().int().min(0).max(127).optional(), packets: z.number().int().min(1).max(1000).optional() }).nullable().optional(),
});
const participantOptions = z.object({
  muted: z.boolean().optional(),
  suspended: z.boolean().optional(),
  volume: z.number().int().min(0).max(1000).optional(),
  prebuffer: z.number().int().min(0).max(50).optional(),
  complexity: z.number().int().min(0).max(10).optional(),
  bitrate: z.number().int().min(0).max(512_000).optional(),
  expectedLoss: z.number().int().min(0).max(100).optional(),
  codec: z.enum(['opus', 'pcmu', 'pcma']).optional(),
});
const mediaPath = z.string().min(1).max(1024);
const recordingOptions = z.object({
  mid: z.string().min(1).max(64).optional(),
  kind: z.enum(['audio', 'video']).optional(),
  file: mediaPath,
});
const mixerForward = z.object({
  host: z.string().max(256),
  port: z.number().int().min(1).max(65535),
  ssrc: z.number().int().min(0).max(0xffffffff).optional(),
  payloadType: z.number().int().min(0).max(127).optional(),
});

/** Each API operation and the schema of its argument list. */
export const apiCallSchemas = {
  pushEvent: z.tuple([handleId, event]),
  negotiate: z.tuple([handleId, negotiation]),
  closePeerConnection: z.tuple([handleId, z.string().max(256).nullable()]),
  endHandle: z.tuple([handleId]),
  sendData: z.tuple([handleId, z.string(), z.string().max(256).nullable()]),
  'media.addRoute': z.tuple([route]),
  'media.removeRoute': z.tuple([route]),
  'media.requestKeyframe': z.tuple([handleId]),
  'media.setBitrateCap': z.tuple([handleId, z.number().int().min(0)]),
  'media.setSending': z.tuple([handleId, kind, z.boolean()]),
  'media.setSimulcastTarget': z.tuple([
    handleId,
    z.string().min(1).max(64),
    z.object({ substream: z.number().int().min(0).max(2).optional(), temporal: z.number().int().min(0).max(2).optional() }),
  ]),
  // Bounds as TalkingOptions documents them: a level in −dBov (RFC 6464 §3) and a packet window.
  'media.detectTalking': z.tuple([
    handleId,
    z.object({ threshold: z.number().int().min(0).max(127).optional(), packets: z.number().int().min(1).max(1000).optional() }).nullable(),
  ]),
  'media.createMixer': z.tuple([mixerOptions.nullable()]),
  'media.destroyMixer': z.tuple([mixerId]),
  'media.addToMixer': z.tuple([handleId, mixerId, participantOptions.nullable()]),
  'media.updateMixerParticipant': z.tuple([handleId, mixerId, participantOptions]),
  'media.removeFromMixer': z.tuple([handleId, mixerId]),
  'media.resetMixerDecoder': z.tuple([handleId, mixerId]),
  'media.playFile': z.tuple([mixerId, mediaPath, z.object({ loop: z.boolean().optional() }).nullable()]),
  'media.stopFile': z.tuple([mixerId, z.number().int().positive()]),
  'media.recordMixer': z.tuple([mixerId, mediaPath.nullable()]),
  'media.mixerStats': z.tuple([mixerId]),
  'media.forwardMixer': z.tuple([mixerId, mixerForward]),
  'media.stopMixerForward': z.tuple([mixerId, z.number().int().positive()]),
  'media.startRecording': z.tuple([handleId, recordingOptions]),
  'media.stopRecording': z.tuple([z.number().int().positive()]),
  'store.get': z.tuple([storeKey]),
  'store.set': z.tuple([storeKey, jsonObject]),
  'store.delete': z.tuple([storeKey]),
} as const;

export type ApiOp = keyof typeof apiCallSchemas;

/** Parsed arguments of one operation. */
export type ApiArgs<Op extends ApiOp> = z.output<(typeof apiCallSchemas)[Op]>;

/** True when `op` names an API operation. */
export function isApiOp(op: string): op is ApiOp {
  return Object.hasOwn(apiCallSchemas, op);
}

/** Validates the arguments of `op`; throws a TypeError naming the first problem. */
export function parseApiArgs<Op extends ApiOp>(op: Op, args: unknown): ApiArgs<Op> {
  const result = apiCallSchemas[op].safeParse(args);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TypeError(`${op}: invalid arguments${issue ? ` (${issue.path.join('.') || 'arguments'}: ${issue.message})` : ''}`);
  }
  return result.data as ApiArgs<Op>;
}
