// Groups a campaign's one-second samples by participant count: the rows of the tables and the
// points of the plots.
import type { CampaignLevel, CampaignSample } from './CampaignTypes.ts';

const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** One level per distinct participant count, in increasing order (counts with no sample are absent). */
export function summarizeLevels(samples: CampaignSample[]): CampaignLevel[] {
  const byCount = new Map<number, CampaignSample[]>();
  for (const s of samples) {
    const list = byCount.get(s.participants) ?? [];
    list.push(s);
    byCount.set(s.participants, list);
  }
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(([participants, list]) => {
      const cpus = list.map((s) => s.gatewayCpu).filter((v): v is number => v !== null);
      const rss = list.map((s) => s.gatewayRssBytes).filter((v): v is number => v !== null);
      // Loss and lateness weighted by packets, not by seconds.
      const received = list.reduce((sum, s) => sum + s.rtpInPps, 0);
      const lossWeighted = list.reduce((sum, s) => sum + s.loss * s.rtpInPps, 0);
      const lateWeighted = list.reduce((sum, s) => sum + s.late * s.rtpInPps, 0);
      const generatorCpu = mean(list.map((s) => s.generatorCpu));
      const other = list.map((s) => s.hostOtherCpu).filter((v): v is number => v !== null);
      return {
        participants,
        peers: Math.max(...list.map((s) => s.peers)),
        samples: list.length,
        gatewayCpu: cpus.length ? round(mean(cpus)) : null,
        gatewayRssBytes: rss.length ? Math.round(mean(rss)) : null,
        generatorCpu: round(generatorCpu),
        gatewayInBps: Math.round(mean(list.map((s) => s.gatewayInBps))),
        gatewayOutBps: Math.round(mean(list.map((s) => s.gatewayOutBps))),
        rtpOutPps: Math.round(mean(list.map((s) => s.rtpOutPps))),
        rtpInPps: Math.round(mean(list.map((s) => s.rtpInPps))),
        loss: received > 0 ? round(lossWeighted / received) : 0,
        late: received > 0 ? round(lateWeighted / received) : 0,
        hostOtherCpu: other.length ? round(mean(other), 3) : null,
        generatorLimited: generatorCpu > 0.9,
      };
    });
}
