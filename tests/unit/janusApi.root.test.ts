// Root-level Janus API: the envelope checks, info/ping, create, auth and the validation order
// (shared/janus-api.md §2.1–2.3, §3, §8 items 2, 17 and 27).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '@cardea/plugin-sdk';
import { PROBE, errorCode, tx, withApi } from './support/apiHarness.ts';

test('api: info answers server_info with Janus identity, version 1102 and plugins keyed by package name', async () => {
  await withApi({}, async ({ send }) => {
    const transaction = tx();
    const reply = await send({ janus: 'info', transaction });
    assert.equal(reply.janus, 'server_info');
    assert.equal(reply.transaction, transaction);
    assert.equal(typeof reply.name, 'string');
    assert.ok((reply.name as string).length > 0);
    assert.equal(reply.version, 1102);
    assert.equal(reply.version_string, '1.1.2');
    assert.equal(reply.session_id, undefined);
    const plugins = reply.plugins as JsonObject;
    assert.deepEqual(Object.keys(plugins), [PROBE]);
    assert.deepEqual(plugins[PROBE], {
      name: PROBE,
      author: 'tests',
      description: 'unit-test probe',
      version_string: '1.2.3',
      version: 1203,
    });
  });
});

test('api: server_info reports timers and flags as JSON values, not strings', async () => {
  await withApi({}, async ({ send }) => {
    const reply = await send({ janus: 'info', transaction: tx() });
    assert.equal(reply['session-timeout'], 60);
    assert.equal(reply['reclaim-session-timeout'], 0);
    assert.equal(reply['candidates-timeout'], 45);
    assert.equal(reply['accepting-new-sessions'], true);
    assert.equal(reply['ice-lite'], true);
    for (const flag of ['data_channels', 'api_secret', 'auth_token', 'event_handlers', 'opaqueid_in_api']) {
      assert.equal(typeof reply[flag], 'boolean', flag);
    }
    assert.equal(reply.api_secret, false);
    const transports = reply.transports as JsonObject;
    assert.ok('janus.transport.websockets' in transports);
    assert.ok('janus.transport.http' in transports);
  });
});

test('api: ping answers pong with the transaction', async () => {
  await withApi({}, async ({ send }) => {
    const transaction = tx();
    assert.deepEqual(await send({ janus: 'ping', transaction }), { janus: 'pong', transaction });
  });
});

test('api: create answers success with data.id and no session_id', async () => {
  await withApi({}, async ({ api, send }) => {
    const transaction = tx();
    const reply = await send({ janus: 'create', transaction });
    assert.equal(reply.janus, 'success');
    assert.equal(reply.transaction, transaction);
    assert.equal('session_id' in reply, false);
    const id = (reply.data as JsonObject).id;
    assert.equal(typeof id, 'number');
    assert.ok(api.sessions.has(id as number));
  });
});

test('api: create picks positive integer ids below 2^53 that survive a JSON round trip', async () => {
  await withApi({}, async ({ send }) => {
    const ids = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const reply = await send({ janus: 'create', transaction: tx() });
      const id = (reply.data as JsonObject).id as number;
      assert.ok(Number.isSafeInteger(id) && id > 0 && id < 2 ** 53, `bad id ${id}`);
      assert.equal(JSON.parse(JSON.stringify({ id })).id, id);
      ids.add(id);
    }
    assert.equal(ids.size, 50);
  });
});

test('api: create with a client-chosen id uses that id', async () => {
  await withApi({}, async ({ api, send }) => {
    const reply = await send({ janus: 'create', id: 1234567, transaction: tx() });
    assert.equal(reply.janus, 'success');
    assert.deepEqual(reply.data, { id: 1234567 });
    assert.ok(api.sessions.has(1234567));
  });
});

test('api: create with an id already in use answers 468', async () => {
  await withApi({}, async ({ api, send }) => {
    await send({ janus: 'create', id: 42, transaction: tx() });
    const transaction = tx();
    const reply = await send({ janus: 'create', id: 42, transaction });
    assert.equal(errorCode(reply), 468);
    assert.equal(reply.transaction, transaction);
    assert.equal(api.sessions.size, 1);
  });
});

test('api: create with a non-integer id answers 467', async () => {
  await withApi({}, async ({ api, send }) => {
    assert.equal(errorCode(await send({ janus: 'create', id: 'abc', transaction: tx() })), 467);
    assert.equal(errorCode(await send({ janus: 'create', id: 1.5, transaction: tx() })), 467);
    assert.equal(errorCode(await send({ janus: 'create', id: -3, transaction: tx() })), 467);
    assert.equal(api.sessions.size, 0);
  });
});

test('api: create answers 472 while not accepting new sessions', async () => {
  await withApi({}, async ({ api, send }) => {
    api.acceptingNewSessions = false;
    assert.equal(errorCode(await send({ janus: 'create', transaction: tx() })), 472);
    const info = await send({ janus: 'info', transaction: tx() });
    assert.equal(info['accepting-new-sessions'], false);
    api.acceptingNewSessions = true;
    assert.equal((await send({ janus: 'create', transaction: tx() })).janus, 'success');
  });
});

test('api: create answers 472 when the config starts with acceptNewSessions false', async () => {
  await withApi({ general: { acceptNewSessions: false } }, async ({ send }) => {
    assert.equal(errorCode(await send({ janus: 'create', transaction: tx() })), 472);
  });
});

test('api: a request that is not a JSON object answers 455', async () => {
  await withApi({}, async ({ send }) => {
    for (const request of [null, [], ['create'], 'create', 42, true]) {
      const reply = await send(request);
      assert.equal(errorCode(reply), 455, JSON.stringify(request));
      assert.equal(reply.transaction, undefined);
    }
  });
});

test('api: a request without janus answers 456', async () => {
  await withApi({}, async ({ send }) => {
    const transaction = tx();
    const reply = await send({ transaction });
    assert.equal(errorCode(reply), 456);
    assert.equal(reply.transaction, transaction);
  });
});

test('api: a request whose janus is not a string answers 467', async () => {
  await withApi({}, async ({ send }) => {
    assert.equal(errorCode(await send({ janus: 5, transaction: tx() })), 467);
    assert.equal(errorCode(await send({ janus: { verb: 'create' }, transaction: tx() })), 467);
  });
});

test('api: a request without transaction answers 456', async () => {
  await withApi({}, async ({ api, send }) => {
    const reply = await send({ janus: 'create' });
    assert.equal(errorCode(reply), 456);
    assert.equal(reply.transaction, undefined);
    assert.equal(api.sessions.size, 0);
  });
});

test('api: a request whose transaction is not a string answers 467', async () => {
  await withApi({}, async ({ send }) => {
    assert.equal(errorCode(await send({ janus: 'create', transaction: 17 })), 467);
  });
});

test('api: a non-root verb without session_id answers 457', async () => {
  await withApi({}, async ({ send }) => {
    for (const janus of ['attach', 'destroy', 'keepalive', 'claim', 'message', 'trickle', 'detach', 'hangup', 'nonsense']) {
      const transaction = tx();
      const reply = await send({ janus, plugin: PROBE, body: {}, transaction });
      assert.equal(errorCode(reply), 457, janus);
      assert.equal(reply.transaction, transaction);
      assert.equal('session_id' in reply, false);
    }
  });
});

test('api: session_id 0 answers 458', async () => {
  await withApi({}, async ({ send }) => {
    const reply = await send({ janus: 'keepalive', session_id: 0, transaction: tx() });
    assert.equal(errorCode(reply), 458);
    // Janus adds session_id to errors only when it is > 0.
    assert.equal('session_id' in reply, false);
  });
});

test('api: an unknown session_id answers 458 carrying that session_id', async () => {
  await withApi({}, async ({ send }) => {
    const transaction = tx();
    const reply = await send({ janus: 'keepalive', session_id: 987654321, transaction });
    assert.equal(errorCode(reply), 458);
    assert.equal(reply.session_id, 987654321);
    assert.equal(reply.transaction, transaction);
    assert.equal(typeof (reply.error as JsonObject).reason, 'string');
  });
});

test('api: a session_id that is not a positive integer answers 458', async () => {
  await withApi({}, async ({ send }) => {
    for (const session_id of [-1, 'abc', 1.5, null]) {
      assert.equal(errorCode(await send({ janus: 'keepalive', session_id, transaction: tx() })), 458, JSON.stringify(session_id));
    }
  });
});

test('api: invalidJson answers 454 without transaction or session_id', async () => {
  await withApi({}, async ({ api }) => {
    const reply = api.invalidJson();
    assert.equal(errorCode(reply), 454);
    assert.equal('transaction' in reply, false);
    assert.equal('session_id' in reply, false);
    assert.equal(typeof (reply.error as JsonObject).reason, 'string');
    assert.equal(api.counters.invalidJson, 1);
  });
});

test('api: every direct reply echoes the transaction, whatever its value', async () => {
  await withApi({}, async ({ send }) => {
    for (const transaction of ['', 'x', 'ünïcødé transaction with spaces']) {
      assert.equal((await send({ janus: 'ping', transaction })).transaction, transaction);
      assert.equal((await send({ janus: 'create', transaction })).transaction, transaction);
      assert.equal((await send({ janus: 'keepalive', session_id: 5, transaction })).transaction, transaction);
    }
  });
});

test('api: with an apisecret, create and attach without it answer 403', async () => {
  await withApi({ general: { apiSecret: 's3cret' } }, async ({ send }) => {
    assert.equal(errorCode(await send({ janus: 'create', transaction: tx() })), 403);
    assert.equal(errorCode(await send({ janus: 'create', apisecret: 'wrong', transaction: tx() })), 403);
    assert.equal(errorCode(await send({ janus: 'create', apisecret: 5, transaction: tx() })), 403);
    const created = await send({ janus: 'create', apisecret: 's3cret', transaction: tx() });
    assert.equal(created.janus, 'success');
    const sessionId = (created.data as JsonObject).id as number;
    assert.equal(errorCode(await send({ janus: 'attach', plugin: PROBE, session_id: sessionId, transaction: tx() })), 403);
    const attached = await send({ janus: 'attach', plugin: PROBE, session_id: sessionId, apisecret: 's3cret', transaction: tx() });
    assert.equal(attached.janus, 'success');
    assert.equal(errorCode(await send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })), 403);
  });
});

test('api: with an apisecret, info and ping still work without it', async () => {
  await withApi({ general: { apiSecret: 's3cret' } }, async ({ send }) => {
    const info = await send({ janus: 'info', transaction: tx() });
    assert.equal(info.janus, 'server_info');
    assert.equal(info.api_secret, true);
    assert.equal((await send({ janus: 'ping', transaction: tx() })).janus, 'pong');
  });
});

test('api: auth is checked after the root-level path check and before the session lookup', async () => {
  await withApi({ general: { apiSecret: 's3cret' } }, async ({ send }) => {
    // §8 item 27: root verbs (else 457), then auth (403), then session (458).
    assert.equal(errorCode(await send({ janus: 'attach', plugin: PROBE, transaction: tx() })), 457);
    assert.equal(errorCode(await send({ janus: 'keepalive', session_id: 123, transaction: tx() })), 403);
    assert.equal(errorCode(await send({ janus: 'keepalive', session_id: 123, apisecret: 's3cret', transaction: tx() })), 458);
  });
});

test(
  'api: a 403 on a session-level request carries the request session_id',
  async () => {
    await withApi({ general: { apiSecret: 's3cret' } }, async ({ send }) => {
      const created = await send({ janus: 'create', apisecret: 's3cret', transaction: tx() });
      const sessionId = (created.data as JsonObject).id as number;
      const reply = await send({ janus: 'keepalive', session_id: sessionId, transaction: tx() });
      assert.equal(errorCode(reply), 403);
      assert.equal(reply.session_id, sessionId);
    });
  },
);

test('api: counters count requests, errors and created sessions', async () => {
  await withApi({}, async ({ api, send }) => {
    await send({ janus: 'create', transaction: tx() });
    await send({ janus: 'ping', transaction: tx() });
    await send({ janus: 'keepalive', session_id: 1, transaction: tx() });
    assert.equal(api.counters.requests, 3);
    assert.equal(api.counters.errors, 1);
    assert.equal(api.counters.sessionsCreated, 1);
  });
});
