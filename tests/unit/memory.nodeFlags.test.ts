// The gateway's Node flags (app/src/nodeFlags.ts) are what every launcher uses, and they do what
// they are for: V8's young generation stays small under allocation churn (memory per packet rate).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { GATEWAY_NODE_FLAGS } from '@cardea/app';

const root = new URL('../../', import.meta.url);

test('memory: npm start, the cardea bin and the bench start the gateway with GATEWAY_NODE_FLAGS', async () => {
  const manifest = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: { start: string } };
  const shebang = (await readFile(new URL('app/src/main.ts', root), 'utf8')).split('\n')[0] ?? '';
  for (const flag of GATEWAY_NODE_FLAGS) {
    assert.ok(manifest.scripts.start.split(' ').includes(flag), `npm start passes ${flag}`);
    assert.ok(shebang.startsWith('#!/usr/bin/env -S node ') && shebang.split(' ').includes(flag), `main.ts's shebang passes ${flag}`);
  }
  const bench = await readFile(new URL('bench/src/gateway/CardeaProcess.ts', root), 'utf8');
  assert.match(bench, /\.\.\.GATEWAY_NODE_FLAGS/, 'the bench starts Cardea with them');
});

test('memory: with GATEWAY_NODE_FLAGS the young generation stays at most 8 MiB under churn (Node default: 32)', async () => {
  const churn = `
    const v8 = require('node:v8');
    let keep = [];
    for (let i = 0; i < 2e6; i++) { keep.push({ i, b: [i] }); if (keep.length > 20000) keep = []; }
    const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(ns.space_size));`;
  const run = async (flags: readonly string[]): Promise<number> =>
    Number((await promisify(execFile)(process.execPath, [...flags, '-e', churn], { timeout: 30_000 })).stdout);
  const [tuned, plain] = await Promise.all([run(GATEWAY_NODE_FLAGS), run([])]);
  assert.ok(tuned <= 8 * 1048576, `young generation with the flags: ${tuned} bytes`);
  assert.ok(plain > tuned, `and larger without them (${plain} bytes): the flag is what keeps it small`);
});
