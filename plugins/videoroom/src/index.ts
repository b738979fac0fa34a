import {
  defineRequests,
  definePlugin,
  PluginRequestError,
  type JsonObject,
  type PluginMessage,
  type RoutedRequestSpec,
} from '@cardea/plugin-sdk';
import { publisherGone, publisherRequests, publisherUp } from './publisherRequests.ts';
import { roomRequests } from './roomRequests.ts';
import { subscriberGone, subscriberRequests } from './subscriberRequests.ts';
import { VideoRoomError } from './videoroomErrors.ts';
import { VideoRoomService } from './VideoRoomService.ts';

const service = new VideoRoomService();
service.onPublisherUp = (publisher, api) => publisherUp(service, publisher, api);
service.onPublisherGone = (publisher, api, reason) => publisherGone(service, publisher, api, reason);
service.onSubscriberGone = (subscriber) => subscriberGone(subscriber);

const asPublisher = publisherRequests(service);
const asSubscriber = subscriberRequests(service);
const subscriberOnly = new Set(['start', 'pause', 'subscribe', 'unsubscribe', 'update', 'switch']);

/** A request a publisher and a subscriber both make goes to the table of what the handle is, or joins as. */
function byRole(body: JsonObject, message: PluginMessage): typeof asPublisher {
  const request = typeof body.request === 'string' ? body.request : '';
  const subscriber =
    service.roles.get(message.handle)?.kind === 'subscriber' ||
    subscriberOnly.has(request) ||
    (request === 'join' && body.ptype === 'subscriber');
  return subscriber ? asSubscriber : asPublisher;
}

/** `join` needs `ptype` publisher or subscriber, checked before the ack. */
function checkPtype(body: JsonObject): void {
  if (body.ptype === 'publisher' || body.ptype === 'subscriber') return;
  throw new PluginRequestError(
    body.ptype === undefined ? VideoRoomError.MISSING_ELEMENT : VideoRoomError.INVALID_ELEMENT,
    'Invalid element (ptype)',
  );
}

const routed: RoutedRequestSpec = { mode: 'routed', route: byRole };
const asyncNames = ['joinandconfigure', 'configure', 'publish', 'unpublish', 'leave', ...subscriberOnly];

const requests = defineRequests(
  {
    ...roomRequests(service),
    join: { ...routed, precheck: checkPtype },
    ...Object.fromEntries(asyncNames.map((name) => [name, routed])),
  },
  { key: 'videoroom', errors: VideoRoomError },
);

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

  ...requests,

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
});
