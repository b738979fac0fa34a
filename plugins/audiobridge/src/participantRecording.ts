import type { PluginApi } from '@cardea/plugin-sdk';
import type { Participant } from './Participant.ts';

/**
 * Per-participant recordings (Janus `record`/`filename` on `join` and `configure`, room `mjrs`): the
 * participant's own incoming audio, not the mix, to a Janus `.mjr` file the core writes. Named as
 * Janus does: `<filename>-audio.mjr`, else `audiobridge-<room>-user-<id>-<µs since epoch>-audio.mjr`,
 * in the room's `mjrs_dir` (Cardea falls back to its `record_dir`) unless the name is absolute.
 */
export function participantRecordingPath(p: Participant): string {
  const base = p.recordBase ?? `audiobridge-${p.room.id}-user-${p.id}-${Date.now() * 1000}`;
  const dir = p.room.options.mjrsDir ?? p.room.options.recordDir;
  const name = `${base}-audio.mjr`;
  return dir === undefined || name.startsWith('/') ? name : `${dir.replace(/\/+$/, '')}/${name}`;
}

/**
 * Starts or stops the participant's recording to match what it and its room ask for. A file that
 * cannot be created is logged and the request still succeeds, as in Janus.
 */
export async function syncParticipantRecording(p: Participant, api: PluginApi): Promise<void> {
  const wanted = (p.record || p.room.options.mjrs) && !p.room.destroyed;
  if (wanted && p.recording === undefined) {
    const file = participantRecordingPath(p);
    try {
      const id = await api.media.startRecording(p.handle, { kind: 'audio', file });
      // The participant may have left, or asked to stop, while the file was being opened.
      if (p.recording !== undefined || p.room.participants.get(p.id) !== p || !(p.record || p.room.options.mjrs)) await api.media.stopRecording(id);
      else p.recording = id;
    } catch (error) {
      api.log.warn('could not start the participant recording', { room: p.room.id, id: p.id, file, error: String(error) });
    }
  } else if (!wanted) await stopParticipantRecording(p, api);
}

/** Stops (and closes) the participant's recording, if any. */
export async function stopParticipantRecording(p: Participant, api: PluginApi): Promise<void> {
  const id = p.recording;
  if (id === undefined) return;
  p.recording = undefined;
  await api.media.stopRecording(id);
}
