// Per-participant AudioBridge recordings end to end: a werift client joins with `record: true` and
// sends real Opus over SRTP; the gateway writes its own (unmixed) audio to a Janus `.mjr`, which
// Janus's janus-pp-rec turns into an Ogg Opus file as long as what was sent. On both media planes.
// A room with `mjrs` records everyone under Janus's default name, and leaving closes the file.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { readOggOpus } from '../../core/src/media/audio/OggOpus.ts';
import { parseMjr } from '../../core/src/media/recording/MjrFormat.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { ToneSender } from '../support/audioFixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { noJanusPpRec, ppRecConvert, ppRecHeader } from '../support/janusPpRec.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const PLUGIN = 'janus.plugin.audiobridge';

/** A werift participant that joins with extra fields, negotiates audio and sends a tone. */
class Sender {
  readonly pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
  readonly client: JanusClient;
  audio!: RTCRtpTransceiver;
  handle = 0;
  id = 0;
  sent = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: JanusClient) {
    this.client = client;
  }

  async join(room: number, fields: Record<string, unknown>): Promise<void> {
    await this.client.create();
    this.handle = await this.client.attach(PLUGIN);
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitFor(() => this.pc.iceGatheringState, (s) => s === 'complete', 5000, 'gathering');
    const at = this.client.events.length;
    await this.client.message(this.handle, { request: 'join', room, ...fields }, { type: 'offer', sdp: this.pc.localDescription?.sdp ?? '' });
    const joined = await this.client.waitForEvent((m) => m.plugindata?.data.audiobridge === 'joined' && m.jsep !== undefined, 10_000, at);
    this.id = joined.plugindata?.data.id as number;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: joined.jsep?.sdp ?? '' });
    await this.client.waitForEvent((m) => m.janus === 'webrtcup', 10_000, at);
  }

  /** Sends `count` 20 ms Opus packets of a tone; resolves when the last left. */
  async sendTone(tone: ToneSender, count: number): Promise<void> {
    let seq = 500;
    let ts = 0;
    await new Promise<void>((resolve) => {
      this.#timer = setInterval(() => {
        if (this.sent >= count) {
          clearInterval(this.#timer);
          resolve();
          return;
        }
        const header = new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: ts, ssrc: 0x5050 });
        seq = (seq + 1) & 0xffff;
        ts = (ts + 960) >>> 0;
        this.sent++;
        void this.audio.sender.sendRtp(new RtpPacket(header, Buffer.from(tone.next().payload))).catch(() => undefined);
      }, 20);
    });
  }

  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const at = this.client.events.length;
    await this.client.message(this.handle, body);
    const reply = await this.client.waitForEvent((m) => m.plugindata !== undefined && m.sender === this.handle, 10_000, at);
    return reply.plugindata?.data ?? {};
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.pc.close();
    await this.client.close();
  }
}

for (const plane of ['fast', 'werift'] as const) {
  describe(`recording: AudioBridge participants to .mjr (${plane} media plane)`, () => {
    let gw: TestGateway;
    let dir: string;
    const people: Sender[] = [];

    before(async () => {
      applyWeriftPatches();
      dir = await mkdtemp(join(tmpdir(), `cardea-rec-${plane}-`));
      gw = await startTestGateway({ media: { plane } });
    });

    after(async () => {
      for (const p of people) await p.close();
      await gw?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it(`join with record + filename: janus-pp-rec makes an .opus as long as what was sent (${plane})`, { skip: noJanusPpRec }, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const room = plane === 'fast' ? 8101 : 8102;
      const created = await ctl.message(control, { request: 'create', room, sampling_rate: 16000 });
      assert.equal(created.plugindata?.data.audiobridge, 'created');

      const alice = new Sender(await connectJanus('ws', gw.wsUrl));
      people.push(alice);
      const base = join(dir, 'alice');
      await alice.join(room, { display: 'alice', record: true, filename: base });
      const tone = await ToneSender.create(700);
      await alice.sendTone(tone, 100);
      tone.free();
      await new Promise((r) => setTimeout(r, 300)); // the last packets cross the loopback
      // record:false stops the recording; the answer comes once the file is flushed and closed.
      const stopped = await alice.request({ request: 'configure', record: false });
      assert.equal(stopped.result, 'ok');

      const mjr = `${base}-audio.mjr`;
      const { info, frames } = parseMjr(await readFile(mjr));
      assert.equal(info.t, 'a');
      assert.equal(info.c, 'opus');
      assert.ok(frames.length >= 95 && frames.length <= 100, `${frames.length} packets recorded of ${alice.sent} sent`);
      const header = await ppRecHeader(mjr);
      assert.deepEqual([header.t, header.c], ['a', 'opus']);
      const out = join(dir, `alice-${plane}.opus`);
      await ppRecConvert(mjr, out);
      const ogg = await readOggOpus(out);
      const seconds = (ogg.lastGranule - ogg.preSkip) / 48000;
      const sentSeconds = alice.sent * 0.02;
      assert.ok(Math.abs(seconds - sentSeconds) <= sentSeconds * 0.1, `recorded ${seconds.toFixed(2)} s, sent ${sentSeconds} s`);

      // Packets after record:false are not recorded: the file is final.
      const again = await ToneSender.create(700);
      alice.sent = 0;
      await alice.sendTone(again, 10);
      again.free();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(parseMjr(await readFile(mjr)).frames.length, frames.length);
      await ctl.close();
    });

    it(`a room with mjrs records everyone under Janus's default name; leaving closes the file (${plane})`, async () => {
      const ctl = await connectJanus('ws', gw.wsUrl);
      await ctl.create();
      const control = await ctl.attach(PLUGIN);
      const room = plane === 'fast' ? 8201 : 8202;
      const mjrsDir = join(dir, `mjrs-${plane}`);
      await ctl.message(control, { request: 'create', room, mjrs: true, mjrs_dir: mjrsDir });
      const bob = new Sender(await connectJanus('ws', gw.wsUrl));
      people.push(bob);
      await bob.join(room, { display: 'bob' });
      const tone = await ToneSender.create(300);
      await bob.sendTone(tone, 25);
      tone.free();
      await new Promise((r) => setTimeout(r, 300));
      const left = await bob.request({ request: 'leave' });
      assert.equal(left.audiobridge, 'left');
      const files = await readdir(mjrsDir);
      assert.equal(files.length, 1);
      assert.match(files[0] as string, new RegExp(`^audiobridge-${room}-user-${bob.id}-\\d{16}-audio\\.mjr$`));
      const { info, frames } = parseMjr(await readFile(join(mjrsDir, files[0] as string)));
      assert.equal(info.c, 'opus');
      assert.ok(frames.length >= 20, `${frames.length} packets`);
      await ctl.close();
    });
  });
}
