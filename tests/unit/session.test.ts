// Session (core/src/api/Session.ts): the stamp every async message needs, and silence after destroy
// (shared/janus-api.md §2.6, §8 items 8 and 11).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../../core/src/api/Session.ts';
import { CollectingSink } from './support/apiHarness.ts';

test('session: send stamps session_id on every async message', () => {
  const sink = new CollectingSink('s');
  const session = new Session(77, sink, 0);
  session.send({ janus: 'event', sender: 5, plugindata: { plugin: 'p', data: {} } });
  session.send({ janus: 'webrtcup', sender: 5, session_id: 1 });
  assert.deepEqual(sink.messages, [
    { janus: 'event', sender: 5, plugindata: { plugin: 'p', data: {} }, session_id: 77 },
    { janus: 'webrtcup', sender: 5, session_id: 77 },
  ]);
});

test('session: nothing is sent after the session is destroyed', () => {
  const sink = new CollectingSink('s');
  const session = new Session(78, sink, 0);
  assert.equal(session.destroyed, false);
  session.markDestroyed();
  session.markDestroyed();
  assert.equal(session.destroyed, true);
  session.send({ janus: 'detached', sender: 1 });
  assert.deepEqual(sink.messages, []);
});

test('session: messages follow the sink the session is bound to', () => {
  const first = new CollectingSink('a');
  const second = new CollectingSink('b');
  const session = new Session(79, first, 0);
  session.send({ janus: 'media', sender: 1, mid: '0', type: 'audio', receiving: true });
  session.sink = second;
  session.send({ janus: 'media', sender: 1, mid: '0', type: 'audio', receiving: false });
  assert.equal(first.messages.length, 1);
  assert.equal(second.messages.length, 1);
  assert.equal(second.messages[0]?.receiving, false);
});

test('session: a new session has no handles, its creation time as last activity and no reclaim deadline', () => {
  const session = new Session(80, new CollectingSink('s'), 1234.5);
  assert.equal(session.id, 80);
  assert.equal(session.handles.size, 0);
  assert.equal(session.lastActivity, 1234.5);
  assert.equal(session.reclaimDeadline, undefined);
});
