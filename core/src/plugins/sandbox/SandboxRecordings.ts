// The `.mjr` recording rows of the sandbox's API table: a plugin records only handles attached to
// it and stops only its own recordings (PluginCapabilities, with the sandbox's recording cap), and
// writes only regular files inside its own media directory, never through a symlink (the
// capabilities' confined file access, ConfinedFiles, as for mixer recordings).
import { z } from 'zod';
import { handleId, positiveId, recordingOptions } from './sandboxApiSchemas.ts';
import { row, type ApiRows } from './sandboxApiRow.ts';

export const recordingRows = {
  'media.startRecording': row(z.tuple([handleId, recordingOptions]), (api, [h, options]) =>
    api.media.startRecording(h, options),
  ),
  'media.stopRecording': row(z.tuple([positiveId]), (api, [id]) => api.media.stopRecording(id)),
} as const satisfies ApiRows;
