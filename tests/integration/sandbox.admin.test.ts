// The Admin API's plugin management (deploy_plugin, list_plugins, rollback_plugin, unload_plugin,
// plugin_logs), its refusal of requests without the admin secret, persistence across a restart,
// stored-token management, and the plugin event stream on the admin WebSocket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compilePlugin } from '../../core/src/plugins/sandbox/compilePlugin.ts';
import {
  ADMIN_SECRET,
  AdminSocket,
  adminRequest,
  startSandboxGateway,
  type AdminReply,
  type SandboxGateway,
} from '../support/adminClient.ts';
import { USER_ECHO, userEchoSource } from '../support/adminPluginSources.ts';
import { connectJanus, JanusRequestError, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

interface Listed {
  name: string;
  version: string;
  hash: string | null;
  host: string;
  handles: number;
  state: string;
}

async function listed(gw: SandboxGateway, name: string): Promise<Listed | undefined> {
  const reply = await gw.admin({ janus: 'list_plugins' });
  return (reply.plugins as Listed[]).find((p) => p.name === name);
}

function assertError(reply: AdminReply, code: number, pattern?: RegExp): void {
  assert.equal(reply.janus, 'error', `expected error ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error?.code, code, JSON.stringify(reply.error));
  if (pattern) assert.match(reply.error?.reason ?? '', pattern);
}

/** A small plugin whose `name` and body vary per test. */
function tinyPlugin(name: string, extra = ''): string {
  return `import { definePlugin, ok } from '@cardea/plugin-sdk';
${extra}
export default definePlugin({ name: '${name}', version: '1.0.0', handleMessage: () => ok({ tiny: true }) });
`;
}

describe('admin API: plugin management', () => {
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

  it('refuses every request without or with a wrong admin_secret (403), and nothing changes', async () => {
    const ws = await AdminSocket.connect(gw.adminUrl);
    try {
      const requests = [
        { janus: 'deploy_plugin', name: 'cardea.plugin.sneaky', source: tinyPlugin('cardea.plugin.sneaky'), language: 'ts' },
        { janus: 'list_plugins' },
        { janus: 'rollback_plugin', name: USER_ECHO },
        { janus: 'unload_plugin', name: USER_ECHO, force: true },
        { janus: 'plugin_logs', name: USER_ECHO },
        { janus: 'list_sessions' },
        { janus: 'add_token', token: 'x' },
        { janus: 'subscribe_plugin_events' },
      ];
      for (const request of requests) {
        for (const secret of [null, 'wrong-secret', '']) {
          assertError(await adminRequest(gw.adminUrl, request, secret), 403);
          assertError(await ws.request(request, secret), 403);
        }
      }
      assert.equal(await listed(gw, 'cardea.plugin.sneaky'), undefined, 'nothing was deployed');
      const info = await client.info();
      assert.equal((info.plugins as Record<string, unknown>)['cardea.plugin.sneaky'], undefined);
    } finally {
      await ws.close();
    }
  });

  it('deploys a TypeScript plugin that clients attach to by name; list_plugins reports it', async () => {
    const outcome = await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
    assert.equal(outcome.version, '1.0.0');
    assert.match(outcome.hash, /^[0-9a-f]{64}$/);
    assert.equal(outcome.previous, null);
    const row = await listed(gw, USER_ECHO);
    assert.deepEqual(
      { ...row, description: undefined, author: undefined, versions: undefined },
      {
        name: USER_ECHO,
        version: '1.0.0',
        hash: outcome.hash,
        host: 'sandbox',
        handles: 0,
        state: 'running',
        description: undefined,
        author: undefined,
        versions: undefined,
      },
    );
    const builtin = await listed(gw, 'janus.plugin.echotest');
    assert.equal(builtin?.host, 'in-process');
    assert.equal(builtin?.hash, null);

    const handle = await client.attach(USER_ECHO);
    const reply = await client.message(handle, { hello: 'sandbox' });
    assert.deepEqual(reply.plugindata, { plugin: USER_ECHO, data: { userecho: 'event', result: 'ok', version: '1.0.0', messages: 1 } });
    assert.equal((await listed(gw, USER_ECHO))?.handles, 1);
    const info = await client.info();
    assert.equal((info.plugins as Record<string, { version_string: string }>)[USER_ECHO]?.version_string, '1.0.0');
    await client.detach(handle);

    const again = await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
    assert.equal(again.unchanged, true, 'an identical upload changes nothing');
  });

  it('a throwing handler answers that request with 462 and the session goes on; plugin_logs has the source-mapped stack', async () => {
    const handle = await client.attach(USER_ECHO);
    await assert.rejects(
      client.message(handle, { request: 'throw' }),
      (error: unknown) => error instanceof JanusRequestError && error.code === 462 && /thrown on request/.test(error.message),
    );
    const next = await client.message(handle, { hello: 'still here' });
    assert.equal(next.plugindata?.data.messages, 2, 'the handle and its state survived');
    const logs = await gw.admin({ janus: 'plugin_logs', name: USER_ECHO });
    const entry = (logs.logs as Array<{ level: string; message: string; stack?: string }>).find((l) =>
      l.message.includes('thrown on request'),
    );
    assert.equal(entry?.level, 'error');
    const throwLine =
      userEchoSource('1.0.0')
        .split('\n')
        .findIndex((l) => l.includes("throw new TypeError('thrown on request')")) + 1;
    assert.match(
      entry?.stack ?? '',
      new RegExp(`at handleMessage \\(${USER_ECHO.replaceAll('.', '\\.')}\\.ts:${throwLine}:\\d+\\)`),
      entry?.stack,
    );
    await client.detach(handle);
  });

  it('maps stacks through an uploaded source map (JavaScript compiled by a studio)', async () => {
    const name = 'cardea.plugin.mapped';
    const ts = `import { definePlugin } from '@cardea/plugin-sdk';\n\ntype Body = { n: number };\n\nfunction explode(body: Body): never {\n  throw new RangeError('mapped ' + body.n);\n}\n\nexport default definePlugin({ name: '${name}', version: '1.0.0', handleMessage: ({ body }) => explode(body as Body) });\n`;
    const studio = await compilePlugin({ name: 'studio-build', source: ts, language: 'ts' });
    await gw.deploy(name, studio.code, 'js', studio.map);
    const handle = await client.attach(name);
    await assert.rejects(client.message(handle, { n: 7 }), /mapped 7/);
    const logs = await gw.admin({ janus: 'plugin_logs', name });
    const stack = (logs.logs as Array<{ stack?: string }>).find((l) => l.stack)?.stack ?? '';
    assert.match(stack, /at explode \(studio-build\.ts:6:\d+\)/, stack);
    await client.detach(handle);
  });

  it('refuses uploads that do not compile, import anything but the SDK, or do not load; the running version stays', async () => {
    const before = await listed(gw, USER_ECHO);
    const cases: Array<[string, string, RegExp]> = [
      ['syntax error', 'export default definePlugin({ name: ', /compile failed/],
      [
        'node built-in import',
        tinyPlugin(USER_ECHO, "import { readFileSync } from 'node:fs'; void readFileSync;"),
        /import 'node:fs' is not allowed/,
      ],
      ['relative import', tinyPlugin(USER_ECHO, "import x from './other.ts'; void x;"), /import '\.\/other\.ts' is not allowed/],
      ['wrong declared name', tinyPlugin('cardea.plugin.other'), /declares plugin 'cardea\.plugin\.other'/],
      ['throw at load', `throw new Error('no');`, /did not load: .*no/],
      ['no default export', 'export const x = 1;', /default export must be definePlugin/],
      ['spinning at load', 'for (;;) {}', /deadline/],
    ];
    for (const [what, source, pattern] of cases) {
      const reply = await gw.admin({ janus: 'deploy_plugin', name: USER_ECHO, source, language: 'ts' });
      assertError(reply, 490, pattern);
      assert.deepEqual(await listed(gw, USER_ECHO), before, `${what}: nothing changed`);
    }
    assertError(
      await gw.admin({
        janus: 'deploy_plugin',
        name: 'janus.plugin.echotest',
        source: tinyPlugin('janus.plugin.echotest'),
        language: 'ts',
      }),
      490,
      /built-in/,
    );
    assertError(await gw.admin({ janus: 'deploy_plugin', name: USER_ECHO, source: 'x', language: 'coffee' }), 467);
    assertError(await gw.admin({ janus: 'deploy_plugin', name: USER_ECHO, language: 'ts' }), 456);
  });

  it('unload_plugin refuses while handles are attached unless forced; forced, the handles are detached', async () => {
    const name = 'cardea.plugin.tiny';
    await gw.deploy(name, tinyPlugin(name));
    const handle = await client.attach(name);
    assertError(await gw.admin({ janus: 'unload_plugin', name }), 490, /attached handle/);
    const from = client.events.length;
    const reply = await gw.admin({ janus: 'unload_plugin', name, force: true });
    assert.equal(reply.janus, 'success', JSON.stringify(reply));
    await client.waitForEvent((m) => m.janus === 'detached' && m.sender === handle, 5000, from);
    assert.equal(await listed(gw, name), undefined);
    await assert.rejects(client.attach(name), (error: unknown) => error instanceof JanusRequestError && error.code === 460);
    assertError(await gw.admin({ janus: 'unload_plugin', name }), 460);
    assertError(await gw.admin({ janus: 'unload_plugin', name: 'janus.plugin.echotest', force: true }), 490, /built-in/);
  });

  it('rollback_plugin needs a previous version', async () => {
    const name = 'cardea.plugin.once';
    await gw.deploy(name, tinyPlugin(name));
    assertError(await gw.admin({ janus: 'rollback_plugin', name }), 490, /no previous version/);
    assertError(await gw.admin({ janus: 'rollback_plugin', name: 'cardea.plugin.nope' }), 460);
  });
});

describe('admin API: deployed plugins survive a restart', () => {
  it('reloads the current version at start, and rollback uses the stored history', async () => {
    const first = await startSandboxGateway();
    const dir = first.pluginDir;
    let second: SandboxGateway | undefined;
    try {
      await first.deploy(USER_ECHO, userEchoSource('1.0.0'));
      const v2 = await first.deploy(USER_ECHO, userEchoSource('2.0.0'));
      await first.gateway.close();
      second = await startSandboxGateway({}, dir);
      const row = await listed(second, USER_ECHO);
      assert.equal(row?.version, '2.0.0');
      assert.equal(row?.hash, v2.hash);
      const client = await connectJanus('http', second.httpUrl);
      try {
        await client.create();
        const handle = await client.attach(USER_ECHO);
        assert.equal((await client.message(handle, {})).plugindata?.data.version, '2.0.0');
        const back = await second.admin({ janus: 'rollback_plugin', name: USER_ECHO });
        assert.equal((back.plugin as { version: string }).version, '1.0.0');
      } finally {
        await client.close();
      }
    } finally {
      await second?.close();
      await first.close();
    }
  });
});

describe('admin API: stored tokens', () => {
  let gw: SandboxGateway;

  before(async () => {
    gw = await startSandboxGateway({ general: { tokenAuth: true } });
    await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
  });

  after(async () => {
    await gw?.close();
  });

  it('add_token, allow_token, disallow_token, list_tokens and remove_token control who may attach to what', async () => {
    const anonymous = await connectJanus('ws', gw.wsUrl);
    await assert.rejects(anonymous.create(), (error: unknown) => error instanceof JanusRequestError && error.code === 403);
    await anonymous.close();

    const added = await gw.admin({ janus: 'add_token', token: 't1', plugins: ['janus.plugin.echotest'] });
    assert.deepEqual(added.data, { plugins: ['janus.plugin.echotest'] });
    assertError(await gw.admin({ janus: 'add_token', token: 't1' }), 490, /already exists/);
    assertError(await gw.admin({ janus: 'add_token', token: 't2', plugins: ['janus.plugin.nope'] }), 460);

    const client = await connectJanus('ws', gw.wsUrl, { token: 't1' });
    try {
      await client.create();
      await client.attach('janus.plugin.echotest');
      await assert.rejects(client.attach(USER_ECHO), (error: unknown) => error instanceof JanusRequestError && error.code === 405);
      const allowed = await gw.admin({ janus: 'allow_token', token: 't1', plugins: [USER_ECHO] });
      assert.deepEqual(allowed.data, { plugins: ['janus.plugin.echotest', USER_ECHO] });
      await client.attach(USER_ECHO);
      await gw.admin({ janus: 'disallow_token', token: 't1', plugins: ['janus.plugin.echotest'] });
      await assert.rejects(
        client.attach('janus.plugin.echotest'),
        (error: unknown) => error instanceof JanusRequestError && error.code === 405,
      );

      await gw.admin({ janus: 'add_token', token: 'all' });
      const list = await gw.admin({ janus: 'list_tokens' });
      const tokens = (list.data as { tokens: Array<{ token: string; allowed_plugins: string[] }> }).tokens;
      assert.deepEqual(tokens.find((t) => t.token === 't1')?.allowed_plugins, [USER_ECHO]);
      assert.ok(
        tokens.find((t) => t.token === 'all')?.allowed_plugins.includes(USER_ECHO),
        'without a list, every loaded plugin is allowed',
      );

      assert.equal((await gw.admin({ janus: 'remove_token', token: 't1' })).janus, 'success');
      assertError(await gw.admin({ janus: 'remove_token', token: 't1' }), 470);
      assertError(await gw.admin({ janus: 'allow_token', token: 't1', plugins: [] }), 470);
      await assert.rejects(client.keepalive(), (error: unknown) => error instanceof JanusRequestError && error.code === 403);
    } finally {
      await client.close();
    }
  });

  it('token verbs answer an error when token authentication is off', async () => {
    const plain = await startSandboxGateway();
    try {
      assertError(await plain.admin({ janus: 'list_tokens' }), 490, /disabled/);
    } finally {
      await plain.close();
    }
  });
});

describe('admin API: plugin event stream on the admin WebSocket', () => {
  let gw: SandboxGateway;

  before(async () => {
    gw = await startSandboxGateway();
  });

  after(async () => {
    await gw?.close();
  });

  it('streams deploys, log lines and faults to subscribed connections only', async () => {
    const subscriber = await AdminSocket.connect(gw.adminUrl);
    const bystander = await AdminSocket.connect(gw.adminUrl);
    const client = await connectJanus('ws', gw.wsUrl);
    try {
      const sub = await subscriber.request({ janus: 'subscribe_plugin_events' });
      assert.equal(sub.janus, 'success', JSON.stringify(sub));
      assertError(await adminRequest(gw.adminUrl, { janus: 'subscribe_plugin_events' }, ADMIN_SECRET), 450, /WebSocket/);

      await subscriber.request({ janus: 'deploy_plugin', name: USER_ECHO, source: userEchoSource('1.0.0'), language: 'ts' });
      const deployed = await subscriber.waitForEvent((m) => m.janus === 'plugin_event' && m.event === 'deployed');
      assert.equal(deployed.plugin, USER_ECHO);

      await client.create();
      const handle = await client.attach(USER_ECHO);
      await client.message(handle, {});
      const log = await subscriber.waitForEvent((m) => m.event === 'log' && (m.entry as { message: string }).message === 'message');
      assert.deepEqual((log.entry as { fields: unknown }).fields, { messages: 1 });
      await client.message(handle, { request: 'throw' }).catch(() => undefined);
      const error = await subscriber.waitForEvent((m) => m.event === 'log' && (m.entry as { level: string }).level === 'error');
      assert.match(String((error.entry as { stack: string }).stack), /cardea\.plugin\.userecho\.ts:\d+:\d+/);

      const spinner = `import { definePlugin, ok } from '@cardea/plugin-sdk';\nexport default definePlugin({ name: 'cardea.plugin.spinner', version: '1.0.0', handleMessage() { for (;;) {} } });\n`;
      await subscriber.request({ janus: 'deploy_plugin', name: 'cardea.plugin.spinner', source: spinner, language: 'ts' });
      const spin = await client.attach('cardea.plugin.spinner');
      await client.message(spin, {}).catch(() => undefined);
      const fault = await subscriber.waitForEvent((m) => m.event === 'fault');
      assert.equal(fault.plugin, 'cardea.plugin.spinner');
      assert.equal(fault.kind, 'cpu');
      assert.equal(fault.handles, 1);

      await waitFor(
        () => subscriber.events.length,
        (n) => n > 0,
        1000,
        'events',
      );
      assert.equal(bystander.events.length, 0, 'an unsubscribed connection gets nothing');
      const unsub = await subscriber.request({ janus: 'unsubscribe_plugin_events' });
      assert.equal(unsub.janus, 'success');
    } finally {
      await client.close();
      await subscriber.close();
      await bystander.close();
    }
  });
});
