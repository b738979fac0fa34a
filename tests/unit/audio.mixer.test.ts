// The audio mixer with synthetic participants: tones encoded with libopus go in through fake
// endpoints, a manual clock drives the ticks, and what each listener receives is decoded and
// checked for which tones it contains.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AudioMixers } from '../../core/src/media/audio/AudioMixers.ts';
import type { AudioMixer } from '../../core/src/media/audio/AudioMixer.ts';
import type { MixerEvent, MixerOptions } from '@cardea/plugin-sdk';
import { concat, decodeAll, FakeTransport, ToneSender, tonePower } from '../support/audioFixtures.ts';
import { waitFor } from '../support/polling.ts';

const RATE = 16000;
const TONES = [440, 700, 1100, 1500, 1900, 2300, 2700, 3100];

/** A room of synthetic tone senders driven tick by tick. */
class Room {
  readonly transport = new FakeTransport();
  readonly mixers = new AudioMixers({ transport: this.transport, clock: { manual: true } });
  readonly events: MixerEvent[] = [];
  senders: ToneSender[] = [];
  mixer!: AudioMixer;
  frame = 0;

  async open(count: number, options: MixerOptions = {}): Promise<this> {
    this.mixers.events.on('event', (e) => this.events.push(e));
    const id = await this.mixers.create({ sampleRate: RATE, prebuffer: 1, ...options });
    this.mixer = this.mixers.get(id);
    this.senders = await Promise.all(TONES.slice(0, count).map((hz) => ToneSender.create(hz)));
    for (let h = 1; h <= count; h++) {
      await this.mixers.add(h, id, {});
      this.mixers.attach(h, {} as never);
    }
    return this;
  }

  /** Runs `frames` ticks; `packet(handle, frame)` decides what each participant sends (null: nothing; default its tone, level 30). */
  run(frames: number, packet?: (handle: number, frame: number, tone: Uint8Array) => { payload: Uint8Array; level: number } | null): void {
    for (let f = 0; f < frames; f++, this.frame++) {
      for (let h = 1; h <= this.senders.length; h++) {
        const tone = (this.senders[h - 1] as ToneSender).next();
        const custom = packet ? packet(h, this.frame, tone.payload) : { payload: tone.payload, level: 30 };
        if (custom) this.transport.endpoints.get(h)?.sink(tone.seq, custom.payload, custom.level);
      }
      this.mixer.tick(this.frame);
    }
  }

  /** What `handle` received from frame `from` on, decoded: relative power of each participant's tone. */
  async heard(handle: number, from = 10): Promise<number[]> {
    const sent = this.transport.endpoints.get(handle)?.sent ?? [];
    const pcm = concat((await decodeAll(sent, RATE)).slice(from));
    return this.senders.map((s) => tonePower(pcm, s.hz, RATE));
  }

  async close(): Promise<void> {
    for (const s of this.senders) s.free();
    await this.mixers.close();
  }
}

describe('audio mixer: full mixing', () => {
  const rooms: Room[] = [];
  after(async () => {
    for (const r of rooms) await r.close();
  });

  it('each listener hears the others and not itself (N−1)', async () => {
    const room = await new Room().open(3, { mode: 'full' });
    rooms.push(room);
    room.run(60);
    for (let h = 1; h <= 3; h++) {
      const powers = await room.heard(h);
      powers.forEach((power, i) => {
        if (i === h - 1) assert.ok(power < 0.01, `listener ${h} does not hear itself (${power.toFixed(3)})`);
        else assert.ok(power > 0.15, `listener ${h} hears participant ${i + 1} (${power.toFixed(3)})`);
      });
    }
    assert.equal(room.mixer.mode, 'full');
    assert.equal(room.mixer.counters.decodeErrors, 0);
  });

  it('a muted participant is heard by nobody and receives the shared full mix', async () => {
    const room = await new Room().open(3, { mode: 'full' });
    rooms.push(room);
    room.mixers.update(3, room.mixer.id, { muted: true });
    room.run(60);
    for (const h of [1, 2]) {
      const powers = await room.heard(h);
      assert.ok((powers[2] as number) < 0.01, `listener ${h} does not hear the muted participant`);
      assert.ok((powers[h === 1 ? 1 : 0] as number) > 0.15, `listener ${h} hears the other speaker`);
    }
    const muted = await room.heard(3);
    assert.ok((muted[0] as number) > 0.15 && (muted[1] as number) > 0.15, 'the muted participant hears both speakers');
    assert.ok(room.transport.sharedSends > 0, 'the shared mix was encoded');
    const sent = room.transport.endpoints.get(3)?.sent.length ?? 0;
    assert.equal(sent, 60, 'the muted participant receives every frame');
  });

  it('the shared mix is the full mix: recorded, it holds every speaker', async () => {
    const room = await new Room().open(2, { mode: 'full' });
    rooms.push(room);
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/cardea-mix-`);
    await room.mixer.record(`${dir}/mix.opus`);
    room.run(50);
    await room.mixer.record(null);
    const { readOggOpus } = await import('../../core/src/media/audio/OggOpus.ts');
    const file = await readOggOpus(`${dir}/mix.opus`);
    assert.equal(file.packets.length, 50, 'one packet per frame');
    const pcm = concat(
      (
        await decodeAll(
          file.packets.map((payload) => ({ payload, timestamp: 0 })),
          RATE,
        )
      ).slice(10),
    );
    for (const s of room.senders) assert.ok(tonePower(pcm, s.hz, RATE) > 0.15, `the recording holds ${s.hz} Hz`);
  });
});

describe('audio mixer: active-speaker mixing', () => {
  const rooms: Room[] = [];
  after(async () => {
    for (const r of rooms) await r.close();
  });

  it('mixes only the loudest speakers; everyone else shares one encode', async () => {
    // Participants 1 and 2 speak (RFC 6464 level 20); the others send their tones marked silent (127).
    const r2 = await new Room().open(8, { mode: 'active-speaker', speakers: 2 });
    rooms.push(r2);
    r2.run(60, (h, _frame, tone) => ({ payload: tone, level: h <= 2 ? 20 : 127 }));
    assert.equal(r2.mixer.mode, 'active-speaker');
    assert.deepEqual(r2.mixer.stats().speakers.sort(), [1, 2]);
    const p1 = await r2.heard(1);
    assert.ok((p1[1] as number) > 0.3 && (p1[0] as number) < 0.01, 'speaker 1 hears speaker 2, not itself');
    const p5 = await r2.heard(5);
    assert.ok((p5[0] as number) > 0.15 && (p5[1] as number) > 0.15, 'a listener hears both speakers');
    for (let i = 2; i < 8; i++) assert.ok((p5[i] as number) < 0.01, `a silent participant (${i + 1}) is not mixed`);
    // Listeners 3..8 got byte-identical packets: one shared encoder.
    const last = (h: number) => r2.transport.endpoints.get(h)?.sent.at(-1)?.payload;
    for (let h = 4; h <= 8; h++) assert.deepEqual(last(h), last(3), `listener ${h} gets the shared packet`);
    // Codec work: 2 speakers decoded (and 2 + 1 encodes) per frame, not 8.
    assert.ok(r2.mixer.counters.decodes <= 2 * 60 + 10, `decodes stay with the speakers (${r2.mixer.counters.decodes})`);
    assert.ok(r2.mixer.counters.encodes <= 3 * 60, `3 encodes per frame at most (${r2.mixer.counters.encodes})`);
  });

  it('a new speaker takes over from a quiet one; its decoder is warmed up and faded in', async () => {
    const room = await new Room().open(4, { mode: 'active-speaker', speakers: 1 });
    rooms.push(room);
    const talker = (frame: number) => (frame < 40 ? 1 : 2);
    room.run(100, (h, frame, tone) => ({ payload: tone, level: h === talker(frame) ? 20 : 127 }));
    assert.deepEqual(room.mixer.stats().speakers, [2], 'participant 2 is the speaker now');
    const heard = await room.heard(3, 70);
    assert.ok((heard[1] as number) > 0.3, 'listeners hear the new speaker');
    assert.ok((heard[0] as number) < 0.01, 'the old speaker is gone after its hangover');
    assert.ok(room.mixer.counters.warmups >= 1, "the new speaker's cold decoder replayed its last packets first");
  });
});

describe('audio mixer: bad input', () => {
  const rooms: Room[] = [];
  after(async () => {
    for (const r of rooms) await r.close();
  });

  it('malformed Opus payloads are contained: that participant is concealed, the mix goes on', async () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xfe, 0x01]);
    const r2 = await new Room().open(3, { mode: 'full' });
    rooms.push(r2);
    r2.run(60, (h, _frame, tone) => ({ payload: h === 3 ? garbage : tone, level: 30 }));
    assert.ok(r2.mixer.counters.decodeErrors >= 50, `decode errors are counted (${r2.mixer.counters.decodeErrors})`);
    const p1 = await r2.heard(1);
    assert.ok((p1[1] as number) > 0.15, 'listener 1 still hears participant 2');
    assert.equal(r2.transport.endpoints.get(3)?.sent.length, 60, 'the broken sender still receives the mix');
  });

  it('0-length packets are dropped as invalid and concealed', async () => {
    const room = await new Room().open(2, { mode: 'full' });
    rooms.push(room);
    room.run(40, (h, _frame, tone) => ({ payload: h === 2 ? new Uint8Array(0) : tone, level: 30 }));
    assert.equal(room.mixer.participantStats(2)?.invalid, 40);
    assert.equal(room.mixer.participantStats(2)?.received, 0);
    assert.equal(room.transport.endpoints.get(2)?.sent.length, 40, 'the sender of empty packets still receives the mix');
  });

  it("a lost packet is recovered from the next packet's in-band FEC", async () => {
    const room = await new Room().open(2, { mode: 'full', prebuffer: 3 });
    rooms.push(room);
    const { OpusFrameEncoder } = await import('../../core/src/media/audio/OpusCodec.ts');
    const { toneFrame } = await import('../support/audioFixtures.ts');
    const fec = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 20 });
    let n = 0;
    room.run(60, (h, frame, tone) => {
      if (h === 1) return { payload: tone, level: 30 };
      const payload = fec.encode(toneFrame(700, 48000, n++));
      return frame % 10 === 5 ? null : { payload, level: 30 };
    });
    fec.free();
    assert.ok(room.mixer.counters.fecRecovered >= 4, `FEC recovered lost frames (${room.mixer.counters.fecRecovered})`);
  });
});

describe('audio mixer: announcements', () => {
  it("an Ogg Opus file is mixed into everyone's mix, and its end is reported", async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { OggOpusWriter } = await import('../../core/src/media/audio/OggOpus.ts');
    const { OpusFrameEncoder } = await import('../../core/src/media/audio/OpusCodec.ts');
    const { toneFrame } = await import('../support/audioFixtures.ts');
    // A 1 s, 48 kHz announcement of a 2000 Hz tone, as opusenc would write it.
    const dir = await mkdtemp(`${tmpdir()}/cardea-announce-`);
    const path = `${dir}/announce.opus`;
    const encoder = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 0 });
    const writer = new OggOpusWriter(path, { sampleRate: 48000, preSkip: encoder.lookahead });
    for (let n = 0; n < 50; n++) writer.write(encoder.encode(toneFrame(2000, 48000, n)));
    await writer.close();
    encoder.free();

    const room = await new Room().open(2, { mode: 'full' });
    try {
      const fileId = await room.mixer.playFile(path, false);
      room.run(70);
      const heard = await room.heard(1, 5);
      const pcm = concat(await decodeAll(room.transport.endpoints.get(1)?.sent.slice(5, 45) ?? [], RATE));
      assert.ok(tonePower(pcm, 2000, RATE) > 0.1, `listener 1 hears the announcement (${tonePower(pcm, 2000, RATE).toFixed(3)})`);
      assert.ok((heard[1] as number) > 0.05, 'and still hears participant 2');
      assert.deepEqual(
        room.events.filter((e) => e.type === 'announcement-ended'),
        [{ type: 'announcement-ended', mixer: room.mixer.id, fileId }],
      );
      assert.deepEqual(room.mixer.files, [], 'the file is gone once it ended');
      await assert.rejects(room.mixer.playFile(`${dir}/missing.opus`, false), /ENOENT/);
    } finally {
      await room.close();
    }
  });
});

describe('audio mixer: rtp_forward', () => {
  it('the full mix leaves as plain RTP to a UDP address, even with nobody listening', async () => {
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    const datagrams: Buffer[] = [];
    socket.on('message', (m) => datagrams.push(m));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const room = await new Room().open(2, { mode: 'full' });
    try {
      const id = room.mixer.forward({ host: '127.0.0.1', port: socket.address().port, ssrc: 0x1234, payloadType: 100 });
      room.run(40);
      await waitFor(
        () => datagrams.length,
        (n) => n >= 40,
        2000,
        'forwarded datagrams',
      );
      const first = datagrams[0] as Buffer;
      assert.equal(first[0], 0x80, 'RTP version 2');
      assert.equal((first[1] as number) & 0x7f, 100);
      assert.equal(first.readUInt32BE(8), 0x1234);
      const pcm = concat(
        await decodeAll(
          datagrams.slice(10).map((d) => ({ payload: d.subarray(12), timestamp: 0 })),
          RATE,
        ),
      );
      for (const s of room.senders) assert.ok(tonePower(pcm, s.hz, RATE) > 0.15, `the forwarded mix holds ${s.hz} Hz`);
      assert.equal(room.mixer.stopForward(id), true);
    } finally {
      socket.close();
      await room.close();
    }
  });
});
