import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../app/src/main.ts', import.meta.url));

/** Runs `cardea` with `args` until it exits or prints a line matching `until`. */
function run(args: string[], until?: RegExp): Promise<{ code: number | null; stderr: string; kill(): Promise<number | null> }> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  return new Promise((resolve) => {
    const done = (code: number | null) => resolve({ code, stderr, kill: async () => code });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (until?.test(stderr)) {
        resolve({
          code: null,
          stderr,
          kill: async () => {
            child.kill('SIGTERM');
            const [code] = (await once(child, 'exit')) as [number | null];
            return code;
          },
        });
      }
    });
    child.on('exit', (code) => done(code));
  });
}

test('cli: an invalid flag value exits non-zero with a message naming the field', async () => {
  const { code, stderr } = await run(['--ws-port', 'abc']);
  assert.notEqual(code, 0);
  assert.match(stderr, /transports\.websocket\.port/);
});

test('cli: an unknown config key is refused, naming it', async () => {
  const { code, stderr } = await run(['--config', '/dev/null']);
  assert.notEqual(code, 0, 'an empty file is not a JSON object');
  assert.match(stderr, /config file/);
});

test('cli: starts on the given ports, prints the generated admin secret once, serves the Janus API, stops on SIGTERM', async () => {
  const ports = ['--ws-port', '0', '--http-port', '0', '--admin-port', '0', '--log-level', 'warn'];
  const gw = await run(ports, /Admin secret \(generated, shown once\): \S+/);
  try {
    const http = /Janus API \(HTTP\):\s+(http:\/\/\S+)/.exec(gw.stderr)?.[1];
    assert.ok(http, `prints the HTTP URL:\n${gw.stderr}`);
    const info = (await (await fetch(http, { method: 'POST', body: JSON.stringify({ janus: 'info', transaction: 't' }) })).json()) as Record<string, unknown>;
    assert.equal(info.janus, 'server_info');
    assert.ok(typeof info.plugins === 'object' && info.plugins !== null, 'server_info lists plugins');
    // The program (app/src/main.ts) composes the core with the built-ins; the core itself names none.
    for (const name of ['janus.plugin.echotest', 'janus.plugin.videocall', 'janus.plugin.videoroom', 'janus.plugin.audiobridge']) {
      assert.ok(name in info.plugins, `${name} is loaded by the cardea program`);
    }
  } finally {
    assert.equal(await gw.kill(), 0, 'exits 0 on SIGTERM');
  }
});
