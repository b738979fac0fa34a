import { z } from '@cardea/plugin-sdk';

/**
 * One zod schema per Streaming request: it validates the body and documents the fields (Janus 1.x
 * streaming API, shared/janus-api.md §5.5). Unknown fields are ignored, as Janus does.
 */
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const str = z.string();
const bool = z.boolean();
const port = z.number().int().min(0).max(65535);

/** `id` plus the optional `secret` of the requests that manage a mountpoint. */
export const mountpointRef = z.object({ id, secret: str.optional() });

/** One stream of an `rtp` mountpoint's `media` array. */
export const rtpMediaSchema = z.object({
  type: z.enum(['audio', 'video']),
  /** The stream's mid in the mountpoint (unique within it). */
  mid: str.min(1),
  label: str.optional(),
  msid: str.optional(),
  /** Local RTP port; 0 picks a free one, reported in `created` and `info`. */
  port,
  /** Local RTCP port. The core's RTP endpoints put RTCP on `port` + 1; any other value is refused. */
  rtcpport: port.optional(),
  pt: z.number().int().min(0).max(127).optional(),
  codec: str.optional(),
  fmtp: str.optional(),
  /** Accepted for compatibility: the fast plane already rebases timestamps per source. */
  skew: bool.optional(),
});

export const createSchema = z.object({
  type: str,
  id: id.optional(),
  name: str.optional(),
  description: str.optional(),
  metadata: str.optional(),
  secret: str.optional(),
  pin: str.optional(),
  is_private: bool.optional(),
  permanent: bool.optional(),
  media: z.array(rtpMediaSchema).optional(),
});

export const editSchema = mountpointRef.extend({
  new_description: str.optional(),
  new_metadata: str.optional(),
  new_secret: str.optional(),
  new_pin: str.optional(),
  new_is_private: bool.optional(),
  permanent: bool.optional(),
  edited_event: bool.optional(),
});

export const destroySchema = mountpointRef.extend({ permanent: bool.optional() });

export const watchSchema = z.object({
  id,
  pin: str.optional(),
  /** Mids of the mountpoint to offer (default, or empty: all of them). */
  media: z.array(str).optional(),
  offer_audio: bool.optional(),
  offer_video: bool.optional(),
  offer_data: bool.optional(),
});

export const configureSchema = z.object({
  /** The stream to configure, by its mid (the mountpoint's or the viewer's); default: every stream. */
  mid: str.optional(),
  send: bool.optional(),
  /** Deprecated per-kind switches (Janus still reads them). */
  audio: bool.optional(),
  video: bool.optional(),
});

/** `switch`: another RTP mountpoint with streams of the same kinds and codecs (and its `pin`, if it has one). */
export const switchSchema = z.object({ id, pin: str.optional() });
