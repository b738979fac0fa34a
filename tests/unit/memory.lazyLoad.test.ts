// Subsystems a gateway may never use are imported on first use, not at start (idle memory,
// `npm run bench -- memory`): esbuild (plugin deploys) and libopus-wasm (the AudioBridge mixer).
// A fresh process is needed to see what a start imports, so the probe runs as a child.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const probe = fileURLToPath(new URL('./support/lazyLoadProbe.ts', import.meta.url));

interface ProbeOutput {
  atStart: { esbuild: boolean; libopus: boolean };
  afterUse: { esbuild: boolean; libopus: boolean };
  compiledHasAnswer: boolean;
  opusPacketBytes: number;
  decodedSamples: number;
}

test('memory: esbuild and libopus are not imported by a gateway start, and work on first use', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [probe], { timeout: 30_000 });
  const out = JSON.parse(stdout) as ProbeOutput;
  assert.deepEqual(out.atStart, { esbuild: false, libopus: false }, 'neither is loaded by Gateway.start()');
  assert.deepEqual(out.afterUse, { esbuild: true, libopus: true }, 'both are loaded once used');
  assert.ok(out.compiledHasAnswer, 'the first plugin compile produced the module');
  assert.ok(out.opusPacketBytes > 10, `the first encoder made a real Opus packet (${out.opusPacketBytes} bytes)`);
  assert.equal(out.decodedSamples, 960, 'the first decoder decoded one 20 ms frame at 48 kHz');
});
