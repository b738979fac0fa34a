// The cost of running the built-ins sandboxed (`--builtin-host sandbox`) against in-process, the
// same measurements on one gateway of each kind in turn (`npm run bench -- builtin-host`; pass
// `--builtin-host in-process|sandbox` to measure one):
//
// 1. Message round trip: sequential Janus `message`s over WebSocket, a synchronous VideoRoom
//    `exists` (request → success) and an asynchronous EchoTest `{ audio: true }` (request → ack +
//    event), one in flight at a time.
// 2. VideoRoom join latency up to 50 participants: 50 publishers `join` one room one after the other
//    (each its own session and handle; signalling only, no PeerConnection), `join` → `joined`.
// 3. CPU of a 10-publisher room: 10 publishers send Opus + VP8 (LeanPeer, real rates) and 10
//    multistream subscribers each receive all 10 feeds; the gateway's CPU over a steady window.
//
// The gateway is a child process (`app/src/main.ts`) pinned to core 0, its sandbox workers with it;
// this process (clients and media generator) moves to core 1.
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { CardeaProcess, type BuiltinHost } from '../gateway/CardeaProcess.ts';
import { JanusWsClient, whileNoSuchFeed } from '../load/JanusWsClient.ts';
import { summarizeLatency, type LatencySummary } from '../load/latency.ts';
import { LoadGenerator, type LeanPeer } from '../load/LoadGenerator.ts';
import { formatTable } from '../report/table.ts';
import { coreCount, pinProcess } from '../system/cpuAffinity.ts';

const VIDEOROOM = 'janus.plugin.videoroom';
const ECHOTEST = 'janus.plugin.echotest';
const gatewayCore = 0;
const generatorCore = 1;
const connectTimeoutMs = 15_000;

/** The numbers of one host. */
export type BuiltinHostRun = {
  host: BuiltinHost;
  /** Milliseconds from spawn to the WebSocket port accepting (includes bundling the built-ins when sandboxed). */
  startMs: number;
  syncRoundTrip: LatencySummary;
  asyncRoundTrip: LatencySummary;
  /** `join` → `joined` of each of the publishers, in join order. */
  joinLatency: LatencySummary & { participants: number; lastTenP50Ms: number | null };
  /** The 10-publisher room: gateway CPU as a fraction of one core over the window. */
  room: {
    publishers: number;
    subscribers: number;
    windowSeconds: number;
    gatewayCpuFraction: number | null;
    gatewayRssBytes: number | null;
  };
};

function hostsOf(): BuiltinHost[] {
  const only = process.env.CARDEA_BENCH_BUILTIN_HOST;
  return only === 'in-process' || only === 'sandbox' ? [only] : ['in-process', 'sandbox'];
}

async function roundTrips(client: JanusWsClient, count: number): Promise<{ sync: LatencySummary; async: LatencySummary }> {
  const session = await client.createSession();
  const vr = await client.attach(session, VIDEOROOM);
  const echo = await client.attach(session, ECHOTEST);
  const sync: number[] = [];
  const async_: number[] = [];
  for (let i = 0; i < count + 20; i++) {
    const t0 = performance.now();
    await client.messageSync(session, vr, { request: 'exists', room: 1234 });
    const t1 = performance.now();
    await client.message(session, echo, { audio: true });
    const t2 = performance.now();
    if (i < 20) continue; // warm-up
    sync.push(t1 - t0);
    async_.push(t2 - t1);
  }
  await client.destroy(session);
  return { sync: summarizeLatency(sync), async: summarizeLatency(async_) };
}

async function joins(client: JanusWsClient, participants: number): Promise<BuiltinHostRun['joinLatency']> {
  const admin = await client.createSession();
  const handle = await client.attach(admin, VIDEOROOM);
  const room = 2_000_000 + Math.floor(Math.random() * 1_000_000);
  await client.messageSync(admin, handle, { request: 'create', room, publishers: participants + 1 });
  const samples: number[] = [];
  for (let i = 0; i < participants; i++) {
    const session = await client.createSession();
    const pub = await client.attach(session, VIDEOROOM);
    const t0 = performance.now();
    await client.message(session, pub, { request: 'join', ptype: 'publisher', room, display: `p${i}` });
    samples.push(performance.now() - t0);
  }
  const lastTen = summarizeLatency(samples.slice(-10)).p50Ms;
  return { ...summarizeLatency(samples), participants, lastTenP50Ms: lastTen };
}

async function publish(client: JanusWsClient, generator: LoadGenerator, room: number, index: number): Promise<number> {
  const session = await client.createSession();
  const handle = await client.attach(session, VIDEOROOM);
  const { event } = await client.message(session, handle, { request: 'join', ptype: 'publisher', room, display: `pub${index}` });
  const id = event.plugindata?.data.id;
  if (typeof id !== 'number') throw new Error('videoroom: joined without an id');
  const peer = generator.createPeer();
  const offer = await peer.offer([
    { kind: 'audio', direction: 'sendonly' },
    { kind: 'video', direction: 'sendonly' },
  ]);
  const { event: answered } = await client.message(
    session,
    handle,
    { request: 'publish', audio: true, video: true },
    { type: 'offer', sdp: offer },
  );
  await client.trickleCompleted(session, handle);
  if (answered.jsep?.type !== 'answer') throw new Error('videoroom publish: no answer');
  await peer.acceptAnswer(answered.jsep.sdp);
  await peer.connected(connectTimeoutMs);
  return id;
}

async function subscribeAll(client: JanusWsClient, generator: LoadGenerator, room: number, feeds: number[]): Promise<LeanPeer> {
  const session = await client.createSession();
  const handle = await client.attach(session, VIDEOROOM);
  const peer = generator.createPeer();
  const { event } = await whileNoSuchFeed(() =>
    client.message(session, handle, { request: 'join', ptype: 'subscriber', room, streams: feeds.map((feed) => ({ feed })) }),
  );
  if (event.jsep?.type !== 'offer') throw new Error('videoroom subscribe: no offer');
  const answer = await peer.answer(event.jsep.sdp);
  await client.message(session, handle, { request: 'start' }, { type: 'answer', sdp: answer });
  await client.trickleCompleted(session, handle);
  await peer.connected(connectTimeoutMs);
  return peer;
}

async function tenPublisherRoom(gateway: CardeaProcess, client: JanusWsClient, windowMs: number): Promise<BuiltinHostRun['room']> {
  const generator = new LoadGenerator({ iceIp: '127.0.0.1' });
  try {
    const admin = await client.createSession();
    const handle = await client.attach(admin, VIDEOROOM);
    const room = 3_000_000 + Math.floor(Math.random() * 1_000_000);
    await client.messageSync(admin, handle, {
      request: 'create',
      room,
      publishers: 11,
      bitrate: 0,
      fir_freq: 0,
      audiocodec: 'opus',
      videocodec: 'vp8',
    });
    const feeds: number[] = [];
    for (let i = 0; i < 10; i++) feeds.push(await publish(client, generator, room, i));
    for (let i = 0; i < 10; i++) await subscribeAll(client, generator, room, feeds);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // settle: keyframes, RTCP, talking detection
    const cpu0 = gateway.cpuSeconds();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpu1 = gateway.cpuSeconds();
    const seconds = (performance.now() - t0) / 1000;
    return {
      publishers: 10,
      subscribers: 10,
      windowSeconds: Math.round(seconds * 10) / 10,
      gatewayCpuFraction: cpu0 !== undefined && cpu1 !== undefined ? Math.round(((cpu1 - cpu0) / seconds) * 1000) / 1000 : null,
      gatewayRssBytes: gateway.memory()?.rssBytes ?? null,
    };
  } finally {
    await generator.close();
  }
}

async function measure(host: BuiltinHost, options: ScenarioOptions, step: (label: string) => void): Promise<BuiltinHostRun> {
  const t0 = performance.now();
  const gateway = await CardeaProcess.start({ core: gatewayCore, builtinHost: host });
  const startMs = Math.round(performance.now() - t0);
  const client = await JanusWsClient.connect(gateway.wsUrl);
  try {
    step(`${host}: round trips`);
    const rt = await roundTrips(client, options.quick ? 50 : 500);
    step(`${host}: 50 joins`);
    const joinLatency = await joins(client, options.quick ? 10 : (options.max ?? 50));
    step(`${host}: 10-publisher room`);
    const room = await tenPublisherRoom(gateway, client, options.quick ? 3000 : 20_000);
    return { host, startMs, syncRoundTrip: rt.sync, asyncRoundTrip: rt.async, joinLatency, room };
  } finally {
    client.close();
    await gateway.close();
  }
}

async function run(options: ScenarioOptions): Promise<ScenarioResult> {
  const hosts = hostsOf();
  const restore = coreCount() > generatorCore ? pinProcess(process.pid, generatorCore) : undefined;
  const runs: BuiltinHostRun[] = [];
  try {
    for (const [i, host] of hosts.entries()) {
      runs.push(await measure(host, options, (label) => options.onProgress?.((i + 0.5) / hosts.length, label)));
    }
  } finally {
    restore?.();
  }
  const ms = (v: number | null): string => (v === null ? '–' : v.toFixed(2));
  const table = formatTable([
    ['host', 'start ms', 'sync p50/p99 ms', 'async p50/p99 ms', `join p50/p99 ms (last 10 p50)`, '10-pub room CPU', 'RSS MiB'],
    ...runs.map((r) => [
      r.host,
      String(r.startMs),
      `${ms(r.syncRoundTrip.p50Ms)} / ${ms(r.syncRoundTrip.p99Ms)}`,
      `${ms(r.asyncRoundTrip.p50Ms)} / ${ms(r.asyncRoundTrip.p99Ms)}`,
      `${ms(r.joinLatency.p50Ms)} / ${ms(r.joinLatency.p99Ms)} (${ms(r.joinLatency.lastTenP50Ms)})`,
      r.room.gatewayCpuFraction === null ? '–' : `${(r.room.gatewayCpuFraction * 100).toFixed(1)} %`,
      r.room.gatewayRssBytes === null ? '–' : (r.room.gatewayRssBytes / 1048576).toFixed(0),
    ]),
  ]);
  return {
    scenario: 'builtin-host',
    gateway: options.gateway,
    summary: `Built-ins in-process vs sandboxed (gateway on core ${gatewayCore}, clients on core ${restore ? generatorCore : 'any'}):\n${table}`,
    data: { runs, gatewayCore, generatorCore: restore ? generatorCore : null },
  };
}

export const builtinHost: Scenario = {
  description:
    'Built-ins in-process vs sandboxed: message round trip, VideoRoom join latency to 50, CPU of a 10-publisher room (--builtin-host to measure one)',
  run,
};
