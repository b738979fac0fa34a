import { z } from 'zod';
import { JanusError, JanusErrorCode } from './JanusErrors.ts';

/**
 * Validates request fields with a zod schema and maps failures to Janus codes the way Janus does:
 * a missing mandatory field is 456, a field of the wrong type 467.
 */
export function parseFields<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const name = typeof key === 'string' ? key : 'element';
  if (typeof key === 'string' && input[key] === undefined) {
    throw new JanusError(JanusErrorCode.MISSING_MANDATORY_ELEMENT, `Missing mandatory element (${name})`);
  }
  throw new JanusError(JanusErrorCode.INVALID_ELEMENT_TYPE, `Invalid element type (${name}: ${issue?.message ?? 'invalid'})`);
}

const jsonObject = z.record(z.string(), z.json());

/** `create`: optional client-chosen id. */
export const createSchema = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() });
/** `attach`: the plugin package name, optional opaque id. */
export const attachSchema = z.object({ plugin: z.string(), opaque_id: z.string().optional() });
/** `message`: a body object and an optional JSEP (checked separately for Janus's codes). */
export const messageSchema = z.object({ body: jsonObject, jsep: z.unknown().optional() });
/** A JSEP object once it is known to be an object. */
export const jsepSchema = z.object({
  type: z.string(),
  sdp: z.string(),
  e2ee: z.boolean().optional(),
  trickle: z.boolean().optional(),
});
/** One trickled candidate. */
export const candidateSchema = z
  .object({
    candidate: z.string(),
    sdpMid: z.string().optional(),
    sdpMLineIndex: z.number().int().min(0).optional(),
  })
  .refine((c) => c.sdpMid !== undefined || c.sdpMLineIndex !== undefined, {
    message: 'sdpMid or sdpMLineIndex required',
    path: ['sdpMid'],
  });
