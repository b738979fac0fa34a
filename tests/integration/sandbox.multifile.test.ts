// deploy_plugin with a set of files (`{ files, entry }`): relative imports resolve among the files,
// stacks map back to each file, nothing else may be imported, the caps hold, get_plugin_source hands
// the files back, and a restart reloads the version from the store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandboxGateway, type AdminReply, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, JanusRequestError, type JanusClient } from '../support/janusClient.ts';

const NAME = 'cardea.plugin.multifile';

/** Three files in two folders: the entry, a room model, and a helper imported without extension. */
function pluginFiles(version: string): Record<string, string> {
  return {
    'src/index.ts': `import { definePlugin, ok } from '@cardea/plugin-sdk';
import { Room } from './rooms/Room.ts';
import { label } from './label';

const room = new Room();

export default definePlugin({
  name: '${NAME}',
  version: '${version}',
  handleMessage: ({ body }) => {
    if (body.request === 'throw') room.explode();
    return ok({ label: label(room.join()), version: '${version}' });
  },
});
`,
    'src/rooms/Room.ts': `export class Room {
  #count = 0;

  join(): number {
    return ++this.#count;
  }

  explode(): never {
    throw new RangeError('room exploded');
  }
}
`,
    'src/label.js': `export function label(n) {
  return 'member ' + n;
}
`,
  };
}

function assertError(reply: AdminReply, code: number, pattern: RegExp): void {
  assert.equal(reply.janus, 'error', `expected error ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error?.code, code, JSON.stringify(reply.error));
  assert.match(reply.error?.reason ?? '', pattern);
}

describe('deploy_plugin with a set of files', () => {
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

  it('bundles the files (imports among them) into a plugin that clients attach to', async () => {
    const reply = await gw.admin({ janus: 'deploy_plugin', name: NAME, files: pluginFiles('1.0.0'), entry: 'src/index.ts' });
    assert.equal(reply.janus, 'success', JSON.stringify(reply));
    const handle = await client.attach(NAME);
    assert.deepEqual((await client.message(handle, {})).plugindata?.data, { label: 'member 1', version: '1.0.0' });
    assert.deepEqual((await client.message(handle, {})).plugindata?.data, { label: 'member 2', version: '1.0.0' });
    await client.detach(handle);
  });

  it("maps a stack thrown in another file to that file's path and line", async () => {
    const handle = await client.attach(NAME);
    await assert.rejects(
      client.message(handle, { request: 'throw' }),
      (error: unknown) => error instanceof JanusRequestError && /room exploded/.test(error.message),
    );
    const logs = await gw.admin({ janus: 'plugin_logs', name: NAME });
    const stack = (logs.logs as Array<{ message: string; stack?: string }>).find((l) => l.message.includes('room exploded'))?.stack ?? '';
    assert.match(stack, /at explode \(src\/rooms\/Room\.ts:9:\d+\)/, stack);
    assert.match(stack, /src\/index\.ts:11:\d+/, stack);
    await client.detach(handle);
  });

  it('get_plugin_source hands back the files and the entry', async () => {
    const source = await gw.admin({ janus: 'get_plugin_source', name: NAME });
    assert.equal(source.janus, 'success', JSON.stringify(source));
    assert.deepEqual(source.files, pluginFiles('1.0.0'));
    assert.equal(source.entry, 'src/index.ts');
    assert.equal(source.source, pluginFiles('1.0.0')['src/index.ts']);
    assert.equal(source.language, 'ts');
  });

  it('refuses imports of anything but the SDK and its own files, paths out of the set, and oversized uploads', async () => {
    const base = pluginFiles('1.0.0');
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      [
        'a package',
        { ...base, 'src/label.js': "import 'zod';\nexport const label = (n) => n;" },
        'src/index.ts',
        /src\/label\.js:1:\d+: import 'zod' is not allowed/,
      ],
      [
        'a Node built-in',
        { ...base, 'src/label.js': "import 'node:fs';\nexport const label = (n) => n;" },
        'src/index.ts',
        /import 'node:fs' is not allowed/,
      ],
      ['a missing file', { 'src/index.ts': base['src/index.ts'] ?? '' }, 'src/index.ts', /cannot find '\.\/rooms\/Room\.ts'/],
      [
        'above the root',
        { ...base, 'src/label.js': "import '../../etc/passwd.js';" },
        'src/index.ts',
        /cannot find '\.\.\/\.\.\/etc\/passwd\.js'/,
      ],
      ['an absolute path', { ...base, '/etc/x.ts': '' }, 'src/index.ts', /'\/etc\/x\.ts' is not a valid file path/],
      ['a dot-dot path', { ...base, 'src/../x.ts': '' }, 'src/index.ts', /is not a valid file path/],
      ['another extension', { ...base, 'src/data.json': '{}' }, 'src/index.ts', /'src\/data\.json' is not a valid file path/],
      ['an entry not in the set', base, 'src/main.ts', /entry 'src\/main\.ts' is not one of the files/],
      ['over the size cap', { ...base, 'src/big.ts': `// ${'x'.repeat(2 * 1024 * 1024)}` }, 'src/index.ts', /exceed 2097152 characters/],
      ['too many files', Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`f${i}.ts`, ''])), 'f0.ts', /more than 256 files/],
    ];
    for (const [what, files, entry, pattern] of cases) {
      const reply = await gw.admin({ janus: 'deploy_plugin', name: NAME, files, entry });
      assertError(reply, 490, pattern);
      assert.ok(!JSON.stringify(reply).includes('root:'), what);
    }
    assertError(await gw.admin({ janus: 'deploy_plugin', name: NAME, files: { 'a.ts': 1 }, entry: 'a.ts' }), 467, /files/);
    assertError(await gw.admin({ janus: 'deploy_plugin', name: NAME, files: {} }), 456, /entry/);
    const handle = await client.attach(NAME);
    assert.equal((await client.message(handle, {})).plugindata?.data.version, '1.0.0', 'the running version stays');
    await client.detach(handle);
  });
});

describe('deploy_plugin with a set of files: restart', () => {
  it('reloads the version from the store and still hands back its files', async () => {
    const first = await startSandboxGateway();
    let second: SandboxGateway | undefined;
    try {
      const reply = await first.admin({ janus: 'deploy_plugin', name: NAME, files: pluginFiles('2.0.0'), entry: 'src/index.ts' });
      assert.equal(reply.janus, 'success', JSON.stringify(reply));
      await first.gateway.close();
      second = await startSandboxGateway({}, first.pluginDir);
      const client = await connectJanus('http', second.httpUrl);
      try {
        await client.create();
        const handle = await client.attach(NAME);
        assert.deepEqual((await client.message(handle, {})).plugindata?.data, { label: 'member 1', version: '2.0.0' });
      } finally {
        await client.close();
      }
      assert.deepEqual((await second.admin({ janus: 'get_plugin_source', name: NAME })).files, pluginFiles('2.0.0'));
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
