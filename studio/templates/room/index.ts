import { definePlugin, pluginError, wait, type HandleId, type PluginApi, type PluginMessage } from '@cardea/plugin-sdk';
import { Room } from './room.ts';

/** The name clients attach to; the studio deploys the plugin under it. */
const NAME = 'studio.room';

const room = new Room();
/** Subscriber handles → the participant they watch. */
const watching = new Map<HandleId, HandleId>();

/** `publish` with an offer: the gateway answers and receives this participant's media. */
async function publish({ handle, transaction }: PluginMessage, api: PluginApi): Promise<void> {
  const participant = room.participants.get(handle);
  if (!participant) return;
  const answer = await api.negotiate(handle, { type: 'answer', direction: 'recvonly' });
  participant.publishing = true;
  await api.pushEvent(handle, { transaction, data: { room: 'event', published: true }, jsep: answer });
  await room.broadcast(handle, { room: 'event', publishers: room.list() }, api);
}

/** `watch` on another handle: the gateway offers it the publisher's streams. */
async function watch({ handle, transaction, body }: PluginMessage, api: PluginApi): Promise<void> {
  const feed = Number(body.feed);
  if (!room.participants.get(feed)?.publishing) {
    await api.pushEvent(handle, { transaction, data: { room: 'event', error: `no publisher ${feed}` } });
    return;
  }
  watching.set(handle, feed);
  const offer = await api.negotiate(handle, { type: 'offer', streams: [{ kind: 'audio' }, { kind: 'video' }] });
  await api.pushEvent(handle, { transaction, data: { room: 'event', watching: feed }, jsep: offer });
}

/** A small room: join with a display name, publish, and watch others on a second handle. */
export default definePlugin({
  name: NAME,
  version: '1.0.0',
  description: 'A small room: participants publish, others watch',

  async destroySession(handle, api) {
    watching.delete(handle);
    const left = room.leave(handle);
    if (left) await room.broadcast(handle, { room: 'event', leaving: left.handle }, api);
  },

  handleMessage(message, api) {
    const { handle, transaction, body, jsep } = message;
    const fail = (error: unknown): void => api.log.error('request failed', { request: body.request ?? null, error: String(error) });
    switch (body.request) {
      case 'join': {
        const me = room.join(handle, typeof body.display === 'string' ? body.display : `guest ${handle}`);
        void api.pushEvent(handle, { transaction, data: { room: 'event', joined: me.handle, participants: room.list() } }).catch(fail);
        void room.broadcast(handle, { room: 'event', joining: { id: me.handle, display: me.display } }, api).catch(fail);
        return wait();
      }
      case 'publish':
        if (jsep?.type !== 'offer') return pluginError('room', 400, 'publish needs an offer');
        publish(message, api).catch(fail);
        return wait('publishing');
      case 'watch':
        watch(message, api).catch(fail);
        return wait('preparing an offer');
      case 'start': {
        // The watcher's answer has been applied by the core: route the publisher's media to it.
        const feed = watching.get(handle);
        if (feed === undefined || jsep?.type !== 'answer') return pluginError('room', 400, 'start needs an answer to a watch offer');
        api.media.addRoute({ from: feed, to: handle, kinds: ['audio', 'video'] }).catch(fail);
        return wait();
      }
      default:
        return pluginError('room', 400, `unknown request ${JSON.stringify(body.request)}`);
    }
  },
});
