// The `.mjr` recording rows of the sandbox's API table: a plugin records only handles attached to
// it and stops only its own recordings (PluginCapabilities, with the sandbox's recording cap), and
// writes only inside its own media directory (the rule of mixer recordings).
import { z } from 'zod';
import { confinePath } from './confinePath.ts';
import { handleId, positiveId, recordingOptions } from './sandboxApiSchemas.ts';
import { row, type ApiRows } from './sandboxApiRow.ts';

export const recordingRows = {
  'media.startRecording': row(z.tuple([handleId, recordingOptions]), (api, [h, options], policy) =>
    api.media.startRecording(h, { ...options, file: confinePath(policy.mediaDir, options.file) }),
  ),
  'media.stopRecording': row(z.tuple([positiveId]), (api, [id]) => api.media.stopRecording(id)),
} as const satisfies ApiRows;
