import { definePlugin, isJsonObject, ok, pluginError, wait, type JsonObject, type MessageResult } from '@cardea/plugin-sdk';
import { publisherGone, publisherUp, runPublisherRequest } from './publisherRequests.ts';
import { runSyncRequest, syncRequests } from './roomRequests.ts';
import { runSubscriberRequest, subscriberGone } from './subscriberRequests.ts';
import { VideoRoomError, VideoRoomFailure } from './videoroomErrors.ts';
import { VideoRoomService } from './VideoRoomService.ts';

const service = new VideoRoomService();
service.onPublisherUp = (publisher, api) => publisherUp(service, publisher, api);
service.onPublisherGone = (publisher, api, reason) => publisherGone(service, publisher, api, reason);
service.onSubscriberGone = (subscriber) => subscriberGone(subscriber);

const subscriberOnly = new Set(['start', 'pause', 'subscribe', 'unsubscribe', 'update', 'switch']);
const asyncRequests = new Set(['join', 'joinandconfigure', 'configure', 'publish', 'unpublish', 'leave', ...subscriberOnly]);

const failure = (error: unknown): MessageResult => {
  if (error instanceof VideoRoomFailure) return pluginError('videoroom', error.code, error.message);
  throw error;
};

/**
 * janus.plugin.videoroom: the SFU. Rooms of publishers (each a participant that may publish) and
 * multistream subscribers (one PeerConnection receiving many feeds), with Janus's requests and
 * events (shared/janus-api.md §5.3). Packets move in the core; this plugin draws the routes.
 * Recordings (publisher `record`/`filename`, room `record` + `rec_dir`) are Janus `.mjr` files, one
 * per published stream (publisherRecording.ts).
 */
export default definePlugin({
  name: 'janus.plugin.videoroom',
  version: '1.0.0',
  description: 'Video rooms: publishers and multistream subscribers (Janus VideoRoom API)',
  author: 'The Cardea developers',

  async destroySession(handle, api) {
    await service.handleGone(handle, api);
  },

  querySession(handle) {
    return service.query(handle);
  },

  async handleMessage(message, api) {
    const { body } = message;
    if (!isJsonObject(body)) return pluginError('videoroom', VideoRoomError.NO_MESSAGE, 'No message??');
    const request = body.request;
    if (typeof request !== 'string') return pluginError('videoroom', VideoRoomError.MISSING_ELEMENT, 'Missing element (request)');
    if (syncRequests.has(request)) {
      try {
        return ok(await runSyncRequest(service, request, body, api));
      } catch (error) {
        return failure(error);
      }
    }
    if (!asyncRequests.has(request)) return pluginError('videoroom', VideoRoomError.INVALID_REQUEST, `Unknown request '${request}'`);
    const role = service.roles.get(message.handle);
    const asSubscriber = role?.kind === 'subscriber' || subscriberOnly.has(request) || (request === 'join' && body.ptype === 'subscriber');
    if (request === 'join' && body.ptype !== 'publisher' && body.ptype !== 'subscriber') {
      return pluginError('videoroom', body.ptype === undefined ? VideoRoomError.MISSING_ELEMENT : VideoRoomError.INVALID_ELEMENT, 'Invalid element (ptype)');
    }
    void service.respond(message, api, () => (asSubscriber ? runSubscriberRequest(service, request, message, api) : runPublisherRequest(service, request, message, api)));
    return wait();
  },

  async setupMedia(handle, api) {
    await service.mediaUp(handle, api);
  },

  async hangupMedia(handle, api) {
    await service.mediaGone(handle, api);
  },

  async handleTalking(event, api) {
    await service.talking(event, api);
  },

  async handleLayerSwitch(event, api) {
    await service.layerSwitched(event, api);
  },

  async handleAdminMessage(body, api): Promise<JsonObject> {
    const request = body.request;
    if (typeof request !== 'string' || !syncRequests.has(request)) return { videoroom: 'event', error_code: VideoRoomError.INVALID_REQUEST, error: 'Unknown request' };
    try {
      return await runSyncRequest(service, request, body, api);
    } catch (error) {
      if (error instanceof VideoRoomFailure) return { videoroom: 'event', error_code: error.code, error: error.message };
      throw error;
    }
  },
});
