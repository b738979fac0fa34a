import { z } from 'zod';
import { PluginRequestError } from './definePlugin.ts';
import type { JsonObject } from './json.ts';

/**
 * The schema builder of the SDK: zod, shipped through `@cardea/plugin-sdk` so a sandboxed plugin
 * (whose bundle may import nothing else) validates its requests the way the built-ins do.
 */
export { z };

/** The codes a body that fails its schema is answered with (taken from the plugin's error table). */
export interface ValidationCodes {
  /** A mandatory field is absent (Janus `*_ERROR_MISSING_ELEMENT`). */
  MISSING_ELEMENT: number;
  /** A field has the wrong type or value (Janus `*_ERROR_INVALID_ELEMENT`). */
  INVALID_ELEMENT: number;
}

/**
 * The text of an invalid-element error from the field's path and the schema's message
 * (default: `Invalid element (<path>: <message>)`).
 */
export type InvalidWording = (path: string, message: string) => string;

/** `Invalid element (<path>: <message>)`: zod's own message after the path. */
export const describeInvalidWithColon: InvalidWording = (path, message) => `Invalid element (${path}: ${message})`;

/** `Invalid element (<path> <message>)`: for schemas whose messages read "should be a string". */
export const describeInvalidAsSentence: InvalidWording = (path, message) => `Invalid element (${path} ${message})`;

/**
 * Validates `body` with `schema`. The first issue decides the error: a top-level field absent from
 * the body is `Missing element (<path>)` with `MISSING_ELEMENT`; anything else `INVALID_ELEMENT`
 * with `describeInvalid`'s text. Throws a {@link PluginRequestError}.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: JsonObject,
  codes: ValidationCodes,
  describeInvalid: InvalidWording = describeInvalidWithColon,
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const top = issue?.path[0];
  if (typeof top === 'string' && body[top] === undefined) throw new PluginRequestError(codes.MISSING_ELEMENT, `Missing element (${path})`);
  throw new PluginRequestError(codes.INVALID_ELEMENT, describeInvalid(path, issue?.message ?? 'invalid'));
}
