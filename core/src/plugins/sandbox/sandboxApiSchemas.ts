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
