// Session-level Janus API: attach, keepalive, destroy, claim, level rules, session expiry and the
// transport hooks (shared/janus-api.md §1.5, §2.2, §2.4, §8 items 3, 10, 11, 14 and 27).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '@cardea/plugin-sdk';
import { CollectingSink, PROBE, contextFor, errorCode, tx, withApi } from './support/apiHarness.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('api: attach answers success with session_id and data.id', async () => {
  await withApi({}, async ({ api, send, createSession, record }) => {
    const sessionId = await createSession();
    const transaction = tx();
    const reply = await send({ janus: 'attach', plugin: PROBE, opaque_id: 'probe-abc', session_id: sessionId, transaction });
    assert.equal(reply.janus, 'success');
    assert.equal(reply.session_id, sessionId);
    assert.equal(reply.transaction, transaction);
    const handleId = (reply.data as JsonObject).id as number;
    assert.ok(Number.isSafeInteger(handleId) && handleId > 0);
    assert.equal(api.sessions.get(sessionId)?.handles.has(handleId), true);
    assert.deepEqual(record.created, [{ handle: handleId, opaqueId: 'probe-abc' }]);
  });
});

test('api: attaching twice gives two distinct handles', async () => {
  await withApi({}, async ({ createSession, attach }) => {
    const sessionId = await createSession();
    const a = await attach(sessionId);
    const b = await attach(sessionId);
    assert.notEqual(a, b);
  });
});

test('api: attach to an unknown plugin answers 460', async () => {
  await withApi({}, async ({ send, createSession }) => {
    const sessionId = await createSession();
    const reply = await send({ janus: 'attach', plugin: 'janus.plugin.nosuch', session_id: sessionId, transaction: tx() });
    assert.equal(errorCode(reply), 460);
    assert.equal(reply.session_id, sessionId);
  });
});

test('api: attach without plugin answers 456, with a non-string plugin 467', async () => {
  await withApi({}, async ({ send, createSession }) => {
    const sessionId = await createSession();
    assert.equal(errorCode(await send({ janus: 'attach', session_id: sessionId, transaction: tx() })), 456);
    assert.equal(errorCode(await send({ janus: 'attach', plugin: 7, session_id: sessionId, transaction: tx() })), 467);
    assert.equal(errorCode(await send({ janus: 'attach', plugin: PROBE, opaque_id: 7, session_id: sessionId, transaction: tx() })), 467);
  });
});

test("api: attach answers 461 when the plugin's createSession throws, and the session goes on", async () => {
  await withApi({}, async ({ api, send, createSession, attach, host }) => {
    const sessionId = await createSession();
    const reply = await send({ janus: 'attach', plugin: PROBE, opaque_id: 'refuse', session_id: sessionId, transaction: tx() });
    assert.equal(errorCode(reply), 461);
    assert.equal(api.sessions.get(sessionId)?.handles.size, 0);
    assert.equal(host.handleCount, 0);
    await attach(sessionId);
    assert.equal(host.handleCount, 1);
  });
});

test('api: attach with a handle_id answers 457', async () => {
  await withApi({}, async ({ send, createSession, attach }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    const reply = await send({ janus: 'attach', plugin: PROBE, session_id: sessionId, handle_id: handleId, transaction: tx() });
    assert.equal(errorCode(reply), 457);
    assert.equal(reply.session_id, sessionId);
  });
});

test('api: destroy and claim with a handle_id answer 457', async () => {
  await withApi({}, async ({ api, send, createSession, attach }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    assert.equal(errorCode(await send({ janus: 'destroy', session_id: sessionId, handle_id: handleId, transaction: tx() })), 457);
    assert.equal(errorCode(await send({ janus: 'claim', session_id: sessionId, handle_id: handleId, transaction: tx() })), 457);
    assert.ok(api.sessions.has(sessionId));
  });
});

test('api: handle-level verbs without handle_id answer 457', async () => {
  await withApi({}, async ({ send, createSession, record }) => {
    const sessionId = await createSession();
    for (const janus of ['message', 'trickle', 'detach', 'hangup']) {
      const reply = await send({
        janus,
        body: { request: 'sync' },
        candidate: { completed: true },
        session_id: sessionId,
        transaction: tx(),
      });
      assert.equal(errorCode(reply), 457, janus);
      assert.equal(reply.session_id, sessionId);
    }
    assert.equal(record.messages.length, 0);
  });
});

test('api: an unknown verb at session level answers 453', async () => {
  await withApi({}, async ({ send, createSession }) => {
    const sessionId = await createSession();
    const transaction = tx();
    const reply = await send({ janus: 'frobnicate', session_id: sessionId, transaction });
    assert.equal(errorCode(reply), 453);
    assert.equal(reply.session_id, sessionId);
    assert.equal(reply.transaction, transaction);
  });
});

test('api: an unknown verb at handle level answers 453', async () => {
  await withApi({}, async ({ send, createSession, attach }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    assert.equal(errorCode(await send({ janus: 'frobnicate', session_id: sessionId, handle_id: handleId, transaction: tx() })), 453);
  });
});

test('api: an unknown handle_id answers 459 with the session_id', async () => {
  await withApi({}, async ({ send, createSession }) => {
    const sessionId = await createSession();
    const reply = await send({ janus: 'message', body: {}, session_id: sessionId, handle_id: 31337, transaction: tx() });
    assert.equal(errorCode(reply), 459);
    assert.equal(reply.session_id, sessionId);
    assert.equal(errorCode(await send({ janus: 'message', body: {}, session_id: sessionId, handle_id: 'x', transaction: tx() })), 459);
  });
});

test('api: a handle of another session is not found (459)', async () => {
  await withApi({}, async ({ send, createSession, attach }) => {
    const a = await createSession();
    const b = await createSession();
    const handleOfA = await attach(a);
    assert.equal(errorCode(await send({ janus: 'message', body: {}, session_id: b, handle_id: handleOfA, transaction: tx() })), 459);
  });
});

test('api: lookups come before verb checks (458 before 453, 459 before 453 and 457)', async () => {
  await withApi({}, async ({ send, createSession }) => {
    // §8 item 27: session (458) and handle (459) lookup, then the verb and its level (453/457).
    assert.equal(errorCode(await send({ janus: 'frobnicate', session_id: 55, transaction: tx() })), 458);
    const sessionId = await createSession();
    assert.equal(errorCode(await send({ janus: 'frobnicate', session_id: sessionId, handle_id: 77, transaction: tx() })), 459);
    assert.equal(errorCode(await send({ janus: 'attach', plugin: PROBE, session_id: sessionId, handle_id: 77, transaction: tx() })), 459);
  });
});

test('api: keepalive answers ack with session_id and transaction', async () => {
  await withApi({}, async ({ send, createSession }) => {
    const sessionId = await createSession();
    const transaction = tx();
    assert.deepEqual(await send({ janus: 'keepalive', session_id: sessionId, transaction }), {
      janus: 'ack',
      session_id: sessionId,
      transaction,
    });
  });
});

test('api: keepalive addressed to a handle also answers ack, as Janus does', async () => {
  await withApi({}, async ({ send, createSession, attach }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    const reply = await send({ janus: 'keepalive', session_id: sessionId, handle_id: handleId, transaction: tx() });
    assert.equal(reply.janus, 'ack');
    assert.equal(reply.session_id, sessionId);
  });
});

test('api: destroy answers success with session_id and transaction, then the session is gone (458)', async () => {
  await withApi({}, async ({ api, send, createSession, attach, sink, record }) => {
    const sessionId = await createSession();
    const h1 = await attach(sessionId);
    const h2 = await attach(sessionId);
    const transaction = tx();
    const reply = await send({ janus: 'destroy', session_id: sessionId, transaction });
    assert.deepEqual(reply, { janus: 'success', session_id: sessionId, transaction });
    assert.equal(api.sessions.has(sessionId), false);
    assert.deepEqual([...record.destroyed].sort(), [h1, h2].sort());
    assert.equal(errorCode(await send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })), 458);
    assert.equal(errorCode(await send({ janus: 'message', body: {}, session_id: sessionId, handle_id: h1, transaction: tx() })), 458);
    assert.deepEqual(sink.gone, [sessionId]);
  });
});

test('api: destroy sends no detached (or any other) event for the handles it tears down', async () => {
  await withApi({}, async ({ send, createSession, attach, sink }) => {
    const sessionId = await createSession();
    await attach(sessionId);
    await attach(sessionId);
    await send({ janus: 'destroy', session_id: sessionId, transaction: tx() });
    await sleep(20);
    assert.deepEqual(sink.ofType('detached'), []);
    assert.deepEqual(sink.messages, []);
  });
});

test('api: destroy leaves other sessions alone', async () => {
  await withApi({}, async ({ api, send, createSession }) => {
    const a = await createSession();
    const b = await createSession();
    await send({ janus: 'destroy', session_id: a, transaction: tx() });
    assert.equal(api.sessions.has(b), true);
    assert.equal((await send({ janus: 'keepalive', session_id: b, transaction: tx() })).janus, 'ack');
  });
});

test("api: claim answers success with session_id and no data, and the session's events go to the new sink", async () => {
  await withApi({}, async ({ send, createSession, attach, sink }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    const other = new CollectingSink('sink-b');
    const transaction = tx();
    const reply = await send({ janus: 'claim', session_id: sessionId, transaction }, contextFor(other));
    assert.deepEqual(reply, { janus: 'success', session_id: sessionId, transaction });
    assert.deepEqual(sink.gone, [sessionId]);
    const ack = await send({ janus: 'message', body: { request: 'async' }, session_id: sessionId, handle_id: handleId, transaction: tx() });
    assert.equal(ack.janus, 'ack');
    const event = await other.waitFor((m) => m.janus === 'event');
    assert.equal(event.sender, handleId);
    assert.equal(event.session_id, sessionId);
    assert.deepEqual(sink.ofType('event'), []);
  });
});

test('api: claim from the sink that already owns the session succeeds', async () => {
  await withApi({}, async ({ send, createSession, sink }) => {
    const sessionId = await createSession();
    const transaction = tx();
    assert.deepEqual(await send({ janus: 'claim', session_id: sessionId, transaction }), {
      janus: 'success',
      session_id: sessionId,
      transaction,
    });
    assert.deepEqual(sink.gone, []);
  });
});

test('api: an idle session times out: the sink gets timeout with session_id and the session is gone (458)', async () => {
  await withApi({ general: { sessionTimeout: 0.2 } }, async ({ api, send, createSession, attach, sink, record }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    const timeout = await sink.waitFor((m) => m.janus === 'timeout', 1500);
    assert.deepEqual(timeout, { janus: 'timeout', session_id: sessionId });
    assert.equal(api.sessions.has(sessionId), false);
    assert.equal(errorCode(await send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })), 458);
    assert.deepEqual(record.destroyed, [handleId]);
    assert.deepEqual(sink.ofType('detached'), []);
    assert.equal(api.counters.sessionsTimedOut, 1);
  });
});

test('api: keepalives keep a session from timing out', async () => {
  await withApi({ general: { sessionTimeout: 0.4 } }, async ({ api, send, createSession, sink }) => {
    const sessionId = await createSession();
    for (let i = 0; i < 7; i++) {
      await sleep(100);
      assert.equal((await send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })).janus, 'ack');
    }
    assert.ok(api.sessions.has(sessionId));
    assert.deepEqual(sink.ofType('timeout'), []);
  });
});

test('api: touch (an HTTP long poll) refreshes a live session and reports unknown ones', async () => {
  await withApi({ general: { sessionTimeout: 0.4 } }, async ({ api, createSession, sink }) => {
    const sessionId = await createSession();
    for (let i = 0; i < 7; i++) {
      await sleep(100);
      assert.equal(api.touch(sessionId), true);
    }
    assert.deepEqual(sink.ofType('timeout'), []);
    assert.equal(api.touch(424242), false);
  });
});

test('api: sessionTimeout 0 disables expiry', async () => {
  await withApi({ general: { sessionTimeout: 0 } }, async ({ api, createSession }) => {
    const sessionId = await createSession();
    const session = api.sessions.get(sessionId);
    assert.ok(session);
    session.lastActivity -= 10 * 60 * 1000;
    await sleep(50);
    assert.ok(api.sessions.has(sessionId));
  });
});

test('api: when its sink goes away with no reclaim timeout, the session is destroyed at once', async () => {
  await withApi({}, async ({ api, createSession, attach, sink, record }) => {
    const sessionId = await createSession();
    const handleId = await attach(sessionId);
    api.sinkGone(sink);
    await sleep(0);
    assert.equal(api.sessions.has(sessionId), false);
    assert.deepEqual(record.destroyed, [handleId]);
  });
});

test('api: with a reclaim timeout, a session whose sink went away can be claimed from a new sink', async () => {
  // sessionTimeout 2 s makes the watchdog run every 500 ms, so it passes the reclaim deadline below.
  await withApi({ general: { reclaimSessionTimeout: 0.1, sessionTimeout: 2 } }, async ({ api, send, createSession, sink }) => {
    const sessionId = await createSession();
    api.sinkGone(sink);
    assert.ok(api.sessions.has(sessionId));
    const other = new CollectingSink('sink-b');
    assert.equal((await send({ janus: 'claim', session_id: sessionId, transaction: tx() }, contextFor(other))).janus, 'success');
    await sleep(700);
    assert.ok(api.sessions.has(sessionId), 'a claimed session must not be reaped at the reclaim deadline');
  });
});

test('api: with a reclaim timeout, an unclaimed session is destroyed after it', async () => {
  // The watchdog runs every 2 s at most (as Janus's); sessionTimeout 1 s makes it run every 250 ms.
  await withApi({ general: { reclaimSessionTimeout: 0.1, sessionTimeout: 1 } }, async ({ api, createSession, sink }) => {
    const sessionId = await createSession();
    api.sinkGone(sink);
    const deadline = performance.now() + 900;
    while (api.sessions.has(sessionId) && performance.now() < deadline) await sleep(20);
    assert.equal(api.sessions.has(sessionId), false);
    // Reaped for want of a claim, not timed out: no timeout message to a sink that is gone.
    assert.deepEqual(sink.ofType('timeout'), []);
  });
});

test('api: sessions created through a context use the sink it names for that id', async () => {
  await withApi({}, async ({ api }) => {
    const asked: number[] = [];
    const sink = new CollectingSink('per-session');
    const reply = await api.handle({ janus: 'create', transaction: tx() }, { sinkFor: (id) => (asked.push(id), sink) });
    const id = (reply.data as JsonObject).id as number;
    assert.deepEqual(asked, [id]);
    assert.equal(api.sessions.get(id)?.sink, sink);
  });
});

test('api: close destroys every session and is idempotent', async () => {
  await withApi({}, async ({ api, createSession, attach, record, sink }) => {
    const a = await createSession();
    const h = await attach(a);
    await createSession();
    await api.close();
    await api.close();
    assert.equal(api.sessions.size, 0);
    assert.deepEqual(record.destroyed, [h]);
    assert.deepEqual(sink.messages, []);
  });
});
