// Issue 11: a user plugin named after an Object.prototype member (`toString`, `constructor`, …)
// passed the name check, was activated and served, yet its deploy answered error 490, rollback threw
// and nothing was persisted: the plugin store kept its manifest in a plain object, where
// `plugins['toString']` is a function. Such names now work fully; `__proto__` is refused by the
// name rule (a name starts with a letter or digit).
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandboxGateway, type AdminReply, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';

const NAMES = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];

/** Not about deadlines: a generous one, so a loaded machine does not fault the 14 deploys. */
const config = { plugins: { sandbox: { deadlineMs: 3000 } } };

const source = (name: string, version: string): string => `import { definePlugin, ok } from '@cardea/plugin-sdk';
export default definePlugin({
  name: '${name}',
  version: '${version}',
  handleMessage() {
    return ok({ plugin: '${name}', version: '${version}' });
  },
});
`;

function success(reply: AdminReply, what: string): AdminReply {
  assert.equal(reply.janus, 'success', `${what}: ${JSON.stringify(reply)}`);
  return reply;
}

async function served(client: JanusClient, name: string): Promise<unknown> {
  const handle = await client.attach(name);
  try {
    return (await client.message(handle, {})).plugindata?.data;
  } finally {
    await client.detach(handle);
  }
}

describe('plugins named after Object.prototype members', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let storeDir: string | undefined;

  before(async () => {
    gw = await startSandboxGateway(config);
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
  });

  after(async () => {
    await client?.close();
    await gw?.close();
    if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true });
  });

  it('deploy, attach, redeploy, rollback and unload work, and each step is persisted', async () => {
    for (const name of NAMES) {
      const deployed = success(await gw.admin({ janus: 'deploy_plugin', name, source: source(name, '1.0.0'), language: 'ts' }), `deploy ${name}`);
      assert.equal((deployed.plugin as { name: string }).name, name);
      assert.deepEqual(await served(client, name), { plugin: name, version: '1.0.0' });
      success(await gw.admin({ janus: 'deploy_plugin', name, source: source(name, '2.0.0'), language: 'ts' }), `redeploy ${name}`);
      assert.deepEqual(await served(client, name), { plugin: name, version: '2.0.0' });
    }
    const manifest = JSON.parse(await readFile(path.join(gw.pluginDir, 'manifest.json'), 'utf8')) as { plugins: Record<string, { history: string[] }> };
    assert.deepEqual(Object.keys(manifest.plugins).sort(), [...NAMES].sort(), 'every name is in the manifest');
    for (const name of NAMES) assert.equal(Object.getOwnPropertyDescriptor(manifest.plugins, name)?.value.history.length, 1);

    for (const name of NAMES) {
      const back = success(await gw.admin({ janus: 'rollback_plugin', name }), `rollback ${name}`);
      assert.equal((back.plugin as { version: string }).version, '1.0.0');
      assert.deepEqual(await served(client, name), { plugin: name, version: '1.0.0' });
    }

    // A restart on the same store brings every one back, at its rolled-back version.
    await gw.gateway.close();
    const dir = gw.pluginDir;
    storeDir = dir;
    await client.close();
    gw = await startSandboxGateway(config, dir);
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    const listed = success(await gw.admin({ janus: 'list_plugins' }), 'list_plugins').plugins as Array<{ name: string; version: string }>;
    for (const name of NAMES) {
      assert.equal(listed.find((row) => row.name === name)?.version, '1.0.0', `${name} restored`);
      assert.deepEqual(await served(client, name), { plugin: name, version: '1.0.0' });
    }

    for (const name of NAMES) success(await gw.admin({ janus: 'unload_plugin', name }), `unload ${name}`);
    const after = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { plugins: object };
    assert.deepEqual(Object.keys(after.plugins), [], 'unloads are persisted');
    const rows = success(await gw.admin({ janus: 'list_plugins' }), 'list_plugins').plugins as Array<{ name: string }>;
    for (const name of NAMES) assert.equal(rows.find((row) => row.name === name), undefined, `${name} unloaded`);
  });

  it('__proto__ and other names outside the name rule are refused at deploy, and nothing serves', async () => {
    for (const name of ['__proto__', '__defineGetter__', '__lookupSetter__']) {
      const reply = await gw.admin({ janus: 'deploy_plugin', name, source: source(name, '1.0.0'), language: 'ts' });
      assert.equal(reply.janus, 'error', JSON.stringify(reply));
      assert.match(reply.error?.reason ?? '', /invalid plugin name/);
      const rows = success(await gw.admin({ janus: 'list_plugins' }), 'list_plugins').plugins as Array<{ name: string }>;
      assert.equal(rows.find((row) => row.name === name), undefined);
    }
  });
});
