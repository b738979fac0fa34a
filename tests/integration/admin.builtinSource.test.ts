// get_builtin_source: the Admin API hands out every source file of a built-in (the program that
// composes the gateway says where they are), list_plugins marks those built-ins forkable, and the
// files with the plugin's name rewritten deploy as a user plugin that clients attach to: what the
// studio's Fork does.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { BuiltinPluginSource, PluginListing } from '@cardea/admin-types';
import { builtinPlugins } from '@cardea/app';
import { Gateway, parseConfig } from '@cardea/core';
import { forkFiles } from '../../studio/src/editor/forkBuiltin.ts';
import { ADMIN_SECRET, adminRequest, startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient, type JanusMessage } from '../support/janusClient.ts';

const BUILTINS = ['janus.plugin.audiobridge', 'janus.plugin.echotest', 'janus.plugin.streaming', 'janus.plugin.videocall', 'janus.plugin.videoroom'];
const pluginsDir = path.resolve(import.meta.dirname, '../../plugins');

/** Every file of plugins/<folder>/src as `src/<path>` → text. */
function filesOnDisk(folder: string): Record<string, string> {
  const src = path.join(pluginsDir, folder, 'src');
  const files: Record<string, string> = {};
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(path.join(pluginsDir, folder), full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
  }
  return files;
}

const data = (m: JanusMessage): Record<string, unknown> => m.plugindata?.data ?? {};

describe('get_builtin_source: the built-ins as source files, to read and to fork', () => {
  let gw: SandboxGateway;
  let client: JanusClient;

  before(async () => {
    gw = await startSandboxGateway();
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
  });

  after(async () => {
    await client?.close();
    await gw?.close();
  });

  it('list_plugins marks every built-in forkable', async () => {
    const plugins = (await gw.admin({ janus: 'list_plugins' })).plugins as PluginListing[];
    assert.deepEqual(
      plugins
        .filter((p) => p.forkable === true)
        .map((p) => p.name)
        .sort(),
      BUILTINS,
    );
  });

  it("hands out every file of each built-in's src/ folder, as on disk, with the entry and the version", async () => {
    for (const name of BUILTINS) {
      const reply = (await gw.admin({ janus: 'get_builtin_source', name })) as unknown as BuiltinPluginSource & { janus: string };
      assert.equal(reply.janus, 'success', JSON.stringify(reply));
      assert.equal(reply.entry, 'src/index.ts');
      assert.equal(reply.version, '1.0.0');
      assert.deepEqual(reply.files, filesOnDisk(name.replace('janus.plugin.', '')), name);
    }
  });

  it('refuses without the admin secret (403) and for a name that is not a built-in (460)', async () => {
    const noSecret = await gw.admin({ janus: 'get_builtin_source', name: 'janus.plugin.echotest' }, null);
    assert.equal(noSecret.error?.code, 403);
    assert.equal(noSecret.files, undefined);
    await gw.deploy(
      'my.user',
      "import { definePlugin, ok } from '@cardea/plugin-sdk';\nexport default definePlugin({ name: 'my.user', version: '1.0.0', handleMessage: () => ok({}) });\n",
    );
    for (const name of ['janus.plugin.nope', 'my.user']) {
      const reply = await gw.admin({ janus: 'get_builtin_source', name });
      assert.equal(reply.error?.code, 460, `${name}: ${JSON.stringify(reply)}`);
    }
  });

  it('the Echo Test with its name rewritten deploys as a set of files and answers under the new name', async () => {
    const source = (await gw.admin({ janus: 'get_builtin_source', name: 'janus.plugin.echotest' })) as unknown as BuiltinPluginSource;
    const files = forkFiles(source.files, 'janus.plugin.echotest', 'my.echotest');
    assert.match(files['src/index.ts'] ?? '', /const NAME = 'my\.echotest';/);
    const index = files['src/index.ts'] ?? '';
    files['src/index.ts'] = index.replace(
      "await reply({ echotest: 'event', result: 'ok' });",
      "await reply({ echotest: 'event', result: 'forked' });",
    );
    assert.notEqual(files['src/index.ts'], index, 'the edit applied');
    const deployed = await gw.admin({ janus: 'deploy_plugin', name: 'my.echotest', files, entry: source.entry });
    assert.equal(deployed.janus, 'success', JSON.stringify(deployed));

    const handle = await client.attach('my.echotest');
    const from = client.events.length;
    await client.message(handle, { audio: true });
    const event = await client.waitForEvent((m) => m.janus === 'event' && m.sender === handle, 10_000, from);
    assert.equal(event.plugindata?.plugin, 'my.echotest');
    assert.deepEqual(data(event), { echotest: 'event', result: 'forked' });
    await client.detach(handle);

    const builtin = await client.attach('janus.plugin.echotest');
    const fromBuiltin = client.events.length;
    await client.message(builtin, { audio: true });
    const original = await client.waitForEvent((m) => m.janus === 'event' && m.sender === builtin, 10_000, fromBuiltin);
    assert.deepEqual(data(original), { echotest: 'event', result: 'ok' }, 'the built-in is untouched');
  });
});

describe('get_builtin_source with the built-ins sandboxed (plugins.builtinHost: "sandbox")', () => {
  it('lists them as built-ins, forkable, and hands out their files', async () => {
    const gw = await startSandboxGateway({ plugins: { builtinHost: 'sandbox' } });
    try {
      const plugins = (await gw.admin({ janus: 'list_plugins' })).plugins as PluginListing[];
      const builtins = plugins.filter((p) => p.builtin === true);
      assert.deepEqual(builtins.map((p) => p.name).sort(), BUILTINS);
      assert.ok(
        builtins.every((p) => p.host === 'sandbox' && p.forkable === true),
        JSON.stringify(builtins),
      );
      const reply = (await gw.admin({ janus: 'get_builtin_source', name: 'janus.plugin.echotest' })) as unknown as BuiltinPluginSource;
      assert.deepEqual(reply.files, filesOnDisk('echotest'));
    } finally {
      await gw.close();
    }
  });
});

describe('get_builtin_source on a gateway started without builtinSources', () => {
  it('lists the built-ins as not forkable and has no source to hand out', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cardea-plugins-'));
    const config = parseConfig({
      general: { logLevel: 'silent', adminSecret: ADMIN_SECRET },
      plugins: { dir },
      transports: { websocket: { enabled: false }, http: { enabled: false }, admin: { port: 0 } },
    });
    const gateway = await Gateway.start({ config, log: pino({ level: 'silent' }), plugins: builtinPlugins });
    try {
      const url = `http://127.0.0.1:${gateway.ports.admin}/admin`;
      const plugins = (await adminRequest(url, { janus: 'list_plugins' })).plugins as PluginListing[];
      assert.deepEqual(
        plugins.map((p) => p.forkable),
        BUILTINS.map(() => false),
      );
      assert.equal((await adminRequest(url, { janus: 'get_builtin_source', name: 'janus.plugin.echotest' })).error?.code, 460);
    } finally {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
