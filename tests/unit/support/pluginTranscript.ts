// A recording fake of the plugin API: every call a plugin makes (events, negotiations, media
// control) and every answer it gives is appended to one transcript, so a scripted conversation with
// a built-in plugin can be compared, byte for byte, with the one recorded before a refactoring.
import type {
  DefinedPlugin,
  IncomingJsep,
  Json,
  JsonObject,
  MediaKind,
  MediaLine,
  NegotiatedJsep,
  NegotiationRequest,
  PluginApi,
  PluginMedia,
} from '@cardea/plugin-sdk';

/** One line of a transcript: what was sent to the plugin, or what the plugin did. */
export type TranscriptEntry = JsonObject;

/** A deterministic Math.random and Date.now for the time of a transcript (the plugins draw ids). */
export function freezeChance(): () => void {
  const random = Math.random;
  const now = Date.now;
  let seed = 12345;
  Math.random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  Date.now = () => 1_700_000_000_000;
  return () => {
    Math.random = random;
    Date.now = now;
  };
}

const toJson = (value: unknown): Json => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json));

/** The negotiated JSEP the fake returns: an offer's streams become m-lines with sequential mids. */
function negotiated(request: NegotiationRequest, pending: IncomingJsep | undefined): NegotiatedJsep {
  if (request.type === 'answer') return { type: 'answer', sdp: 'v=0 answer', media: pending?.media ?? [] };
  const media: MediaLine[] = request.streams.map((s, i) => ({
    mindex: i,
    mid: s.mid ?? String(i),
    kind: s.kind,
    direction: s.direction ?? 'sendonly',
    codecs: s.codec ? [s.codec] : [],
  }));
  return { type: 'offer', sdp: 'v=0 offer', media };
}

/** Drives one plugin and records everything. */
export class PluginTranscript {
  readonly entries: TranscriptEntry[] = [];
  readonly #plugin: DefinedPlugin;
  readonly #pending = new Map<number, IncomingJsep>();
  #nextId = 1;
  readonly api: PluginApi;

  constructor(plugin: DefinedPlugin) {
    this.#plugin = plugin;
    const record = (call: string, args: unknown[]): void => {
      this.entries.push({ call, args: toJson(args) });
    };
    const media = new Proxy({} as PluginMedia, {
      get:
        (_target, name) =>
        async (...args: unknown[]) => {
          record(`media.${String(name)}`, args);
          if (['forwardRtp', 'startRecording', 'createMixer', 'forwardMixer', 'playFile'].includes(String(name))) return this.#nextId++;
          if (name === 'stopRecording') return undefined;
          if (name === 'mixerStats') return { participants: 0, frames: 0 };
          return undefined;
        },
    });
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    this.api = {
      log,
      timers: { setTimeout: () => 0, setInterval: () => 0, clear: () => undefined },
      store: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
      media,
      pushEvent: async (handle, event) => record('pushEvent', [handle, event]),
      negotiate: async (handle, request) => {
        record('negotiate', [handle, request]);
        return negotiated(request, this.#pending.get(handle));
      },
      closePeerConnection: async (handle, reason) => record('closePeerConnection', [handle, reason]),
      endHandle: async (handle) => record('endHandle', [handle]),
      sendData: async (handle, text, label) => record('sendData', [handle, text, label]),
    };
  }

  async attach(handle: number): Promise<void> {
    this.entries.push({ attach: handle });
    await this.#plugin.createSession?.({ handle }, this.api);
  }

  async detach(handle: number): Promise<void> {
    this.entries.push({ detach: handle });
    await this.#plugin.destroySession?.(handle, this.api);
    await settle();
  }

  async message(handle: number, body: JsonObject, jsep?: IncomingJsep): Promise<void> {
    const transaction = `t${this.entries.length}`;
    this.entries.push({ message: handle, transaction, body, ...(jsep ? { jsep: toJson(jsep) } : {}) });
    if (jsep) this.#pending.set(handle, jsep);
    try {
      const result = await this.#plugin.handleMessage({ handle, transaction, body, ...(jsep ? { jsep } : {}) }, this.api);
      this.entries.push({ result: toJson(result) });
    } catch (error) {
      this.entries.push({ thrown: String(error) });
    }
    await settle();
  }

  async admin(body: JsonObject): Promise<void> {
    this.entries.push({ admin: body });
    try {
      const result = await this.#plugin.handleAdminMessage?.(body, this.api);
      this.entries.push({ adminResult: toJson(result) });
    } catch (error) {
      this.entries.push({ thrown: String(error) });
    }
    await settle();
  }

  async setupMedia(handle: number): Promise<void> {
    this.entries.push({ setupMedia: handle });
    await this.#plugin.setupMedia?.(handle, this.api);
    await settle();
  }

  async hangupMedia(handle: number): Promise<void> {
    this.entries.push({ hangupMedia: handle });
    await this.#plugin.hangupMedia?.(handle, this.api);
    await settle();
  }

  query(handle: number): void {
    const result = this.#plugin.querySession?.(handle, this.api);
    this.entries.push({ query: handle, result: toJson(result) });
  }
}

/** Lets the plugin's fire-and-forget request work run to its end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A client's offer with the given m-lines (kind, codecs, rids). */
export function offer(
  lines: { kind: MediaKind; codecs?: string[]; rids?: string[]; direction?: MediaLine['direction'] }[],
  update = false,
): IncomingJsep {
  const media = lines.map((l, i) => ({
    mindex: i,
    mid: String(i),
    kind: l.kind,
    direction: l.direction ?? 'sendrecv',
    codecs: l.codecs ?? (l.kind === 'audio' ? ['opus'] : l.kind === 'video' ? ['vp8'] : []),
    ...(l.rids ? { rids: l.rids } : {}),
  }));
  return { type: 'offer', sdp: 'v=0 client offer', media, update };
}

/** A client's answer to a gateway offer. */
export function answer(lines: { kind: MediaKind; codecs?: string[] }[]): IncomingJsep {
  return { ...offer(lines), type: 'answer' };
}
