// Hot reload of a sandboxed user plugin, and the cost of the sandbox per message.
//
// 1. Round trip into a plugin: the same `ok()` handler as a built-in (in-process host) and as a
//    user plugin (QuickJS in a runner worker), called through the core's LoadedPlugin interface,
//    sequentially and pipelined, and end to end as a Janus `message` over WebSocket.
// 2. Reload under load: built-in EchoTest sessions and a user plugin's echo session carry media
//    (werift clients: audio 50 pps, video 25 pps), while the user plugin also holds idle handles
//    with state; the plugin is redeployed R times through the Admin API (state handed over each
//    time). Measured: request → v2 serving, and the largest inter-packet gap and lost packets of
//    every session around each reload, against a baseline window without reloads.
//
// The gateway runs in this process (the Admin API needs its secret and a private plugin directory),
// so the clients' own event loop is part of every gap: the gaps are upper bounds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import WebSocket from 'ws';
import { definePlugin, ok, type JsonObject } from '@cardea/plugin-sdk';
import { createLogger, Gateway, parseConfig } from '@cardea/core';
import type { CoreHandle } from '../../../core/src/plugins/PluginHostTypes.ts';
import { builtinPlugins } from '@cardea/app';
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { summarizeLatency, type LatencySummary } from '../load/latency.ts';
import { formatTable } from '../report/table.ts';

const ECHOTEST = 'janus.plugin.echotest';
const USER_ECHO = 'cardea.bench.userecho';
const PING_BUILTIN = 'cardea.bench.ping.builtin';
const PING_SANDBOX = 'cardea.bench.ping';
const ADMIN_SECRET = 'bench-admin-secret';

/** The ping handler, as a built-in and (same code) as a user plugin. */
const pingBuiltin = definePlugin({ name: PING_BUILTIN, version: '1.0.0', handleMessage: ({ body }) => ok({ pong: body.n ?? 0 }) });
const pingSource = `import { definePlugin, ok } from '@cardea/plugin-sdk';
export default definePlugin({ name: '${PING_SANDBOX}', version: '1.0.0', handleMessage: ({ body }) => ok({ pong: body.n ?? 0 }) });
`;

function echoSource(version: string): string {
  return `import { definePlugin, ok, wait, isJsonObject, type JsonObject } from '@cardea/plugin-sdk';
const states = new Map<number, { messages: number }>();
export default definePlugin({
  name: '${USER_ECHO}', version: '${version}',
  createSession({ handle }) { states.set(handle, { messages: 0 }); },
  destroySession(handle) { states.delete(handle); },
  handleMessage({ handle, transaction, jsep }, api) {
    const s = states.get(handle);
    if (s) s.messages++;
    if (jsep?.type !== 'offer') return ok({ messages: s?.messages ?? -1, version: '${version}' });
    void (async () => {
      const answer = await api.negotiate(handle, { type: 'answer' });
      await api.media.addRoute({ from: handle, to: handle });
      await api.pushEvent(handle, { transaction, data: { result: 'ok' }, jsep: answer });
    })();
    return wait();
  },
  exportState(): JsonObject { const o: JsonObject = {}; for (const [h, s] of states) o[String(h)] = { messages: s.messages }; return o; },
  importState(state) { for (const [k, v] of Object.entries(state)) if (isJsonObject(v) && typeof v.messages === 'number') states.set(Number(k), { messages: v.messages }); },
});
`;
}

type Reply = {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id?: number };
  jsep?: { type: string; sdp: string };
  plugindata?: { data: JsonObject };
  error?: { reason: string };
};

/** A minimal Janus WebSocket client: replies by transaction, async messages to listeners. */
class WsClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<string, (r: Reply) => void>();
  readonly #listeners = new Set<(r: Reply) => void>();
  #next = 1;
  session = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (raw) => {
      const m = JSON.parse((raw as Buffer).toString()) as Reply;
      const done =
        m.transaction !== undefined && ['success', 'error', 'ack'].includes(m.janus) ? this.#pending.get(m.transaction) : undefined;
      if (done && m.transaction !== undefined) {
        this.#pending.delete(m.transaction);
        done(m);
      } else for (const l of this.#listeners) l(m);
    });
  }

  static async connect(url: string): Promise<WsClient> {
    const socket = new WebSocket(url, 'janus-protocol');
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    const client = new WsClient(socket);
    client.session = (await client.request({ janus: 'create' })).data?.id ?? 0;
    return client;
  }

  request(body: Record<string, unknown>): Promise<Reply> {
    const transaction = `t${this.#next++}`;
    return new Promise((resolve) => {
      this.#pending.set(transaction, resolve);
      this.#socket.send(JSON.stringify({ ...body, transaction, ...(this.session ? { session_id: this.session } : {}) }));
    });
  }

  waitFor(match: (r: Reply) => boolean): Promise<Reply> {
    return new Promise((resolve) => {
      const l = (r: Reply): void => {
        if (!match(r)) return;
        this.#listeners.delete(l);
        resolve(r);
      };
      this.#listeners.add(l);
    });
  }

  close(): void {
    this.#socket.close();
  }
}

/** Arrival times of echoed packets of one session. */
class EchoSession {
  readonly arrivals: Array<{ t: number; seq: number; kind: 'audio' | 'video' }> = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #pc: RTCPeerConnection | undefined;
  readonly plugin: string;
  handle = 0;

  constructor(plugin: string) {
    this.plugin = plugin;
  }

  async start(client: WsClient): Promise<void> {
    this.handle = (await client.request({ janus: 'attach', plugin: this.plugin })).data?.id ?? 0;
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
    });
    this.#pc = pc;
    const audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
    const video = pc.addTransceiver('video', { direction: 'sendrecv' });
    audio.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((p) => this.arrivals.push({ t: performance.now(), seq: p.header.sequenceNumber, kind: 'audio' })),
    );
    video.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((p) => this.arrivals.push({ t: performance.now(), seq: p.header.sequenceNumber, kind: 'video' })),
    );
    await pc.setLocalDescription(await pc.createOffer());
    while (pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 10));
    const answered = client.waitFor((m) => m.janus === 'event' && m.sender === this.handle && m.jsep !== undefined);
    await client.request({
      janus: 'message',
      handle_id: this.handle,
      body: { audio: true, video: true },
      jsep: { type: 'offer', sdp: pc.localDescription?.sdp },
    });
    const { jsep } = await answered;
    await pc.setRemoteDescription({ type: 'answer', sdp: jsep?.sdp ?? '' });
    let aSeq = 0;
    let vSeq = 0;
    this.#timers.push(
      setInterval(
        () =>
          void audio.sender
            .sendRtp(
              new RtpPacket(
                new RtpHeader({ payloadType: 111, sequenceNumber: aSeq++ & 0xffff, timestamp: aSeq * 960, ssrc: 1 }),
                Buffer.alloc(60, 0xf8),
              ),
            )
            .catch(() => undefined),
        20,
      ),
    );
    this.#timers.push(
      setInterval(() => {
        const payload = Buffer.alloc(200, 0x55);
        payload[0] = 0x10;
        payload[1] = vSeq % 25 === 0 ? 0 : 1;
        void video.sender
          .sendRtp(
            new RtpPacket(
              new RtpHeader({ payloadType: 96, sequenceNumber: vSeq++ & 0xffff, timestamp: vSeq * 3600, ssrc: 2, marker: true }),
              payload,
            ),
          )
          .catch(() => undefined);
      }, 40),
    );
    const deadline = performance.now() + 10_000;
    while (this.arrivals.length < 20) {
      if (performance.now() > deadline) throw new Error(`no echoed media on ${this.plugin}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Audio inter-arrival gaps (every one, in ms) and lost audio packets within [from, to]. */
  gaps(from: number, to: number): { gapsMs: number[]; missing: number } {
    const audio = this.arrivals.filter((a) => a.kind === 'audio');
    const gapsMs: number[] = [];
    let missing = 0;
    for (let i = 1; i < audio.length; i++) {
      const a = audio[i - 1];
      const b = audio[i];
      if (!a || !b || b.t < from || a.t > to) continue;
      gapsMs.push(b.t - a.t);
      const step = (b.seq - a.seq + 0x10000) & 0xffff;
      if (step > 1 && step < 0x8000) missing += step - 1;
    }
    return { gapsMs, missing };
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#pc?.close();
  }
}

async function admin(url: string, body: Record<string, unknown>): Promise<JsonObject> {
  const response = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ ...body, admin_secret: ADMIN_SECRET, transaction: 'bench' }),
  });
  const reply = (await response.json()) as JsonObject;
  if (reply.janus !== 'success') throw new Error(`${String(body.janus)} failed: ${JSON.stringify(reply.error)}`);
  return reply;
}

/** A CoreHandle that drops what the plugin sends (the round-trip test needs only an attached id). */
function silentHandle(id: number): CoreHandle {
  return {
    id,
    opaqueId: undefined,
    pushEvent: () => undefined,
    negotiate: () => Promise.reject(new Error('no media in this benchmark')),
    closePeerConnection: () => undefined,
    end: () => undefined,
    sendData: () => undefined,
    setBitrateCap: () => undefined,
  };
}

/** µs per message through the core's LoadedPlugin interface, sequential and with `depth` in flight. */
async function roundTrip(
  gateway: Gateway,
  name: string,
  count: number,
  depth: number,
): Promise<{ sequentialUs: number; pipelinedUs: number }> {
  const plugin = gateway.registry.get(name);
  if (!plugin) throw new Error(`no plugin ${name}`);
  const handle = silentHandle(900_000 + depth);
  await plugin.createSession(handle);
  const call = async (n: number): Promise<void> => {
    const result = await plugin.handleMessage({ handle: handle.id, transaction: `b${n}`, body: { n } });
    // A failed call is fast and would flatter the numbers: every call must be answered by the plugin.
    if (result.kind !== 'ok') throw new Error(`${name}: call ${n} failed: ${JSON.stringify(result)}`);
  };
  for (let i = 0; i < 500; i++) await call(i);
  let t = performance.now();
  for (let i = 0; i < count; i++) await call(i);
  const sequentialUs = ((performance.now() - t) * 1000) / count;
  t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (next < count) await call(next++);
    }),
  );
  const pipelinedUs = ((performance.now() - t) * 1000) / count;
  await plugin.destroySession(handle.id);
  return { sequentialUs, pipelinedUs };
}

/** ms per Janus `message` over WebSocket (request → success). */
async function janusRoundTrip(client: WsClient, plugin: string, count: number): Promise<LatencySummary> {
  const handle = (await client.request({ janus: 'attach', plugin })).data?.id;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await client.request({ janus: 'message', handle_id: handle, body: { n: i } });
    samples.push(performance.now() - t);
  }
  await client.request({ janus: 'detach', handle_id: handle });
  return summarizeLatency(samples.slice(Math.min(100, count / 10)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number | null, digits = 1): string => (n === null ? '-' : n.toFixed(digits));

async function run(options: ScenarioOptions): Promise<ScenarioResult> {
  const reloads = options.max ?? (options.quick ? 3 : 10);
  const builtinSessions = options.quick ? 1 : 2;
  const idleHandles = options.quick ? 10 : 50;
  const calls = options.quick ? 2000 : 20_000;
  const progress = (f: number, label: string): void => options.onProgress?.(f, label);
  const dir = await mkdtemp(path.join(tmpdir(), 'cardea-bench-plugins-'));
  const config = parseConfig({
    general: { logLevel: 'silent', adminSecret: ADMIN_SECRET },
    transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
    // The message-cost test runs a plugin flat out; the default CPU budget (500 ms/s) would stop it.
    plugins: { dir, sandbox: { cpuMsPerSecond: 1000 } },
  });
  const gateway = await Gateway.start({ config, log: createLogger('silent'), plugins: [...builtinPlugins, pingBuiltin] });
  const adminUrl = `http://127.0.0.1:${gateway.ports.admin}/admin`;
  const wsUrl = `ws://127.0.0.1:${gateway.ports.websocket}/`;
  const sessions: EchoSession[] = [];
  const clients: WsClient[] = [];
  try {
    progress(0.02, 'first deploy');
    let t = performance.now();
    await admin(adminUrl, { janus: 'deploy_plugin', name: PING_SANDBOX, source: pingSource, language: 'js' });
    const firstDeployMs = performance.now() - t;

    progress(0.05, 'round trips');
    const inProcess = await roundTrip(gateway, PING_BUILTIN, calls, 64);
    const sandbox = await roundTrip(gateway, PING_SANDBOX, calls, 64);
    const wsClient = await WsClient.connect(wsUrl);
    clients.push(wsClient);
    const janusInProcess = await janusRoundTrip(wsClient, PING_BUILTIN, calls / 4);
    const janusSandbox = await janusRoundTrip(wsClient, PING_SANDBOX, calls / 4);

    progress(0.3, 'media sessions');
    await admin(adminUrl, { janus: 'deploy_plugin', name: USER_ECHO, source: echoSource('1.0.0'), language: 'ts' });
    for (const plugin of [...Array.from({ length: builtinSessions }, () => ECHOTEST), USER_ECHO]) {
      const client = await WsClient.connect(wsUrl);
      clients.push(client);
      const session = new EchoSession(plugin);
      await session.start(client);
      sessions.push(session);
    }
    for (let i = 0; i < idleHandles; i++) await wsClient.request({ janus: 'attach', plugin: USER_ECHO });

    progress(0.4, 'baseline');
    const baselineFrom = performance.now();
    await sleep(options.quick ? 1500 : 3000);
    const baselineTo = performance.now();

    const samples: Array<{ requestMs: number; reloadMs: number; migrated: number }> = [];
    const during: Array<{ from: number; to: number }> = [];
    for (let i = 0; i < reloads; i++) {
      progress(0.45 + (0.5 * i) / reloads, `reload ${i + 1}/${reloads}`);
      t = performance.now();
      const reply = await admin(adminUrl, { janus: 'deploy_plugin', name: USER_ECHO, source: echoSource(`${i + 2}.0.0`), language: 'ts' });
      const requestMs = performance.now() - t;
      const outcome = reply.plugin as { reloadMs: number; migrated: number };
      samples.push({ requestMs, reloadMs: outcome.reloadMs, migrated: outcome.migrated });
      during.push({ from: t, to: t + 1000 });
      await sleep(1000);
    }
    await sleep(300);
    const perSession = sessions.map((s) => {
      const baseline = s.gaps(baselineFrom, baselineTo);
      const reloadGaps = during.map((w) => s.gaps(w.from, w.to));
      return {
        plugin: s.plugin,
        /** Inter-arrival gaps of echoed audio (sent every 20 ms) without reloads. */
        baselineGapMs: summarizeLatency(baseline.gapsMs),
        baselineMissing: baseline.missing,
        /** The same in the first second after each reload request. */
        reloadGapMs: summarizeLatency(reloadGaps.flatMap((g) => g.gapsMs)),
        reloadMissing: reloadGaps.reduce((n, g) => n + g.missing, 0),
      };
    });
    const check = await wsClient.request({ janus: 'message', handle_id: sessions[sessions.length - 1]?.handle, body: {} });
    const request = summarizeLatency(samples.map((s) => s.requestMs));
    const reload = summarizeLatency(samples.map((s) => s.reloadMs));
    const data = {
      firstDeployMs,
      roundTrip: { calls, pipelineDepth: 64, inProcess, sandbox, janusWs: { inProcess: janusInProcess, sandbox: janusSandbox } },
      reload: {
        reloads,
        builtinSessions,
        idleHandlesWithState: idleHandles,
        requestMs: request,
        reloadMs: reload,
        migratedPerReload: samples.map((s) => s.migrated),
        sessions: perSession,
      },
      stateAfterReloads: check.plugindata?.data ?? null,
    };
    const summary = [
      formatTable([
        ['message round trip', 'sequential µs', 'pipelined µs', 'Janus WS p50 ms', 'p99 ms'],
        [
          'in-process',
          fmt(inProcess.sequentialUs, 2),
          fmt(inProcess.pipelinedUs, 2),
          fmt(janusInProcess.p50Ms, 3),
          fmt(janusInProcess.p99Ms, 3),
        ],
        ['sandbox', fmt(sandbox.sequentialUs, 2), fmt(sandbox.pipelinedUs, 2), fmt(janusSandbox.p50Ms, 3), fmt(janusSandbox.p99Ms, 3)],
      ]),
      '',
      `reload (${reloads}x, ${idleHandles + 1} live handles with state): request→v2 serving p50 ${fmt(request.p50Ms)} ms, max ${fmt(request.maxMs)} ms (in-gateway p50 ${fmt(reload.p50Ms)} ms); first deploy ${fmt(firstDeployMs)} ms`,
      formatTable([
        ['audio gaps (sent every 20 ms)', 'baseline p99 ms', 'max ms', 'lost', 'reloads p99 ms', 'max ms', 'lost'],
        ...perSession.map((s) => [
          s.plugin,
          fmt(s.baselineGapMs.p99Ms),
          fmt(s.baselineGapMs.maxMs),
          String(s.baselineMissing),
          fmt(s.reloadGapMs.p99Ms),
          fmt(s.reloadGapMs.maxMs),
          String(s.reloadMissing),
        ]),
      ]),
    ].join('\n');
    return { scenario: 'reload', gateway: options.gateway, summary, data };
  } finally {
    for (const s of sessions) await s.close();
    for (const c of clients) c.close();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- reload`: reload latency, packet gaps during reloads, sandbox round-trip cost. */
export const reload: Scenario = {
  description: 'hot reload of a user plugin under media load (latency, packet gaps) and sandbox vs in-process message cost; --max: reloads',
  run,
};
