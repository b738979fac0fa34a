// The audio-mixer rows of the sandbox's API table: each validates its wire arguments and calls
// the core's plugin API (PluginCapabilities: own mixers, own handles, the mixer cap) after the
// sandbox policy: files a plugin plays or records are opened inside its own media directory by the
// capabilities' confined file access (ConfinedFiles: no symlinks, regular files only, bounded file
// work), and its mixes may be forwarded as plain RTP to loopback addresses only.
import { z } from 'zod';
import { handleId, mediaPath, mixerForward, mixerId, mixerOptions, participantOptions, positiveId } from './sandboxApiSchemas.ts';
import { row, type ApiRows } from './sandboxApiRow.ts';
import { loopbackOnly } from './sandboxPolicy.ts';

export const mixerRows = {
  'media.createMixer': row(z.tuple([mixerOptions.nullable()]), (api, [options]) => api.media.createMixer(options ?? undefined)),
  'media.destroyMixer': row(z.tuple([mixerId]), (api, [mixer]) => api.media.destroyMixer(mixer)),
  'media.addToMixer': row(z.tuple([handleId, mixerId, participantOptions.nullable()]), (api, [h, mixer, options]) =>
    api.media.addToMixer(h, mixer, options ?? undefined),
  ),
  'media.updateMixerParticipant': row(z.tuple([handleId, mixerId, participantOptions]), (api, [h, mixer, options]) =>
    api.media.updateMixerParticipant(h, mixer, options),
  ),
  'media.removeFromMixer': row(z.tuple([handleId, mixerId]), (api, [h, mixer]) => api.media.removeFromMixer(h, mixer)),
  'media.resetMixerDecoder': row(z.tuple([handleId, mixerId]), (api, [h, mixer]) => api.media.resetMixerDecoder(h, mixer)),
  'media.playFile': row(
    z.tuple([mixerId, mediaPath, z.object({ loop: z.boolean().optional() }).nullable()]),
    (api, [mixer, path, options]) => api.media.playFile(mixer, path, options ?? undefined),
  ),
  'media.stopFile': row(z.tuple([mixerId, positiveId]), (api, [mixer, fileId]) => api.media.stopFile(mixer, fileId)),
  'media.recordMixer': row(z.tuple([mixerId, mediaPath.nullable()]), async (api, [mixer, path]) => {
    await api.media.recordMixer(mixer, path);
  }),
  'media.mixerStats': row(z.tuple([mixerId]), (api, [mixer]) => api.media.mixerStats(mixer)),
  'media.forwardMixer': row(z.tuple([mixerId, mixerForward]), (api, [mixer, forward]) => {
    loopbackOnly(forward.host);
    return api.media.forwardMixer(mixer, forward);
  }),
  'media.stopMixerForward': row(z.tuple([mixerId, positiveId]), (api, [mixer, id]) => api.media.stopMixerForward(mixer, id)),
} as const satisfies ApiRows;
