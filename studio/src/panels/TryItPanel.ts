import type { JanusJsep, JanusPluginHandle, JanusSession } from '../janus/janusTypes.ts';
import { loadJanus } from '../janus/loadJanus.ts';
import { h, icon, replaceChildren } from '../ui/dom.ts';

type EntryKind = 'sent' | 'response' | 'event' | 'jsep' | 'state' | 'error' | 'data';

/** Most entries kept in the event list. */
const MAX_ENTRIES = 300;

/**
 * The try-it panel: the stock janus.js talking to the gateway's Janus API like any client would.
 * It attaches to a plugin, sends the JSON written in the panel, lists responses and events, and
 * can start a WebRTC session with the camera and microphone to show the media the plugin routes.
 */
export class TryItPanel {
  readonly element: HTMLElement;
  readonly #server: HTMLInputElement;
  readonly #plugin: HTMLSelectElement;
  readonly #attach: HTMLButtonElement;
  readonly #media: HTMLButtonElement;
  readonly #message: HTMLTextAreaElement;
  readonly #send: HTMLButtonElement;
  readonly #dataText: HTMLInputElement;
  readonly #entries: HTMLOListElement;
  readonly #status: HTMLElement;
  readonly #stats: HTMLElement;
  readonly #localVideo: HTMLVideoElement;
  readonly #remoteVideo: HTMLVideoElement;
  readonly #remoteStream = new MediaStream();
  readonly #localStream = new MediaStream();
  #session: JanusSession | undefined;
  #handle: JanusPluginHandle | undefined;
  #statsTimer = 0;
  #pluginNames: string[] = [];

  constructor(janusUrl: string) {
    this.#server = h('input', { id: 'tryit-server', type: 'text', value: janusUrl, spellcheck: false });
    this.#plugin = h('select', { id: 'tryit-plugin' });
    this.#attach = h('button', { class: 'primary', id: 'tryit-attach', onclick: () => void this.#toggleAttach() }, 'Attach');
    this.#media = h(
      'button',
      { id: 'tryit-media', disabled: true, onclick: () => this.#toggleMedia() },
      icon('play'),
      'Start camera & mic',
    );
    this.#message = h('textarea', { id: 'tryit-message', class: 'mono', rows: 6, spellcheck: false, value: '{\n  "hello": "cardea"\n}' });
    this.#message.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        this.send();
      }
    });
    this.#send = h(
      'button',
      { class: 'primary', id: 'tryit-send', disabled: true, title: 'Send (Ctrl+Enter)', onclick: () => this.send() },
      icon('send'),
      'Send',
    );
    this.#dataText = h('input', { id: 'tryit-data', type: 'text', placeholder: 'data-channel text, Enter to send', disabled: true });
    this.#dataText.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.#sendData();
    });
    this.#entries = h('ol', { class: 'entries', id: 'tryit-events', 'aria-label': 'Messages and events', 'aria-live': 'polite' });
    this.#status = h('span', { class: 'tryit-status muted', role: 'status' }, 'Not attached');
    this.#stats = h('p', { class: 'tryit-stats muted mono', id: 'tryit-stats' }, 'No media');
    this.#localVideo = h('video', { autoplay: true, muted: true, playsInline: true, 'aria-label': 'Your camera' });
    this.#remoteVideo = h('video', {
      autoplay: true,
      playsInline: true,
      'aria-label': 'Media routed back by the plugin',
      id: 'tryit-remote',
    });
    this.#localVideo.srcObject = this.#localStream;
    this.#remoteVideo.srcObject = this.#remoteStream;
    this.element = h(
      'div',
      { class: 'tryit' },
      h(
        'div',
        { class: 'tryit-bar' },
        h('label', { for: 'tryit-server' }, 'Server'),
        this.#server,
        h('label', { for: 'tryit-plugin' }, 'Plugin'),
        this.#plugin,
        this.#attach,
        this.#media,
        this.#status,
      ),
      h(
        'div',
        { class: 'tryit-body' },
        h(
          'div',
          { class: 'tryit-compose' },
          h('label', { for: 'tryit-message' }, 'Message (JSON body)'),
          this.#message,
          h('div', { class: 'row' }, this.#send, h('button', { onclick: () => replaceChildren(this.#entries) }, 'Clear')),
          h('label', { for: 'tryit-data' }, 'Data channel'),
          this.#dataText,
        ),
        this.#entries,
        h('div', { class: 'tryit-media' }, h('div', { class: 'videos' }, this.#localVideo, this.#remoteVideo), this.#stats),
      ),
    );
  }

  /** True while a handle is attached. */
  get attached(): boolean {
    return this.#handle !== undefined;
  }

  /** Offers the gateway's plugins, preselecting `preferred` (the plugin being edited). */
  setPlugins(names: string[], preferred?: string): void {
    const current = this.#plugin.value;
    if (names.join() === this.#pluginNames.join() && (preferred === undefined || preferred === current)) return;
    this.#pluginNames = names;
    const selected = preferred ?? current;
    replaceChildren(
      this.#plugin,
      names.map((name) => h('option', { value: name, selected: name === selected }, name)),
    );
    if (!this.attached && preferred && names.includes(preferred)) this.#plugin.value = preferred;
  }

  /** Puts a first message in the composer (a template's example). */
  setMessage(body: Record<string, unknown>): void {
    this.#message.value = JSON.stringify(body, null, 2);
  }

  focusMessage(): void {
    this.#message.focus();
  }

  /** Sends the composer's JSON as a `message` on the attached handle. */
  send(jsep?: JanusJsep): void {
    const handle = this.#handle;
    if (!handle) {
      this.#add('error', 'Attach to a plugin first');
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(this.#message.value || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      this.#add('error', `Not sent: ${(error as Error).message}`);
      return;
    }
    this.#add('sent', body, jsep ? `with ${jsep.type}` : undefined);
    handle.send({
      message: body,
      ...(jsep ? { jsep } : {}),
      success: (data) => (data ? this.#add('response', data) : this.#add('state', 'ack: the plugin will answer with events')),
      error: (error) => this.#add('error', error),
    });
  }

  async #toggleAttach(): Promise<void> {
    if (this.#handle) {
      this.detach();
      return;
    }
    const plugin = this.#plugin.value;
    if (!plugin) return;
    this.#attach.disabled = true;
    try {
      const Janus = await loadJanus();
      if (!this.#session?.isConnected()) {
        this.#session = await new Promise<JanusSession>((resolve, reject) => {
          const session: JanusSession = new Janus({
            server: this.#server.value.trim(),
            success: () => resolve(session),
            error: (error) => {
              reject(new Error(error));
              this.#add('error', `Janus session: ${error}`);
              this.#detached();
            },
          });
        });
        this.#add('state', `Session ${this.#session.getSessionId()} created on ${this.#server.value.trim()}`);
      }
      const session = this.#session;
      this.#handle = await new Promise<JanusPluginHandle>((resolve, reject) => {
        session.attach({
          plugin,
          opaqueId: `studio-${Math.random().toString(36).slice(2, 10)}`,
          success: resolve,
          error: (error) => reject(new Error(error)),
          onmessage: (message, jsep) => this.#onMessage(message, jsep),
          onlocaltrack: (track, on) => this.#track(this.#localStream, track, on),
          onremotetrack: (track, _mid, on) => this.#track(this.#remoteStream, track, on),
          ondataopen: (label) => {
            this.#dataText.disabled = false;
            this.#add('state', `data channel ${label} open`);
          },
          ondata: (data) => this.#add('data', data),
          iceState: (state) => this.#add('state', `ICE ${state}`),
          webrtcState: (up, reason) => {
            this.#add('state', up ? 'WebRTC up (ICE + DTLS)' : `WebRTC down${reason ? `: ${reason}` : ''}`);
            this.#renderStatus(up ? 'WebRTC up' : undefined);
          },
          mediaState: (medium, receiving) => this.#add('state', `gateway ${receiving ? 'receiving' : 'stopped receiving'} ${medium}`),
          oncleanup: () => this.#cleanup(),
          ondetached: () => {
            this.#add('state', 'detached by the gateway');
            this.#detached();
          },
        });
      });
      this.#add('state', `Attached to ${plugin} (handle ${this.#handle.getId()})`);
      this.#renderStatus();
    } catch (error) {
      this.#add('error', `Cannot attach: ${(error as Error).message}`);
    } finally {
      this.#attach.disabled = false;
    }
  }

  /** Detaches the handle and ends the Janus session. */
  detach(): void {
    this.#handle?.detach();
    this.#session?.destroy();
    this.#session = undefined;
    this.#detached();
  }

  #detached(): void {
    this.#cleanup();
    this.#handle = undefined;
    this.#renderStatus();
  }

  #toggleMedia(): void {
    const handle = this.#handle;
    if (!handle) return;
    if (handle.webrtcStuff.pc) {
      handle.hangup(true);
      return;
    }
    this.#media.disabled = true;
    handle.createOffer({
      tracks: [{ type: 'audio', capture: true, recv: true }, { type: 'video', capture: true, recv: true }, { type: 'data' }],
      success: (jsep) => {
        this.#media.disabled = false;
        this.send(jsep);
        this.#startStats();
        this.#renderStatus('negotiating');
      },
      error: (error) => {
        this.#media.disabled = false;
        this.#add('error', `createOffer: ${String((error as Error)?.message ?? error)}`);
      },
    });
  }

  #onMessage(message: Record<string, unknown>, jsep?: JanusJsep): void {
    this.#add('event', message, jsep ? `with ${jsep.type}` : undefined);
    if (jsep && this.#handle) {
      this.#handle.handleRemoteJsep({ jsep, error: (error) => this.#add('error', `remote SDP: ${String(error)}`) });
    }
  }

  #sendData(): void {
    const text = this.#dataText.value;
    if (!text || !this.#handle) return;
    this.#handle.data({
      text,
      success: () => this.#add('sent', text, 'data channel'),
      error: (e) => this.#add('error', `data: ${String(e)}`),
    });
    this.#dataText.value = '';
  }

  #track(stream: MediaStream, track: MediaStreamTrack, on: boolean): void {
    const existing = stream.getTracks().find((t) => t.id === track.id);
    if (on && !existing) stream.addTrack(track);
    if (!on && existing) stream.removeTrack(existing);
  }

  #cleanup(): void {
    window.clearInterval(this.#statsTimer);
    for (const stream of [this.#localStream, this.#remoteStream]) for (const t of stream.getTracks()) stream.removeTrack(t);
    this.#stats.textContent = 'No media';
    this.#dataText.disabled = true;
    this.#renderStatus();
  }

  /** Inbound media counters of the PeerConnection, once a second: proof the plugin's routes carry media. */
  #startStats(): void {
    window.clearInterval(this.#statsTimer);
    this.#statsTimer = window.setInterval(() => {
      const pc = this.#handle?.webrtcStuff.pc;
      if (!pc) return;
      void pc.getStats().then((report) => {
        let frames = 0;
        let audioPackets = 0;
        let width = 0;
        let height = 0;
        report.forEach(
          (s: {
            type?: string;
            kind?: string;
            framesDecoded?: number;
            packetsReceived?: number;
            frameWidth?: number;
            frameHeight?: number;
          }) => {
            if (s.type !== 'inbound-rtp') return;
            if (s.kind === 'video') {
              frames += s.framesDecoded ?? 0;
              width = s.frameWidth ?? width;
              height = s.frameHeight ?? height;
            } else if (s.kind === 'audio') audioPackets += s.packetsReceived ?? 0;
          },
        );
        this.#stats.dataset.frames = String(frames);
        this.#stats.dataset.audioPackets = String(audioPackets);
        this.#stats.textContent = `received: ${frames} video frames${width ? ` (${width}×${height})` : ''}, ${audioPackets} audio packets`;
      });
    }, 1000);
  }

  #renderStatus(extra?: string): void {
    const handle = this.#handle;
    this.#attach.textContent = handle ? 'Detach' : 'Attach';
    this.#attach.classList.toggle('primary', !handle);
    this.#send.disabled = !handle;
    this.#media.disabled = !handle;
    this.#plugin.disabled = handle !== undefined;
    const inCall = Boolean(handle?.webrtcStuff.pc);
    replaceChildren(this.#media, icon(inCall ? 'stop' : 'play'), inCall ? 'Hang up' : 'Start camera & mic');
    this.#status.textContent = handle ? `Handle ${handle.getId()} on ${handle.getPlugin()}${extra ? ` · ${extra}` : ''}` : 'Not attached';
  }

  #add(kind: EntryKind, payload: unknown, note?: string): void {
    const labels: Record<EntryKind, string> = {
      sent: '→ sent',
      response: '← response',
      event: '← event',
      jsep: '← jsep',
      state: '•',
      error: '✕ error',
      data: '← data',
    };
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
    const entry = h(
      'li',
      { class: `entry ${kind}`, dataset: { kind } },
      h('span', { class: 'entry-time muted' }, new Date().toLocaleTimeString()),
      h('span', { class: 'entry-kind' }, labels[kind]),
      note ? h('span', { class: 'muted' }, ` (${note})`) : null,
      typeof payload === 'string' && kind !== 'data'
        ? h('span', { class: 'entry-text' }, ` ${text}`)
        : h('pre', { class: 'entry-json mono' }, text),
    );
    this.#entries.append(entry);
    while (this.#entries.children.length > MAX_ENTRIES) this.#entries.firstElementChild?.remove();
    entry.scrollIntoView({ block: 'nearest' });
  }
}
