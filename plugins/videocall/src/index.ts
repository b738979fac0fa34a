import { definePlugin, isJsonObject, pluginError, wait } from '@cardea/plugin-sdk';
import { VideoCallError, VideoCallFailure } from './videocallErrors.ts';
import { parseVideoCallRequest } from './videocallRequests.ts';
import { VideoCallService } from './VideoCallService.ts';

const service = new VideoCallService();

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

  handleMessage(message, api) {
    if (!isJsonObject(message.body)) return pluginError('videocall', VideoCallError.NO_MESSAGE, 'No message??');
    let request;
    try {
      request = parseVideoCallRequest(message.body);
    } catch (error) {
      if (error instanceof VideoCallFailure) return pluginError('videocall', error.code, error.message);
      throw error;
    }
    void service.handle(message, request, api);
    return wait();
  },

  async hangupMedia(handle, api) {
    await service.mediaGone(handle, api);
  },
});
