// The SDK's request kit (plugin-sdk/src/defineRequests.ts), RoomAccess, and zod inside QuickJS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import {
  asyncRequest,
  defineRequests,
  PluginRequestError,
  RoomAccess,
  syncRequest,
  z,
  type AccessibleRoom,
  type JsonObject,
  type PluginApi,
  type PluginEvent,
} from '@cardea/plugin-sdk';

const errors = { NO_MESSAGE: 1, INVALID_REQUEST: 2, MISSING_ELEMENT: 3, INVALID_ELEMENT: 4, UNKNOWN_ERROR: 9 };

function fakeApi(events: PluginEvent[]): PluginApi {
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return { log, pushEvent: async (_h: number, e: PluginEvent) => void events.push(e) } as unknown as PluginApi;
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const kit = defineRequests(
  {
    echo: syncRequest({ schema: z.object({ n: z.number().int() }), run: ({ input }) => ({ my: 'success', n: input.n }) }),
    secret: { mode: 'sync', admin: false, run: () => ({ my: 'success' }) },
    fail: syncRequest({
      run: () => {
        throw new PluginRequestError(77, 'Nope');
      },
    }),
    join: asyncRequest({
      schema: z.object({ room: z.number() }),
      hint: 'wait',
      run: async ({ input, reply }) => reply({ my: 'joined', room: input.room }),
    }),
    crash: asyncRequest({
      run: () => {
        throw new Error('boom');
      },
    }),
  },
  { key: 'my', errors },
);

test('request kit: sync requests answer with their data, validation errors with the plugin codes', async () => {
  const api = fakeApi([]);
  const msg = (body: JsonObject) => kit.handleMessage({ handle: 1, transaction: 't', body }, api);
  assert.deepEqual(await msg({ request: 'echo', n: 3 }), { kind: 'ok', data: { my: 'success', n: 3 } });
  assert.deepEqual(await msg({ request: 'echo' }), { kind: 'ok', data: { my: 'event', error_code: 3, error: 'Missing element (n)' } });
  const invalid = await msg({ request: 'echo', n: 'x' });
  assert.equal(invalid.kind === 'ok' && invalid.data.error_code, 4);
  assert.match(invalid.kind === 'ok' ? JSON.stringify(invalid.data.error) : '', /^"Invalid element \(n: /);
  assert.deepEqual(await msg({ request: 'dance' }), { kind: 'ok', data: { my: 'event', error_code: 2, error: "Unknown request 'dance'" } });
  assert.deepEqual(await msg({ request: 'toString' }), {
    kind: 'ok',
    data: { my: 'event', error_code: 2, error: "Unknown request 'toString'" },
  });
  assert.deepEqual(await msg({}), { kind: 'ok', data: { my: 'event', error_code: 3, error: 'Missing element (request)' } });
  assert.deepEqual(await msg({ request: 'fail' }), { kind: 'ok', data: { my: 'event', error_code: 77, error: 'Nope' } });
  assert.deepEqual(await kit.handleMessage({ handle: 1, transaction: 't', body: [] as unknown as JsonObject }, api), {
    kind: 'ok',
    data: { my: 'event', error_code: 1, error: 'No message??' },
  });
});

test('request kit: async requests ack first, then answer or fail with an event of their transaction', async () => {
  const events: PluginEvent[] = [];
  const api = fakeApi(events);
  assert.deepEqual(kit.handleMessage({ handle: 1, transaction: 'a', body: { request: 'join', room: 5 } }, api), {
    kind: 'wait',
    hint: 'wait',
  });
  assert.equal(events.length, 0, 'no event pushed during handleMessage');
  await tick();
  assert.deepEqual(events.shift(), { transaction: 'a', data: { my: 'joined', room: 5 } });
  void kit.handleMessage({ handle: 1, transaction: 'b', body: { request: 'join' } }, api);
  await tick();
  assert.deepEqual(events.shift(), { transaction: 'b', data: { my: 'event', error_code: 3, error: 'Missing element (room)' } });
  void kit.handleMessage({ handle: 1, transaction: 'c', body: { request: 'crash' } }, api);
  await tick();
  assert.deepEqual(events.shift(), { transaction: 'c', data: { my: 'event', error_code: 9, error: 'Error: boom' } });
});

test('request kit: admin messages reach sync requests only', async () => {
  const api = fakeApi([]);
  assert.deepEqual(await kit.handleAdminMessage({ request: 'echo', n: 1 }, api), { my: 'success', n: 1 });
  assert.deepEqual(await kit.handleAdminMessage({ request: 'echo' }, api), { my: 'event', error_code: 3, error: 'Missing element (n)' });
  for (const request of ['join', 'secret', 'nope', 4]) {
    assert.deepEqual(await kit.handleAdminMessage({ request }, api), { my: 'event', error_code: 2, error: 'Unknown request' });
  }
});

test('RoomAccess: secret, pin, allowed list, admin_key with the plugin codes', async () => {
  const room: AccessibleRoom = { id: 7, options: { secret: 's', pin: 'p', allowed: undefined } };
  const access = new RoomAccess({
    key: 'my',
    codes: { NO_SUCH_ROOM: 426, UNAUTHORIZED: 433, MISSING_ELEMENT: 429 },
    lookup: (id) => (id === 7 ? room : undefined),
    adminKey: 'k',
  });
  const refused = (work: () => unknown, code: number, message: string) =>
    assert.throws(work, (e: unknown) => e instanceof PluginRequestError && e.code === code && e.message === message);
  refused(() => access.room(8), 426, 'No such room (8)');
  refused(() => access.managed(7, 'x'), 433, 'Unauthorized (wrong secret)');
  assert.equal(access.managed(7, 's'), room);
  refused(() => access.checkJoin(room, undefined, undefined), 433, 'Unauthorized (wrong pin)');
  access.checkJoin(room, 'p', undefined);
  refused(() => access.checkAdminKey({}), 429, 'Missing element (admin_key)');
  refused(() => access.checkAdminKey({ admin_key: 'no' }), 433, 'Unauthorized (wrong admin_key)');
  access.checkAdminKey({ admin_key: 'k' });
  const allowed = defineRequests({ allowed: access.allowedRequest() }, { key: 'my', errors });
  const api = fakeApi([]);
  assert.deepEqual(
    await allowed.handleAdminMessage({ request: 'allowed', room: 7, secret: 's', action: 'enable', allowed: ['a', 'b'] }, api),
    { my: 'success', room: 7, allowed: ['a', 'b'] },
  );
  refused(() => access.checkJoin(room, 'p', 'c'), 433, 'Unauthorized (not in the allowed list)');
  access.checkJoin(room, 'p', 'a');
  assert.deepEqual(await allowed.handleAdminMessage({ request: 'allowed', room: 7, secret: 's', action: 'remove', allowed: ['a'] }, api), {
    my: 'success',
    room: 7,
    allowed: ['b'],
  });
  assert.deepEqual(await allowed.handleAdminMessage({ request: 'allowed', room: 7, secret: 's', action: 'disable' }, api), {
    my: 'success',
    room: 7,
  });
  assert.deepEqual(await allowed.handleAdminMessage({ request: 'allowed', room: 7, action: 'disable' }, api), {
    my: 'event',
    error_code: 433,
    error: 'Unauthorized (wrong secret)',
  });
});

test('sdk: the request kit and zod validate inside QuickJS (JIT and jitless)', async () => {
  const entry = `import { defineRequests, z } from './plugin-sdk/src/index.ts';
    const kit = defineRequests({ add: { mode: 'sync', schema: z.object({ a: z.number(), b: z.number().int().min(0) }), run: ({ input }) => ({ sum: input.a + input.b }) } },
      { key: 'k', errors: { NO_MESSAGE: 1, INVALID_REQUEST: 2, MISSING_ELEMENT: 3, INVALID_ELEMENT: 4 } });
    const api = {};
    globalThis.results = [];
    for (const body of [{ request: 'add', a: 1, b: 2 }, { request: 'add', a: 1 }, { request: 'add', a: 1, b: -1 }]) kit.handleMessage({ handle: 1, transaction: 't', body }, api).then((r) => results.push(r));
    globalThis.jitless = () => { z.config({ jitless: true }); return kit.handleMessage({ handle: 1, transaction: 't', body: { request: 'add', a: 2, b: 'x' } }, api).then((r) => results.push(r)); };`;
  const bundle = await build({
    stdin: { contents: entry, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const variant = (await import('@jitl/quickjs-wasmfile-release-sync')).default as unknown as Parameters<typeof newQuickJSWASMModuleFromVariant>[0];
  const quickjs = await newQuickJSWASMModuleFromVariant(variant);
  const vm = quickjs.newContext();
  try {
    vm.unwrapResult(vm.evalCode(code)).dispose();
    vm.unwrapResult(vm.evalCode('jitless()')).dispose();
    vm.runtime.executePendingJobs();
    const out = vm.unwrapResult(vm.evalCode('JSON.stringify(results)'));
    const results = JSON.parse(vm.getString(out)) as { data: JsonObject }[];
    out.dispose();
    assert.deepEqual(
      results.map((r) => r.data.sum ?? r.data.error),
      [
        3,
        'Missing element (b)',
        'Invalid element (b: Too small: expected number to be >=0)',
        'Invalid element (b: Invalid input: expected number, received string)',
      ],
    );
  } finally {
    vm.dispose();
  }
});
