import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { oggCrc, OggOpusFormatError, OggOpusWriter, parseOggOpus, readOggOpus } from '../../core/src/media/audio/OggOpus.ts';
import { OpusFrameEncoder } from '../../core/src/media/audio/OpusCodec.ts';
import { toneFrame } from '../support/audioFixtures.ts';

describe('audio Ogg Opus files', () => {
  it('the Ogg CRC matches the RFC 3533 polynomial (MSB first, no reflection)', () => {
    // CRC-32/MPEG-2 without the init/xorout: the Ogg variant of "123456789" is 0x89a1897f.
    assert.equal(oggCrc(new TextEncoder().encode('123456789')), 0x89a1897f);
  });

  it('writes a file that parses back: headers, packets (including ones over 255 bytes), granules', async () => {
    const dir = await mkdtemp(`${tmpdir()}/cardea-ogg-`);
    const path = `${dir}/t.opus`;
    const writer = new OggOpusWriter(path, { sampleRate: 16000, preSkip: 312 });
    const packets = Array.from({ length: 120 }, (_, i) => new Uint8Array(i % 7 === 0 ? 300 : 40 + (i % 30)).fill(i & 0xff));
    for (const p of packets) writer.write(p);
    await writer.close();
    const file = await readOggOpus(path);
    assert.equal(file.channels, 1);
    assert.equal(file.preSkip, 312);
    assert.equal(file.inputSampleRate, 16000);
    assert.equal(file.packets.length, 120);
    file.packets.forEach((p, i) => assert.deepEqual(Uint8Array.from(p), packets[i], `packet ${i}`));
    assert.equal(file.lastGranule, 120 * 960, 'granule counts 48 kHz samples');
  });

  it('rejects a damaged page and a file that is not Opus', async () => {
    const dir = await mkdtemp(`${tmpdir()}/cardea-ogg-`);
    const path = `${dir}/t.opus`;
    const writer = new OggOpusWriter(path, { sampleRate: 48000, preSkip: 312 });
    writer.write(new Uint8Array([1, 2, 3]));
    await writer.close();
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    assert.throws(() => parseOggOpus(bytes), OggOpusFormatError);
    await writeFile(`${dir}/x.opus`, 'not an ogg file at all, just text');
    await assert.rejects(readOggOpus(`${dir}/x.opus`), OggOpusFormatError);
  });
});

describe(
  'audio Ogg Opus files, checked by opus-tools',
  { skip: existsSync('/usr/bin/opusinfo') ? undefined : 'opusinfo (Debian opus-tools) not installed' },
  () => {
    it('a recording-shaped file passes opusinfo without warnings', async () => {
      const dir = await mkdtemp(`${tmpdir()}/cardea-ogg-`);
      const path = `${dir}/rec.opus`;
      const encoder = await OpusFrameEncoder.create({ sampleRate: 16000, complexity: 4, bitrate: 0, expectedLoss: 0 });
      const writer = await OggOpusWriter.open(path, { sampleRate: 16000, preSkip: Math.round((encoder.lookahead * 48000) / 16000) });
      for (let n = 0; n < 120; n++) writer.write(encoder.encode(toneFrame(440, 16000, n)));
      await writer.close();
      encoder.free();
      const report = execFileSync('/usr/bin/opusinfo', [path], { encoding: 'utf8' });
      assert.doesNotMatch(report, /WARNING|ERROR/i, report);
      assert.match(report, /Playback length: 0m:02\.39/);
    });
  },
);
