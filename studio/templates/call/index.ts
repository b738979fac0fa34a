import { definePlugin, pluginError, wait, type HandleId, type JsonObject, type PluginApi, type PluginMessage } from '@cardea/plugin-sdk';

/** The name clients attach to; the studio deploys the plugin under it. */
const NAME = 'studio.call';

interface Peer {
  handle: HandleId;
  username?: string;
  /** The handle this peer is in a call with. */
  with?: HandleId;
}

const peers = new Map<HandleId, Peer>();
const byName = new Map<string, HandleId>();

function event(result: JsonObject): JsonObject {
  return { call: 'event', result };
}

/** `call`: the caller's offer is answered by the gateway, and the callee gets the gateway's offer. */
async function call(peer: Peer, message: PluginMessage, api: PluginApi): Promise<void> {
  const username = message.body.username;
  const target = typeof username === 'string' ? byName.get(username) : undefined;
  const callee = target !== undefined ? peers.get(target) : undefined;
  if (!callee || callee.with !== undefined || message.jsep?.type !== 'offer') {
    await api.pushEvent(peer.handle, { transaction: message.transaction, data: event({ event: 'hangup', reason: 'unavailable' }) });
    return;
  }
  peer.with = callee.handle;
  callee.with = peer.handle;
  const streams = message.jsep.media.filter((m) => m.kind !== 'data').map((m) => ({ kind: m.kind, direction: 'sendrecv' as const }));
  const offer = await api.negotiate(callee.handle, { type: 'offer', streams });
  await api.pushEvent(peer.handle, { transaction: message.transaction, data: event({ event: 'calling' }) });
  await api.pushEvent(callee.handle, { data: event({ event: 'incomingcall', username: peer.username ?? '' }), jsep: offer });
}

/** `accept`: the callee answers; the caller gets the gateway's answer; media is routed both ways. */
async function accept(peer: Peer, message: PluginMessage, api: PluginApi): Promise<void> {
  const caller = peer.with !== undefined ? peers.get(peer.with) : undefined;
  if (!caller || message.jsep?.type !== 'answer') return;
  const answer = await api.negotiate(caller.handle, { type: 'answer' });
  await api.media.addRoute({ from: caller.handle, to: peer.handle });
  await api.media.addRoute({ from: peer.handle, to: caller.handle });
  await api.pushEvent(peer.handle, { transaction: message.transaction, data: event({ event: 'accepted' }) });
  await api.pushEvent(caller.handle, { data: event({ event: 'accepted', username: peer.username ?? '' }), jsep: answer });
}

async function hangup(peer: Peer, api: PluginApi, reason: string): Promise<void> {
  const other = peer.with !== undefined ? peers.get(peer.with) : undefined;
  peer.with = undefined;
  if (!other) return;
  other.with = undefined;
  await api.closePeerConnection(other.handle, reason);
  await api.pushEvent(other.handle, { data: event({ event: 'hangup', reason }) });
}

/** A two-party call: register a name, call a registered name, accept, hang up. */
export default definePlugin({
  name: NAME,
  version: '1.0.0',
  description: 'Two-party calls between registered users',

  createSession({ handle }) {
    peers.set(handle, { handle });
  },

  async destroySession(handle, api) {
    const peer = peers.get(handle);
    if (!peer) return;
    await hangup(peer, api, 'peer left');
    if (peer.username !== undefined) byName.delete(peer.username);
    peers.delete(handle);
  },

  handleMessage(message, api) {
    const peer = peers.get(message.handle);
    if (!peer) return pluginError('call', 400, 'unknown handle');
    const request = message.body.request;
    if (request === 'register') {
      const username = message.body.username;
      if (typeof username !== 'string' || byName.has(username)) return pluginError('call', 401, 'username taken or missing');
      peer.username = username;
      byName.set(username, peer.handle);
      void api.pushEvent(peer.handle, { transaction: message.transaction, data: event({ event: 'registered', username }) });
      return wait();
    }
    if (request === 'list') {
      void api.pushEvent(peer.handle, { transaction: message.transaction, data: event({ list: [...byName.keys()] }) });
      return wait();
    }
    const work =
      request === 'call' ? call(peer, message, api) : request === 'accept' ? accept(peer, message, api) : hangup(peer, api, 'hangup');
    work.catch((error: unknown) => api.log.error('request failed', { request: request ?? null, error: String(error) }));
    return wait();
  },

  async hangupMedia(handle, api) {
    const peer = peers.get(handle);
    if (peer) await hangup(peer, api, 'media closed');
  },
});
