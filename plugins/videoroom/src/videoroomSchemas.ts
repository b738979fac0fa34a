import { roomRefSchema, z } from '@cardea/plugin-sdk';

/**
 * One zod schema per VideoRoom request: it validates the body and documents the fields
 * (shared/janus-api.md §5.3). Unknown fields are ignored, as Janus does.
 */
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const bool = z.boolean();
const str = z.string();

export const roomRef = roomRefSchema;

export const createSchema = z.object({
  room: id.optional(),
  permanent: bool.optional(),
  description: str.optional(),
  secret: str.optional(),
  pin: str.optional(),
  is_private: bool.optional(),
  allowed: z.array(str).optional(),
  publishers: z.number().int().min(1).max(1000).optional(),
  bitrate: z.number().int().min(0).optional(),
  fir_freq: z.number().int().min(0).optional(),
  audiocodec: str.optional(),
  videocodec: str.optional(),
  notify_joining: bool.optional(),
  require_pvtid: bool.optional(),
  audiolevel_event: bool.optional(),
  audio_active_packets: z.number().int().min(1).optional(),
  audio_level_average: z.number().int().min(0).max(127).optional(),
  record: bool.optional(),
  rec_dir: str.optional(),
});

export const editSchema = roomRef.extend({
  new_description: str.optional(),
  new_secret: str.optional(),
  new_pin: str.optional(),
  new_is_private: bool.optional(),
  new_publishers: z.number().int().min(1).max(1000).optional(),
  new_bitrate: z.number().int().min(0).optional(),
  new_fir_freq: z.number().int().min(0).optional(),
});

export const rtpForwardSchema = roomRef.extend({
  publisher_id: id,
  host: str,
  streams: z
    .array(
      z.object({
        mid: str,
        port: z.number().int().min(1).max(65535),
        ssrc: z.number().int().min(0).optional(),
        pt: z.number().int().min(0).max(127).optional(),
      }),
    )
    .optional(),
  audio_port: z.number().int().min(1).max(65535).optional(),
  video_port: z.number().int().min(1).max(65535).optional(),
});
export const stopRtpForwardSchema = roomRef.extend({ publisher_id: id, stream_id: id });

export const publisherJoinSchema = z.object({
  room: id,
  id: id.optional(),
  display: str.optional(),
  token: str.optional(),
  pin: str.optional(),
});

const publishFields = {
  audio: bool.optional(),
  video: bool.optional(),
  data: bool.optional(),
  audiocodec: str.optional(),
  videocodec: str.optional(),
  bitrate: z.number().int().min(0).optional(),
  keyframe: bool.optional(),
  display: str.optional(),
  record: bool.optional(),
  filename: str.optional(),
  descriptions: z.array(z.object({ mid: str, description: str })).optional(),
  streams: z.array(z.object({ mid: str, send: bool.optional(), keyframe: bool.optional() })).optional(),
};
export const publishSchema = z.object(publishFields);

export const subscribeStream = z.object({ feed: id, mid: str.optional(), crossrefid: str.optional() });
export const subscriberJoinSchema = z.object({
  room: id,
  private_id: z.number().int().optional(),
  streams: z.array(subscribeStream).optional(),
  feed: id.optional(),
  autoupdate: bool.optional(),
  use_msid: bool.optional(),
  audio: bool.optional(),
  video: bool.optional(),
  data: bool.optional(),
  offer_audio: bool.optional(),
  offer_video: bool.optional(),
  offer_data: bool.optional(),
  substream: z.number().int().min(0).max(2).optional(),
  temporal: z.number().int().min(0).max(2).optional(),
  pin: str.optional(),
});

export const subscriberConfigureSchema = z.object({
  streams: z
    .array(
      z.object({
        mid: str,
        send: bool.optional(),
        substream: z.number().int().min(0).max(2).optional(),
        temporal: z.number().int().min(0).max(2).optional(),
      }),
    )
    .optional(),
  substream: z.number().int().min(0).max(2).optional(),
  temporal: z.number().int().min(0).max(2).optional(),
  audio: bool.optional(),
  video: bool.optional(),
  restart: bool.optional(),
});

export const unsubscribeStream = z.object({ feed: id.optional(), mid: str.optional(), sub_mid: str.optional() });
export const subscribeSchema = z.object({ streams: z.array(subscribeStream).min(1) });
export const unsubscribeSchema = z.object({ streams: z.array(unsubscribeStream).min(1) });
export const updateSchema = z.object({
  subscribe: z.array(subscribeStream).optional(),
  unsubscribe: z.array(unsubscribeStream).optional(),
});
export const switchSchema = z.object({ streams: z.array(z.object({ feed: id, mid: str, sub_mid: str })).min(1) });
