import { definePlugin, pluginError, wait, type HandleId, type PluginApi } from '@cardea/plugin-sdk';

/** The name clients attach to; the studio deploys the plugin under it. */
const NAME = 'studio.chat';

/** Who is in the chat, by handle. */
const members = new Map<HandleId, string>();

/** Sends a line to everyone: over their data channel, and as an event for clients without one. */
async function broadcast(from: HandleId, text: string, api: PluginApi): Promise<void> {
  const line = { from: members.get(from) ?? `guest ${from}`, text, at: new Date().toISOString() };
  for (const handle of members.keys()) {
    await api.pushEvent(handle, { data: { chat: 'message', ...line } });
    await api.sendData(handle, JSON.stringify(line)).catch(() => undefined); // no data channel (yet): the event suffices
  }
}

/** A data-channel chat: join with a name, offer a data channel, and every line goes to everyone. */
export default definePlugin({
  name: NAME,
  version: '1.0.0',
  description: 'Chat over WebRTC data channels',

  destroySession(handle) {
    members.delete(handle);
  },

  handleMessage({ handle, transaction, body, jsep }, api) {
    const fail = (error: unknown): void => api.log.error('chat request failed', { error: String(error) });
    if (jsep?.type === 'offer') {
      // Accept only the data channel of the offer.
      api
        .negotiate(handle, { type: 'answer', audio: false, video: false, data: true })
        .then((answer) => api.pushEvent(handle, { transaction, data: { chat: 'event', datachannel: true }, jsep: answer }))
        .catch(fail);
      return wait('negotiating');
    }
    if (body.request === 'join') {
      members.set(handle, typeof body.username === 'string' ? body.username : `guest ${handle}`);
      api.pushEvent(handle, { transaction, data: { chat: 'event', joined: [...members.values()] } }).catch(fail);
      return wait();
    }
    if (body.request === 'say' && typeof body.text === 'string') {
      broadcast(handle, body.text, api).catch(fail);
      return wait();
    }
    return pluginError('chat', 400, 'requests: join {username}, say {text}');
  },

  async handleData({ handle, text }, api) {
    await broadcast(handle, text, api);
  },
});
