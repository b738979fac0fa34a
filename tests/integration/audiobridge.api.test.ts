// The AudioBridge's Janus API over WebSocket, without media: room management, moderation,
// announcements and recording, and the events participants get, in Janus's shapes (§5.4).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { OggOpusWriter, readOggOpus } from '../../core/src/media/audio/OggOpus.ts';
import { OpusFrameEncoder } from '../../core/src/media/audio/OpusCodec.ts';
import { toneFrame } from '../support/audioFixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient, type JanusMessage } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const PLUGIN = 'janus.plugin.audiobridge';
const data = (m: JanusMessage): Record<string, unknown> => m.plugindata?.data ?? {};

// Files, recording and forwarders run in the mixer worker by default, and in the main thread.
for (const thread of ['worker', 'main'] as const) {
  describe(`audiobridge: the Janus API without media (mixers in the ${thread} thread)`, () => {
    let gw: TestGateway;
    let dir: string;
    const clients: JanusClient[] = [];

    before(async () => {
      gw = await startTestGateway({ media: { audioMixerThread: thread } });
      dir = await mkdtemp(`${tmpdir()}/cardea-ab-`);
    });

    after(async () => {
      for (const c of clients) await c.close();
      await gw?.close();
    });

    const user = async (): Promise<{ client: JanusClient; handle: number }> => {
      const client = await connectJanus('ws', gw.wsUrl);
      clients.push(client);
      await client.create();
      return { client, handle: await client.attach(PLUGIN) };
    };
    const sync = async (u: { client: JanusClient; handle: number }, body: Record<string, unknown>) =>
      data(await u.client.message(u.handle, body));

    it('rooms: create, exists, list, edit, secrets, duplicate ids, destroy with notification', async () => {
      const admin = await user();
      assert.deepEqual(
        await sync(admin, { request: 'create', room: 42, secret: 's3', sampling_rate: 24000, mixing: 'active-speaker', speakers: 2 }),
        { audiobridge: 'created', room: 42, permanent: false },
      );
      assert.equal((await sync(admin, { request: 'create', room: 42 })).error_code, 486);
      assert.equal((await sync(admin, { request: 'create', room: 43, sampling_rate: 22050 })).error_code, 484);
      assert.equal((await sync(admin, { request: 'exists', room: 42 })).exists, true);
      const list = (await sync(admin, { request: 'list' })).list as Array<Record<string, unknown>>;
      assert.deepEqual(list.find((r) => r.room === 42)?.sampling_rate, 24000);
      assert.equal((await sync(admin, { request: 'edit', room: 42, new_description: 'x' })).error_code, 489, 'wrong secret');
      assert.equal((await sync(admin, { request: 'edit', room: 42, secret: 's3', new_description: 'x' })).audiobridge, 'edited');

      const alice = await user();
      await alice.client.message(alice.handle, { request: 'join', room: 42, display: 'alice', id: 7 });
      await alice.client.waitForEvent((m) => data(m).audiobridge === 'joined' && data(m).id === 7);
      const bob = await user();
      await bob.client.message(bob.handle, { request: 'join', room: 42, id: 7 });
      await bob.client.waitForEvent((m) => data(m).error_code === 490, 5000);
      assert.equal((await sync(admin, { request: 'destroy', room: 42 })).error_code, 489);
      assert.equal((await sync(admin, { request: 'destroy', room: 42, secret: 's3' })).audiobridge, 'destroyed');
      await alice.client.waitForEvent((m) => data(m).audiobridge === 'destroyed' && data(m).room === 42);
      assert.deepEqual(gw.gateway.media.audio.ids().length, 0, 'the room mixer went with the room');
    });

    it('moderation: mute, mute_room, kick and kick_all reach the participants', async () => {
      const admin = await user();
      await sync(admin, { request: 'create', room: 50 });
      const [a, b] = [await user(), await user()];
      await a.client.message(a.handle, { request: 'join', room: 50, display: 'a', id: 1 });
      await a.client.waitForEvent((m) => data(m).audiobridge === 'joined' && data(m).id === 1);
      await b.client.message(b.handle, { request: 'join', room: 50, display: 'b', id: 2 });
      const joinedB = await b.client.waitForEvent((m) => data(m).audiobridge === 'joined' && data(m).id === 2);
      assert.deepEqual(data(joinedB).participants, [{ id: 1, display: 'a', setup: false, muted: false }]);
      await a.client.waitForEvent((m) => data(m).audiobridge === 'joined' && (data(m).participants as Array<{ id: number }>)[0]?.id === 2);

      assert.equal((await sync(admin, { request: 'mute', room: 50, id: 2 })).audiobridge, 'success');
      await a.client.waitForEvent((m) => (data(m).participants as Array<{ id: number; muted: boolean }> | undefined)?.[0]?.muted === true);
      assert.equal((await sync(admin, { request: 'mute_room', room: 50 })).audiobridge, 'success');
      await b.client.waitForEvent((m) => data(m).muted === true && data(m).room === 50);
      const listed = (await sync(admin, { request: 'listparticipants', room: 50 })).participants as Array<{ id: number; muted: boolean }>;
      assert.deepEqual(listed.map((p) => [p.id, p.muted]).sort(), [
        [1, false],
        [2, true],
      ]);
      assert.equal((await sync(admin, { request: 'kick', room: 50, id: 9 })).error_code, 492);
      assert.equal((await sync(admin, { request: 'kick', room: 50, id: 2 })).audiobridge, 'success');
      await a.client.waitForEvent((m) => data(m).kicked === 2);
      await b.client.waitForEvent((m) => data(m).kicked === 2);
      assert.equal((await sync(admin, { request: 'kick_all', room: 50 })).audiobridge, 'success');
      await a.client.waitForEvent((m) => data(m).kicked_all === 1);
      assert.deepEqual((await sync(admin, { request: 'listparticipants', room: 50 })).participants, []);
    });

    it('announcements and recording: play_file, is_playing, announcement-stopped at the end; enable_recording writes an Ogg Opus file', async () => {
      const path = `${dir}/hello.opus`;
      const encoder = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 0 });
      const writer = await OggOpusWriter.open(path, { sampleRate: 48000, preSkip: encoder.lookahead });
      for (let n = 0; n < 25; n++) writer.write(encoder.encode(toneFrame(1000, 48000, n)));
      await writer.close();
      encoder.free();

      const admin = await user();
      await sync(admin, { request: 'create', room: 60 });
      const a = await user();
      await a.client.message(a.handle, { request: 'join', room: 60 });
      await a.client.waitForEvent((m) => data(m).audiobridge === 'joined');
      assert.equal((await sync(admin, { request: 'play_file', room: 60, filename: `${dir}/missing.opus` })).error_code, 484);
      const played = await sync(admin, { request: 'play_file', room: 60, filename: path, file_id: 'hello' });
      assert.deepEqual(played, { audiobridge: 'success', room: 60, file_id: 'hello' });
      await a.client.waitForEvent((m) => data(m).audiobridge === 'announcement-started' && data(m).file_id === 'hello');
      assert.equal((await sync(admin, { request: 'is_playing', room: 60, file_id: 'hello' })).playing, true);
      await a.client.waitForEvent((m) => data(m).audiobridge === 'announcement-stopped' && data(m).file_id === 'hello', 5000);
      assert.equal((await sync(admin, { request: 'is_playing', room: 60, file_id: 'hello' })).playing, false);

      const recording = `${dir}/room60.opus`;
      assert.deepEqual(await sync(admin, { request: 'enable_recording', room: 60, record: true, record_file: recording }), {
        audiobridge: 'success',
        record: true,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(await sync(admin, { request: 'enable_recording', room: 60, record: false }), {
        audiobridge: 'success',
        record: false,
      });
      await waitFor(() => existsSync(recording), Boolean, 2000, 'the recording exists');
      const file = await readOggOpus(recording);
      assert.ok(file.packets.length >= 15, `about 25 frames recorded (${file.packets.length})`);
      const stats = await sync(admin, { request: 'mixerstats', room: 60 });
      assert.equal((stats.stats as { participants: number }).participants, 1);
    });

    it('participant requests: configure and changeroom and leave, errors for unknown rooms and requests', async () => {
      const admin = await user();
      await sync(admin, { request: 'create', room: 70 });
      await sync(admin, { request: 'create', room: 71 });
      const a = await user();
      await a.client.message(a.handle, { request: 'join', room: 999 });
      await a.client.waitForEvent((m) => data(m).error_code === 485);
      await a.client.message(a.handle, { request: 'join', room: 70, id: 5, display: 'eve' });
      await a.client.waitForEvent((m) => data(m).audiobridge === 'joined');
      await a.client.message(a.handle, { request: 'join', room: 70 });
      await a.client.waitForEvent((m) => data(m).error_code === 491);
      await a.client.message(a.handle, { request: 'configure', muted: true, volume: 150, quality: 7 });
      await a.client.waitForEvent((m) => data(m).result === 'ok');
      await a.client.message(a.handle, { request: 'changeroom', room: 71 });
      const changed = await a.client.waitForEvent((m) => data(m).audiobridge === 'roomchanged');
      assert.equal(data(changed).room, 71);
      assert.equal(data(changed).id, 5);
      await a.client.message(a.handle, { request: 'leave' });
      const left = await a.client.waitForEvent((m) => data(m).audiobridge === 'left');
      assert.deepEqual(data(left), { audiobridge: 'left', room: 71, id: 5 });
      assert.equal((await sync(a, { request: 'dance' })).error_code, 482);
      assert.equal((await sync(a, { request: 'exists' })).error_code, 483);
    });

    // Last: it kills the mixers of this gateway.
    if (thread === 'worker')
      it('a crashed mixer worker: the room hears an error event, the gateway goes on and new rooms mix again', async () => {
        const admin = await user();
        await sync(admin, { request: 'create', room: 90 });
        const a = await user();
        await a.client.message(a.handle, { request: 'join', room: 90, id: 9 });
        await a.client.waitForEvent((m) => data(m).audiobridge === 'joined' && data(m).id === 9);
        const host = gw.gateway.media.audio.workerHost;
        assert.ok(host, 'the mixers run in a worker');
        // The worker may die before its reply is read: either outcome of this call is fine.
        await host.call({ op: 'crash', mixer: 0 }).catch(() => null);
        const failed = await a.client.waitForEvent((m) => data(m).error_code === 499, 5000);
        assert.equal(data(failed).room, 90);
        assert.match(String(data(failed).error), /mixer worker failed/);
        // The dead mixer's calls fail: a Janus error naming the crash, not a hang or a gateway crash.
        await assert.rejects(sync(admin, { request: 'mixerstats', room: 90 }), /mixer worker failed/);
        await sync(admin, { request: 'create', room: 91 });
        const stats = await sync(admin, { request: 'mixerstats', room: 91 });
        assert.equal((stats.stats as { participants: number }).participants, 0, 'a new room runs in a new worker');
      });
  });
}
