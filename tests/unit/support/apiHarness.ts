// A JanusApi built from real objects (config, werift media plane, in-process plugin host) with an
// in-memory event sink, so unit tests can drive the Janus API state machine request by request.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import {
  definePlugin,
  ok,
  pluginError,
  wait,
  fail,
  type DefinedPlugin,
  type HandleId,
  type JsonObject,
  type PluginApi,
  type PluginMessage,
} from '@cardea/plugin-sdk';
import { JanusApi } from '../../../core/src/api/JanusApi.ts';
import type { EventSink, JanusMessage, RequestContext } from '../../../core/src/api/ApiTypes.ts';
import { parseConfig } from '../../../core/src/config/loadConfig.ts';
import type { CardeaConfigInput } from '../../../core/src/config/configSchema.ts';
import { WeriftMediaPlane } from '../../../core/src/media/WeriftMediaPlane.ts';
import { InProcessPluginHost } from '../../../core/src/plugins/InProcessPluginHost.ts';
import { webRtcOptionsFromConfig } from '../../../core/src/webrtc/WebRtcOptions.ts';

/** Package name of the probe plugin. */
export const PROBE = 'test.plugin.probe';

/** An EventSink that records what the API sends, and lets a test wait for a message. */
export class CollectingSink implements EventSink {
  readonly id: string;
  readonly transport = 'internal' as const;
  readonly messages: JanusMessage[] = [];
  /** Session ids the API said left this sink (destroy, timeout, claim elsewhere). */
  readonly gone: number[] = [];
  #waiters: Array<{ match: (m: JanusMessage) => boolean; resolve: (m: JanusMessage) => void }> = [];

  constructor(id: string) {
    this.id = id;
  }

  send(message: JanusMessage): void {
    this.messages.push(message);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(message)) continue;
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      waiter.resolve(message);
    }
  }

  sessionGone(sessionId: number): void {
    this.gone.push(sessionId);
  }

  /** Messages of one `janus` type received so far. */
  ofType(type: string): JanusMessage[] {
    return this.messages.filter((m) => m.janus === type);
  }

  /** Resolves with the first message (already received or future) that matches; rejects after `timeoutMs`. */
  waitFor(match: (m: JanusMessage) => boolean, timeoutMs = 1000): Promise<JanusMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`sink ${this.id}: no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`));
      }, timeoutMs);
      const done = (m: JanusMessage): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }
}

/** What the probe plugin saw, for assertions. */
export interface ProbeRecord {
  created: Array<{ handle: HandleId; opaqueId: string | undefined }>;
  destroyed: HandleId[];
  messages: PluginMessage[];
  /** Rejections of the probe's deferred plugin-API calls (e.g. pushEvent after its handle went away). */
  errors: string[];
}

/**
 * A small plugin whose behaviour is chosen by `body.request`:
 * `sync` → ok, `async` → ack then (after `body.delay` ms) an event with the transaction, `throw` → throws, `fail` → core
 * error, `plugin-error` → plugin-level error in data, `unsolicited` → ok plus an event without
 * transaction, `end` → ends the handle. `createSession` refuses when the opaque id is `refuse`.
 */
export function probePlugin(record: ProbeRecord): DefinedPlugin {
  let api: PluginApi | undefined;
  const later = (work: () => Promise<void>, ms = 0): void => {
    // Through the host's timers, as a plugin would; the event is pushed after the ack is returned.
    // Rejections are recorded rather than left unhandled (an unhandled rejection ends the process).
    api?.timers.setTimeout(() => {
      work().catch((error: unknown) => record.errors.push(String(error)));
    }, ms);
  };
  return definePlugin({
    name: PROBE,
    version: '1.2.3',
    description: 'unit-test probe',
    author: 'tests',
    init: (a) => {
      api = a;
    },
    createSession: (info) => {
      if (info.opaqueId === 'refuse') throw new Error('refused by probe');
      record.created.push({ handle: info.handle, opaqueId: info.opaqueId });
    },
    destroySession: (handle) => {
      record.destroyed.push(handle);
    },
    handleMessage: (message, a) => {
      record.messages.push(message);
      const request = message.body.request;
      switch (request) {
        case 'sync':
          return ok({ probe: 'sync', echo: message.body });
        case 'async': {
          const delay = typeof message.body.delay === 'number' ? message.body.delay : 0;
          later(() => a.pushEvent(message.handle, { transaction: message.transaction, data: { probe: 'event', result: 'ok' } }), delay);
          return wait('taking my time');
        }
        case 'async-nohint':
          later(() => a.pushEvent(message.handle, { transaction: message.transaction, data: { probe: 'event' } }));
          return wait();
        case 'unsolicited':
          later(() => a.pushEvent(message.handle, { data: { probe: 'unsolicited' } }));
          return ok({ probe: 'sync' });
        case 'throw':
          throw new Error('probe exploded');
        case 'fail':
          return fail('probe says no');
        case 'plugin-error':
          return pluginError('probe', 499, 'probe error');
        case 'end':
          later(() => a.endHandle(message.handle));
          return ok({ probe: 'ending' });
        default:
          return ok({ probe: 'default' });
      }
    },
  });
}

/** One JanusApi under test, with its sink, plugin host and helpers. */
export interface ApiHarness {
  api: JanusApi;
  sink: CollectingSink;
  /** A context whose sessions go to `sink`. */
  ctx: RequestContext;
  record: ProbeRecord;
  host: InProcessPluginHost;
  // Function-valued fields rather than methods, so tests may destructure them.
  /** Sends a request through `ctx` (or another context). */
  send: (request: unknown, ctx?: RequestContext) => Promise<JanusMessage>;
  /** `create`, asserting success; returns the session id. */
  createSession: (ctx?: RequestContext) => Promise<number>;
  /** `attach` to the probe plugin, asserting success; returns the handle id. */
  attach: (sessionId: number, extra?: JsonObject) => Promise<number>;
  /** Closes the API and the plugin host. */
  close: () => Promise<void>;
}

let transactionCounter = 0;
/** A fresh transaction string, as janus.js makes them. */
export function tx(): string {
  transactionCounter++;
  return `tx${transactionCounter.toString(36).padStart(10, '0')}`;
}

/** A RequestContext that sends every session to `sink`. */
export function contextFor(sink: EventSink): RequestContext {
  return { sinkFor: () => sink };
}

/** Builds a JanusApi with the probe plugin loaded; the config is merged over `logLevel: 'silent'`. */
export async function startApi(input: CardeaConfigInput = {}): Promise<ApiHarness> {
  const config = parseConfig({ ...input, general: { logLevel: 'silent', ...input.general } });
  const log = pino({ level: 'silent' });
  const media = new WeriftMediaPlane();
  const record: ProbeRecord = { created: [], destroyed: [], messages: [], errors: [] };
  const host = await InProcessPluginHost.load(probePlugin(record), media, log);
  const api = new JanusApi({
    config,
    webrtc: webRtcOptionsFromConfig(config),
    media,
    log,
    plugin: (name) => (name === PROBE ? host : undefined),
    plugins: () => [host],
  });
  const sink = new CollectingSink('sink-a');
  const ctx = contextFor(sink);
  const send = (request: unknown, c: RequestContext = ctx): Promise<JanusMessage> => api.handle(request, c);
  return {
    api,
    sink,
    ctx,
    record,
    host,
    send,
    createSession: async (c = ctx) => {
      const reply = await send({ janus: 'create', transaction: tx() }, c);
      assert.equal(reply.janus, 'success', JSON.stringify(reply));
      const id = (reply.data as JsonObject).id;
      assert.equal(typeof id, 'number');
      return id as number;
    },
    attach: async (sessionId, extra = {}) => {
      const reply = await send({ janus: 'attach', plugin: PROBE, session_id: sessionId, transaction: tx(), ...extra });
      assert.equal(reply.janus, 'success', JSON.stringify(reply));
      return (reply.data as JsonObject).id as number;
    },
    close: async () => {
      await api.close();
      await host.close();
      media.close();
    },
  };
}

/** The `error.code` of a reply, asserting it is an error. */
export function errorCode(reply: JanusMessage): number {
  assert.equal(reply.janus, 'error', `expected an error, got ${JSON.stringify(reply)}`);
  return (reply.error as JsonObject).code as number;
}

/** Runs `body` against a fresh harness and always closes it. */
export async function withApi(input: CardeaConfigInput, body: (h: ApiHarness) => Promise<void>): Promise<void> {
  const h = await startApi(input);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/**
 * A minimal browser-like SDP: one audio m-line with ICE credentials and a DTLS fingerprint.
 * Valid for the gateway's SDP gate, so it reaches the negotiation-state checks.
 */
export const MINIMAL_AUDIO_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Fq3x',
  'a=ice-pwd:4uB0ZJ2bVd8x2mK9cN7pQ1rT',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F',
  'a=setup:active',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  '',
].join('\r\n');
