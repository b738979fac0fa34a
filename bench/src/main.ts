#!/usr/bin/env node
// `npm run bench -- <scenario> [--gateway cardea|janus|both] [--max N] [--quick] [--out dir] [--docs]`
//
// Runs one benchmark scenario, prints progress on stderr and a short summary on stdout, and writes
// every number with machine info and package versions to <out>/<scenario>-<gateway>-<timestamp>.json.
// Media scenarios (echotest, videoroom, ...) run inside a private network namespace when the bench
// can make one (root + iproute2), so Janus can gather ICE candidates (shared/janus-reference.md):
// the bench re-runs itself there. After them, <out>/report-<scenario>.md and the plots compare the
// latest Cardea and Janus results.
import path from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { GatewayKind, ScenarioOptions } from './BenchTypes.ts';
import { ProgressBar } from './report/ProgressBar.ts';
import { writeCampaignReport } from './report/campaignReport.ts';
import { defaultResultsDir, writeReport } from './report/writeReport.ts';
import { scenarios } from './scenarios/index.ts';
import { currentNamespace, namespaceUnavailableReason } from './system/NetNamespace.ts';
import { rerunInNamespace } from './system/runInNamespace.ts';
import { janusUnavailableReason } from './gateway/JanusProcess.ts';

interface CliOptions {
  gateway: 'cardea' | 'janus' | 'both';
  max?: number;
  quick: boolean;
  out: string;
  docs: boolean;
  netns: boolean;
  builtinHost?: 'in-process' | 'sandbox';
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function buildCli(): Command {
  const list = Object.entries(scenarios)
    .map(([name, s]) => `  ${name.padEnd(12)} ${s.description}`)
    .join('\n');
  return new Command('bench')
    .description('Cardea benchmarks: results as JSON in bench/results/, summary on stdout, progress on stderr')
    .addArgument(new Argument('<scenario>', 'scenario to run').choices(Object.keys(scenarios)))
    .addOption(new Option('--gateway <kind>', 'gateway to measure').choices(['cardea', 'janus', 'both']).default('cardea'))
    .option('--max <n>', "highest load level (the scenario's unit, e.g. signalling: concurrent clients)", positiveInteger)
    .option('--quick', 'short windows and fewer load levels (smoke test)', false)
    .option('--out <dir>', 'directory for the JSON results', defaultResultsDir)
    .option('--docs', 'media scenarios: also copy the report and plots to docs/bench/', false)
    .addOption(
      new Option('--builtin-host <host>', "Cardea's built-ins in-process or sandboxed (CARDEA_BENCH_BUILTIN_HOST; builtin-host: measure only this one)").choices([
        'in-process',
        'sandbox',
      ]),
    )
    .option('--no-netns', 'media scenarios: run Cardea on 127.0.0.1 without a network namespace (Janus needs one)')
    .addHelpText('after', `\nScenarios:\n${list}`);
}

async function main(): Promise<void> {
  const cli = buildCli();
  cli.parse(process.argv);
  const name = cli.args[0] as string;
  const cliOptions = cli.opts<CliOptions>();
  // Through the environment, so a re-run inside the bench namespace and every CardeaProcess see it.
  if (cliOptions.builtinHost !== undefined) process.env.CARDEA_BENCH_BUILTIN_HOST = cliOptions.builtinHost;
  const gateways: GatewayKind[] = cliOptions.gateway === 'both' ? ['cardea', 'janus'] : [cliOptions.gateway];
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario '${name}'`); // commander's choices() already rejects these
  if (gateways.includes('janus') && !scenario.media) {
    console.error(`bench: ${name} measures Cardea only; --gateway janus is for the media scenarios (echotest, videoroom, ...).`);
    process.exitCode = 2;
    return;
  }
  if (gateways.includes('janus') && scenario.cardeaOnly) {
    console.error(
      `bench: ${name} ${scenario.cardeaOnlyReason ? `is Cardea only: ${scenario.cardeaOnlyReason}` : 'uses a Cardea-only option'}; run it with --gateway cardea.`,
    );
    process.exitCode = 2;
    return;
  }
  if (gateways.includes('janus')) {
    const reason =
      janusUnavailableReason() ?? (cliOptions.netns ? namespaceUnavailableReason() : 'Janus needs the network namespace (drop --no-netns)');
    if (reason) {
      console.error(`bench: cannot run Janus: ${reason}`);
      process.exitCode = 2;
      return;
    }
  }
  if (scenario.media && cliOptions.netns && !currentNamespace()) {
    const reason = namespaceUnavailableReason();
    if (reason === undefined) {
      process.exitCode = await rerunInNamespace();
      return;
    }
    console.error(`bench: no network namespace (${reason}); Cardea runs on 127.0.0.1`);
  }

  for (const gateway of gateways) {
    const progress = new ProgressBar(`${name} (${gateway})`);
    const options: ScenarioOptions = {
      gateway,
      quick: cliOptions.quick,
      onProgress: (fraction, label) => progress.update(fraction, label),
    };
    if (cliOptions.max !== undefined) options.max = cliOptions.max;
    let result;
    try {
      result = await scenario.run(options);
    } catch (error) {
      if (gateways.length === 1) throw error;
      // --gateway both: the other gateway's run is still worth having; the exit code says one failed.
      progress.done();
      console.error(`bench: ${name} on ${gateway} failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      continue;
    } finally {
      progress.done();
    }
    const { file, report } = await writeReport(result, options, path.resolve(cliOptions.out));
    const shown = path.relative(process.cwd(), file);
    const [load1, load5] = report.machine.loadAverage;
    console.log(
      `${result.summary}\n\nhost: ${report.machine.cpuModel}, ${report.machine.cores} cores, load average ${load1} (1 min) ${load5} (5 min)` +
        `\nresults: ${shown.startsWith('..') ? file : shown}`,
    );
  }
  if (scenario.media) {
    const outDir = path.resolve(cliOptions.out);
    const written = scenario.report
      ? await scenario.report(outDir, { docs: cliOptions.docs })
      : await writeCampaignReport(name, outDir, { docs: cliOptions.docs });
    console.log(`report: ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
