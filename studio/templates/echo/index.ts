import { definePlugin, wait, type HandleId, type JsonObject } from '@cardea/plugin-sdk';

/** The name clients attach to; the studio deploys the plugin under it. */
const NAME = 'studio.echo';
const GREETING = 'Hello from my first Cardea plugin';

/** Messages seen per handle; handed to the next version on a hot reload (exportState/importState). */
const counts = new Map<HandleId, number>();

/**
 * An echo: every message comes back as an event, and once the client offers media the handle's
 * audio and video are routed back to itself (the gateway moves the packets, the plugin only draws
 * the route).
 */
export default definePlugin({
  name: NAME,
  version: '1.0.0',
  description: 'Echoes messages as events, and audio/video back to the sender',

  createSession({ handle }, api) {
    counts.set(handle, 0);
    api.log.info('handle attached', { handle });
  },

  destroySession(handle) {
    counts.delete(handle);
  },

  querySession(handle) {
    return { messages: counts.get(handle) ?? 0 };
  },

  handleMessage({ handle, transaction, body, jsep }, api) {
    const messages = (counts.get(handle) ?? 0) + 1;
    counts.set(handle, messages);
    if (jsep?.type === 'offer') {
      const answerAndRoute = async (): Promise<void> => {
        const answer = await api.negotiate(handle, { type: 'answer' });
        await api.media.addRoute({ from: handle, to: handle });
        await api.pushEvent(handle, { transaction, data: { echo: 'event', result: 'media routed back to you' }, jsep: answer });
      };
      answerAndRoute().catch((error: unknown) => api.log.error('negotiation failed', { error: String(error) }));
      return wait('negotiating');
    }
    api.log.info('message', { body, messages });
    api
      .pushEvent(handle, { transaction, data: { echo: 'event', greeting: GREETING, you_sent: body, messages } })
      .catch((error: unknown) => api.log.warn('event not delivered', { error: String(error) }));
    return wait();
  },

  exportState(): JsonObject {
    const state: JsonObject = {};
    for (const [handle, n] of counts) state[String(handle)] = n;
    return state;
  },

  importState(state) {
    for (const [handle, n] of Object.entries(state)) if (typeof n === 'number') counts.set(Number(handle), n);
  },
});
