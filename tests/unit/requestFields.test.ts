// Janus core error codes and request-field validation (core/src/api/JanusErrors.ts,
// core/src/api/requestFields.ts; shared/janus-api.md §3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JanusError, JanusErrorCode } from '../../core/src/api/JanusErrors.ts';
import { attachSchema, candidateSchema, createSchema, jsepSchema, messageSchema, parseFields } from '../../core/src/api/requestFields.ts';

/** Runs `work`, asserting it throws a JanusError with `code`; returns the error's message. */
function janusErrorOf(work: () => unknown, code: number): string {
  let message = '';
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof JanusError, `expected JanusError, got ${String(error)}`);
    assert.equal(error.code, code);
    message = error.message;
    return true;
  });
  return message;
}

test('errors: the code table matches Janus 1.1.2 apierror.h', () => {
  assert.deepEqual(
    { ...JanusErrorCode },
    {
      UNAUTHORIZED: 403,
      UNAUTHORIZED_PLUGIN: 405,
      TRANSPORT_SPECIFIC: 450,
      MISSING_REQUEST: 452,
      UNKNOWN_REQUEST: 453,
      INVALID_JSON: 454,
      INVALID_JSON_OBJECT: 455,
      MISSING_MANDATORY_ELEMENT: 456,
      INVALID_REQUEST_PATH: 457,
      SESSION_NOT_FOUND: 458,
      HANDLE_NOT_FOUND: 459,
      PLUGIN_NOT_FOUND: 460,
      PLUGIN_ATTACH: 461,
      PLUGIN_MESSAGE: 462,
      PLUGIN_DETACH: 463,
      JSEP_UNKNOWN_TYPE: 464,
      JSEP_INVALID_SDP: 465,
      TRICKE_INVALID_STREAM: 466,
      INVALID_ELEMENT_TYPE: 467,
      SESSION_CONFLICT: 468,
      UNEXPECTED_ANSWER: 469,
      TOKEN_NOT_FOUND: 470,
      WEBRTC_STATE: 471,
      NOT_ACCEPTING_SESSIONS: 472,
      UNKNOWN: 490,
    },
  );
});

test('errors: a JanusError without a reason takes Janus default reason text', () => {
  const unauthorized = new JanusError(403);
  assert.equal(unauthorized.code, 403);
  assert.equal(unauthorized.name, 'JanusError');
  assert.equal(unauthorized.message, 'Unauthorized request (wrong or missing secret/token)');
  assert.equal(new JanusError(458).message, 'Session not found');
  assert.equal(new JanusError(459).message, 'Handle not found');
  assert.equal(new JanusError(465).message, 'Invalid SDP');
  for (const code of Object.values(JanusErrorCode)) assert.ok(new JanusError(code).message.length > 0, String(code));
});

test('errors: a JanusError with a reason keeps it', () => {
  const error = new JanusError(458, 'No such session 123');
  assert.equal(error.message, 'No such session 123');
  assert.ok(error instanceof Error);
});

test('fields: a missing mandatory field is 456 naming the field', () => {
  assert.match(
    janusErrorOf(() => parseFields(attachSchema, {}), 456),
    /plugin/,
  );
  assert.match(
    janusErrorOf(() => parseFields(messageSchema, {}), 456),
    /body/,
  );
  assert.match(
    janusErrorOf(() => parseFields(jsepSchema, { type: 'offer' }), 456),
    /sdp/,
  );
  assert.match(
    janusErrorOf(() => parseFields(candidateSchema, { sdpMid: '0' }), 456),
    /candidate/,
  );
});

test('fields: a field of the wrong type is 467 naming the field', () => {
  assert.match(
    janusErrorOf(() => parseFields(attachSchema, { plugin: 5 }), 467),
    /plugin/,
  );
  assert.match(
    janusErrorOf(() => parseFields(attachSchema, { plugin: 'x', opaque_id: [] }), 467),
    /opaque_id/,
  );
  assert.match(
    janusErrorOf(() => parseFields(messageSchema, { body: 'text' }), 467),
    /body/,
  );
  assert.match(
    janusErrorOf(() => parseFields(jsepSchema, { type: 'offer', sdp: 'v=0', e2ee: 'yes' }), 467),
    /e2ee/,
  );
  assert.match(
    janusErrorOf(() => parseFields(candidateSchema, { candidate: 'c', sdpMLineIndex: 0.5 }), 467),
    /sdpMLineIndex/,
  );
});

test('fields: a present-but-null field is 467, not 456', () => {
  janusErrorOf(() => parseFields(attachSchema, { plugin: null }), 467);
  janusErrorOf(() => parseFields(messageSchema, { body: null }), 467);
});

test('fields: a candidate needs sdpMid or sdpMLineIndex (456 when both are absent)', () => {
  assert.match(
    janusErrorOf(() => parseFields(candidateSchema, { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host' }), 456),
    /sdpMid/,
  );
  assert.deepEqual(parseFields(candidateSchema, { candidate: 'c', sdpMLineIndex: 0 }), { candidate: 'c', sdpMLineIndex: 0 });
  assert.deepEqual(parseFields(candidateSchema, { candidate: 'c', sdpMid: 'audio' }), { candidate: 'c', sdpMid: 'audio' });
});

test('fields: valid requests parse, and unknown fields are dropped', () => {
  assert.deepEqual(parseFields(attachSchema, { janus: 'attach', plugin: 'p', opaque_id: 'o', transaction: 't' }), {
    plugin: 'p',
    opaque_id: 'o',
  });
  assert.deepEqual(parseFields(messageSchema, { body: { a: [1, { b: null }] } }), { body: { a: [1, { b: null }] } });
  assert.deepEqual(parseFields(jsepSchema, { type: 'offer', sdp: 'v=0', e2ee: true, trickle: false, rid_order: 'hml' }), {
    type: 'offer',
    sdp: 'v=0',
    e2ee: true,
    trickle: false,
  });
});

test('fields: a client-chosen session id must be a positive safe integer', () => {
  assert.deepEqual(parseFields(createSchema, {}), {});
  assert.deepEqual(parseFields(createSchema, { id: Number.MAX_SAFE_INTEGER }), { id: Number.MAX_SAFE_INTEGER });
  for (const id of [0, -1, 1.5, 2 ** 53, 'x']) janusErrorOf(() => parseFields(createSchema, { id }), 467);
});
