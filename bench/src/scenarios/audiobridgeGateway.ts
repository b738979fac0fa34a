// The AudioBridge on the real gateway path (issue #4): a Cardea process pinned to one core, one
// room, participants joining one at a time, each a LeanPeer sending Opus-shaped RTP at 50 packets/s
// and receiving its mix. Measures what `audiobridge` (the mixer alone) leaves out: the per-packet
// path, the gateway's default media plane (`fast`), or werift's (~40–60 µs per packet each way)
// with CARDEA_BENCH_MEDIA_PLANE=werift. The generator's payloads are Opus-shaped, not real speech,
// and carry no RFC 6464 level, so every participant is decoded in both modes; active-speaker mode
// still mixes 3 and shares one encode.
import type { ScenarioOptions } from '../BenchTypes.ts';
import type { CampaignContext, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { mediaScenario } from '../campaign/mediaScenario.ts';

const plugin = 'janus.plugin.audiobridge';

/** The media plane the gateway runs (CardeaProcess passes CARDEA_BENCH_MEDIA_PLANE on; default fast). */
const plane = process.env.CARDEA_BENCH_MEDIA_PLANE ?? 'fast';

function plan(mode: 'full' | 'active-speaker', options: Pick<ScenarioOptions, 'max' | 'quick'>): CampaignPlan {
  const max = options.max ?? (options.quick ? 3 : 200);
  const intervalMs = options.quick ? 500 : 400;
  const steadyMs = options.quick ? 2000 : 20_000;
  const room = 2_000_000 + Math.floor(Math.random() * 1_000_000);
  const mixer: Array<Record<string, unknown>> = [];
  let control: { session: number; handle: number } | undefined;
  return {
    scenario: `audiobridge-gateway${mode === 'full' ? '' : '-active'}-${plane}`,
    unit: 'participant',
    max,
    intervalMs,
    steadyMs,
    async setup(ctx) {
      const session = await ctx.createSession();
      const handle = await ctx.client.attach(session, plugin);
      control = { session, handle };
      await ctx.client.messageSync(session, handle, {
        request: 'create',
        room,
        sampling_rate: 16000,
        mixing: mode,
        speakers: 3,
        default_prebuffering: 3,
      });
    },
    async join(ctx, index) {
      const joined = await joinParticipant(ctx, room, index);
      // The mixer's own counters (cumulative late frames, codec work): every 10th join, and at the
      // start and near the end of the steady phase, whose difference is the steady state's.
      // (Cardea only: Janus answers 482 to `mixerstats`, which is recorded as such.)
      const record = async (phase: string): Promise<void> => {
        if (!control) return;
        try {
          const reply = await ctx.client.messageSync(control.session, control.handle, { request: 'mixerstats', room });
          mixer.push({
            phase,
            participants: index + 1,
            ...((reply.stats as Record<string, unknown> | undefined) ?? { error: reply.error ?? 'no stats' }),
          });
        } catch (error) {
          mixer.push({ phase, participants: index + 1, error: String(error) });
        }
      };
      if ((index + 1) % 10 === 0) await record('ramp');
      if (index + 1 === max) {
        await record('steady-start');
        setTimeout(() => void record('steady-end'), Math.max(0, steadyMs - 1500));
      }
      return joined;
    },
    describe: () => ({
      plugin,
      mode,
      plane,
      room,
      sampleRate: 16000,
      media: 'each participant sends Opus-shaped RTP (50 pps) and receives its mix',
      mixer,
    }),
  };
}

async function joinParticipant(ctx: CampaignContext, room: number, index: number): Promise<Joined> {
  const { client, generator } = ctx;
  const session = await ctx.createSession();
  const handle = await client.attach(session, plugin);
  await client.message(session, handle, { request: 'join', room, display: `p${index}` });
  const peer = generator.createPeer();
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

/** `audiobridge-gateway`: full mixing (N decodes, N encodes) on the gateway, one core. */
export const audiobridgeGateway = mediaScenario(
  'AudioBridge on the gateway, full mixing: participants join one room up to 200, one per 0.4 s (CARDEA_BENCH_MEDIA_PLANE=werift|fast)',
  (options) => plan('full', options),
);

/** `audiobridge-gateway-active`: active-speaker mixing on the gateway, one core. */
export const audiobridgeGatewayActive = mediaScenario(
  'AudioBridge on the gateway, active-speaker mixing: participants join one room up to 200 (CARDEA_BENCH_MEDIA_PLANE=werift|fast)',
  (options) => plan('active-speaker', options),
);
