// Issue #4 through the gateway: one 16 kHz AudioBridge room of up to 1000 participants on one core,
// Cardea's active-speaker mixing (`speakers: 3`), real PeerConnections, SRTP, the fast media plane.
// Participants behave like a real conference's clients: 3 speak continuously (real Opus speech),
// everyone else is silent with Opus DTX (one comfort-noise update per ~400 ms, RFC 7587 §3.1.3),
// and every packet carries the RFC 6464 audio level (as Chrome sends it), which lets the mixer skip
// decoding the silent. Which 3 speak rotates every 10 s, so speaker changes are exercised.
// Participants join at a fixed interval (0.3 s: 1000 in 5 minutes), then a steady phase. Besides
// the campaign's numbers (gateway CPU, RSS, bandwidth, mix loss/late at every receiver, the
// generator's own CPU), the mixer's counters (`mixerstats`: late frames, decodes per frame) are
// polled every few seconds, and every join's duration is recorded to show whether joins keep up.
//
// Cardea only: Janus 1.1.2's AudioBridge has no active-speaker mixing (it decodes every participant
// and encodes an N−1 mix for each), and `audiobridge-room` shows it stops far below 1000.
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import type { CampaignContext, CampaignData, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { mediaScenario } from '../campaign/mediaScenario.ts';
import type { AudioBehaviour, LeanPeer, LoadGenerator } from '../load/LoadGenerator.ts';
import { silentDtxOpusFrames, speechOpusPackets } from '../load/opusFixtures.ts';
import { formatTable } from '../report/table.ts';

const plugin = 'janus.plugin.audiobridge';
const sampleRate = 16000;
/** Participants mixed at once (Cardea `speakers`), and participants speaking at any time. */
const speakers = 3;

/** One `mixerstats` reply, as recorded. */
export interface MixerSample {
  /** Seconds since the room was created. */
  t: number;
  participants: number;
  /** All participants had joined when it was taken. */
  steady: boolean;
  frames: number;
  decodes: number;
  encodes: number;
  lateFrames: number;
  skippedFrames: number;
  concealed: number;
  maxLatenessMs: number;
  load: number;
  speakers: number;
}

/** Mixer work between two samples (or over a level, or the steady phase). */
export interface MixerInterval {
  participants: number;
  frames: number;
  decodesPerFrame: number;
  encodesPerFrame: number;
  /** Frames concealed (PLC) per mix frame: silent participants decoded through their DTX gaps show here. */
  concealedPerFrame: number;
  lateFrames: number;
  skippedFrames: number;
}

/** What `describe()` records besides the plan's settings (the `plan` of the result). */
export interface Audiobridge1000Plan {
  room: number;
  speakers: number;
  rotateMs: number;
  mixer: { samples: MixerSample[]; levels: MixerInterval[]; steady: MixerInterval | null; errors: string[] };
  joins: {
    count: number;
    meanMs: number;
    p95Ms: number;
    maxMs: number;
    plannedRampS: number;
    actualRampS: number;
    keptUp: boolean;
    /** Join durations per level (participants already in the room, grouped like the campaign's levels). */
    byLevel: { participants: number; meanMs: number; maxMs: number }[];
  };
  /** Audio the generator sent: packets per 20 ms frame by behaviour (a speaker ~1, silent with DTX ~0.05). */
  audio: {
    speechPackets: number;
    speechFrames: number;
    dtxPackets: number;
    dtxFrames: number;
    speechPerFrame: number;
    dtxPerFrame: number;
  };
  /** The RFC 6464 extension ids Cardea's answers kept (one-byte header ids; [] when never negotiated). */
  audioLevelIds: number[];
  speakerRotations: number;
}

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

function interval(a: MixerSample, b: MixerSample): MixerInterval {
  const frames = b.frames - a.frames;
  return {
    participants: b.participants,
    frames,
    decodesPerFrame: frames > 0 ? round((b.decodes - a.decodes) / frames) : 0,
    encodesPerFrame: frames > 0 ? round((b.encodes - a.encodes) / frames) : 0,
    concealedPerFrame: frames > 0 ? round((b.concealed - a.concealed) / frames) : 0,
    lateFrames: b.lateFrames - a.lateFrames,
    skippedFrames: b.skippedFrames - a.skippedFrames,
  };
}

/** The plan for `npm run bench -- audiobridge-1000 [--max N] [--quick]`. */
export function audiobridge1000Plan(options: Pick<ScenarioOptions, 'max' | 'quick'>): CampaignPlan {
  const quick = options.quick;
  const max = options.max ?? (quick ? 20 : 1000);
  const intervalMs = 300;
  const steadyMs = quick ? 4000 : 30_000;
  const rotateMs = quick ? 2000 : 10_000;
  const pollMs = quick ? 1000 : 5000;
  const levelStep = max >= 200 ? 50 : max >= 50 ? 10 : 1;
  const room = 4_000_000 + Math.floor(Math.random() * 1_000_000);
  const peers: LeanPeer[] = [];
  const speaking = new Set<number>([0, 1, 2].slice(0, speakers));
  const joinMs: number[] = [];
  const mixerSamples: MixerSample[] = [];
  const mixerErrors: string[] = [];
  const audioLevelIds = new Set<number>();
  let generator: LoadGenerator | undefined;
  let ctxRef: CampaignContext | undefined;
  let control: { session: number; handle: number } | undefined;
  let createdAt = 0;
  let firstJoinAt = 0;
  let lastJoinAt = 0;
  let rotations = 0;
  let rotateTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling = false;
  let finished = false;

  const behaviourOf = (index: number): AudioBehaviour => (speaking.has(index) ? 'speaker' : 'silent-dtx');

  /** The next `speakers` participants speak; the others go silent (DTX). */
  const rotate = (): void => {
    if (peers.length <= speakers) return;
    rotations++;
    const start = (rotations * speakers) % peers.length;
    speaking.clear();
    for (let k = 0; k < speakers; k++) speaking.add((start + k) % peers.length);
    peers.forEach((peer, i) => peer.setAudioBehaviour(behaviourOf(i)));
  };

  const poll = async (): Promise<void> => {
    if (polling || finished || !control || !ctxRef) return;
    polling = true;
    try {
      const reply = await ctxRef.client.messageSync(control.session, control.handle, { request: 'mixerstats', room });
      const s = reply.stats as Record<string, unknown> | undefined;
      if (!s) throw new Error(`no stats in ${JSON.stringify(reply)}`);
      const num = (k: string): number => (typeof s[k] === 'number' ? s[k] : 0);
      mixerSamples.push({
        t: round((performance.now() - createdAt) / 1000, 2),
        participants: num('participants'),
        steady: peers.length === max,
        frames: num('frames'),
        decodes: num('decodes'),
        encodes: num('encodes'),
        lateFrames: num('lateFrames'),
        skippedFrames: num('skippedFrames'),
        concealed: num('concealed'),
        maxLatenessMs: num('maxLatenessMs'),
        load: num('load'),
        speakers: Array.isArray(s.speakers) ? s.speakers.length : 0,
      });
    } catch (error) {
      // A poll still in flight when the run ends fails with the client: not the mixer's error.
      if (!finished && mixerErrors.length < 5) mixerErrors.push((error as Error).message);
    } finally {
      polling = false;
    }
  };

  return {
    scenario: 'audiobridge-1000',
    unit: 'participant',
    max,
    intervalMs,
    steadyMs,
    levelStep,
    async prepare(g) {
      generator = g;
      g.fixtures.setAudio(await speechOpusPackets());
      g.fixtures.setSilentDtx(await silentDtxOpusFrames());
    },
    async setup(ctx) {
      ctxRef = ctx;
      const session = await ctx.createSession();
      const handle = await ctx.client.attach(session, plugin);
      control = { session, handle };
      await ctx.client.messageSync(session, handle, {
        request: 'create',
        room,
        description: 'cardea bench: 1000',
        sampling_rate: sampleRate,
        audiolevel_ext: true,
        mixing: 'active-speaker',
        speakers,
      });
      createdAt = performance.now();
      rotateTimer = setInterval(rotate, rotateMs);
      pollTimer = setInterval(() => void poll(), pollMs);
      await poll();
    },
    async join(ctx, index) {
      const started = performance.now();
      if (index === 0) firstJoinAt = started;
      const joined = await joinParticipant(ctx, room, index, behaviourOf(index));
      lastJoinAt = performance.now();
      joinMs.push(lastJoinAt - started);
      const peer = joined.peers[0] as LeanPeer;
      if (peer.audioLevelId > 0) audioLevelIds.add(peer.audioLevelId);
      peers.push(peer);
      return joined;
    },
    finish() {
      finished = true;
      clearInterval(rotateTimer);
      clearInterval(pollTimer);
      rotateTimer = undefined;
      pollTimer = undefined;
    },
    describe(): Record<string, unknown> {
      const sorted = [...joinMs].sort((a, b) => a - b);
      const joinLevels = new Map<number, number[]>();
      joinMs.forEach((ms, i) => {
        const level = Math.floor(i / levelStep) * levelStep;
        joinLevels.set(level, [...(joinLevels.get(level) ?? []), ms]);
      });
      const plannedRampS = ((max - 1) * intervalMs) / 1000;
      const actualRampS = sorted.length > 0 ? (lastJoinAt - firstJoinAt) / 1000 : 0;
      const t = generator?.totals;
      const speechPackets = t?.speechPacketsOut ?? 0;
      const speechFrames = t?.speechFramesOut ?? 0;
      const dtxPackets = t?.dtxPacketsOut ?? 0;
      const dtxFrames = t?.dtxFramesOut ?? 0;
      // Mixer work per level (grouped like the campaign's levels) and over the steady phase.
      const byLevel = new Map<number, MixerInterval[]>();
      for (let i = 1; i < mixerSamples.length; i++) {
        const iv = interval(mixerSamples[i - 1] as MixerSample, mixerSamples[i] as MixerSample);
        const level = Math.floor(iv.participants / levelStep) * levelStep;
        byLevel.set(level, [...(byLevel.get(level) ?? []), iv]);
      }
      const levels = [...byLevel.entries()]
        .sort(([a], [b]) => a - b)
        .map(([participants, list]) => {
          const frames = list.reduce((s, iv) => s + iv.frames, 0);
          const w = (f: (iv: MixerInterval) => number): number =>
            frames > 0 ? round(list.reduce((s, iv) => s + f(iv) * iv.frames, 0) / frames) : 0;
          return {
            participants,
            frames,
            decodesPerFrame: w((iv) => iv.decodesPerFrame),
            encodesPerFrame: w((iv) => iv.encodesPerFrame),
            concealedPerFrame: w((iv) => iv.concealedPerFrame),
            lateFrames: list.reduce((s, iv) => s + iv.lateFrames, 0),
            skippedFrames: list.reduce((s, iv) => s + iv.skippedFrames, 0),
          };
        });
      const steadySamples = mixerSamples.filter((s) => s.steady);
      const first = steadySamples[0];
      const last = steadySamples.at(-1);
      const plan: Audiobridge1000Plan = {
        room,
        speakers,
        rotateMs,
        mixer: {
          samples: [...mixerSamples],
          levels,
          steady: first && last && last !== first ? interval(first, last) : null,
          errors: [...mixerErrors],
        },
        joins: {
          count: sorted.length,
          meanMs: sorted.length ? round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 1) : 0,
          p95Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0, 1),
          maxMs: round(sorted.at(-1) ?? 0, 1),
          plannedRampS: round(plannedRampS, 1),
          actualRampS: round(actualRampS, 1),
          // Joins kept up when the last one finished within 10% (and one interval) of its slot.
          keptUp: actualRampS <= plannedRampS * 1.1 + intervalMs / 1000,
          byLevel: [...joinLevels.entries()].map(([participants, list]) => ({
            participants,
            meanMs: round(list.reduce((a, b) => a + b, 0) / list.length, 1),
            maxMs: round(Math.max(...list), 1),
          })),
        },
        audio: {
          speechPackets,
          speechFrames,
          dtxPackets,
          dtxFrames,
          speechPerFrame: speechFrames > 0 ? round(speechPackets / speechFrames) : 0,
          dtxPerFrame: dtxFrames > 0 ? round(dtxPackets / dtxFrames) : 0,
        },
        audioLevelIds: [...audioLevelIds],
        speakerRotations: rotations,
      };
      return {
        plugin,
        mixing: 'active-speaker',
        sampleRate,
        media:
          `${speakers} participants send real Opus speech (48 kHz mono, 20 ms, 50 pps), rotating every ${rotateMs / 1000} s; ` +
          'the others are silent with Opus DTX (~1 packet per 400 ms); every packet carries its RFC 6464 level; each receives its mix',
        health: 'mix stream loss (sequence numbers) and late packets (> 150 ms behind its RTP clock) at every receiver; mixerstats',
        levelStep,
        ...plan,
      };
    },
  };
}

/** `join` (no JSEP), then `configure` with an offer carrying the audio level extension; connected. */
async function joinParticipant(ctx: CampaignContext, room: number, index: number, audio: AudioBehaviour): Promise<Joined> {
  const { client, generator } = ctx;
  const session = await ctx.createSession();
  const handle = await client.attach(session, plugin);
  await client.message(session, handle, { request: 'join', room, display: `p${index}`, muted: false });
  const peer = generator.createPeer({ receivesMix: true, audio, audioLevel: true });
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

/** The mixer's and the joins' lines under the campaign table. */
export function summarizeAudiobridge1000(plan: Audiobridge1000Plan): string {
  const { mixer, joins, audio } = plan;
  const rows = [
    ['participants', 'mix frames', 'decodes/frame', 'concealed/frame', 'encodes/frame', 'late frames', 'skipped'],
    ...[...mixer.levels, ...(mixer.steady ? [{ ...mixer.steady, steady: true }] : [])].map((l) => [
      `${l.participants}${'steady' in l ? ' (steady)' : ''}`,
      String(l.frames),
      l.decodesPerFrame.toFixed(2),
      l.concealedPerFrame.toFixed(2),
      l.encodesPerFrame.toFixed(2),
      String(l.lateFrames),
      String(l.skippedFrames),
    ]),
  ];
  return [
    `mixer (mixerstats every few seconds)${mixer.errors.length ? `; errors: ${mixer.errors.join('; ')}` : ''}:`,
    formatTable(rows),
    `joins: ${joins.count}, mean ${joins.meanMs} ms, p95 ${joins.p95Ms} ms, max ${joins.maxMs} ms; ramp ${joins.actualRampS} s for ${joins.plannedRampS} s planned` +
      ` (${joins.keptUp ? 'kept up' : 'fell behind'}); mean per level: ${joins.byLevel.map((l) => `${l.participants}: ${l.meanMs}`).join(', ')} ms`,
    `audio sent: speakers ${audio.speechPerFrame} packets per 20 ms frame, silent (DTX) ${audio.dtxPerFrame}; ` +
      `RFC 6464 level extension id ${plan.audioLevelIds.join(', ') || 'not negotiated'}; ${plan.speakerRotations} speaker rotations`,
  ].join('\n');
}

const campaign = mediaScenario(
  'AudioBridge room of up to 1000 (issue #4): active-speaker mixing, 3 speakers rotating, the rest silent with Opus DTX, RFC 6464 levels; one join per 0.3 s',
  (options) => audiobridge1000Plan(options),
);

/** `audiobridge-1000`: the campaign, with the mixer's counters and the joins' timing printed. */
export const audiobridge1000: Scenario = {
  ...campaign,
  cardeaOnly: true,
  cardeaOnlyReason:
    "Janus 1.1.2's AudioBridge has no active-speaker mixing: it decodes every participant and encodes an N−1 mix for each (audiobridge-room measures where it stops)",
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const result = await campaign.run(options);
    const plan = (result.data as unknown as CampaignData).plan as unknown as Audiobridge1000Plan;
    return { ...result, summary: `${result.summary}\n${summarizeAudiobridge1000(plan)}` };
  },
};
