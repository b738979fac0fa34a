// Turns a CampaignPlan into a bench Scenario: runs it, then prints a table of the levels.
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { formatTable } from '../report/table.ts';
import type { CampaignData, CampaignPlan } from './CampaignTypes.ts';
import { runCampaign } from './RampRunner.ts';

/** A Scenario whose run() executes the plan `makePlan(options)` builds. */
export function mediaScenario(description: string, makePlan: (options: ScenarioOptions) => CampaignPlan): Scenario {
  return {
    description,
    media: true,
    async run(options: ScenarioOptions): Promise<ScenarioResult> {
      const plan = makePlan(options);
      const runOptions = options.onProgress ? { gateway: options.gateway, onProgress: options.onProgress } : { gateway: options.gateway };
      const data = await runCampaign(plan, runOptions);
      return {
        scenario: plan.scenario,
        gateway: options.gateway,
        summary: summarizeCampaign(data),
        data: data as unknown as Record<string, unknown>,
      };
    },
  };
}

/** The table printed on stdout after a run. */
export function summarizeCampaign(d: CampaignData): string {
  const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const mib = (v: number | null): string => (v === null ? 'n/a' : (v / 2 ** 20).toFixed(0));
  const mbps = (v: number): string => (v / 1e6).toFixed(2);
  const rows = [
    [d.unit + 's', 'PCs', 'gw CPU', 'RSS MiB', 'in Mbit/s', 'out Mbit/s', 'loss', 'late', 'gen CPU', 'other CPU'],
    ...[...d.levels, ...(d.steady ? [{ ...d.steady, steady: true }] : [])].map((l) => [
      `${l.participants}${'steady' in l ? ' (steady)' : ''}`,
      String(l.peers),
      pct(l.gatewayCpu),
      mib(l.gatewayRssBytes),
      mbps(l.gatewayInBps),
      mbps(l.gatewayOutBps),
      pct(l.loss),
      pct(l.late),
      pct(l.generatorCpu),
      pct(l.hostOtherCpu),
    ]),
  ];
  const g = d.generator;
  return [
    `${d.scenario} (${d.gateway} ${d.gatewayVersion}): ${d.joined}/${d.max} ${d.unit}s joined, ${d.failedJoins} failed` +
      `${d.stopReason ? ` (stopped: ${d.stopReason})` : ''}; held ${d.maxHeld} with loss and late ≤ 1%`,
    ...(d.joinErrors?.length ? [`failed joins: ${d.joinErrors.join('; ')}`] : []),
    `ICE on ${d.iceIp}${d.netns ? ` in netns ${d.netns}` : ''}; gateway on core ${d.gatewayCore ?? 'any'}, generator on core ${d.generatorCore ?? 'any'}; ` +
      `load average ${d.loadAverage.start} → ${d.loadAverage.end}`,
    formatTable(rows),
    `generator: ${g.cpuUsPerPacket ?? 'n/a'} µs CPU per packet (ceiling ~${g.ceilingPps ?? 'n/a'} packets/s on its core), ` +
      `${g.framesLate} frames late, ${g.framesSkipped} skipped; integrity ${g.integritySampled - g.integrityCorrupt}/${g.integritySampled} sampled packets intact, ` +
      `${g.decryptFailures} RTP / ${g.rtcpDecryptFailures} RTCP decrypt failures; ${g.keyframeRequests} PLI/FIR answered; ` +
      `RTCP: ${g.rtcpOut ?? 0} reports sent (${g.reportBlocks ?? 0} report blocks), ${g.rtcpIn} received (${g.senderReportsIn ?? 0} SRs)`,
  ].join('\n');
}
