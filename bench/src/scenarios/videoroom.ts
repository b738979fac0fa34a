// Scenario 2 of the paper: VideoRoom. P publishers (default 10) join one at a time and send Opus +
// VP8; then subscribers join one at a time, each receiving every publisher. Two forms:
// - `videoroom`: one PeerConnection per feed (legacy `join {feed}`), as the paper's browsers did:
//   140 subscribers × 10 feeds ≈ the paper's 1500 PeerConnections;
// - `videoroom-multistream`: one PeerConnection per subscriber carrying every feed (`streams`).
import type { ScenarioOptions } from '../BenchTypes.ts';
import type { CampaignContext, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { mediaScenario } from '../campaign/mediaScenario.ts';
import { whileNoSuchFeed } from '../load/JanusWsClient.ts';
import type { LeanPeer } from '../load/LoadGenerator.ts';

const plugin = 'janus.plugin.videoroom';
type Form = 'feed' | 'multistream';

/** The plan for `npm run bench -- videoroom[-multistream] [--max N] [--quick]`. */
export function videoroomPlan(form: Form, options: Pick<ScenarioOptions, 'max' | 'quick'>): CampaignPlan {
  const publishers = options.quick ? 1 : 10;
  const max = options.max ?? (options.quick ? 2 : 140);
  const intervalMs = options.quick ? 500 : 2000;
  const steadyMs = options.quick ? 2000 : 30_000;
  const room = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const feeds: number[] = [];
  return {
    scenario: form === 'feed' ? 'videoroom' : 'videoroom-multistream',
    unit: 'subscriber',
    max,
    intervalMs,
    steadyMs,
    async setup(ctx, progress) {
      const session = await ctx.createSession();
      const admin = await ctx.client.attach(session, plugin);
      await ctx.client.messageSync(session, admin, {
        request: 'create',
        room,
        description: 'cardea bench',
        publishers: publishers + 1,
        bitrate: 0,
        fir_freq: 0,
        audiocodec: 'opus',
        videocodec: 'vp8',
      });
      for (let i = 0; i < publishers; i++) {
        progress(`publisher ${i + 1}/${publishers}`);
        const started = performance.now();
        feeds.push(await joinPublisher(ctx, room, i));
        const wait = intervalMs - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },
    join: (ctx) => (form === 'feed' ? joinPerFeed(ctx, room, feeds) : joinMultistream(ctx, room, feeds)),
    describe: () => ({
      plugin,
      form,
      publishers,
      room,
      media: 'each publisher sends audio + video; each subscriber receives every publisher',
      peersPerSubscriber: form === 'feed' ? publishers : 1,
    }),
  };
}

async function joinPublisher(ctx: CampaignContext, room: number, index: number): Promise<number> {
  const { client, generator } = ctx;
  const session = await ctx.createSession();
  const handle = await client.attach(session, plugin);
  const { event: joined } = await client.message(session, handle, { request: 'join', ptype: 'publisher', room, display: `pub${index}` });
  const id = joined.plugindata?.data.id;
  if (typeof id !== 'number') throw new Error('videoroom: joined without an id');
  const peer = generator.createPeer();
  try {
    const offer = await peer.offer([
      { kind: 'audio', direction: 'sendonly' },
      { kind: 'video', direction: 'sendonly' },
    ]);
    const { event } = await client.message(
      session,
      handle,
      { request: 'publish', audio: true, video: true },
      { type: 'offer', sdp: offer },
    );
    await client.trickleCompleted(session, handle);
    if (event.jsep?.type !== 'answer') throw new Error('videoroom publish: no answer');
    await peer.acceptAnswer(event.jsep.sdp);
    await peer.connected(ctx.connectTimeoutMs);
    return id;
  } catch (error) {
    await generator.closePeer(peer);
    throw error;
  }
}

/** One subscriber handle and PeerConnection: `join` with `body`, answer the offer, `start`. */
async function subscribe(ctx: CampaignContext, session: number, body: Record<string, unknown>, peers: LeanPeer[]): Promise<void> {
  const { client, generator } = ctx;
  const handle = await client.attach(session, plugin);
  const peer = generator.createPeer();
  peers.push(peer);
  const { event } = await whileNoSuchFeed(() => client.message(session, handle, { request: 'join', ptype: 'subscriber', ...body }));
  if (event.jsep?.type !== 'offer') throw new Error('videoroom subscribe: no offer');
  const answer = await peer.answer(event.jsep.sdp);
  await client.message(session, handle, { request: 'start' }, { type: 'answer', sdp: answer });
  await client.trickleCompleted(session, handle);
  await peer.connected(ctx.connectTimeoutMs);
}

async function joinPerFeed(ctx: CampaignContext, room: number, feeds: number[]): Promise<Joined> {
  const session = await ctx.createSession();
  const peers: LeanPeer[] = [];
  try {
    await Promise.all(feeds.map((feed) => subscribe(ctx, session, { room, feed }, peers)));
    return { peers };
  } catch (error) {
    await Promise.all(peers.map((p) => ctx.generator.closePeer(p)));
    throw error;
  }
}

async function joinMultistream(ctx: CampaignContext, room: number, feeds: number[]): Promise<Joined> {
  const session = await ctx.createSession();
  const peers: LeanPeer[] = [];
  try {
    await subscribe(ctx, session, { room, streams: feeds.map((feed) => ({ feed })) }, peers);
    return { peers };
  } catch (error) {
    await Promise.all(peers.map((p) => ctx.generator.closePeer(p)));
    throw error;
  }
}

/** `videoroom`: one PeerConnection per feed, the paper's form. */
export const videoroom = mediaScenario(
  'VideoRoom, one PeerConnection per feed (the paper): 10 publishers, then subscribers to every feed up to 140, one per 2 s',
  (options) => videoroomPlan('feed', options),
);

/** `videoroom-multistream`: one PeerConnection per subscriber carrying every feed. */
export const videoroomMultistream = mediaScenario(
  'VideoRoom, multistream: 10 publishers, then subscribers up to 140 each with one PeerConnection for all feeds',
  (options) => videoroomPlan('multistream', options),
);
