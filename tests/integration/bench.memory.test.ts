// `npm run bench -- memory --quick`, end to end through the CLI: a gateway child with --expose-gc,
// echo PeerConnections from the load generator, memory samples at each level, and heap snapshots
// summarised by constructor and ArrayBuffer owner. A test that the tool measures, not of the numbers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import type { ProbeSample, ProbeWindow } from '../../bench/src/memory/MemoryProbeTypes.ts';
import type { Growth } from '../../bench/src/memory/heapSnapshotSummary.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

interface MemoryResult {
  levels: Array<{ peers: number; sample: ProbeSample; window: ProbeWindow }>;
  snapshots: { from: number; to: number; classes: Growth[]; arrayBufferOwners: Growth[] };
}

it('bench memory --quick: samples every level, the gateway holds one session per PC, snapshots are summarised', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'cardea-bench-memory-'));
  try {
    const child = spawn(process.execPath, [path.join(root, 'bench', 'src', 'main.ts'), 'memory', '--quick', '--max', '2', '--out', out], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `bench exits 0:\n${stderr.slice(-2000)}`);
    assert.match(stdout, /heap snapshot growth 0 → 2 PCs/);
    const file = (await readdir(out)).find((f) => f.startsWith('memory-cardea-') && f.endsWith('.json'));
    assert.ok(file, 'a JSON result is written');
    const result = (JSON.parse(await readFile(path.join(out, file), 'utf8')) as { result: MemoryResult }).result;
    assert.deepEqual(
      result.levels.map((l) => l.peers),
      [0, 1, 2],
    );
    for (const { peers, sample, window } of result.levels) {
      assert.equal(sample.sessions, peers, 'one Janus session per echo PeerConnection is alive in the gateway');
      assert.ok(sample.rss > 0 && sample.heapUsed > 0 && sample.rssRunning > 0);
      assert.ok(sample.wasmMemories.length >= 1, 'the SRTP engine memory is seen');
      assert.ok(window.cpu >= 0 && window.scavengesPerSecond >= 0);
    }
    const [idle, two] = [result.levels[0], result.levels[2]];
    assert.ok(idle && two && two.sample.arrayBuffers > idle.sample.arrayBuffers, 'two PCs hold more ArrayBuffer bytes than none');
    assert.deepEqual([result.snapshots.from, result.snapshots.to], [0, 2]);
    assert.ok(result.snapshots.classes.length > 0, 'per-constructor growth');
    assert.ok(
      result.snapshots.arrayBufferOwners.some((g) => g.bytes > 0 && !g.key.startsWith('(')),
      'ArrayBuffer growth attributed to an owning object',
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
