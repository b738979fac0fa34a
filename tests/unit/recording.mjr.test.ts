// The .mjr writer: files parsed back byte by byte (magic, info header, frames in order), its
// bounded backlog, SSRC rebasing, idempotent close, and Janus's janus-pp-rec turning a recording of
// real Opus packets into an Ogg Opus file of the right length.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOggOpus } from '../../core/src/media/audio/OggOpus.ts';
import { MediaRecorders, type HandleTap } from '../../core/src/media/recording/MediaRecorders.ts';
import { MjrFormatError, parseMjr } from '../../core/src/media/recording/MjrFormat.ts';
import { MjrWriter } from '../../core/src/media/recording/MjrWriter.ts';
import { ToneSender } from '../support/audioFixtures.ts';
import { noJanusPpRec, ppRecConvert, ppRecHeader } from '../support/janusPpRec.ts';

/** One RTP packet (RFC 3550 §5.1) in a reused buffer, as the planes hand them over. */
function rtp(buf: Buffer, pt: number, seq: number, ts: number, ssrc: number, payload: Uint8Array): number {
  buf[0] = 0x80;
  buf[1] = pt;
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE(ts >>> 0, 4);
  buf.writeUInt32BE(ssrc >>> 0, 8);
  buf.set(payload, 12);
  return 12 + payload.length;
}

describe('recording: .mjr writer', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cardea-mjr-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes MJR00002, the JSON info header and every packet in order, framed as MEET + time + length', async () => {
    const path = join(dir, 'nested', 'folder', 'a-audio.mjr');
    const before = Date.now() * 1000;
    const w = await MjrWriter.create(path);
    const buf = Buffer.alloc(1500);
    for (let i = 0; i < 50; i++) {
      const payload = Uint8Array.from({ length: 20 + (i % 7) }, (_, k) => (i + k) & 0xff);
      assert.equal(w.write(buf, rtp(buf, 111, 65530 + i, 1000 + i * 960, 0xabcdef01, payload), 'opus'), true);
    }
    await w.close();
    const bytes = await readFile(path);
    assert.equal(bytes.toString('latin1', 0, 8), 'MJR00002');
    const { info, frames, trailingBytes } = parseMjr(bytes);
    assert.equal(info.t, 'a');
    assert.equal(info.c, 'opus');
    assert.ok(info.s >= before && info.u >= info.s && info.u <= Date.now() * 1000, `s ${info.s} ≤ u ${info.u}`);
    assert.deepEqual(Object.keys(info), ['t', 'c', 's', 'u'], 'Janus key order');
    assert.equal(trailingBytes, 0);
    assert.equal(frames.length, 50);
    let lastTime = 0;
    frames.forEach((f, i) => {
      assert.equal(f.packet.readUInt16BE(2), (65530 + i) & 0xffff, 'sequence numbers in order, wrapping');
      assert.equal(f.packet.readUInt32BE(4), 1000 + i * 960);
      assert.equal(f.packet.readUInt32BE(8), 0xabcdef01);
      assert.equal(f.packet.length, 12 + 20 + (i % 7));
      assert.equal(f.packet[12], i & 0xff, 'payload bytes kept');
      assert.ok(f.time >= lastTime, 'times never go back');
      lastTime = f.time;
    });
    assert.deepEqual({ ...w.stats }, { packets: 50, bytes: frames.reduce((n, f) => n + f.packet.length, 0), dropped: 0, skipped: 0, errors: 0, codec: 'opus' });
  });

  it('skips packets .mjr cannot hold (RTX, unknown payload types) and keeps the first codec', async () => {
    const path = join(dir, 'skip.mjr');
    const w = await MjrWriter.create(path);
    const buf = Buffer.alloc(200);
    assert.equal(w.write(buf, rtp(buf, 97, 1, 0, 5, new Uint8Array(10)), 'rtx'), false);
    assert.equal(w.write(buf, rtp(buf, 99, 1, 0, 5, new Uint8Array(10)), undefined), false);
    assert.equal(w.write(buf, rtp(buf, 96, 1, 0, 5, new Uint8Array(10)), 'vp8'), true);
    assert.equal(w.write(buf, rtp(buf, 98, 2, 0, 5, new Uint8Array(10)), 'vp9'), false, 'a second codec does not mix in');
    assert.equal(w.write(buf, 11, 'vp8'), false, 'shorter than an RTP header');
    await w.close();
    const { info, frames } = parseMjr(await readFile(path));
    assert.equal(info.t, 'v');
    assert.equal(info.c, 'vp8');
    assert.equal(frames.length, 1);
    assert.equal(w.stats.skipped, 3);
  });

  it('rebases a new SSRC onto the previous sequence numbers and timestamps (one continuous stream)', async () => {
    const path = join(dir, 'switch.mjr');
    const w = await MjrWriter.create(path, { ssrcSwitchMs: 0 });
    const buf = Buffer.alloc(200);
    for (let i = 0; i < 3; i++) w.write(buf, rtp(buf, 111, 100 + i, 48_000 + i * 960, 1, new Uint8Array(3)), 'opus');
    for (let i = 0; i < 3; i++) w.write(buf, rtp(buf, 111, 9000 + i, 7_000_000 + i * 960, 2, new Uint8Array(3)), 'opus');
    await w.close();
    const { frames } = parseMjr(await readFile(path));
    assert.deepEqual(frames.map((f) => f.packet.readUInt16BE(2)), [100, 101, 102, 103, 104, 105]);
    assert.ok(frames.every((f) => f.packet.readUInt32BE(8) === 1), 'one SSRC in the file');
    const ts = frames.map((f) => f.packet.readUInt32BE(4));
    assert.ok((ts[3] as number) > (ts[2] as number) && (ts[4] as number) - (ts[3] as number) === 960, `timestamps continue: ${ts.join(' ')}`);
  });

  it('keeps one SSRC while it is live (simulcast layers on one mid do not interleave)', async () => {
    const path = join(dir, 'layers.mjr');
    const w = await MjrWriter.create(path);
    const buf = Buffer.alloc(200);
    for (let i = 0; i < 4; i++) {
      w.write(buf, rtp(buf, 96, i, i * 3000, 10, new Uint8Array(3)), 'vp8');
      w.write(buf, rtp(buf, 96, 500 + i, i * 3000, 11, new Uint8Array(3)), 'vp8');
    }
    await w.close();
    const { frames } = parseMjr(await readFile(path));
    assert.equal(frames.length, 4);
    assert.equal(w.stats.skipped, 4);
  });

  it('drops and counts when the disk backlog is full, never grows; what it kept is intact', async () => {
    const path = join(dir, 'backlog.mjr');
    const w = await MjrWriter.create(path, { chunkBytes: 4096, maxBacklogBytes: 8192 });
    const buf = Buffer.alloc(1500);
    const payload = new Uint8Array(1000).fill(7);
    // One event-loop turn: no disk write can complete meanwhile.
    for (let i = 0; i < 200; i++) w.write(buf, rtp(buf, 111, i, i * 960, 3, payload), 'opus');
    assert.ok(w.stats.dropped > 150, `dropped ${w.stats.dropped}`);
    assert.equal(w.stats.packets + w.stats.dropped, 200);
    await w.close();
    const { frames, trailingBytes } = parseMjr(await readFile(path));
    assert.equal(frames.length, w.stats.packets);
    assert.equal(trailingBytes, 0);
    assert.deepEqual(frames.map((f) => f.packet.readUInt16BE(2)), Array.from({ length: frames.length }, (_, i) => i), 'the first packets, in order');
  });

  it('close flushes once and is idempotent; writes after close are refused', async () => {
    const path = join(dir, 'close.mjr');
    const w = await MjrWriter.create(path);
    const buf = Buffer.alloc(100);
    w.write(buf, rtp(buf, 0, 1, 0, 9, new Uint8Array(160 - 100 + 20)), 'pcmu');
    const a = w.close();
    assert.equal(w.close(), a, 'the same promise');
    await a;
    assert.equal(w.write(buf, 20, 'pcmu'), false);
    assert.equal(parseMjr(await readFile(path)).frames.length, 1);
  });

  it('an unwritable path rejects create, and parseMjr refuses what is not a recording', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    await assert.rejects(MjrWriter.create(join(blocker, 'under-a-file.mjr')));
    assert.throws(() => parseMjr(Buffer.from('MEETECHO-old-format')), MjrFormatError);
  });

  it('MediaRecorders: a handle has a tap only while it records; by kind it locks onto the first mid of the kind', async () => {
    const taps = new Map<number, HandleTap | undefined>();
    const recorders = new MediaRecorders((h, tap) => taps.set(h, tap));
    const id = await recorders.start(7, { kind: 'audio', file: join(dir, 'tap.mjr') });
    const tap = taps.get(7);
    assert.ok(tap);
    const codecs = new Map([[111, 'opus'], [96, 'vp8']]);
    const buf = Buffer.alloc(100);
    tap.rtp('v0', 'video', buf, rtp(buf, 96, 1, 0, 1, new Uint8Array(5)), codecs);
    tap.rtp('a1', 'audio', buf, rtp(buf, 111, 1, 0, 2, new Uint8Array(5)), codecs);
    tap.rtp('a2', 'audio', buf, rtp(buf, 111, 1, 0, 3, new Uint8Array(5)), codecs);
    tap.rtp('a1', 'audio', buf, rtp(buf, 111, 2, 960, 2, new Uint8Array(5)), codecs);
    assert.equal(recorders.info(id)?.mid, 'a1');
    const info = await recorders.stop(id);
    assert.equal(info?.packets, 2);
    assert.equal(taps.get(7), undefined, 'no tap once the last recording stopped');
    assert.equal(await recorders.stop(id), undefined, 'stopping twice is harmless');
    await assert.rejects(recorders.start(7, { file: join(dir, 'x.mjr') }), TypeError);
    await recorders.close();
  });

  it('janus-pp-rec reads a recording of real Opus packets and makes a 2 s Ogg Opus file of it', { skip: noJanusPpRec }, async () => {
    const path = join(dir, 'tone-audio.mjr');
    const w = await MjrWriter.create(path);
    const tone = await ToneSender.create(440);
    const buf = Buffer.alloc(1500);
    for (let i = 0; i < 100; i++) w.write(buf, rtp(buf, 111, 4000 + i, i * 960, 0x5151, tone.next().payload), 'opus');
    tone.free();
    await w.close();
    const header = await ppRecHeader(path);
    assert.equal(header.t, 'a');
    assert.equal(header.c, 'opus');
    const out = join(dir, 'tone.opus');
    await ppRecConvert(path, out);
    const ogg = await readOggOpus(out);
    assert.equal(ogg.packets.length, 100);
    const seconds = (ogg.lastGranule - ogg.preSkip) / 48000;
    assert.ok(Math.abs(seconds - 2) < 0.1, `duration ${seconds} s`);
  });
});
