// `plugins.builtinHost: "sandbox"`: the built-ins bundled from their own source files and run
// in sandboxes under their Janus names; they stay built-ins (not deployable, unloadable or stored),
// and a built-in without source files stops the start.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { builtinPlugins, builtinSources } from '@cardea/app';
import { Gateway, parseConfig } from '@cardea/core';
import { startSandboxGateway, type AdminReply, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';

interface Row {
  name: string;
  host: string;
  hash: string | null;
  state: string;
}

function assertError(reply: AdminReply, code: number, pattern: RegExp): void {
  assert.equal(reply.janus, 'error', JSON.stringify(reply));
  assert.equal(reply.error?.code, code, JSON.stringify(reply.error));
  assert.match(reply.error?.reason ?? '', pattern);
}

describe('built-ins hosted in the sandbox', () => {
  let gw: SandboxGateway;
  let client: JanusClient;

  before(async () => {
    gw = await startSandboxGateway({ plugins: { builtinHost: 'sandbox' } });
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
  });

  after(async () => {
    await client?.close();
    await gw?.close();
  });

  it('lists the built-ins as sandboxed, running, with a content hash', async () => {
    const rows = (await gw.admin({ janus: 'list_plugins' })).plugins as Row[];
    const builtins = rows.filter((r) => builtinPlugins.some((p) => p.name === r.name));
    assert.deepEqual(
      builtins.map((r) => [r.name, r.host, r.state]),
      builtinPlugins.map((p) => [p.name, 'sandbox', 'running']),
    );
    for (const row of builtins) assert.match(row.hash ?? '', /^[0-9a-f]{64}$/);
  });

  it('answers Janus requests under the same names (VideoRoom create and exists, AudioBridge create), with their log lines kept', async () => {
    const vr = await client.attach('janus.plugin.videoroom');
    const created = await client.message(vr, { request: 'create', room: 4242, description: 'sandboxed' });
    assert.deepEqual(created.plugindata?.data, { videoroom: 'created', room: 4242, permanent: false });
    assert.equal((await client.message(vr, { request: 'exists', room: 4242 })).plugindata?.data.exists, true);
    const ab = await client.attach('janus.plugin.audiobridge');
    const abCreated = await client.message(ab, { request: 'create', room: 4343 });
    assert.equal(abCreated.plugindata?.data.audiobridge, 'created');
    const logs = await gw.admin({ janus: 'plugin_logs', name: 'janus.plugin.videoroom' });
    assert.equal(logs.janus, 'success', 'a sandboxed built-in keeps its log lines like a user plugin');
  });

  it('stays a built-in: not deployable over, not unloadable, nothing written to the plugin store', async () => {
    const tiny = `import { definePlugin, ok } from '@cardea/plugin-sdk';\nexport default definePlugin({ name: 'janus.plugin.echotest', version: '9.9.9', handleMessage: () => ok({}) });\n`;
    assertError(await gw.admin({ janus: 'deploy_plugin', name: 'janus.plugin.echotest', source: tiny, language: 'ts' }), 490, /built-in/);
    assertError(await gw.admin({ janus: 'unload_plugin', name: 'janus.plugin.videoroom', force: true }), 490, /built-in/);
    assert.deepEqual(await readdir(gw.pluginDir), []);
  });
});

describe('built-ins hosted in the sandbox: start', () => {
  it('a built-in without source files is an error at start, naming it', async () => {
    const config = parseConfig({
      general: { logLevel: 'silent' },
      plugins: { builtinHost: 'sandbox', dir: '/nonexistent-cardea-test' },
      transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
    });
    await assert.rejects(
      Gateway.start({
        config,
        log: pino({ level: 'silent' }),
        plugins: builtinPlugins,
        builtinSources: builtinSources.filter((s) => s.name !== 'janus.plugin.videocall'),
      }),
      /no source files given for built-in 'janus\.plugin\.videocall'/,
    );
  });
});
