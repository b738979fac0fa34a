import { defineRequests, definePlugin } from '@cardea/plugin-sdk';
import { mountpointRequests } from './mountpointRequests.ts';
import { StreamingError } from './streamingErrors.ts';
import { statusEvent, StreamingService } from './StreamingService.ts';
import { viewerRequests } from './viewerRequests.ts';

const service = new StreamingService();
const requests = defineRequests(
  { ...mountpointRequests(service), ...viewerRequests(service) },
  { key: 'streaming', errors: StreamingError },
);

/**
 * janus.plugin.streaming: RTP mountpoints (FFmpeg, GStreamer, any RTP source) relayed to any
 * number of WebRTC viewers, with Janus 1.x's requests and events (shared/janus-api.md §5.5). Each
 * mountpoint stream is an RTP endpoint of the core; a viewer is a set of routes from those
 * endpoints to its handle, so packets move on the fast plane and never through this plugin.
 */
export default definePlugin({
  name: 'janus.plugin.streaming',
  version: '1.0.0',
  description: 'Streaming: RTP mountpoints relayed to WebRTC viewers (Janus Streaming API)',
  author: 'The Cardea developers',

  async destroySession(handle, api) {
    await service.handleGone(handle, api);
  },

  querySession(handle) {
    return service.viewers.get(handle)?.describe() ?? {};
  },

  ...requests,

  async setupMedia(handle, api) {
    const viewer = service.viewers.get(handle);
    if (!viewer) return;
    viewer.mediaUp = true;
    if (viewer.state !== 'paused') viewer.state = 'started';
    // Janus sends `started` unsolicited when the PeerConnection comes up (just before `webrtcup`).
    await api.pushEvent(handle, { data: statusEvent('started') });
  },

  async hangupMedia(handle, api) {
    // As Janus: a viewer whose PeerConnection went away watches nothing any more.
    await service.handleGone(handle, api);
  },
});
