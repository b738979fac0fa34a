import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeReport } from '../../bench/src/report/writeReport.ts';
import { signalling, type SignallingData } from '../../bench/src/scenarios/signalling.ts';

// A test that the benchmark works end to end (child gateway, clients, procfs, JSON report), not a
// timing test: any positive rate passes.
describe('bench: signalling scenario', () => {
  it('measures cycles per second against a child gateway and writes a well-formed JSON report', { timeout: 20_000 }, async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'cardea-bench-'));
    try {
      const options = { gateway: 'cardea', quick: true } as const;
      const result = await signalling.run(options);
      const data = result.data as SignallingData;
      assert.equal(result.scenario, 'signalling');
      assert.deepEqual(
        data.levels.map((l) => l.clients),
        [1, 8],
      );
      for (const level of data.levels) {
        assert.ok(level.cyclesPerSecond > 0, `${level.clients} clients: ${level.cyclesPerSecond} cycles/s`);
        assert.equal(level.errors, 0, `${level.clients} clients: no failed cycles`);
        assert.ok(level.roundTrips.message.perSecond > 0, 'message round trips counted');
        assert.ok(level.cycleLatency.p50Ms !== null && level.cycleLatency.p50Ms > 0, 'cycle latency measured');
      }
      assert.match(result.summary, /cycles\/s/);

      const { file } = await writeReport(result, options, outDir);
      assert.deepEqual(await readdir(outDir), [path.basename(file)]);
      assert.match(path.basename(file), /^signalling-cardea-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
      const report = JSON.parse(await readFile(file, 'utf8'));
      assert.equal(report.scenario, 'signalling');
      assert.equal(report.gateway, 'cardea');
      assert.equal(report.options.quick, true);
      assert.equal(report.machine.node, process.version);
      assert.ok(report.machine.cores > 0 && typeof report.machine.cpuModel === 'string');
      assert.equal(typeof report.packages['@cardea/core'], 'string', 'package versions recorded');
      assert.deepEqual(report.result, JSON.parse(JSON.stringify(data)));
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
