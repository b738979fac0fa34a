import { z } from '@cardea/plugin-sdk';

const flag = z.boolean({ error: 'should be a boolean' });
const codec = z.string({ error: 'should be a string' }).transform((name) => name.toLowerCase());
const positive = 'should be a positive integer';

/**
 * The EchoTest's single nameless request (every field optional; shared/janus-api.md §5.1). Messages
 * read as Janus words them: `Invalid element (audio should be a boolean)`.
 */
export const echoTestSchema = z.object({
  audio: flag.optional(),
  video: flag.optional(),
  /** Ask the client for a keyframe now (Cardea extension). */
  keyframe: flag.optional(),
  audiocodec: codec.optional(),
  videocodec: codec.optional(),
  /** Bitrate cap for the client's video, bits per second; 0 removes it. */
  bitrate: z.number({ error: positive }).int({ error: positive }).min(0, { error: positive }).optional(),
});

/** A validated EchoTest request. */
export type EchoTestRequest = z.output<typeof echoTestSchema>;
