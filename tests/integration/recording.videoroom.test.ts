// VideoRoom publisher recordings end to end: a werift publisher `joinandconfigure`s with `record`
// and `filename`, sends Opus-framed audio and VP8 frames over SRTP; the gateway writes one `.mjr`
// per published stream, which Janus's janus-pp-rec turns into `.opus` (as long as what was sent)
// and `.webm`. A room with `record` + `rec_dir` records every publisher under Janus-style names.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { readOggOpus } from '../../core/src/media/audio/OggOpus.ts';
import { parseMjr } from '../../core/src/media/recording/MjrFormat.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { noJanusPpRec, ppRecConvert } from '../support/janusPpRec.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { gathered } from '../support/syntheticMedia.ts';

const PLUGIN = 'janus.plugin.videoroom';

/** A VP8 RTP payload (RFC 7741 §4.2 descriptor, §4.3 frame header; keyframes carry 320×240). */
function vp8Payload(key: boolean): Buffer {
  const payload = Buffer.alloc(300, 0x33);
  payload[0] = 0x10; // S=1, partition 0
  const size = 200; // first partition size, 19 bits
  payload[1] = (key ? 0x00 : 0x01) | 0x10 | ((size & 0x7) << 5); // key_frame (0 = key), version 0, show_frame
  payload[2] = (size >> 3) & 0xff;
  payload[3] = (size >> 11) & 0xff;
  if (key) {
    payload.set([0x9d, 0x01, 0x2a], 4);
    payload.writeUInt16LE(320, 7);
    payload.writeUInt16LE(240, 9);
  }
  return payload;
}

/** A werift publisher sending `seconds` of audio (50 pps) and video (25 fps, a keyframe each second). */
class Publisher {
  readonly pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
  readonly client: JanusClient;
  audio!: RTCRtpTransceiver;
  video!: RTCRtpTransceiver;
  handle = 0;
  id = 0;
  audioSent = 0;
  videoSent = 0;

  constructor(client: JanusClient) {
    this.client = client;
  }

  async publish(room: number, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.client.create();
    this.handle = await this.client.attach(PLUGIN);
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendonly' });
    this.video = this.pc.addTransceiver('video', { direction: 'sendonly' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    const at = this.client.events.length;
    const body = { request: 'joinandconfigure', ptype: 'publisher', room, ...fields };
    await this.client.message(this.handle, body, { type: 'offer', sdp: this.pc.localDescription?.sdp ?? '' });
    const joined = await this.client.waitForEvent((m) => m.plugindata?.data.videoroom === 'joined' && m.jsep !== undefined, 10_000, at);
    this.id = joined.plugindata?.data.id as number;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: joined.jsep?.sdp ?? '' });
    await this.client.waitForEvent((m) => m.janus === 'webrtcup', 10_000, at);
    return joined.plugindata?.data ?? {};
  }

  async send(seconds: number): Promise<void> {
    const frames = seconds * 50;
    for (let i = 0; i < frames; i++) {
      const a = new RtpHeader({ payloadType: 111, sequenceNumber: 100 + i, timestamp: i * 960, ssrc: 0x1111 });
      void this.audio.sender.sendRtp(new RtpPacket(a, Buffer.alloc(40, 0xf8))).catch(() => undefined);
      this.audioSent++;
      if (i % 2 === 0) {
        const n = i / 2;
        const v = new RtpHeader({ payloadType: 96, sequenceNumber: 7000 + n, timestamp: n * 3600, ssrc: 0x2222, marker: true });
        void this.video.sender.sendRtp(new RtpPacket(v, vp8Payload(n % 25 === 0))).catch(() => undefined);
        this.videoSent++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const at = this.client.events.length;
    await this.client.message(this.handle, body);
    const reply = await this.client.waitForEvent((m) => m.plugindata !== undefined && m.sender === this.handle, 10_000, at);
    return reply.plugindata?.data ?? {};
  }

  async close(): Promise<void> {
    await this.pc.close();
    await this.client.close();
  }
}

for (const plane of ['fast', 'werift'] as const) {
  describe(`recording: VideoRoom publishers to .mjr (${plane} media plane)`, () => {
    let gw: TestGateway;
    let dir: string;
    const pubs: Publisher[] = [];

    before(async () => {
      applyWeriftPatches();
      dir = await mkdtemp(join(tmpdir(), `cardea-vrec-${plane}-`));
      gw = await startTestGateway({ media: { plane } });
    });

    after(async () => {
      for (const p of pubs) await p.close();
      await gw?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it(`publisher record + filename: one .mjr per stream; janus-pp-rec makes .opus and .webm (${plane})`, { skip: noJanusPpRec }, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const room = plane === 'fast' ? 9101 : 9102;
      assert.equal((await ctl.message(control, { request: 'create', room })).plugindata?.data.videoroom, 'created');
      const alice = new Publisher(await connectJanus('ws', gw.wsUrl));
      pubs.push(alice);
      const base = join(dir, 'alice');
      await alice.publish(room, { display: 'alice', record: true, filename: base });
      await alice.send(2);
      await new Promise((r) => setTimeout(r, 300));
      const stopped = await alice.request({ request: 'configure', record: false });
      assert.equal(stopped.configured, 'ok');

      const files = (await readdir(dir)).filter((f) => f.startsWith('alice-')).sort();
      assert.equal(files.length, 2, files.join(' '));
      const [audioFile, videoFile] = files as [string, string];
      assert.match(audioFile, /^alice-audio-\w+\.mjr$/);
      assert.match(videoFile, /^alice-video-\w+\.mjr$/);
      const audio = parseMjr(await readFile(join(dir, audioFile)));
      const video = parseMjr(await readFile(join(dir, videoFile)));
      assert.deepEqual([audio.info.t, audio.info.c, video.info.t, video.info.c], ['a', 'opus', 'v', 'vp8']);
      assert.ok(audio.frames.length >= alice.audioSent * 0.95, `${audio.frames.length} of ${alice.audioSent} audio packets`);
      assert.ok(video.frames.length >= alice.videoSent * 0.95, `${video.frames.length} of ${alice.videoSent} video packets`);

      const opus = join(dir, `alice-${plane}.opus`);
      await ppRecConvert(join(dir, audioFile), opus);
      const ogg = await readOggOpus(opus);
      const seconds = (ogg.lastGranule - ogg.preSkip) / 48000;
      assert.ok(Math.abs(seconds - 2) <= 0.2, `recorded ${seconds.toFixed(2)} s of 2 s`);
      const webm = join(dir, `alice-${plane}.webm`);
      const log = await ppRecConvert(join(dir, videoFile), webm);
      assert.ok((await stat(webm)).size > 5000, `webm written: ${log.slice(-400)}`);
      assert.match(log, /320x240/, 'janus-pp-rec found the keyframes');
      await ctl.close();
    });

    it(`a room with record + rec_dir records every publisher; leaving closes the files (${plane})`, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const room = plane === 'fast' ? 9201 : 9202;
      const recDir = join(dir, `room-${plane}`);
      await ctl.message(control, { request: 'create', room, record: true, rec_dir: recDir });
      const bob = new Publisher(await connectJanus('ws', gw.wsUrl));
      pubs.push(bob);
      await bob.publish(room, { display: 'bob' });
      await bob.send(0.6);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await bob.request({ request: 'leave' })).leaving, 'ok');
      await new Promise((r) => setTimeout(r, 200));
      const files = (await readdir(recDir)).sort();
      assert.equal(files.length, 2, files.join(' '));
      for (const [f, type] of [[files[0], 'audio'], [files[1], 'video']] as const) {
        assert.match(f ?? '', new RegExp(`^videoroom-${room}-user-${bob.id}-\\d{16}-${type}-\\w+\\.mjr$`));
        assert.ok(parseMjr(await readFile(join(recDir, f ?? ''))).frames.length > 10, `${f} has packets`);
      }
      await ctl.close();
    });
  });
}
