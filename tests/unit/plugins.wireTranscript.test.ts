// The built-in plugins answer byte for byte as recorded: a scripted conversation with each one
// (requests, bad requests, media up and down, admin messages) is compared with its transcript in
// tests/unit/fixtures/. The transcripts were recorded before the plugins moved onto the SDK's
// request kit; regenerate one only for an intended wire change: CARDEA_RECORD_TRANSCRIPTS=1.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { DefinedPlugin, JsonObject } from '@cardea/plugin-sdk';
import audiobridge from '../../plugins/audiobridge/src/index.ts';
import echotest from '../../plugins/echotest/src/index.ts';
import videocall from '../../plugins/videocall/src/index.ts';
import videoroom from '../../plugins/videoroom/src/index.ts';
import { answer, freezeChance, offer, PluginTranscript } from './support/pluginTranscript.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');

async function compare(name: string, plugin: DefinedPlugin, script: (t: PluginTranscript) => Promise<void>): Promise<void> {
  const restore = freezeChance();
  const transcript = new PluginTranscript(plugin);
  try {
    await script(transcript);
  } finally {
    restore();
  }
  const file = path.join(fixtures, `${name}.transcript.json`);
  const actual = JSON.stringify(transcript.entries, null, 1);
  if (process.env.CARDEA_RECORD_TRANSCRIPTS === '1' || !existsSync(file)) {
    assert.equal(process.env.CI, undefined, `${file} is missing`);
    writeFileSync(file, `${actual}\n`);
    return;
  }
  assert.deepEqual(answerFirst(JSON.parse(actual)), answerFirst(JSON.parse(readFileSync(file, 'utf8'))));
}

/**
 * Puts each message's direct answer right after the message. Where the answer falls among the
 * events a request pushes depends on microtask order only: the request kit sends the `ack` before
 * any event (as Janus does), where a hand-written plugin could push an error event just before it.
 */
function answerFirst(entries: JsonObject[]): JsonObject[] {
  const out: JsonObject[] = [];
  let lastMessage = -1;
  for (const entry of entries) {
    if ('message' in entry) lastMessage = out.length;
    if ('result' in entry && !('query' in entry) && lastMessage >= 0) {
      out.splice(lastMessage + 1, 0, entry);
      lastMessage = -1;
    } else out.push(entry);
  }
  return out;
}

test('echotest: requests, bad elements and hangup answer as recorded', async () => {
  await compare('echotest', echotest, async (t) => {
    await t.attach(1);
    await t.message(1, { audio: true, video: true }, offer([{ kind: 'audio' }, { kind: 'video' }]));
    await t.message(1, { audio: false, bitrate: 128000, keyframe: true, videocodec: 'VP8' });
    await t.message(1, { audio: 'yes' });
    await t.message(1, { keyframe: 1, audiocodec: 3 });
    await t.message(1, { videocodec: 7 });
    await t.message(1, { bitrate: -1 });
    await t.message(1, { bitrate: 1.5 });
    await t.message(1, { record: true });
    t.query(1);
    await t.hangupMedia(1);
    t.query(1);
    await t.detach(1);
    await t.message(1, { audio: true });
  });
});

test('videocall: register, call, accept, set, hangup and errors answer as recorded', async () => {
  await compare('videocall', videocall, async (t) => {
    await t.attach(1);
    await t.attach(2);
    await t.attach(3);
    await t.message(1, {});
    await t.message(1, { request: 7 });
    await t.message(1, { request: 'dance' });
    await t.message(1, { request: 'register' });
    await t.message(1, { request: 'register', username: 5 });
    await t.message(1, { request: 'call', username: 'bob' });
    await t.message(1, { request: 'register', username: 'alice' });
    await t.message(1, { request: 'register', username: 'again' });
    await t.message(2, { request: 'register', username: 'alice' });
    await t.message(2, { request: 'register', username: 'bob' });
    await t.message(1, { request: 'list' });
    await t.message(1, { request: 'call', username: 'alice' });
    await t.message(1, { request: 'call', username: 'nobody' });
    await t.message(1, { request: 'call', username: 'bob' });
    await t.message(1, { request: 'call', username: 'bob' }, offer([{ kind: 'audio' }, { kind: 'video', codecs: ['h264', 'vp8'] }]));
    await t.message(3, { request: 'register', username: 'carol' });
    await t.message(3, { request: 'call', username: 'bob' }, offer([{ kind: 'audio' }]));
    await t.message(2, { request: 'accept' });
    await t.message(2, { request: 'accept' }, answer([{ kind: 'audio' }, { kind: 'video', codecs: ['h264'] }]));
    await t.message(1, { request: 'set', audio: false, bitrate: 256000 });
    await t.message(1, { request: 'set', video: 'no' });
    await t.message(1, { request: 'set', bitrate: '1' });
    t.query(1);
    await t.message(1, { request: 'hangup', reason: 'bye' });
    await t.message(2, { request: 'hangup', reason: 3 });
    await t.message(3, { request: 'accept' });
    await t.message(1, { request: 'call', username: 'bob' }, offer([{ kind: 'audio' }]));
    await t.hangupMedia(2);
    await t.detach(2);
    await t.message(1, { request: 'list' });
    await t.detach(1);
  });
});

const av = () => offer([{ kind: 'audio' }, { kind: 'video', rids: ['h', 'm', 'l'] }, { kind: 'data' }]);

test('videoroom: rooms, publishers, subscribers, access and errors answer as recorded', async () => {
  await compare('videoroom', videoroom, async (t) => {
    for (const h of [1, 2, 3, 4, 5]) await t.attach(h);
    await t.message(1, {});
    await t.message(1, { request: 5 });
    await t.message(1, { request: 'dance' });
    await t.message(1, { request: 'create', room: 'x' });
    await t.message(1, { request: 'create', room: 10, secret: 's', pin: 'p', publishers: 2, audiolevel_event: true, notify_joining: true });
    await t.message(1, { request: 'create', room: 10 });
    await t.message(1, { request: 'create', room: 11, is_private: true, audiocodec: 'OPUS, pcmu', videocodec: 'vp9,vp8' });
    await t.message(1, { request: 'create' });
    await t.message(1, { request: 'create', publishers: 0 });
    await t.message(1, { request: 'list' });
    await t.message(1, { request: 'exists', room: 10 });
    await t.message(1, { request: 'exists', room: 99 });
    await t.message(1, { request: 'exists' });
    await t.message(1, { request: 'edit', room: 10, new_description: 'd' });
    await t.message(1, { request: 'edit', room: 10, secret: 'x', new_description: 'd' });
    await t.message(1, { request: 'edit', room: 10, secret: 's', new_description: 'ten', new_pin: '' });
    await t.message(1, { request: 'edit', room: 10, secret: 's', new_pin: 'p' });
    await t.message(1, { request: 'edit', room: 99, secret: 's' });
    await t.message(1, { request: 'allowed', room: 10, secret: 's', action: 'dance' });
    await t.message(1, { request: 'allowed', room: 10, action: 'enable' });
    await t.message(1, { request: 'allowed', room: 10, secret: 's', action: 'enable', allowed: ['tok1', 'tok2'] });
    await t.message(1, { request: 'allowed', room: 10, secret: 's', action: 'remove', allowed: ['tok2'] });
    await t.message(1, { request: 'allowed', room: 10, secret: 's', action: 'add', allowed: ['tok3'] });
    await t.message(1, { request: 'join' });
    await t.message(1, { request: 'join', ptype: 'viewer' });
    await t.message(1, { request: 'join', ptype: 'publisher' });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 99 });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 10 });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 10, pin: 'p' });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 10, pin: 'p', token: 'tok1', id: 'x' });
    await t.message(1, { request: 'publish' });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 10, pin: 'p', token: 'tok1', id: 101, display: 'Alice' });
    await t.message(1, { request: 'join', ptype: 'publisher', room: 10, pin: 'p', token: 'tok1' });
    await t.message(2, { request: 'join', ptype: 'publisher', room: 10, pin: 'p', token: 'tok3', id: 101 });
    await t.message(2, {
      request: 'joinandconfigure',
      ptype: 'publisher',
      room: 10,
      pin: 'p',
      token: 'tok3',
      id: 102,
      display: 'Bob',
      bitrate: 'x',
    });
    await t.message(
      2,
      { request: 'joinandconfigure', ptype: 'publisher', room: 10, pin: 'p', token: 'tok3', id: 102, display: 'Bob', record: true },
      av(),
    );
    await t.setupMedia(2);
    await t.message(1, { request: 'publish' });
    await t.message(1, { request: 'publish', bitrate: 'high' }, av());
    await t.message(1, { request: 'publish', bitrate: 64000, descriptions: [{ mid: '1', description: 'cam' }] }, av());
    await t.message(1, { request: 'publish' }, av());
    await t.setupMedia(1);
    await t.message(1, { request: 'configure', video: false, keyframe: true, streams: [{ mid: '0', send: false, keyframe: true }] });
    await t.message(1, { request: 'configure', display: 'Alicia', record: true, filename: 'alice' });
    await t.message(3, { request: 'join', ptype: 'publisher', room: 10, pin: 'p', token: 'tok1', id: 103 });
    await t.message(3, { request: 'publish' }, av());
    await t.message(4, { request: 'start' });
    await t.message(4, { request: 'join', ptype: 'subscriber', room: 10 });
    await t.message(4, { request: 'join', ptype: 'subscriber', room: 10, streams: [{ feed: 999 }] });
    await t.message(4, { request: 'join', ptype: 'subscriber', room: 10, streams: [{ feed: 101, mid: '9' }] });
    await t.message(4, { request: 'join', ptype: 'subscriber', room: 10, streams: [{ feed: 101 }, { feed: 102, mid: '1' }], substream: 1 });
    await t.message(4, { request: 'join', ptype: 'subscriber', room: 10, streams: [{ feed: 101 }] });
    await t.message(4, { request: 'publish' });
    await t.message(4, { request: 'start' }, offer([{ kind: 'audio' }]));
    await t.message(4, { request: 'subscribe', streams: [{ feed: 102, mid: '0' }] });
    await t.message(4, { request: 'start' }, answer([{ kind: 'audio' }, { kind: 'video' }]));
    await t.message(4, { request: 'configure', streams: [{ mid: '1', substream: 0, temporal: 1 }], audio: false });
    await t.message(4, { request: 'configure', substream: 2, restart: true });
    await t.message(4, { request: 'configure', substream: 7 });
    await t.message(4, { request: 'pause' });
    await t.message(4, { request: 'start' });
    await t.message(4, { request: 'switch', streams: [{ feed: 102, mid: '1', sub_mid: '1' }] });
    await t.message(4, { request: 'switch', streams: [{ feed: 102, mid: '0', sub_mid: '1' }] });
    await t.message(4, { request: 'switch', streams: [] });
    await t.message(4, { request: 'update' });
    await t.message(4, { request: 'update', unsubscribe: [{ feed: 101, mid: '0' }], subscribe: [{ feed: 102, mid: '2' }] });
    await t.message(4, { request: 'unsubscribe', streams: [{ sub_mid: '0' }] });
    await t.message(5, { request: 'join', ptype: 'subscriber', room: 10, feed: 102, offer_audio: false });
    await t.message(5, { request: 'start' }, answer([{ kind: 'video' }]));
    await t.message(1, { request: 'listparticipants', room: 10 });
    await t.message(1, { request: 'listparticipants', room: 99 });
    await t.message(1, { request: 'rtp_forward', room: 10, publisher_id: 101, host: '127.0.0.1' });
    await t.message(1, { request: 'rtp_forward', room: 10, secret: 's', publisher_id: 101, host: '127.0.0.1' });
    await t.message(1, {
      request: 'rtp_forward',
      room: 10,
      secret: 's',
      publisher_id: 101,
      host: '127.0.0.1',
      audio_port: 5002,
      video_port: 5004,
    });
    await t.message(1, {
      request: 'rtp_forward',
      room: 10,
      secret: 's',
      publisher_id: 101,
      host: '127.0.0.1',
      streams: [
        { mid: '1', port: 5006, ssrc: 7, pt: 96 },
        { mid: '8', port: 5008 },
      ],
    });
    await t.message(1, { request: 'rtp_forward', room: 10, secret: 's', publisher_id: 555, host: '127.0.0.1', audio_port: 5002 });
    await t.message(1, { request: 'listforwarders', room: 10, secret: 's' });
    await t.message(1, { request: 'stop_rtp_forward', room: 10, secret: 's', publisher_id: 101, stream_id: 999 });
    await t.admin({ request: 'stop_rtp_forward', room: 10, secret: 's', publisher_id: 101, stream_id: 6 });
    await t.admin({ request: 'join' });
    await t.admin({ request: 4 });
    await t.admin({ request: 'exists' });
    await t.admin({ request: 'list' });
    await t.admin({ request: 'edit', room: 10, secret: 'wrong' });
    await t.message(2, { request: 'configure', audio: false });
    await t.message(2, { request: 'unpublish' });
    await t.message(2, { request: 'unpublish' });
    await t.message(3, { request: 'leave' });
    await t.message(3, { request: 'configure' });
    await t.message(1, { request: 'kick', room: 10, id: 103 });
    await t.message(1, { request: 'kick', room: 10, secret: 's', id: 555 });
    await t.message(1, { request: 'kick', room: 10, secret: 's', id: 102 });
    await t.hangupMedia(1);
    t.query(1);
    t.query(4);
    t.query(9);
    await t.message(5, { request: 'leave' });
    await t.detach(4);
    await t.message(1, { request: 'destroy', room: 10 });
    await t.message(1, { request: 'destroy', room: 10, secret: 's' });
    await t.message(1, { request: 'list' });
    await t.message(1, { request: 'configure' });
  });
});

test('audiobridge: rooms, participants, files, forwarders and errors answer as recorded', async () => {
  await compare('audiobridge', audiobridge, async (t) => {
    for (const h of [1, 2, 3]) await t.attach(h);
    await t.message(1, {});
    await t.message(1, { request: false });
    await t.message(1, { request: 'dance' });
    await t.message(1, { request: 'create', room: 20, secret: 's', pin: 'p', audiolevel_event: true, groups: ['g1'], record: true });
    await t.message(1, { request: 'create', room: 20 });
    await t.message(1, { request: 'create', room: 21, sampling_rate: 22050 });
    await t.message(1, { request: 'create', room: 22, is_private: true, mixing: 'full', speakers: 2, default_bitrate: 32000 });
    await t.message(1, { request: 'create' });
    await t.message(1, { request: 'list' });
    await t.message(1, { request: 'exists', room: 20 });
    await t.message(1, { request: 'exists' });
    await t.message(1, { request: 'edit', room: 20, new_description: 'x' });
    await t.message(1, { request: 'edit', room: 20, secret: 's', new_description: 'twenty', new_pin: '', new_record_dir: '/tmp/rec' });
    await t.message(1, { request: 'edit', room: 20, secret: 's', new_pin: 'p' });
    await t.message(1, { request: 'allowed', room: 20, secret: 's', action: 'enable', allowed: ['a', 'b'] });
    await t.message(1, { request: 'allowed', room: 20, secret: 'no', action: 'enable' });
    await t.message(1, { request: 'allowed', room: 20, secret: 's', action: 'remove', allowed: ['b'] });
    await t.message(1, { request: 'join' });
    await t.message(1, { request: 'join', room: 99 });
    await t.message(1, { request: 'join', room: 20 });
    await t.message(1, { request: 'join', room: 20, pin: 'p' });
    await t.message(1, { request: 'join', room: 20, pin: 'p', token: 'a', group: 'g9' });
    await t.message(1, { request: 'join', room: 20, pin: 'p', token: 'a', volume: 'x' });
    await t.message(1, { request: 'configure', muted: true });
    await t.message(
      1,
      { request: 'join', room: 20, pin: 'p', token: 'a', id: 201, display: 'Ann', group: 'g1', volume: 120 },
      offer([{ kind: 'audio' }, { kind: 'video' }]),
    );
    await t.setupMedia(1);
    await t.message(1, { request: 'join', room: 20, pin: 'p', token: 'a' });
    await t.message(2, { request: 'join', room: 20, pin: 'p', token: 'a', id: 201 });
    await t.message(2, { request: 'join', room: 20, pin: 'p', token: 'a', id: 202, codec: 'pcmu', generate_offer: true, suspended: true });
    await t.message(2, { request: 'configure' }, answer([{ kind: 'audio', codecs: ['pcmu'] }]));
    await t.message(2, { request: 'configure' }, answer([{ kind: 'audio', codecs: ['pcmu'] }]));
    await t.message(2, { request: 'configure', muted: true, display: 'Bea', quality: 20 });
    await t.message(2, { request: 'configure', muted: true, display: 'Bea' }, offer([{ kind: 'audio', codecs: ['opus'] }]));
    await t.message(1, { request: 'configure', record: true, filename: 'ann' });
    await t.message(1, { request: 'listparticipants', room: 20 });
    await t.message(1, { request: 'mute', room: 20, secret: 's', id: 202 });
    await t.message(1, { request: 'unmute', room: 20, secret: 's', id: 202 });
    await t.message(1, { request: 'suspend', room: 20, secret: 's', id: 201 });
    await t.message(1, { request: 'resume', room: 20, secret: 's', id: 201 });
    await t.message(1, { request: 'mute', room: 20, id: 202 });
    await t.message(1, { request: 'mute', room: 20, secret: 's', id: 999 });
    await t.message(1, { request: 'mute_room', room: 20, secret: 's' });
    await t.message(1, { request: 'mute_room', room: 20, secret: 's' });
    await t.message(1, { request: 'unmute_room', room: 20, secret: 's' });
    await t.message(1, { request: 'resetdecoder', room: 20 });
    await t.message(1, { request: 'resetdecoder', room: 20, id: 201 });
    await t.message(1, { request: 'mixerstats', room: 20, secret: 's' });
    await t.message(1, { request: 'enable_recording', room: 20, secret: 's', record: false });
    await t.message(1, { request: 'enable_recording', room: 20, secret: 's', record: true, record_file: 'mix.opus' });
    await t.message(1, { request: 'enable_recording', room: 20, secret: 's' });
    await t.message(1, { request: 'enable_mjrs', room: 20, secret: 's', mjrs: true, mjrs_dir: '/tmp/mjrs' });
    await t.message(1, { request: 'rtp_forward', room: 20, secret: 's', host: '127.0.0.1', port: 6000, ssrc: 9 });
    await t.message(1, { request: 'rtp_forward', room: 20, secret: 's', host: '127.0.0.1', port: 70000 });
    await t.message(1, { request: 'listforwarders', room: 20, secret: 's' });
    await t.message(1, { request: 'stop_rtp_forward', room: 20, secret: 's', stream_id: 999 });
    await t.admin({ request: 'stop_rtp_forward', room: 20, secret: 's', stream_id: 5 });
    await t.message(1, { request: 'play_file', room: 20, secret: 's', filename: '/tmp/a.opus', file_id: 'f1', loop: true });
    await t.message(1, { request: 'play_file', room: 20, secret: 's', filename: '/tmp/a.opus', file_id: 'f1' });
    await t.message(1, { request: 'play_file', room: 20, secret: 's', filename: '' });
    await t.message(1, { request: 'play_file', room: 20, secret: 's', filename: '/tmp/b.opus' });
    await t.message(1, { request: 'is_playing', room: 20, file_id: 'f1' });
    await t.message(1, { request: 'listannouncements', room: 20 });
    await t.message(1, { request: 'stop_file', room: 20, secret: 's', file_id: 'nope' });
    await t.message(1, { request: 'stop_file', room: 20, secret: 's', file_id: 'f1' });
    await t.message(1, { request: 'stop_all_files', room: 20, secret: 's' });
    await t.admin({ request: 'join' });
    await t.admin({ request: 3 });
    await t.admin({ request: 'exists', room: 20 });
    await t.admin({ request: 'kick', room: 20, secret: 'bad', id: 1 });
    await t.message(3, { request: 'join', room: 20, pin: 'p', token: 'a', id: 203 });
    await t.message(3, { request: 'changeroom', room: 20, pin: 'p', token: 'a' });
    await t.message(3, { request: 'changeroom', room: 22, display: 'Cy' });
    await t.message(3, { request: 'hangup' });
    await t.message(3, { request: 'leave' });
    await t.message(3, { request: 'leave' });
    await t.hangupMedia(1);
    t.query(1);
    t.query(3);
    await t.message(1, { request: 'kick', room: 20, secret: 's', id: 202 });
    await t.message(1, { request: 'kick', room: 20, secret: 's', id: 202 });
    await t.message(1, { request: 'kick_all', room: 20, secret: 's' });
    await t.message(2, { request: 'join', room: 22, id: 7 });
    await t.detach(2);
    await t.message(1, { request: 'destroy', room: 20 });
    await t.message(1, { request: 'destroy', room: 20, secret: 's' });
    await t.message(1, { request: 'destroy', room: 22 });
    await t.message(1, { request: 'list' });
  });
});
