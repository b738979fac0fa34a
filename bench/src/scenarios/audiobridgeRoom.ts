// Scenario 3 of the paper, side by side: one AudioBridge room at 16 kHz, participants joining one at
// a time (default up to 200), each sending REAL Opus (speech-like, 48 kHz mono, 20 ms, 50 packets/s,
// encoded once at startup: opusFixtures.ts) and receiving its mix. Both gateways mix everyone:
// Cardea with `mixing: 'full'` (every participant decoded, an N−1 mix and encode each, as Janus).
// `audiobridge-room-auto` gives each gateway its default: Cardea `auto` (active-speaker mixing above
// 16 participants), Janus its only behaviour (full mixing) — what a user of either gets out of the box.
//
// Janus has no mixer counters, so the mix's health is measured where a listener hears it, the same
// way for both gateways: loss from the mix stream's sequence numbers and late packets against its
// 20 ms RTP clock (TrafficCounters.ts), per level. Gateway CPU, RSS and bandwidth as every campaign.
import type { GatewayKind, ScenarioOptions } from '../BenchTypes.ts';
import type { CampaignContext, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { mediaScenario } from '../campaign/mediaScenario.ts';
import { speechOpusPayloads } from '../load/opusFixtures.ts';

const plugin = 'janus.plugin.audiobridge';
/** The paper's AudioBridge rate. */
export const audiobridgeRoomRate = 16000;

/** Cardea's mixing modes the scenarios compare (`full` is Janus's only behaviour). */
export type RoomMixing = 'full' | 'auto';

/**
 * Creates an AudioBridge room on `gateway` (Janus's `create`: `room`, `sampling_rate`,
 * `audiolevel_ext`; Cardea also gets `mixing`, which Janus does not know). Returns the control handle.
 */
export async function createAudioRoom(
  ctx: CampaignContext,
  gateway: GatewayKind,
  room: number,
  mixing: RoomMixing,
): Promise<{ session: number; handle: number }> {
  const session = await ctx.createSession();
  const handle = await ctx.client.attach(session, plugin);
  await ctx.client.messageSync(session, handle, {
    request: 'create',
    room,
    description: 'cardea bench',
    sampling_rate: audiobridgeRoomRate,
    // The generator sends no RFC 6464 levels (LeanPeer offers no header extensions).
    audiolevel_ext: false,
    ...(gateway === 'cardea' ? { mixing } : {}),
  });
  return { session, handle };
}

/**
 * One participant: `join` (no JSEP), then `configure` with the offer (Janus's documented order: the
 * jsep may come with either), answer applied, connected. Sends Opus, receives its mix.
 */
export async function joinAudioRoom(ctx: CampaignContext, room: number, index: number): Promise<Joined> {
  const { client, generator } = ctx;
  const session = await ctx.createSession();
  const handle = await client.attach(session, plugin);
  await client.message(session, handle, { request: 'join', room, display: `p${index}`, muted: false });
  const peer = generator.createPeer({ receivesMix: true });
  try {
    const offer = await peer.offer([{ kind: 'audio', direction: 'sendrecv' }]);
    const { event } = await client.message(session, handle, { request: 'configure', muted: false }, { type: 'offer', sdp: offer });
    await client.trickleCompleted(session, handle);
    if (event.jsep?.type !== 'answer') throw new Error('audiobridge configure: no answer');
    await peer.acceptAnswer(event.jsep.sdp);
    await peer.connected(ctx.connectTimeoutMs);
    return { peers: [peer] };
  } catch (error) {
    await generator.closePeer(peer);
    throw error;
  }
}

/** The plan for `npm run bench -- audiobridge-room[-auto] [--max N] [--quick]`. */
export function audiobridgeRoomPlan(mixing: RoomMixing, options: Pick<ScenarioOptions, 'max' | 'quick' | 'gateway'>): CampaignPlan {
  const max = options.max ?? (options.quick ? 3 : 200);
  const intervalMs = options.quick ? 500 : 1000;
  const steadyMs = options.quick ? 2000 : 30_000;
  const room = 3_000_000 + Math.floor(Math.random() * 1_000_000);
  return {
    scenario: mixing === 'full' ? 'audiobridge-room' : 'audiobridge-room-auto',
    unit: 'participant',
    max,
    intervalMs,
    steadyMs,
    async prepare(generator) {
      generator.fixtures.setAudio(await speechOpusPayloads());
    },
    async setup(ctx) {
      await createAudioRoom(ctx, options.gateway, room, mixing);
    },
    join: (ctx, index) => joinAudioRoom(ctx, room, index),
    describe: () => ({
      plugin,
      mixing: options.gateway === 'cardea' ? mixing : 'full (Janus)',
      room,
      sampleRate: audiobridgeRoomRate,
      media: 'each participant sends real Opus speech (48 kHz mono, 20 ms, 50 pps) and receives its N−1 mix',
      health: 'mix stream loss (sequence numbers) and late packets (> 150 ms behind its RTP clock) at every receiver',
    }),
  };
}

/** `audiobridge-room`: full mixing on both gateways. */
export const audiobridgeRoom = mediaScenario(
  'AudioBridge (paper scenario 3): one 16 kHz room, full mixing on both gateways, real Opus, participants up to 200, one per second',
  (options) => audiobridgeRoomPlan('full', options),
);

/** `audiobridge-room-auto`: each gateway's default mixing (Cardea: active-speaker above 16; Janus: full). */
export const audiobridgeRoomAuto = mediaScenario(
  "AudioBridge with each gateway's default mixing (Cardea auto: active-speaker above 16; Janus full), participants up to 200",
  (options) => audiobridgeRoomPlan('auto', options),
);
