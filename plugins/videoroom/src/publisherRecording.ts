import type { PluginApi } from '@cardea/plugin-sdk';
import type { Publisher } from './Publisher.ts';

/**
 * Publisher recordings (Janus `record`/`filename` on `publish`, `configure`, `joinandconfigure`;
 * room `record` + `rec_dir`): one `.mjr` file per published audio or video stream, written by the
 * core from the packets as received. Named per mid: `<filename>-<audio|video>-<mid>.mjr`, else
 * `videoroom-<room>-user-<id>-<µs since epoch>-<audio|video>-<mid>.mjr`, in `rec_dir` unless absolute.
 */
export function publisherRecordingPath(p: Publisher, type: 'audio' | 'video', mid: string, now: number): string {
  const base = p.recordBase ?? `videoroom-${p.room.id}-user-${p.id}-${now}`;
  const name = `${base}-${type}-${mid.replace(/[^\w.-]/g, '_')}.mjr`;
  const dir = p.room.options.recDir;
  return dir === undefined || name.startsWith('/') ? name : `${dir.replace(/\/+$/, '')}/${name}`;
}

/**
 * Starts a recording for each published audio/video stream not recorded yet, and stops those no
 * longer wanted (recording off, stream gone). Files that cannot be created are logged, as Janus does.
 */
export async function syncPublisherRecording(p: Publisher, api: PluginApi): Promise<void> {
  const wanted = (p.record || p.room.options.record) && p.publishing && !p.room.destroyed;
  const mids = new Set(wanted ? p.streams.filter((s) => s.type !== 'data').map((s) => s.mid) : []);
  for (const [mid, id] of [...p.recordings]) {
    if (mids.has(mid)) continue;
    p.recordings.delete(mid);
    await api.media.stopRecording(id);
  }
  const now = Date.now() * 1000;
  for (const s of p.streams) {
    if (s.type === 'data' || !mids.has(s.mid) || p.recordings.has(s.mid)) continue;
    const file = publisherRecordingPath(p, s.type, s.mid, now);
    try {
      const id = await api.media.startRecording(p.handle, { mid: s.mid, file });
      // The publisher may have stopped, or this mid started elsewhere, while the file was being opened.
      if (!p.publishing || p.recordings.has(s.mid)) await api.media.stopRecording(id);
      else p.recordings.set(s.mid, id);
    } catch (error) {
      api.log.warn('could not start the publisher recording', { room: p.room.id, id: p.id, file, error: String(error) });
    }
  }
}

/** Stops (and closes) every recording of the publisher. */
export async function stopPublisherRecording(p: Publisher, api: PluginApi): Promise<void> {
  const ids = [...p.recordings.values()];
  p.recordings.clear();
  for (const id of ids) await api.media.stopRecording(id);
}
