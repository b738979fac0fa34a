// The Janus API transports over real sockets (shared/janus-api.md §1–3, §6.1, §8): the WebSocket
// handshake and framing, HTTP paths, long poll and CORS, error codes for bad input, session
// lifetime, and the Admin API. Every bad-input test ends by checking the gateway still answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, JanusRequestError, type JanusMessage } from '../support/janusClient.ts';
import { handshake, http, postJanus, RawSocket } from '../support/rawWire.ts';
import { waitFor } from '../support/polling.ts';

const ECHOTEST = 'janus.plugin.echotest';
const ADMIN_SECRET = 'test-admin-secret';

/** A minimal but complete browser-style offer (one Opus m-line): valid enough for the gateway to answer. */
const OFFER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Zq3x',
  'a=ice-pwd:0123456789abcdefghijklmn',
  'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':')}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  '',
].join('\r\n');

/** Asserts that a fresh `info` still answers, over a new WebSocket and over HTTP. */
async function stillServes(gw: TestGateway): Promise<void> {
  const socket = await RawSocket.open(gw.wsUrl);
  try {
    assert.equal((await socket.request({ janus: 'info' })).janus, 'server_info', 'WebSocket info after bad input');
  } finally {
    await socket.close();
  }
  assert.equal((await postJanus(gw.httpUrl, { janus: 'info' })).janus, 'server_info', 'HTTP info after bad input');
}

/** Asserts a Janus `error` reply with `code`, optionally its transaction. */
function assertError(reply: JanusMessage | undefined, code: number, transaction?: string): void {
  assert.equal(reply?.janus, 'error', `expected error ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error?.code, code, `expected error ${code}, got ${JSON.stringify(reply)}`);
  if (transaction !== undefined) assert.equal(reply.transaction, transaction);
}

describe('transports: WebSocket', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway();
  });

  after(async () => {
    await gw?.close();
  });

  it('refuses a handshake without the janus-protocol subprotocol', async () => {
    const none = await handshake(gw.wsUrl, []);
    assert.equal(none.ok, false, 'no subprotocol: handshake fails');
    const other = await handshake(gw.wsUrl, ['chat']);
    assert.equal(other.ok, false, 'only another subprotocol: handshake fails');
    await stillServes(gw);
  });

  it('echoes the selected subprotocol, whatever the URL path', async () => {
    assert.deepEqual(await handshake(gw.wsUrl, ['janus-protocol']), { ok: true, protocol: 'janus-protocol' });
    assert.deepEqual(await handshake(`${gw.wsUrl}any/path`, ['chat', 'janus-protocol']), { ok: true, protocol: 'janus-protocol' });
  });

  it('answers a malformed JSON frame with 454 and no transaction, and the socket stays usable', async () => {
    const socket = await RawSocket.open(gw.wsUrl);
    try {
      socket.send('{"janus":"info","transaction":');
      const [reply] = await socket.next(1);
      assertError(reply, 454);
      assert.equal(reply?.transaction, undefined, 'a 454 for an unparseable frame has no transaction');
      assert.equal((await socket.request({ janus: 'info' })).janus, 'server_info', 'a following info works');
    } finally {
      await socket.close();
    }
    await stillServes(gw);
  });

  it('answers both JSON objects sent in one frame', async () => {
    const socket = await RawSocket.open(gw.wsUrl);
    try {
      socket.send('{"janus":"info","transaction":"one"} {"janus":"ping","transaction":"two"}');
      const replies = await socket.next(2);
      const byTransaction = new Map(replies.map((r) => [r.transaction, r.janus]));
      assert.deepEqual(Object.fromEntries(byTransaction), { one: 'server_info', two: 'pong' });
    } finally {
      await socket.close();
    }
    await stillServes(gw);
  });

  it('answers a request without janus or transaction with 456, a non-string janus with 467, a root verb it does not know with 457, a non-object with 455', async () => {
    const socket = await RawSocket.open(gw.wsUrl);
    try {
      socket.send(JSON.stringify({ transaction: 'no-verb' }));
      assertError((await socket.next(1))[0], 456, 'no-verb');
      socket.send(JSON.stringify({ janus: 'info' }));
      assertError((await socket.next(1))[0], 456);
      socket.send(JSON.stringify({ janus: 42, transaction: 'number-verb' }));
      assertError((await socket.next(1))[0], 467, 'number-verb');
      assertError(await socket.request({ janus: 'attach', plugin: ECHOTEST, transaction: 'root-attach' }), 457, 'root-attach');
      socket.send('[1,2]');
      assertError((await socket.next(1))[0], 455);
    } finally {
      await socket.close();
    }
    await stillServes(gw);
  });

  it('claim moves a session to another socket, and closing the old socket leaves it alive', async () => {
    const first = await connectJanus('ws', gw.wsUrl);
    const second = await connectJanus('ws', gw.wsUrl);
    try {
      const session = await first.create();
      const handle = await first.attach(ECHOTEST);
      const claimed = await second.claim(session);
      assert.deepEqual(
        { janus: claimed.janus, session_id: claimed.session_id, data: claimed.data },
        { janus: 'success', session_id: session, data: undefined },
      );
      await first.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(gw.gateway.api.sessions.has(session), 'the claimed session outlives the socket that created it');
      const ack = await second.message(handle, { audio: true });
      await second.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 3000);
      assert.equal(first.events.length, 0, 'nothing reached the old socket');
      await second.destroy();
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('destroys the sessions of a WebSocket when it closes', async () => {
    const client = await connectJanus('ws', gw.wsUrl);
    const session = await client.create();
    await client.attach(ECHOTEST);
    assert.ok(gw.gateway.api.sessions.has(session));
    await client.close();
    await waitFor(
      () => gw.gateway.api.sessions.size,
      (n) => n === 0,
      3000,
      'api.sessions to empty',
    );
    await stillServes(gw);
  });
});

describe('transports: request errors over both transports', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ transports: { http: { longPollTimeout: 0.3 } } });
  });

  after(async () => {
    await gw?.close();
  });

  for (const transport of ['ws', 'http'] as const) {
    const url = (): string => (transport === 'ws' ? gw.wsUrl : gw.httpUrl);

    it(`${transport}: an unknown verb at session or handle level is 453`, async () => {
      const client = await connectJanus(transport, url());
      try {
        const session = await client.create();
        const handle = await client.attach(ECHOTEST);
        assertError(await client.raw({ janus: 'dance', session_id: session, transaction: 'verb-s' }), 453, 'verb-s');
        assertError(await client.raw({ janus: 'dance', session_id: session, handle_id: handle, transaction: 'verb-h' }), 453, 'verb-h');
        await client.destroy();
      } finally {
        await client.close();
      }
      await stillServes(gw);
    });

    it(`${transport}: a wrong session is 458 and a wrong handle is 459`, async () => {
      const client = await connectJanus(transport, url());
      try {
        const session = await client.create();
        const wrongSession = await client.raw({ janus: 'keepalive', session_id: session + 1, transaction: 'bad-s' });
        assertError(wrongSession, 458, 'bad-s');
        const wrongHandle = await client.raw({ janus: 'message', session_id: session, handle_id: 12345, body: {}, transaction: 'bad-h' });
        assertError(wrongHandle, 459, 'bad-h');
        assert.equal(wrongHandle.session_id, session, 'a 459 names the session');
        // The typed verbs reject with the error reply.
        await assert.rejects(client.message(12345, { audio: true }), (e: unknown) => e instanceof JanusRequestError && e.code === 459);
        await client.destroy();
      } finally {
        await client.close();
      }
      await stillServes(gw);
    });

    it(`${transport}: invalid SDP in an echotest message is 465`, async () => {
      const client = await connectJanus(transport, url());
      try {
        await client.create();
        const handle = await client.attach(ECHOTEST);
        const error = await client.message(handle, { audio: true }, { type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' }).then(
          () => assert.fail('an invalid SDP was accepted'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof JanusRequestError && error.code === 465, `465 expected: ${String(error)}`);
        // The handle survives a bad SDP: a request without JSEP still works.
        assert.equal((await client.message(handle, { audio: true })).janus, 'ack');
        await client.destroy();
      } finally {
        await client.close();
      }
      await stillServes(gw);
    });
  }
});

describe('transports: HTTP REST and long poll', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ transports: { http: { longPollTimeout: 0.3 } } });
  });

  after(async () => {
    await gw?.close();
  });

  /** Creates a session and an echotest handle over plain HTTP. */
  async function sessionAndHandle(): Promise<{ session: number; handle: number }> {
    const created = await postJanus(gw.httpUrl, { janus: 'create' });
    assert.equal(created.janus, 'success');
    const session = created.data?.id;
    assert.equal(typeof session, 'number', 'create answers data.id');
    assert.equal(created.session_id, undefined, "create's success carries no session_id");
    const attached = await postJanus(`${gw.httpUrl}/${session}`, { janus: 'attach', plugin: ECHOTEST });
    assert.equal(attached.janus, 'success');
    assert.equal(attached.session_id, session);
    const handle = attached.data?.id;
    assert.equal(typeof handle, 'number', 'attach answers data.id');
    return { session: session as number, handle: handle as number };
  }

  it('creates a session with POST /janus and attaches with POST /janus/{S}', async () => {
    const { session } = await sessionAndHandle();
    assert.ok(gw.gateway.api.sessions.has(session));
    await postJanus(`${gw.httpUrl}/${session}`, { janus: 'destroy' });
  });

  it('long poll returns an array for maxev=10 and a single object for maxev=1', async () => {
    const { session, handle } = await sessionAndHandle();
    const first = await postJanus(`${gw.httpUrl}/${session}/${handle}`, { janus: 'message', body: { audio: true } });
    assert.equal(first.janus, 'ack');
    const batch = await http(`${gw.httpUrl}/${session}?maxev=10&rid=${Date.now()}`);
    assert.equal(batch.status, 200);
    assert.match(batch.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(Array.isArray(batch.body), `maxev=10 answers an array: ${batch.text}`);
    const event = (batch.body as JanusMessage[]).find((m) => m.janus === 'event');
    assert.ok(event, `the echotest event is in the batch: ${batch.text}`);
    assert.equal(event.transaction, first.transaction, 'the event carries the request transaction');
    assert.equal(event.session_id, session);
    assert.equal(event.sender, handle);
    assert.deepEqual(event.plugindata, { plugin: ECHOTEST, data: { echotest: 'event', result: 'ok' } });

    const second = await postJanus(`${gw.httpUrl}/${session}/${handle}`, { janus: 'message', body: { video: true } });
    const single = await http(`${gw.httpUrl}/${session}?maxev=1`);
    assert.ok(!Array.isArray(single.body), `maxev=1 answers one object: ${single.text}`);
    assert.equal((single.body as JanusMessage).janus, 'event');
    assert.equal((single.body as JanusMessage).transaction, second.transaction);
    await postJanus(`${gw.httpUrl}/${session}`, { janus: 'destroy' });
  });

  it('a long poll that times out answers a keepalive: an array for maxev>1, an object for maxev=1', async () => {
    const { session } = await sessionAndHandle();
    const started = performance.now();
    const batch = await http(`${gw.httpUrl}/${session}?maxev=10`);
    assert.ok(performance.now() - started >= 250, 'the poll waited for the timeout');
    assert.equal(batch.text, '[{"janus":"keepalive"}]');
    const single = await http(`${gw.httpUrl}/${session}`);
    assert.equal(single.text, '{"janus":"keepalive"}');
    await postJanus(`${gw.httpUrl}/${session}`, { janus: 'destroy' });
  });

  it('GET /janus/{S}/{H} redirects to /janus/{S}', async () => {
    const { session, handle } = await sessionAndHandle();
    const result = await http(`${gw.httpUrl}/${session}/${handle}`);
    assert.equal(result.status, 302);
    assert.equal(result.headers.get('location'), `/janus/${session}`);
    await postJanus(`${gw.httpUrl}/${session}`, { janus: 'destroy' });
  });

  it('answers 404 with an empty body for a long poll on an unknown session and for deeper paths', async () => {
    const unknown = await http(`${gw.httpUrl}/1234567?maxev=10`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, '');
    for (const path of ['/1/2/3', '/1/2/3/4', '/abc']) {
      const deeper = await http(`${gw.httpUrl}${path}`, { body: { janus: 'info', transaction: 'x' } });
      assert.equal(deeper.status, 404, `POST ${path}`);
      assert.equal(deeper.text, '');
    }
    await stillServes(gw);
  });

  it('answers other methods with error 450 and HTTP 200', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const result = await http(gw.httpUrl, { method, body: { janus: 'info', transaction: 'x' } });
      assert.equal(result.status, 200, method);
      assertError(result.body as JanusMessage, 450);
    }
    await stillServes(gw);
  });

  it('answers a CORS preflight with 200, origin * and the requested methods and headers', async () => {
    const result = await http(gw.httpUrl, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-custom',
      },
    });
    assert.equal(result.status, 200);
    assert.equal(result.text, '');
    assert.equal(result.headers.get('access-control-allow-origin'), '*');
    assert.equal(result.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(result.headers.get('access-control-allow-headers'), 'content-type, x-custom');
    assert.equal(result.headers.get('access-control-max-age'), '86400');
    // Every API answer carries the origin header too.
    const info = await http(gw.httpUrl, {
      body: { janus: 'info', transaction: 'cors' },
      headers: { Origin: 'http://example.test', 'Content-Type': 'application/json' },
    });
    assert.equal(info.headers.get('access-control-allow-origin'), '*');
  });

  it('accepts a text/plain body (sendBeacon destroy on page unload)', async () => {
    const { session } = await sessionAndHandle();
    const result = await http(`${gw.httpUrl}/${session}`, {
      body: JSON.stringify({ janus: 'destroy', transaction: 'beacon' }),
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    });
    assert.deepEqual(result.body, { janus: 'success', session_id: session, transaction: 'beacon' });
    assert.ok(!gw.gateway.api.sessions.has(session), 'the session is gone');
  });

  it('answers 457 for a body session_id that conflicts with the path, and for a handle verb posted to /janus/{S}', async () => {
    const { session, handle } = await sessionAndHandle();
    const conflict = await postJanus(`${gw.httpUrl}/${session}`, { janus: 'keepalive', session_id: session + 1, transaction: 'conflict' });
    assertError(conflict, 457, 'conflict');
    const handleConflict = await postJanus(`${gw.httpUrl}/${session}/${handle}`, {
      janus: 'hangup',
      handle_id: handle + 1,
      transaction: 'h-conflict',
    });
    assertError(handleConflict, 457, 'h-conflict');
    const wrongLevel = await postJanus(`${gw.httpUrl}/${session}`, { janus: 'message', body: {}, transaction: 'level' });
    assertError(wrongLevel, 457, 'level');
    // A body that repeats the path's ids is fine.
    assert.equal((await postJanus(`${gw.httpUrl}/${session}`, { janus: 'keepalive', session_id: session })).janus, 'ack');
    await postJanus(`${gw.httpUrl}/${session}`, { janus: 'destroy' });
    await stillServes(gw);
  });

  it('answers 454 for a body that is not JSON and 455 for JSON that is not an object', async () => {
    assertError((await http(gw.httpUrl, { body: '{"janus":' })).body as JanusMessage, 454);
    for (const body of ['[1,2]', '42', '"create"', 'null']) {
      const result = await http(gw.httpUrl, { body });
      assert.equal(result.status, 200, body);
      assertError(result.body as JanusMessage, 455);
    }
    await stillServes(gw);
  });

  it('answers an oversize body with an error', async () => {
    const huge = JSON.stringify({ janus: 'info', transaction: 'huge', padding: 'x'.repeat(2 * 1024 * 1024) });
    const result = await http(gw.httpUrl, { body: huge });
    assert.equal(result.status, 200);
    assert.equal((result.body as JanusMessage).janus, 'error', `oversize body refused: ${result.text.slice(0, 200)}`);
    await stillServes(gw);
  });

  it('GET /janus/info answers server_info', async () => {
    const result = await http(`${gw.httpUrl}/info`);
    assert.equal(result.status, 200);
    const info = result.body as JanusMessage;
    assert.equal(info.janus, 'server_info');
    assert.equal(info.version, 1102);
    assert.ok(typeof info.plugins === 'object' && info.plugins !== null && ECHOTEST in info.plugins, 'lists the echotest plugin');
    assert.equal((await http(`${gw.httpUrl}/info`, { method: 'POST', body: {} })).status, 400, 'other methods on /info are 400');
  });

  it("keepalive and claim work over HTTP: the claiming client polls the session's events", async () => {
    const first = await connectJanus('http', gw.httpUrl);
    const second = await connectJanus('http', gw.httpUrl);
    try {
      const session = await first.create();
      assert.equal((await first.keepalive()).janus, 'ack');
      // Over HTTP a session's events sit in one queue per session, whoever polls it: the first
      // client goes away (a page reload) before the second claims, as janus.js's reconnect() does.
      await first.close();
      const claimed = await second.claim(session);
      assert.deepEqual(
        { janus: claimed.janus, session_id: claimed.session_id, data: claimed.data },
        { janus: 'success', session_id: session, data: undefined },
      );
      const handle = await second.attach(ECHOTEST);
      const ack = await second.message(handle, { audio: true });
      await second.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 3000);
      await second.destroy();
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('transports: session timeout over HTTP', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ general: { sessionTimeout: 0.3 } });
  });

  after(async () => {
    await gw?.close();
  });

  it('a session with no polls times out; a later GET gets the timeout message or 404', async () => {
    const created = await postJanus(gw.httpUrl, { janus: 'create' });
    const session = created.data?.id as number;
    await waitFor(
      () => gw.gateway.api.sessions.has(session),
      (alive) => !alive,
      3000,
      'the session to time out',
    );
    const poll = await http(`${gw.httpUrl}/${session}?maxev=10`);
    if (poll.status === 404) {
      assert.equal(poll.text, '');
    } else {
      assert.equal(poll.status, 200);
      assert.ok(Array.isArray(poll.body), `maxev=10 answers an array: ${poll.text}`);
      assert.deepEqual(poll.body, [{ janus: 'timeout', session_id: session }]);
      assert.equal((await http(`${gw.httpUrl}/${session}?maxev=10`)).status, 404, 'after the timeout message, 404');
    }
    assertError(await postJanus(`${gw.httpUrl}/${session}`, { janus: 'keepalive' }), 458);
    await stillServes(gw);
  });

  it('a WebSocket session that is kept alive survives, and one that is not gets a timeout event', async () => {
    const kept = await connectJanus('ws', gw.wsUrl);
    const idle = await connectJanus('ws', gw.wsUrl);
    try {
      const keptSession = await kept.create();
      const idleSession = await idle.create();
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await kept.keepalive();
      }
      assert.ok(gw.gateway.api.sessions.has(keptSession), 'kept alive');
      const timeout = await idle.waitForEvent((m) => m.janus === 'timeout', 2000);
      assert.deepEqual(timeout, { janus: 'timeout', session_id: idleSession });
      assert.ok(!gw.gateway.api.sessions.has(idleSession));
    } finally {
      await kept.close();
      await idle.close();
    }
  });
});

describe('transports: Admin API', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway();
  });

  after(async () => {
    await gw?.close();
  });

  const adminWsUrl = (): string => gw.adminUrl.replace(/^http/, 'ws').replace(/\/admin$/, '/');

  it('answers info and ping without the admin secret', async () => {
    const info = await postJanus(gw.adminUrl, { janus: 'info' });
    assert.equal(info.janus, 'server_info');
    assert.equal((await postJanus(gw.adminUrl, { janus: 'ping' })).janus, 'pong');
  });

  it('refuses list_sessions without the admin secret (403) and lists sessions with it', async () => {
    const client = await connectJanus('ws', gw.wsUrl);
    try {
      const session = await client.create();
      assertError(await postJanus(gw.adminUrl, { janus: 'list_sessions', transaction: 'nosecret' }), 403, 'nosecret');
      assertError(await postJanus(gw.adminUrl, { janus: 'list_sessions', admin_secret: 'wrong' }), 403);
      const listed = await postJanus(gw.adminUrl, { janus: 'list_sessions', admin_secret: ADMIN_SECRET, transaction: 'list' });
      assert.equal(listed.janus, 'success');
      assert.equal(listed.transaction, 'list');
      assert.ok(Array.isArray(listed.sessions) && listed.sessions.includes(session), `lists ${session}: ${JSON.stringify(listed)}`);
    } finally {
      await client.close();
    }
    await stillServes(gw);
  });

  it('answers ping over WebSocket with janus-admin-protocol, and refuses the handshake without it', async () => {
    const socket = await RawSocket.open(adminWsUrl(), 'janus-admin-protocol');
    try {
      assert.deepEqual(await socket.request({ janus: 'ping', transaction: 'p1' }), { janus: 'pong', transaction: 'p1' });
      const listed = await socket.request({ janus: 'list_sessions', admin_secret: ADMIN_SECRET });
      assert.equal(listed.janus, 'success');
    } finally {
      await socket.close();
    }
    assert.equal((await handshake(adminWsUrl(), [])).ok, false, 'no subprotocol');
    assert.equal((await handshake(adminWsUrl(), ['janus-protocol'])).ok, false, 'the Janus API subprotocol is not the admin one');
  });

  it('hangup_webrtc closes the PeerConnection and the client gets hangup "Admin API"', async () => {
    const client = await connectJanus('ws', gw.wsUrl);
    try {
      const session = await client.create();
      const handle = await client.attach(ECHOTEST);
      const ack = await client.message(handle, { audio: true }, { type: 'offer', sdp: OFFER_SDP });
      const answered = await client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, 5000);
      assert.equal(answered.jsep?.type, 'answer');
      const reply = await postJanus(gw.adminUrl, {
        janus: 'hangup_webrtc',
        session_id: session,
        handle_id: handle,
        admin_secret: ADMIN_SECRET,
      });
      assert.equal(reply.janus, 'success');
      const hangup = await client.waitForEvent((m) => m.janus === 'hangup', 3000);
      assert.deepEqual(hangup, { janus: 'hangup', sender: handle, reason: 'Admin API', session_id: session });
      await client.waitForEvent((m) => m.janus === 'event' && m.plugindata?.data.result === 'done', 3000);
      // The handle stays usable after a hangup.
      assert.equal((await client.message(handle, { audio: true })).janus, 'ack');
    } finally {
      await client.close();
    }
  });

  it('destroy_session destroys a live session', async () => {
    const client = await connectJanus('ws', gw.wsUrl);
    try {
      const session = await client.create();
      await client.attach(ECHOTEST);
      const reply = await postJanus(gw.adminUrl, { janus: 'destroy_session', session_id: session, admin_secret: ADMIN_SECRET });
      assert.equal(reply.janus, 'success');
      assert.ok(!gw.gateway.api.sessions.has(session));
      await assert.rejects(client.keepalive(), (e: unknown) => e instanceof JanusRequestError && e.code === 458);
      assertError(await postJanus(gw.adminUrl, { janus: 'destroy_session', session_id: session, admin_secret: ADMIN_SECRET }), 458);
    } finally {
      await client.close();
    }
    await stillServes(gw);
  });
});

describe('http: long-poll authentication', () => {
  it('refuses a long poll without the apisecret with HTTP 403, accepts it with the secret', async () => {
    const gw = await startTestGateway({ general: { apiSecret: 'sekrit' } });
    try {
      const created = (await (await fetch(gw.httpUrl, { method: 'POST', body: JSON.stringify({ janus: 'create', transaction: 'c', apisecret: 'sekrit' }) })).json()) as { data: { id: number } };
      const id = created.data.id;
      const refused = await fetch(`${gw.httpUrl}/${id}?maxev=1`);
      assert.equal(refused.status, 403);
      await refused.body?.cancel();
      const accepted = await fetch(`${gw.httpUrl}/${id}?maxev=1&apisecret=sekrit`, { signal: AbortSignal.timeout(500) }).catch((e: unknown) => e);
      assert.ok(accepted instanceof Error || (accepted as Response).status === 200, 'an authorized poll waits (or answers 200)');
    } finally {
      await gw.close();
    }
  });
});
