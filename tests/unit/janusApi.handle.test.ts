// Handle-level Janus API: message (sync, async, plugin failures, JSEP checks), trickle, hangup and
// detach (shared/janus-api.md §2.2, §2.4–2.7, §3, §8 items 4–9, 12, 19, 25 and 26).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '@cardea/plugin-sdk';
import { MINIMAL_AUDIO_SDP, PROBE, errorCode, tx, withApi, type ApiHarness } from './support/apiHarness.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A session with one probe handle. */
async function open(h: ApiHarness): Promise<{ sessionId: number; handleId: number }> {
  const sessionId = await h.createSession();
  const handleId = await h.attach(sessionId);
  return { sessionId, handleId };
}

test('api: a sync plugin answer is a success with sender and plugindata {plugin, data}', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({
      janus: 'message',
      body: { request: 'sync', n: 1 },
      session_id: sessionId,
      handle_id: handleId,
      transaction,
    });
    assert.deepEqual(reply, {
      janus: 'success',
      session_id: sessionId,
      transaction,
      sender: handleId,
      plugindata: { plugin: PROBE, data: { probe: 'sync', echo: { request: 'sync', n: 1 } } },
    });
    assert.equal(h.record.messages.length, 1);
    assert.equal(h.record.messages[0]?.handle, handleId);
    assert.equal(h.record.messages[0]?.transaction, transaction);
    assert.equal(h.record.messages[0]?.jsep, undefined);
  });
});

test("api: an async plugin answer is an ack, then the plugin's event reaches the sink with sender, session_id and transaction", async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({ janus: 'message', body: { request: 'async' }, session_id: sessionId, handle_id: handleId, transaction });
    assert.deepEqual(reply, { janus: 'ack', session_id: sessionId, transaction, hint: 'taking my time' });
    const event = await h.sink.waitFor((m) => m.janus === 'event');
    assert.deepEqual(event, {
      janus: 'event',
      session_id: sessionId,
      sender: handleId,
      transaction,
      plugindata: { plugin: PROBE, data: { probe: 'event', result: 'ok' } },
    });
  });
});

test('api: an ack without a hint has no hint field', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({
      janus: 'message',
      body: { request: 'async-nohint' },
      session_id: sessionId,
      handle_id: handleId,
      transaction,
    });
    assert.deepEqual(reply, { janus: 'ack', session_id: sessionId, transaction });
    await h.sink.waitFor((m) => m.janus === 'event');
  });
});

test('api: an unsolicited plugin event carries no transaction', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    await h.send({ janus: 'message', body: { request: 'unsolicited' }, session_id: sessionId, handle_id: handleId, transaction: tx() });
    const event = await h.sink.waitFor((m) => m.janus === 'event');
    assert.equal('transaction' in event, false);
    assert.equal(event.sender, handleId);
    assert.equal(event.session_id, sessionId);
    assert.deepEqual(event.plugindata, { plugin: PROBE, data: { probe: 'unsolicited' } });
  });
});

test('api: a plugin throwing in handleMessage answers 462 and the session keeps working', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({ janus: 'message', body: { request: 'throw' }, session_id: sessionId, handle_id: handleId, transaction });
    assert.equal(errorCode(reply), 462);
    assert.equal(reply.session_id, sessionId);
    assert.equal(reply.transaction, transaction);
    assert.match((reply.error as JsonObject).reason as string, /probe exploded/);
    const next = await h.send({
      janus: 'message',
      body: { request: 'sync' },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(next.janus, 'success');
    assert.equal((await h.send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })).janus, 'ack');
  });
});

test('api: a plugin fail() answers 462 with its reason', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: { request: 'fail' },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(errorCode(reply), 462);
    assert.equal((reply.error as JsonObject).reason, 'probe says no');
  });
});

test('api: a plugin-level error travels inside plugindata.data of a success, not as a core error', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: { request: 'plugin-error' },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(reply.janus, 'success');
    assert.deepEqual(reply.plugindata, { plugin: PROBE, data: { probe: 'event', error_code: 499, error: 'probe error' } });
  });
});

test('api: message without body answers 456', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({ janus: 'message', session_id: sessionId, handle_id: handleId, transaction: tx() });
    assert.equal(errorCode(reply), 456);
    assert.equal(h.record.messages.length, 0);
  });
});

test('api: message whose body is not an object answers 467', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    for (const body of ['text', 5, [1, 2], null, true]) {
      const reply = await h.send({ janus: 'message', body, session_id: sessionId, handle_id: handleId, transaction: tx() });
      assert.equal(errorCode(reply), 467, JSON.stringify(body));
    }
    assert.equal(h.record.messages.length, 0);
  });
});

test('api: message whose jsep is not an object answers 455', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    for (const jsep of ['v=0', 1, null, [{ type: 'offer', sdp: MINIMAL_AUDIO_SDP }]]) {
      const reply = await h.send({ janus: 'message', body: {}, jsep, session_id: sessionId, handle_id: handleId, transaction: tx() });
      assert.equal(errorCode(reply), 455, JSON.stringify(jsep));
    }
    assert.equal(h.record.messages.length, 0);
  });
});

test("api: jsep type 'foo' answers 464", async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: {},
      jsep: { type: 'foo', sdp: MINIMAL_AUDIO_SDP },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(errorCode(reply), 464);
    assert.equal(h.record.messages.length, 0);
  });
});

test('api: jsep without sdp or type answers 456, with a non-string sdp 467', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const ids = { session_id: sessionId, handle_id: handleId };
    assert.equal(errorCode(await h.send({ janus: 'message', body: {}, jsep: { type: 'offer' }, ...ids, transaction: tx() })), 456);
    assert.equal(errorCode(await h.send({ janus: 'message', body: {}, jsep: { sdp: MINIMAL_AUDIO_SDP }, ...ids, transaction: tx() })), 456);
    assert.equal(errorCode(await h.send({ janus: 'message', body: {}, jsep: { type: 'offer', sdp: 42 }, ...ids, transaction: tx() })), 467);
    assert.equal(h.record.messages.length, 0);
  });
});

test('api: a jsep offer with invalid SDP answers 465 and the plugin never sees it', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({
      janus: 'message',
      body: {},
      jsep: { type: 'offer', sdp: 'garbage' },
      session_id: sessionId,
      handle_id: handleId,
      transaction,
    });
    assert.equal(errorCode(reply), 465);
    assert.equal(reply.transaction, transaction);
    assert.equal(reply.session_id, sessionId);
    assert.equal(h.record.messages.length, 0);
    // The handle is still usable afterwards.
    assert.equal(
      (await h.send({ janus: 'message', body: { request: 'sync' }, session_id: sessionId, handle_id: handleId, transaction: tx() })).janus,
      'success',
    );
  });
});

test('api: a jsep answer when the gateway made no offer answers 469', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: {},
      jsep: { type: 'answer', sdp: MINIMAL_AUDIO_SDP },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(errorCode(reply), 469);
    assert.equal(h.record.messages.length, 0);
  });
});

test('api: a valid jsep offer reaches the plugin with the summarised m-lines', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: { request: 'sync' },
      jsep: { type: 'offer', sdp: MINIMAL_AUDIO_SDP },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(reply.janus, 'success', JSON.stringify(reply));
    assert.equal('jsep' in reply, false);
    const jsep = h.record.messages[0]?.jsep;
    assert.ok(jsep);
    assert.equal(jsep.type, 'offer');
    assert.equal(jsep.sdp, MINIMAL_AUDIO_SDP);
    assert.equal(jsep.update, false);
    assert.deepEqual(jsep.media, [{ mindex: 0, mid: '0', kind: 'audio', direction: 'sendrecv', codecs: ['opus'] }]);
  });
});

test('api: trickle with both candidate and candidates answers 454', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const reply = await h.send({
      janus: 'trickle',
      candidate,
      candidates: [candidate],
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(errorCode(reply), 454);
  });
});

test('api: trickle with neither candidate nor candidates answers 456', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    assert.equal(errorCode(await h.send({ janus: 'trickle', session_id: sessionId, handle_id: handleId, transaction: tx() })), 456);
  });
});

test('api: a trickle before any SDP is acked at once', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const reply = await h.send({ janus: 'trickle', candidate, session_id: sessionId, handle_id: handleId, transaction });
    assert.deepEqual(reply, { janus: 'ack', session_id: sessionId, transaction });
    // Only sdpMLineIndex, or only sdpMid, is enough.
    const onlyIndex = { candidate: candidate.candidate, sdpMLineIndex: 0 };
    const onlyMid = { candidate: candidate.candidate, sdpMid: '0' };
    assert.equal(
      (await h.send({ janus: 'trickle', candidate: onlyIndex, session_id: sessionId, handle_id: handleId, transaction: tx() })).janus,
      'ack',
    );
    assert.equal(
      (await h.send({ janus: 'trickle', candidate: onlyMid, session_id: sessionId, handle_id: handleId, transaction: tx() })).janus,
      'ack',
    );
  });
});

test('api: trickle end-of-candidates ({completed:true} or null) answers ack', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const ids = { session_id: sessionId, handle_id: handleId };
    assert.equal((await h.send({ janus: 'trickle', candidate: { completed: true }, ...ids, transaction: tx() })).janus, 'ack');
    assert.equal((await h.send({ janus: 'trickle', candidate: null, ...ids, transaction: tx() })).janus, 'ack');
  });
});

test('api: trickle with a candidates array answers ack, skipping bad entries', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const good = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const reply = await h.send({
      janus: 'trickle',
      candidates: [good, { candidate: 5 }, 'junk', { completed: true }],
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(reply.janus, 'ack');
  });
});

test('api: trickle whose candidates is not an array answers 467', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    assert.equal(
      errorCode(await h.send({ janus: 'trickle', candidates: { a: 1 }, session_id: sessionId, handle_id: handleId, transaction: tx() })),
      467,
    );
  });
});

test('api: a trickled candidate missing both sdpMid and sdpMLineIndex answers 456', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host' };
    assert.equal(
      errorCode(await h.send({ janus: 'trickle', candidate, session_id: sessionId, handle_id: handleId, transaction: tx() })),
      456,
    );
  });
});

test('api: a trickled candidate with mistyped fields answers 467', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const ids = { session_id: sessionId, handle_id: handleId };
    const line = 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host';
    assert.equal(errorCode(await h.send({ janus: 'trickle', candidate: { candidate: line, sdpMid: 0 }, ...ids, transaction: tx() })), 467);
    assert.equal(
      errorCode(await h.send({ janus: 'trickle', candidate: { candidate: line, sdpMLineIndex: -1 }, ...ids, transaction: tx() })),
      467,
    );
    assert.equal(errorCode(await h.send({ janus: 'trickle', candidate: { candidate: 7, sdpMid: '0' }, ...ids, transaction: tx() })), 467);
  });
});

const HOST_CANDIDATE = 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host';

/** A session with one probe handle whose PeerConnection has the client's offer applied. */
async function openWithOffer(h: ApiHarness): Promise<{ session_id: number; handle_id: number }> {
  const { sessionId, handleId } = await open(h);
  const ids = { session_id: sessionId, handle_id: handleId };
  const reply = await h.send({ janus: 'message', body: {}, jsep: { type: 'offer', sdp: MINIMAL_AUDIO_SDP }, ...ids, transaction: tx() });
  assert.equal(reply.janus, 'success', JSON.stringify(reply));
  return ids;
}

test('api: a trickle after the offer is acked', async () => {
  await withApi({}, async (h) => {
    const ids = await openWithOffer(h);
    assert.equal(
      (
        await h.send({
          janus: 'trickle',
          candidate: { candidate: HOST_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 },
          ...ids,
          transaction: tx(),
        })
      ).janus,
      'ack',
    );
    // Janus bundles on the first m-line: a candidate for m-line 1 is ignored, still acked.
    assert.equal(
      (
        await h.send({
          janus: 'trickle',
          candidate: { candidate: HOST_CANDIDATE, sdpMid: '1', sdpMLineIndex: 1 },
          ...ids,
          transaction: tx(),
        })
      ).janus,
      'ack',
    );
    assert.equal((await h.send({ janus: 'trickle', candidate: { completed: true }, ...ids, transaction: tx() })).janus, 'ack');
  });
});

test(
  'api: a trickled candidate that does not parse is still acked after the SDP',
  async () => {
    await withApi({}, async (h) => {
      const ids = await openWithOffer(h);
      const reply = await h.send({ janus: 'trickle', candidate: { candidate: 'garbage', sdpMid: '0' }, ...ids, transaction: tx() });
      assert.equal(reply.janus, 'ack', JSON.stringify(reply));
    });
  },
);

test(
  'api: a trickled candidate for another mid is ignored and acked',
  async () => {
    await withApi({}, async (h) => {
      const ids = await openWithOffer(h);
      const reply = await h.send({ janus: 'trickle', candidate: { candidate: HOST_CANDIDATE, sdpMid: '9' }, ...ids, transaction: tx() });
      assert.equal(reply.janus, 'ack', JSON.stringify(reply));
    });
  },
);

test(
  'api: an early trickle that cannot be applied does not fail the offer that follows',
  async () => {
    await withApi({}, async (h) => {
      const { sessionId, handleId } = await open(h);
      const ids = { session_id: sessionId, handle_id: handleId };
      assert.equal(
        (await h.send({ janus: 'trickle', candidate: { candidate: 'garbage', sdpMid: '0' }, ...ids, transaction: tx() })).janus,
        'ack',
      );
      const reply = await h.send({
        janus: 'message',
        body: { request: 'sync' },
        jsep: { type: 'offer', sdp: MINIMAL_AUDIO_SDP },
        ...ids,
        transaction: tx(),
      });
      assert.equal(reply.janus, 'success', JSON.stringify(reply));
    });
  },
);

test('api: a jsep answer to a client offer (no gateway offer) answers 469', async () => {
  await withApi({}, async (h) => {
    const ids = await openWithOffer(h);
    assert.equal(
      errorCode(await h.send({ janus: 'message', body: {}, jsep: { type: 'answer', sdp: MINIMAL_AUDIO_SDP }, ...ids, transaction: tx() })),
      469,
    );
  });
});

test("api: hangup closes the PeerConnection and the client gets hangup with reason 'Janus API'", async () => {
  await withApi({}, async (h) => {
    const ids = await openWithOffer(h);
    const transaction = tx();
    assert.deepEqual(await h.send({ janus: 'hangup', ...ids, transaction }), { janus: 'success', session_id: ids.session_id, transaction });
    const hangup = await h.sink.waitFor((m) => m.janus === 'hangup');
    assert.deepEqual(hangup, { janus: 'hangup', sender: ids.handle_id, session_id: ids.session_id, reason: 'Janus API' });
    // The handle stays usable for a fresh negotiation (§8 item 26).
    const again = await h.send({ janus: 'message', body: {}, jsep: { type: 'offer', sdp: MINIMAL_AUDIO_SDP }, ...ids, transaction: tx() });
    assert.equal(again.janus, 'success', JSON.stringify(again));
    assert.equal(h.record.messages.at(-1)?.jsep?.update, false);
  });
});

test('api: destroy of a session whose handle has a PeerConnection sends no hangup', async () => {
  await withApi({}, async (h) => {
    const ids = await openWithOffer(h);
    await h.send({ janus: 'destroy', session_id: ids.session_id, transaction: tx() });
    await sleep(20);
    assert.deepEqual(h.sink.messages, []);
  });
});

test('api: hangup answers success and leaves the handle usable', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    assert.deepEqual(await h.send({ janus: 'hangup', session_id: sessionId, handle_id: handleId, transaction }), {
      janus: 'success',
      session_id: sessionId,
      transaction,
    });
    assert.equal(
      (await h.send({ janus: 'message', body: { request: 'sync' }, session_id: sessionId, handle_id: handleId, transaction: tx() })).janus,
      'success',
    );
  });
});

test('api: detach answers success, then a detached event with sender and session_id reaches the sink', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const transaction = tx();
    const reply = await h.send({ janus: 'detach', session_id: sessionId, handle_id: handleId, transaction });
    assert.deepEqual(reply, { janus: 'success', session_id: sessionId, transaction });
    const detached = await h.sink.waitFor((m) => m.janus === 'detached');
    assert.deepEqual(detached, { janus: 'detached', sender: handleId, session_id: sessionId });
    assert.deepEqual(h.record.destroyed, [handleId]);
    assert.equal(h.api.sessions.get(sessionId)?.handles.has(handleId), false);
  });
});

test('api: requests on a detached handle answer 459, including the second detach janus.js sends', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    await h.send({ janus: 'detach', session_id: sessionId, handle_id: handleId, transaction: tx() });
    assert.equal(errorCode(await h.send({ janus: 'detach', session_id: sessionId, handle_id: handleId, transaction: tx() })), 459);
    assert.equal(
      errorCode(await h.send({ janus: 'message', body: {}, session_id: sessionId, handle_id: handleId, transaction: tx() })),
      459,
    );
    // The session itself is unaffected.
    assert.equal((await h.send({ janus: 'keepalive', session_id: sessionId, transaction: tx() })).janus, 'ack');
    assert.equal(h.sink.ofType('detached').length, 1);
  });
});

test('api: a plugin ending a handle sends detached and removes the handle', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    const reply = await h.send({
      janus: 'message',
      body: { request: 'end' },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    assert.equal(reply.janus, 'success');
    const detached = await h.sink.waitFor((m) => m.janus === 'detached');
    assert.equal(detached.sender, handleId);
    assert.equal(detached.session_id, sessionId);
    assert.equal(
      errorCode(await h.send({ janus: 'message', body: {}, session_id: sessionId, handle_id: handleId, transaction: tx() })),
      459,
    );
  });
});

test('api: plugin events for a handle that was detached never reach the client', async () => {
  await withApi({}, async (h) => {
    const { sessionId, handleId } = await open(h);
    await h.send({
      janus: 'message',
      body: { request: 'async', delay: 20 },
      session_id: sessionId,
      handle_id: handleId,
      transaction: tx(),
    });
    await h.send({ janus: 'detach', session_id: sessionId, handle_id: handleId, transaction: tx() });
    await sleep(60);
    assert.deepEqual(
      h.sink.messages.map((m) => m.janus),
      ['detached'],
    );
  });
});

test(
  'plugin host: pushEvent for a handle that went away (detach, destroy, socket close) resolves instead of rejecting',
  async () => {
    await withApi({}, async (h) => {
      const { sessionId, handleId } = await open(h);
      await h.send({
        janus: 'message',
        body: { request: 'async', delay: 20 },
        session_id: sessionId,
        handle_id: handleId,
        transaction: tx(),
      });
      await h.send({ janus: 'destroy', session_id: sessionId, transaction: tx() });
      await sleep(60);
      assert.deepEqual(h.record.errors, []);
    });
  },
);
