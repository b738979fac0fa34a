import type { HandleId, IncomingJsep, JsonObject, MediaKind, OfferStream, PluginApi, PluginMessage } from '@cardea/plugin-sdk';
import { VideoCallError, VideoCallFailure } from './videocallErrors.ts';
import type { VideoCallSet } from './videocallRequests.ts';

/** One attached handle. */
export interface Peer {
  handle: HandleId;
  username: string | undefined;
  /** The other side of the call, once calling. */
  other: HandleId | undefined;
  state: 'idle' | 'calling' | 'ringing' | 'incall';
  audio: boolean;
  video: boolean;
  bitrate: number;
  /** The caller's offer, kept until the callee answers. */
  offer: IncomingJsep | undefined;
}

const codecs = new Set(['opus', 'vp8', 'vp9', 'h264']);

/** The streams the gateway offers the callee: the caller's m-lines, same kinds and first supported codec. */
function calleeStreams(offer: IncomingJsep): OfferStream[] {
  return offer.media.map((line) => {
    const stream: OfferStream = { kind: line.kind, direction: 'sendrecv' };
    const codec = line.codecs.find((c) => codecs.has(c));
    if (codec) stream.codec = codec;
    return stream;
  });
}

/**
 * The state and logic of janus.plugin.videocall: a directory of registered users and the calls
 * between them. The caller's offer is mirrored to the callee as a gateway offer; the callee's
 * answer decides the codecs of the gateway's answer to the caller; then media is routed both ways.
 */
export class VideoCallService {
  readonly #peers = new Map<HandleId, Peer>();
  readonly #users = new Map<string, HandleId>();

  add(handle: HandleId): void {
    this.#peers.set(handle, {
      handle,
      username: undefined,
      other: undefined,
      state: 'idle',
      audio: true,
      video: true,
      bitrate: 0,
      offer: undefined,
    });
  }

  async remove(handle: HandleId, api: PluginApi): Promise<void> {
    const peer = this.#peers.get(handle);
    if (!peer) return;
    await this.#endCall(peer, api, 'Remote WebRTC hangup', false);
    if (peer.username) this.#users.delete(peer.username);
    this.#peers.delete(handle);
  }

  query(handle: HandleId): JsonObject {
    const p = this.#peers.get(handle);
    if (!p) return {};
    const other = p.other !== undefined ? this.#peers.get(p.other)?.username : undefined;
    return {
      state: p.state,
      ...(p.username ? { username: p.username } : {}),
      ...(other ? { peer: other } : {}),
      audio_active: p.audio,
      video_active: p.video,
      bitrate: p.bitrate,
    };
  }

  /** The peer of a handle, while attached. */
  peer(handle: HandleId): Peer | undefined {
    return this.#peers.get(handle);
  }

  /** The registered usernames (`list`). */
  usernames(): string[] {
    return [...this.#users.keys()];
  }

  /** The PeerConnection of a handle went away: a call in progress ends for both sides. */
  async mediaGone(handle: HandleId, api: PluginApi): Promise<void> {
    const peer = this.#peers.get(handle);
    if (peer && peer.state !== 'idle') await this.#endCall(peer, api, 'Remote WebRTC hangup', true);
  }

  register(peer: Peer, username: string): void {
    if (peer.username) throw new VideoCallFailure(VideoCallError.ALREADY_REGISTERED, `Already registered (${peer.username})`);
    if (this.#users.has(username)) throw new VideoCallFailure(VideoCallError.USERNAME_TAKEN, `Username '${username}' already taken`);
    peer.username = username;
    this.#users.set(username, peer.handle);
  }

  async call(peer: Peer, username: string, message: PluginMessage, api: PluginApi): Promise<void> {
    if (!peer.username) throw new VideoCallFailure(VideoCallError.REGISTER_FIRST, 'Register a username first');
    if (username === peer.username)
      throw new VideoCallFailure(VideoCallError.USE_ECHO_TEST, "You can't call yourself... use the EchoTest for that");
    const calleeHandle = this.#users.get(username);
    const callee = calleeHandle === undefined ? undefined : this.#peers.get(calleeHandle);
    if (!callee) throw new VideoCallFailure(VideoCallError.NO_SUCH_USERNAME, `Username '${username}' doesn't exist`);
    if (peer.state !== 'idle') throw new VideoCallFailure(VideoCallError.ALREADY_IN_CALL, 'Already in a call');
    if (message.jsep?.type !== 'offer') throw new VideoCallFailure(VideoCallError.MISSING_SDP, 'Missing SDP');
    if (callee.state !== 'idle') {
      await api.pushEvent(peer.handle, {
        transaction: message.transaction,
        data: { videocall: 'event', result: { event: 'hangup', username: callee.username ?? username, reason: 'User busy' } },
      });
      await api.closePeerConnection(peer.handle);
      return;
    }
    peer.state = 'calling';
    peer.other = callee.handle;
    peer.offer = message.jsep;
    callee.state = 'ringing';
    callee.other = peer.handle;
    const offer = await api.negotiate(callee.handle, { type: 'offer', streams: calleeStreams(message.jsep) });
    await api.pushEvent(peer.handle, { transaction: message.transaction, data: { videocall: 'event', result: { event: 'calling' } } });
    await api.pushEvent(callee.handle, {
      data: { videocall: 'event', result: { event: 'incomingcall', username: peer.username } },
      jsep: offer,
    });
  }

  async accept(callee: Peer, message: PluginMessage, api: PluginApi): Promise<void> {
    const caller = callee.other === undefined ? undefined : this.#peers.get(callee.other);
    if (callee.state !== 'ringing' || !caller) throw new VideoCallFailure(VideoCallError.NO_CALL, 'No incoming call to accept');
    if (message.jsep?.type !== 'answer') throw new VideoCallFailure(VideoCallError.MISSING_SDP, 'Missing SDP');
    const chosen = (kind: MediaKind) => message.jsep?.media.find((m) => m.kind === kind)?.codecs.find((c) => codecs.has(c));
    const answerOptions: Parameters<PluginApi['negotiate']>[1] = { type: 'answer' };
    const audioCodec = chosen('audio');
    const videoCodec = chosen('video');
    if (audioCodec) answerOptions.audioCodec = audioCodec;
    if (videoCodec) answerOptions.videoCodec = videoCodec;
    const answer = await api.negotiate(caller.handle, answerOptions);
    caller.state = 'incall';
    callee.state = 'incall';
    caller.offer = undefined;
    await this.#route(caller, callee, api);
    await this.#route(callee, caller, api);
    await api.pushEvent(callee.handle, { transaction: message.transaction, data: { videocall: 'event', result: { event: 'accepted' } } });
    await api.pushEvent(caller.handle, {
      data: { videocall: 'event', result: { event: 'accepted', username: callee.username ?? '' } },
      jsep: answer,
    });
  }

  /** Routes what `from` sends to `to`, honouring `from`'s audio/video toggles. */
  async #route(from: Peer, to: Peer, api: PluginApi): Promise<void> {
    const on: MediaKind[] = ['data'];
    const off: MediaKind[] = [];
    (from.audio ? on : off).push('audio');
    (from.video ? on : off).push('video');
    await api.media.addRoute({ from: from.handle, to: to.handle, kinds: on });
    if (off.length > 0) await api.media.removeRoute({ from: from.handle, to: to.handle, kinds: off });
  }

  async set(peer: Peer, request: VideoCallSet, api: PluginApi): Promise<void> {
    if (request.audio !== undefined) peer.audio = request.audio;
    if (request.video !== undefined) peer.video = request.video;
    if (request.bitrate !== undefined) {
      peer.bitrate = request.bitrate;
      await api.media.setBitrateCap(peer.handle, peer.bitrate);
    }
    const other = peer.other === undefined ? undefined : this.#peers.get(peer.other);
    if (peer.state === 'incall' && other) await this.#route(peer, other, api);
  }

  async hangup(peer: Peer, transaction: string, reason: string | undefined, api: PluginApi): Promise<void> {
    const other = peer.other === undefined ? undefined : this.#peers.get(peer.other);
    await api.pushEvent(peer.handle, {
      transaction,
      data: { videocall: 'event', result: { event: 'hangup', username: peer.username ?? '', reason: 'Explicit hangup' } },
    });
    this.#reset(peer);
    await api.closePeerConnection(peer.handle);
    if (other) {
      await api.pushEvent(other.handle, {
        data: { videocall: 'event', result: { event: 'hangup', username: peer.username ?? '', reason: reason ?? 'We did the hangup' } },
      });
      this.#reset(other);
      await api.closePeerConnection(other.handle);
    }
  }

  async #endCall(peer: Peer, api: PluginApi, reason: string, notifySelf: boolean): Promise<void> {
    const other = peer.other === undefined ? undefined : this.#peers.get(peer.other);
    if (notifySelf)
      await api.pushEvent(peer.handle, {
        data: { videocall: 'event', result: { event: 'hangup', username: peer.username ?? '', reason } },
      });
    this.#reset(peer);
    if (other && other.other === peer.handle) {
      await api.pushEvent(other.handle, {
        data: { videocall: 'event', result: { event: 'hangup', username: peer.username ?? '', reason } },
      });
      this.#reset(other);
      await api.closePeerConnection(other.handle);
    }
  }

  #reset(peer: Peer): void {
    peer.state = 'idle';
    peer.other = undefined;
    peer.offer = undefined;
    peer.audio = true;
    peer.video = true;
    peer.bitrate = 0;
  }
}
