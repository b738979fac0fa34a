import { roomRefSchema, z } from '@cardea/plugin-sdk';

/**
 * One zod schema per AudioBridge request: it validates the body and documents the fields
 * (shared/janus-api.md §5.4). Unknown fields are ignored, as Janus does.
 */
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const bool = z.boolean();
const str = z.string();
const percent = z.number().int().min(0).max(100);

export const roomRef = roomRefSchema;

/** Janus's sampling rates, plus the Cardea mixing options (`mixing`, `speakers`, `active_speaker_above`). */
export const createSchema = z.object({
  room: id.optional(),
  permanent: bool.optional(),
  description: str.optional(),
  secret: str.optional(),
  pin: str.optional(),
  is_private: bool.optional(),
  allowed: z.array(str).optional(),
  sampling_rate: z.union([z.literal(8000), z.literal(12000), z.literal(16000), z.literal(24000), z.literal(48000)]).optional(),
  sampling: z.number().int().optional(),
  spatial_audio: bool.optional(),
  audiolevel_ext: bool.optional(),
  audiolevel_event: bool.optional(),
  audio_active_packets: z.number().int().min(1).max(1000).optional(),
  audio_level_average: z.number().int().min(0).max(127).optional(),
  default_prebuffering: z.number().int().min(0).max(50).optional(),
  default_expectedloss: percent.optional(),
  default_bitrate: z.number().int().min(0).optional(),
  record: bool.optional(),
  record_file: str.optional(),
  record_dir: str.optional(),
  mjrs: bool.optional(),
  mjrs_dir: str.optional(),
  allow_rtp_participants: bool.optional(),
  groups: z.array(str).optional(),
  /** Cardea: `full`, `active-speaker` or `auto` (default: active-speaker above `active_speaker_above`). */
  mixing: z.enum(['full', 'active-speaker', 'auto']).optional(),
  /** Cardea: speakers mixed at once in active-speaker mode (default 3). */
  speakers: z.number().int().min(1).max(16).optional(),
  /** Cardea: room size above which `auto` mixing switches to active-speaker (default 16). */
  active_speaker_above: z.number().int().min(0).optional(),
});

export const editSchema = roomRef.extend({
  new_description: str.optional(),
  new_secret: str.optional(),
  new_pin: str.optional(),
  new_is_private: bool.optional(),
  new_record_dir: str.optional(),
});

export const participantRef = roomRef.extend({ id });
export const muteRoomSchema = roomRef;
export const enableMjrsSchema = roomRef.extend({ mjrs: bool, mjrs_dir: str.optional() });
export const enableRecordingSchema = roomRef.extend({ record: bool, record_file: str.optional(), record_dir: str.optional() });
export const playFileSchema = roomRef.extend({
  filename: str.min(1),
  file_id: str.optional(),
  loop: bool.optional(),
  group: str.optional(),
});
export const fileRef = roomRef.extend({ file_id: str });

export const rtpForwardSchema = roomRef.extend({
  host: str,
  port: z.number().int().min(1).max(65535),
  ssrc: z.number().int().min(0).optional(),
  ptype: z.number().int().min(0).max(127).optional(),
  codec: z.enum(['opus']).optional(),
  group: str.optional(),
  always_on: bool.optional(),
});
export const stopRtpForwardSchema = roomRef.extend({ stream_id: id });

/** Fields `join`, `configure` and `changeroom` share. */
const participantFields = {
  display: str.optional(),
  muted: bool.optional(),
  volume: z.number().int().min(0).max(1000).optional(),
  quality: z.number().int().min(1).max(10).optional(),
  bitrate: z.number().int().min(0).optional(),
  expected_loss: percent.optional(),
  prebuffer: z.number().int().min(0).max(50).optional(),
  record: bool.optional(),
  filename: str.optional(),
  group: str.optional(),
  spatial_position: z.number().int().min(0).max(100).optional(),
};

export const joinSchema = z.object({
  room: id,
  id: id.optional(),
  pin: str.optional(),
  token: str.optional(),
  codec: z.enum(['opus', 'pcma', 'pcmu']).optional(),
  generate_offer: bool.optional(),
  suspended: bool.optional(),
  ...participantFields,
});

export const configureSchema = z.object(participantFields);
