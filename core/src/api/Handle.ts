import type { IncomingJsep, Jsep, NegotiatedJsep, NegotiationRequest, PluginEvent } from '@cardea/plugin-sdk';
import type { Logger } from '../util/logger.ts';
import type { MediaPlane } from '../media/MediaPlaneTypes.ts';
import type { CoreHandle, LoadedPlugin } from '../plugins/PluginHostTypes.ts';
import { WebRtcPeer, type TrickleCandidate } from '../webrtc/WebRtcPeer.ts';
import type { WebRtcOptions } from '../webrtc/WebRtcOptions.ts';
import type { Session } from './Session.ts';

/** What a handle needs from the gateway around it. */
export interface HandleDeps {
  media: MediaPlane;
  webrtc: WebRtcOptions;
  log: Logger;
  /** Called when a plugin ends the handle (the API layer detaches it). */
  onPluginEnd(handle: Handle): void;
  /** Milliseconds early candidates may wait for their SDP. */
  candidatesTimeoutMs: number;
}

/** Most early trickles a handle keeps before it has a PeerConnection. */
const MAX_EARLY_CANDIDATES = 64;

/**
 * One attachment of a session to a plugin, with at most one PeerConnection. Implements the
 * plugin host's view of a handle (`CoreHandle`) and turns PeerConnection events into the Janus
 * `webrtcup`, `media` and `hangup` messages.
 */
export class Handle implements CoreHandle {
  readonly id: number;
  readonly session: Session;
  readonly plugin: LoadedPlugin;
  readonly opaqueId: string | undefined;
  readonly #deps: HandleDeps;
  #peer: WebRtcPeer | undefined;
  #early: Array<{ candidate: TrickleCandidate | null; at: number }> = [];
  #closed = false;

  constructor(id: number, session: Session, plugin: LoadedPlugin, opaqueId: string | undefined, deps: HandleDeps) {
    this.id = id;
    this.session = session;
    this.plugin = plugin;
    this.opaqueId = opaqueId;
    this.#deps = deps;
  }

  get peer(): WebRtcPeer | undefined {
    return this.#peer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Applies a client's JSEP, creating the PeerConnection for a first offer. */
  async applyRemoteJsep(jsep: Jsep): Promise<IncomingJsep> {
    const update = this.#peer !== undefined && this.#peer.isUp;
    const peer = this.#ensurePeer();
    const media = await peer.applyRemote(jsep);
    const incoming: IncomingJsep = { type: jsep.type, sdp: jsep.sdp, media, update };
    if (jsep.e2ee) incoming.e2ee = true;
    return incoming;
  }

  /** A trickled candidate (or end-of-candidates) from the client. */
  async trickle(candidate: TrickleCandidate | null): Promise<void> {
    if (this.#peer) {
      await this.#peer.addCandidate(candidate);
      return;
    }
    const now = performance.now();
    this.#early = this.#early.filter((c) => now - c.at < this.#deps.candidatesTimeoutMs);
    if (this.#early.length < MAX_EARLY_CANDIDATES) this.#early.push({ candidate, at: now });
  }

  // --- CoreHandle (called by the plugin host) ---

  pushEvent(event: PluginEvent): void {
    if (this.#closed) return;
    const message: Parameters<Session['send']>[0] = {
      janus: 'event',
      sender: this.id,
      plugindata: { plugin: this.plugin.descriptor.name, data: event.data },
    };
    if (event.transaction !== undefined) message.transaction = event.transaction;
    if (event.jsep) {
      message.jsep = event.jsep.e2ee ? { type: event.jsep.type, sdp: event.jsep.sdp, e2ee: true } : { type: event.jsep.type, sdp: event.jsep.sdp };
    }
    this.session.send(message);
  }

  async negotiate(request: NegotiationRequest): Promise<NegotiatedJsep> {
    if (this.#closed) throw new Error('handle closed');
    if (request.type === 'answer') {
      if (!this.#peer) throw new Error('no offer to answer');
      return this.#peer.createAnswer(request);
    }
    return this.#ensurePeer().createOffer(request);
  }

  closePeerConnection(reason: string): void {
    this.#peer?.close(reason);
  }

  end(): void {
    if (!this.#closed) this.#deps.onPluginEnd(this);
  }

  sendData(text: string, label: string | undefined): void {
    this.#peer?.sendData(text, label);
  }

  setBitrateCap(bitsPerSecond: number): void {
    this.#deps.media.setBitrateCap(this.id, bitsPerSecond);
  }

  /**
   * Tears the handle down: closes the PeerConnection and detaches the plugin session. With `notify`
   * false (session destroy), nothing more is sent to the client. Idempotent.
   */
  async close(notify: boolean, reason: string): Promise<void> {
    if (this.#closed) return;
    if (!notify) this.#silence = true;
    this.#peer?.close(reason);
    this.#closed = true;
    this.#early = [];
    this.#deps.media.forget(this.id);
    await this.plugin.destroySession(this.id);
  }

  #silence = false;

  #ensurePeer(): WebRtcPeer {
    if (this.#peer && !this.#peer.isClosed) return this.#peer;
    const log = this.#deps.log;
    const peer = new WebRtcPeer(this.#deps.webrtc, (error, event) => log.error({ err: error, event, handle: this.id }, 'peer listener threw'), log.child({ handle: this.id }));
    this.#peer = peer;
    this.#deps.media.attach({ handleId: this.id, peer });
    peer.events.on('up', () => {
      // Janus runs the plugin's setup hook, then sends webrtcup (shared/janus-api.md §2.7).
      void this.plugin.setupMedia(this.id).then(() => {
        if (!this.#silence && !peer.isClosed) this.session.send({ janus: 'webrtcup', sender: this.id });
      });
    });
    peer.events.on('media', (mid, kind, receiving) => {
      if (!this.#silence) this.session.send({ janus: 'media', sender: this.id, mid, type: kind, receiving });
    });
    // Janus core event (shared/janus-api.md §2.6): too many packets lost on a leg in the last second.
    peer.events.on('slowlink', (mid, kind, uplink, lost) => {
      if (!this.#silence) this.session.send({ janus: 'slowlink', sender: this.id, mid, media: kind, uplink, lost });
    });
    // Data channels are low-rate control traffic: plugins that opted in get each message (media routes still apply).
    if (this.plugin.handleData) peer.events.on('data', (label, text) => void this.plugin.handleData?.(this.id, label, text));
    peer.events.on('closed', (reason) => {
      if (this.#peer === peer) this.#peer = undefined;
      this.#deps.media.detach(this.id);
      if (!this.#silence) this.session.send({ janus: 'hangup', sender: this.id, reason });
      void this.plugin.hangupMedia(this.id);
    });
    const early = this.#early;
    this.#early = [];
    for (const { candidate } of early) void peer.addCandidate(candidate);
    return peer;
  }
}
