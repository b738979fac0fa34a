import { defineRequests, definePlugin } from '@cardea/plugin-sdk';
import { videoCallKitOptions, videoCallRequests } from './videocallRequests.ts';
import { VideoCallService } from './VideoCallService.ts';

const service = new VideoCallService();
const requests = defineRequests(videoCallRequests(service), videoCallKitOptions);

/**
 * janus.plugin.videocall: users register a name and call each other; every request is
 * asynchronous (`list` included) and answered with `{"videocall":"event","result":{…}}`.
 */
export default definePlugin({
  name: 'janus.plugin.videocall',
  version: '1.0.0',
  description: 'One-to-one video calls between registered users (Janus VideoCall API)',
  author: 'The Cardea developers',

  createSession({ handle }) {
    service.add(handle);
  },

  async destroySession(handle, api) {
    await service.remove(handle, api);
  },

  querySession(handle) {
    return service.query(handle);
  },

  handleMessage: requests.handleMessage,

  async hangupMedia(handle, api) {
    await service.mediaGone(handle, api);
  },
});
