// The Streaming plugin's Janus API without a browser, over WebSocket and HTTP: RTP mountpoints
// created with port 0 (the ports picked and reported), list / info (ports only with the secret),
// watch → `preparing` + the gateway's offer, Janus's error codes (455 for a missing mountpoint,
// 456, 457, 460), edit / enable / disable / kick_all / destroy and the `stopped` viewers get.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient, type JanusMessage } from '../support/janusClient.ts';

const PLUGIN = 'janus.plugin.streaming';
const data = (m: JanusMessage): Record<string, unknown> => m.plugindata?.data ?? {};
type Row = Record<string, unknown>;

for (const transport of ['ws', 'http'] as const) {
  describe(`streaming: the Janus API of RTP mountpoints (${transport})`, () => {
    let gw: TestGateway;
    const clients: JanusClient[] = [];

    before(async () => {
      gw = await startTestGateway({ media: { plane: 'fast' } });
    });

    after(async () => {
      for (const c of clients) await c.close();
      await gw?.close();
    });

    const user = async (): Promise<{ client: JanusClient; handle: number }> => {
      const client = await connectJanus(transport, transport === 'ws' ? gw.wsUrl : gw.httpUrl);
      clients.push(client);
      await client.create();
      return { client, handle: await client.attach(PLUGIN) };
    };
    const sync = async (u: { client: JanusClient; handle: number }, body: Row) => data(await u.client.message(u.handle, body));
    /** An async request: its `ack`, then the plugin event with its transaction. */
    const request = async (u: { client: JanusClient; handle: number }, body: Row, timeoutMs = 5000): Promise<JanusMessage> => {
      const from = u.client.events.length;
      const ack = await u.client.message(u.handle, body);
      assert.equal(ack.janus, 'ack', `${String(body.request)} is asynchronous`);
      return u.client.waitForEvent((m) => m.janus === 'event' && m.transaction === ack.transaction, timeoutMs, from);
    };

    const media = [
      { type: 'audio', mid: 'a', label: 'Audio', port: 0, pt: 111, codec: 'opus' },
      { type: 'video', mid: 'v', label: 'Video', port: 0, pt: 96, codec: 'vp8', rtcpport: 0 },
    ];

    it('create picks free ports for port 0 and reports them; list and info show the mountpoint', async () => {
      const admin = await user();
      const created = await sync(admin, {
        request: 'create',
        type: 'rtp',
        id: 1001,
        name: 'cam',
        description: 'Camera',
        secret: 'adm',
        media,
      });
      assert.equal(created.streaming, 'created');
      assert.equal(created.created, 'cam');
      assert.equal(created.permanent, false);
      const stream = created.stream as Row;
      assert.equal(stream.id, 1001);
      assert.equal(stream.type, 'live', 'Janus reports RTP mountpoints as live');
      const ports = stream.ports as Row[];
      assert.deepEqual(
        ports.map((p) => [p.type, p.mid]),
        [
          ['audio', 'a'],
          ['video', 'v'],
        ],
      );
      const [audioPort, videoPort] = ports.map((p) => p.port as number);
      assert.ok(
        audioPort && audioPort > 0 && videoPort && videoPort > 0 && audioPort !== videoPort,
        `picked ports ${audioPort} ${videoPort}`,
      );

      const list = (await sync(admin, { request: 'list' })).list as Row[];
      const entry = list.find((m) => m.id === 1001);
      assert.ok(entry, 'the new mountpoint is listed');
      assert.equal(entry.description, 'Camera');
      assert.equal(entry.enabled, true);
      assert.deepEqual(
        (entry.media as Row[]).map((m) => [m.mid, m.type, m.label]),
        [
          ['a', 'audio', 'Audio'],
          ['v', 'video', 'Video'],
        ],
      );

      const publicInfo = (await sync(admin, { request: 'info', id: 1001 })).info as Row;
      assert.equal(publicInfo.name, 'cam');
      assert.equal(publicInfo.viewers, 0);
      assert.equal(publicInfo.secret, undefined, 'no secret without the secret');
      const publicMedia = publicInfo.media as Row[];
      assert.deepEqual(
        publicMedia.map((m) => [m.mindex, m.codec, m.pt, m.rtpmap]),
        [
          [0, 'opus', 111, 'opus/48000/2'],
          [1, 'vp8', 96, 'VP8/90000'],
        ],
      );
      assert.ok(
        publicMedia.every((m) => m.port === undefined),
        'ports are private',
      );

      const fullInfo = (await sync(admin, { request: 'info', id: 1001, secret: 'adm' })).info as Row;
      assert.equal(fullInfo.secret, 'adm');
      assert.equal(fullInfo.is_private, false);
      const fullMedia = fullInfo.media as Row[];
      assert.deepEqual(
        fullMedia.map((m) => m.port),
        [audioPort, videoPort],
      );
      assert.equal(fullMedia[1]?.rtcpport, videoPort + 1, 'RTCP on the next port where rtcpport was asked for');
      assert.equal(fullMedia[0]?.rtcpport, undefined, 'no RTCP socket where it was not');

      // The source's port really is bound by the gateway now: binding it again fails.
      const probe = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        probe.once('error', () => resolve(false));
        probe.bind(videoPort, '127.0.0.1', () => resolve(true));
      });
      probe.close();
      assert.equal(bound, false, 'the video port is taken by the mountpoint');
    });

    it('create refuses what Janus refuses, with its codes', async () => {
      const admin = await user();
      const code = async (body: Row) => (await sync(admin, { request: 'create', ...body })).error_code;
      assert.equal(await code({ type: 'rtp', id: 1001, media }), 456, 'the id exists');
      assert.equal(await code({ type: 'rtsp', url: 'rtsp://127.0.0.1/x' }), 456, 'rtsp is not built yet');
      assert.equal(await code({ type: 'carrier-pigeon' }), 454, 'unknown type');
      assert.equal(await code({ media }), 453, 'type is mandatory');
      assert.equal(await code({ type: 'rtp', media: [{ type: 'audio', mid: 'a', port: 0, codec: 'opus' }] }), 453, 'pt is mandatory');
      assert.equal(
        await code({ type: 'rtp', media: [{ type: 'video', mid: 'v', port: 0, pt: 96, codec: 'opus' }] }),
        454,
        'an audio codec on video',
      );
      assert.equal(await code({ type: 'rtp', media: [] }), 456, 'nothing to stream');
      const info = (await sync(admin, { request: 'info', id: 1001, secret: 'adm' })).info as Row;
      const taken = ((info.media as Row[])[0] as Row).port;
      assert.equal(
        await code({ type: 'rtp', id: 1002, media: [{ type: 'audio', mid: 'a', port: taken, pt: 111, codec: 'opus' }] }),
        456,
        'the port is taken',
      );
      assert.equal((await sync(admin, { request: 'info', id: 1002 })).error_code, 455, 'a failed create leaves nothing behind');
    });

    it('watch of a missing mountpoint is 455 "No such mountpoint/stream"', async () => {
      const viewer = await user();
      const event = await request(viewer, { request: 'watch', id: 999_999 });
      assert.equal(data(event).error_code, 455);
      assert.equal(data(event).error, 'No such mountpoint/stream 999999');
      assert.equal(event.jsep, undefined);
    });

    it('watch answers preparing with the gateway offer; pause, configure and a second watch', async () => {
      const viewer = await user();
      const event = await request(viewer, { request: 'watch', id: 1001 });
      assert.deepEqual(data(event), { streaming: 'event', result: { status: 'preparing' } });
      assert.equal(event.jsep?.type, 'offer');
      const sdp = event.jsep?.sdp ?? '';
      assert.match(sdp, /m=audio [\s\S]*a=rtpmap:\d+ opus\/48000\/2/i);
      assert.match(sdp, /m=video [\s\S]*a=rtpmap:\d+ VP8\/90000/i);
      assert.equal(sdp.match(/a=sendonly/g)?.length, 2, 'both streams sendonly');

      const admin = await user();
      assert.equal(((await sync(admin, { request: 'info', id: 1001 })).info as Row).viewers, 1);

      assert.equal(data(await request(viewer, { request: 'watch', id: 1001 })).error_code, 460, 'already watching');
      assert.deepEqual(data(await request(viewer, { request: 'pause' })), { streaming: 'event', result: { status: 'pausing' } });
      assert.deepEqual(data(await request(viewer, { request: 'configure', mid: 'v', send: false })), {
        streaming: 'event',
        result: { event: 'configured' },
      });
      assert.equal(data(await request(viewer, { request: 'configure', mid: 'nope', send: false })).error_code, 454);

      const audioOnly = await user();
      const partial = await request(audioOnly, { request: 'watch', id: 1001, media: ['a'] });
      assert.equal(partial.jsep?.sdp.includes('m=video'), false, 'media: ["a"] offers the audio alone');
      assert.deepEqual(data(await request(audioOnly, { request: 'stop' })), { streaming: 'event', result: { status: 'stopping' } });
      assert.equal(data(await request(audioOnly, { request: 'pause' })).error_code, 460, 'stopped: not watching any more');
    });

    it('switch moves a viewer to a mountpoint with matching streams, without a new offer', async () => {
      const admin = await user();
      await sync(admin, { request: 'create', type: 'rtp', id: 2001, media });
      await sync(admin, { request: 'create', type: 'rtp', id: 2002, media: [{ type: 'audio', mid: 'a', port: 0, pt: 0, codec: 'pcmu' }] });
      const viewer = await user();
      assert.equal(data(await request(viewer, { request: 'switch', id: 2001 })).error_code, 460, 'switch before watch');
      await request(viewer, { request: 'watch', id: 1001 });
      assert.equal(data(await request(viewer, { request: 'switch', id: 999_999 })).error_code, 455);
      assert.equal(data(await request(viewer, { request: 'switch', id: 2002 })).error_code, 458, 'no VP8, and PCMU for Opus');
      const from = viewer.client.events.length;
      const switched = await request(viewer, { request: 'switch', id: 2001 });
      assert.deepEqual(data(switched), { streaming: 'event', result: { switched: 'ok', id: 2001 } });
      assert.equal(
        viewer.client.events.slice(from).some((m) => m.jsep !== undefined),
        false,
        'no renegotiation',
      );
      const viewersOf = async (id: number) => ((await sync(admin, { request: 'info', id })).info as Row).viewers;
      assert.equal(await viewersOf(2001), 1);
      await request(viewer, { request: 'stop' });
      assert.equal(await viewersOf(2001), 0);
      for (const id of [2001, 2002]) assert.equal((await sync(admin, { request: 'destroy', id })).streaming, 'destroyed');
    });

    it('edit, private mountpoints, enable / disable, pins, kick_all and destroy with secrets', async () => {
      const admin = await user();
      assert.equal((await sync(admin, { request: 'edit', id: 1001, new_description: 'x' })).error_code, 457, 'wrong secret');
      assert.deepEqual(await sync(admin, { request: 'edit', id: 1001, secret: 'adm', new_description: 'Renamed', new_pin: '1234' }), {
        streaming: 'edited',
        id: 1001,
        permanent: false,
      });
      const viewer = await user();
      assert.equal(data(await request(viewer, { request: 'watch', id: 1001 })).error_code, 457, 'the pin is needed now');
      assert.equal(data(await request(viewer, { request: 'watch', id: 1001, pin: '1234' })).result !== undefined, true);

      assert.deepEqual(await sync(admin, { request: 'disable', id: 1001, secret: 'adm' }), { streaming: 'ok' });
      assert.equal(((await sync(admin, { request: 'list' })).list as Row[]).find((m) => m.id === 1001)?.enabled, false);
      assert.deepEqual(await sync(admin, { request: 'enable', id: 1001, secret: 'adm' }), { streaming: 'ok' });

      await sync(admin, { request: 'edit', id: 1001, secret: 'adm', new_is_private: true });
      assert.equal(
        ((await sync(admin, { request: 'list' })).list as Row[]).some((m) => m.id === 1001),
        false,
        'private: not listed',
      );
      assert.equal(((await sync(admin, { request: 'info', id: 1001 })).info as Row).description, 'Renamed');

      const before = ((await sync(admin, { request: 'info', id: 1001 })).info as Row).viewers as number;
      assert.ok(before >= 1);
      assert.deepEqual(await sync(admin, { request: 'kick_all', id: 1001, secret: 'adm' }), { streaming: 'kicked_all' });
      assert.equal(((await sync(admin, { request: 'info', id: 1001 })).info as Row).viewers, 0);

      const last = await user();
      await request(last, { request: 'watch', id: 1001, pin: '1234' });
      assert.equal((await sync(admin, { request: 'destroy', id: 1001 })).error_code, 457, 'destroy needs the secret');
      const from = last.client.events.length;
      assert.deepEqual(await sync(admin, { request: 'destroy', id: 1001, secret: 'adm' }), { streaming: 'destroyed', id: 1001 });
      const stopped = await last.client.waitForEvent(
        (m) => data(m).result !== undefined && (data(m).result as Row).status === 'stopped',
        5000,
        from,
      );
      assert.equal(stopped.transaction, undefined, 'stopped is unsolicited');
      assert.equal((await sync(admin, { request: 'info', id: 1001 })).error_code, 455);
      assert.equal(data(await request(last, { request: 'watch', id: 1001 })).error_code, 455, 'gone for new viewers');
    });
  });
}
