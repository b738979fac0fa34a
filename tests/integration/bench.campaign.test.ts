// The media campaign's --quick mode, end to end through the CLI (`npm run bench -- <scenario>`):
// the bench starts the gateway pinned to a core, ramps WebRTC participants from its werift-based
// load generator, samples procfs and writes JSON results, figures and the Markdown report. Against
// Cardea always; against Janus 1.1.2 too when /usr/bin/janus exists and a network namespace can be
// made (root + iproute2). A test that the bench works, not a timing test: any CPU figure passes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { CampaignData } from '../../bench/src/campaign/CampaignTypes.ts';
import type { Audiobridge1000Plan } from '../../bench/src/scenarios/audiobridge1000.ts';
import type { McuVsSfuData } from '../../bench/src/scenarios/mcuVsSfu.ts';
import { janusUnavailableReason } from '../../bench/src/gateway/JanusProcess.ts';
import type { BenchReport } from '../../bench/src/report/writeReport.ts';
import { namespaceUnavailableReason } from '../../bench/src/system/NetNamespace.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const janusSkip = janusUnavailableReason() ?? namespaceUnavailableReason() ?? false;

/** Runs `node bench/src/main.ts <args>` with this Node; resolves with its exit code and output. */
function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bench', 'src', 'main.ts'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 85_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Checks one result file's shape: every level and sample well-formed, media flowing, nothing corrupt. */
function checkResult(report: BenchReport, scenario: string, gateway: string, joined = 2): void {
  assert.equal(report.scenario, scenario);
  assert.equal(report.gateway, gateway);
  assert.equal(report.options.quick, true);
  assert.ok(report.machine.cores > 0, 'machine info recorded');
  checkCampaign(report.result as unknown as CampaignData, gateway, joined);
}

/** One campaign's shape (a scenario result, or one architecture of mcu-vs-sfu). */
function checkCampaign(d: CampaignData, gateway: string, joined: number): void {
  assert.equal(d.gateway, gateway);
  assert.match(d.gatewayVersion, gateway === 'janus' ? /^1\.1\.2$/ : /^\d+\.\d+\.\d+/);
  assert.equal(d.joined, joined, `${gateway}: every participant joined (${d.stopReason ?? ''} ${d.joinErrors.join('; ')})`);
  assert.equal(d.failedJoins, 0);
  assert.ok(d.samples.length > 0, 'samples taken');
  for (const s of d.samples) {
    assert.ok(['setup', 'ramp', 'steady'].includes(s.phase));
    assert.ok(s.gatewayCpu === null || s.gatewayCpu >= 0, 'gateway CPU is a fraction');
    assert.ok(s.loss >= 0 && s.loss <= 1 && s.late >= 0 && s.late <= 1);
  }
  assert.ok(d.steady, 'steady phase measured');
  assert.ok(d.steady.gatewayOutBps > 0, `${gateway}: media came back from the gateway`);
  assert.ok(d.steady.gatewayRssBytes === null || d.steady.gatewayRssBytes > 0);
  assert.ok(d.maxHeld >= 0 && d.maxHeld <= d.joined);
  assert.ok(d.generator.integritySampled > 0, 'payloads were sampled');
  assert.equal(d.generator.integrityCorrupt, 0, 'sampled payloads are byte-identical to what was sent');
  assert.ok(d.generator.rtcpOut > 0 && d.generator.reportBlocks > 0, `${gateway}: the generator sent RTCP reports with report blocks`);
}

async function runQuick(
  scenario: string,
  gateway: 'cardea' | 'both',
  joined = 2,
  check: (d: CampaignData) => void = () => undefined,
): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), 'cardea-bench-campaign-'));
  try {
    const { code, stdout, stderr } = await bench([scenario, '--quick', '--gateway', gateway, '--out', out]);
    assert.equal(code, 0, `bench exited ${code}:\n${stderr.slice(-3000)}`);
    assert.match(stdout, /held \d+ with loss and late/);
    const files = await readdir(out);
    const gateways = gateway === 'both' ? ['cardea', 'janus'] : ['cardea'];
    for (const g of gateways) {
      const file = files.find((f) => f.startsWith(`${scenario}-${g}-`) && f.endsWith('.json'));
      assert.ok(file, `${g} result written: ${files.join(', ')}`);
      const report = JSON.parse(await readFile(path.join(out, file), 'utf8')) as BenchReport;
      checkResult(report, scenario, g, joined);
      check(report.result as unknown as CampaignData);
    }
    assert.ok(files.includes(`report-${scenario}.md`), 'Markdown report written');
    for (const fig of ['cpu', 'memory', 'bandwidth']) assert.ok(files.includes(`${scenario}-${fig}.svg`), `${fig} figure written`);
    const md = await readFile(path.join(out, `report-${scenario}.md`), 'utf8');
    assert.match(md, /CPU at matched load/);
    if (gateway === 'both') assert.match(md, /\*\*\d+\.\d\d×\*\*/, 'a Cardea/Janus CPU ratio is reported');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** mcu-vs-sfu --quick: 3 participants as an SFU and as an MCU; per-N points, crossovers, report and figures. */
async function runMcuVsSfu(gateway: 'cardea' | 'both'): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), 'cardea-bench-mcu-'));
  try {
    const { code, stderr } = await bench(['mcu-vs-sfu', '--quick', '--gateway', gateway, '--out', out]);
    assert.equal(code, 0, `bench exited ${code}:\n${stderr.slice(-3000)}`);
    const files = await readdir(out);
    for (const g of gateway === 'both' ? ['cardea', 'janus'] : ['cardea']) {
      const file = files.find((f) => f.startsWith(`mcu-vs-sfu-${g}-`) && f.endsWith('.json'));
      assert.ok(file, `${g} result written: ${files.join(', ')}`);
      const report = JSON.parse(await readFile(path.join(out, file), 'utf8')) as BenchReport;
      const d = report.result as unknown as McuVsSfuData;
      checkCampaign(d.sfu, g, 3);
      checkCampaign(d.mcu, g, 3);
      const sfu3 = d.points.sfu.find((p) => p.n === 3);
      const mcu3 = d.points.mcu.find((p) => p.n === 3);
      assert.ok(sfu3 && mcu3, `${g}: N = 3 measured for both architectures`);
      // With 3 participants an SFU client receives 2 streams (~100 packets/s), an MCU client one mix (~50).
      assert.ok(sfu3.clientInPps > 70, `${g}: SFU client receives N−1 streams (${sfu3.clientInPps} pps)`);
      assert.ok(mcu3.clientInPps > 30 && mcu3.clientInPps < 70, `${g}: MCU client receives one mix (${mcu3.clientInPps} pps)`);
      assert.ok(d.clientDecodeUsPerPacket > 0);
      assert.ok('gatewayCpu' in d.crossover && 'clientBandwidth' in d.crossover);
    }
    assert.ok(files.includes('report-mcu-vs-sfu.md'), 'Markdown report written');
    for (const fig of ['cpu', 'client', 'bandwidth', 'total']) assert.ok(files.includes(`mcu-vs-sfu-${fig}.svg`), `${fig} figure written`);
    assert.match(await readFile(path.join(out, 'report-mcu-vs-sfu.md'), 'utf8'), /Crossover N/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

describe('bench campaign: --quick against Cardea', () => {
  it('echotest: 2 echo sessions ramp, hold and echo media; results, figures and report written', { timeout: 55_000 }, () =>
    runQuick('echotest', 'cardea'),
  );
  it('videoroom: 1 publisher and 2 subscribers (one PeerConnection per feed)', { timeout: 55_000 }, () => runQuick('videoroom', 'cardea'));
  it('audiobridge-room: 3 participants send real Opus to a full-mixing room and receive their mix', { timeout: 55_000 }, () =>
    runQuick('audiobridge-room', 'cardea', 3),
  );
  it('mcu-vs-sfu: 3-party conference as an audio-only VideoRoom and as an AudioBridge', { timeout: 55_000 }, () => runMcuVsSfu('cardea'));
  it(
    'audiobridge-1000: 20 participants, 3 speaking, the rest silent with Opus DTX and RFC 6464 levels; the mixer decodes only speakers',
    { timeout: 55_000 },
    () =>
      runQuick('audiobridge-1000', 'cardea', 20, (d) => {
        const plan = d.plan as unknown as Audiobridge1000Plan;
        assert.ok(d.steady && d.steady.rtpInPps > 20 * 30, `every participant receives its mix (~50 pps each): ${d.steady?.rtpInPps} pps`);
        // A speaker sends every 20 ms frame; a silent participant with DTX about one in 20.
        assert.ok(
          plan.audio.speechPerFrame > 0.95 && plan.audio.speechPerFrame <= 1,
          `speakers send every frame (${plan.audio.speechPerFrame})`,
        );
        assert.ok(plan.audio.dtxPackets > 0, 'silent participants sent DTX updates');
        assert.ok(
          plan.audio.dtxPerFrame > 0.02 && plan.audio.dtxPerFrame < 0.1,
          `DTX sends ~1 packet per 400 ms (${plan.audio.dtxPerFrame} per frame)`,
        );
        assert.deepEqual(plan.audioLevelIds.length, 1, "Cardea's answers kept the ssrc-audio-level extension");
        assert.ok(plan.speakerRotations >= 1, 'speakers rotated');
        assert.deepEqual(plan.mixer.errors, []);
        assert.ok(plan.mixer.steady && plan.mixer.steady.frames > 100, 'mixerstats sampled over the steady phase');
        // With levels in the packets the mixer decodes the speakers only (measured ~3.0 per frame:
        // 3 speakers, and ex-speakers kept warm for 2 s after a rotation). Without the extension it
        // decodes the 17 silent participants' DTX updates and conceals after them (measured ~3.9).
        assert.ok(
          plan.mixer.steady.decodesPerFrame > 1 && plan.mixer.steady.decodesPerFrame < plan.speakers + 0.5,
          `the mixer decodes the speakers only: ${plan.mixer.steady.decodesPerFrame} decodes per frame for 20 participants`,
        );
      }),
  );
  it('audiobridge-1000 refuses Janus with the reason', { timeout: 20_000 }, async () => {
    const { code, stderr } = await bench(['audiobridge-1000', '--quick', '--gateway', 'janus', '--out', tmpdir()]);
    assert.equal(code, 2);
    assert.match(stderr, /Cardea only: .*no active-speaker mixing/);
  });
});

describe('bench campaign: --quick against Cardea and Janus 1.1.2 side by side', { skip: janusSkip }, () => {
  it('echotest on both gateways, with a CPU ratio in the report', { timeout: 55_000 }, () => runQuick('echotest', 'both'));
  it('videoroom on both gateways', { timeout: 55_000 }, () => runQuick('videoroom', 'both'));
  it('audiobridge-room on both gateways', { timeout: 55_000 }, () => runQuick('audiobridge-room', 'both', 3));
  it('mcu-vs-sfu on both gateways', { timeout: 90_000 }, () => runMcuVsSfu('both'));
});
