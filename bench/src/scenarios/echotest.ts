// Scenario 1 of the paper: EchoTest stress. N echo sessions (audio + video, sendrecv) join one at a
// time; each sends Opus at 50 packets/s and VP8 at ~180 kbit/s, and counts what comes back.
import type { ScenarioOptions } from '../BenchTypes.ts';
import type { CampaignContext, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { mediaScenario } from '../campaign/mediaScenario.ts';

const plugin = 'janus.plugin.echotest';

/** The plan for `npm run bench -- echotest [--max N] [--quick]` (default 50 sessions, quick 2). */
export function echotestPlan(options: Pick<ScenarioOptions, 'max' | 'quick'>): CampaignPlan {
  const max = options.max ?? (options.quick ? 2 : 50);
  const intervalMs = options.quick ? 500 : 1000;
  const steadyMs = options.quick ? 2000 : 30_000;
  return {
    scenario: 'echotest',
    unit: 'echo session',
    max,
    intervalMs,
    steadyMs,
    join: joinEcho,
    describe: () => ({ plugin, media: 'audio + video sendrecv, one PeerConnection per session' }),
  };
}

async function joinEcho(ctx: CampaignContext): Promise<Joined> {
  const { client, generator } = ctx;
  const session = await ctx.createSession();
  const handle = await client.attach(session, plugin);
  const peer = generator.createPeer();
  try {
    const offer = await peer.offer([
      { kind: 'audio', direction: 'sendrecv' },
      { kind: 'video', direction: 'sendrecv' },
    ]);
    const { event } = await client.message(session, handle, { audio: true, video: true }, { type: 'offer', sdp: offer });
    await client.trickleCompleted(session, handle);
    if (event.jsep?.type !== 'answer') throw new Error('echotest: no answer in the event');
    await peer.acceptAnswer(event.jsep.sdp);
    await peer.connected(ctx.connectTimeoutMs);
    return { peers: [peer] };
  } catch (error) {
    await generator.closePeer(peer);
    throw error;
  }
}

/** The `echotest` scenario of `npm run bench`. */
export const echotest = mediaScenario(
  'EchoTest stress: N audio+video echo sessions joining one per second, then 30 s steady (default N 50)',
  echotestPlan,
);
