// Issue 11: a sandboxed plugin's files. A symlink placed in its media directory made a recording
// replace a file elsewhere, and playFile on a FIFO there blocked libuv's thread pool, so the demo
// page, deploys and recordings stopped answering. Now every path is walked without following
// symlinks, only regular files are opened, and plugin file work is bounded (FileWorkLimiter).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OggOpusWriter } from '../../core/src/media/audio/OggOpus.ts';
import { OpusFrameEncoder } from '../../core/src/media/audio/OpusCodec.ts';
import { toneFrame } from '../support/audioFixtures.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const NAME = 'cardea.plugin.fileprobe';
const MEDIA = path.join(tmpdir(), 'cardea-media', NAME);
const PRECIOUS = 'precious bytes that must survive';
/** More FIFO reads at once than libuv's default pool has threads: before the fix they took all four. */
const FIFO_PLAYS = 8;

const source = `import { definePlugin, ok, type JsonObject } from '@cardea/plugin-sdk';
let mixer = 0;
const background: string[] = [];
const attempt = async (work: () => Promise<unknown>): Promise<string> => {
  try { return 'allowed: ' + JSON.stringify(await work()); } catch (e) { return 'refused: ' + String((e as Error).message); }
};
export default definePlugin({
  name: '${NAME}',
  version: '1.0.0',
  async handleMessage({ handle, body }, api) {
    const file = String(body.file ?? '');
    if (mixer === 0) mixer = await api.media.createMixer({ sampleRate: 16000 });
    switch (body.request) {
      case 'record':
        return ok({ result: await attempt(async () => {
          const id = await api.media.startRecording(handle, { kind: 'audio', file });
          await api.media.stopRecording(id);
          return id;
        }) });
      case 'recordMixer':
        return ok({ result: await attempt(async () => {
          await api.media.recordMixer(mixer, file);
          await api.media.recordMixer(mixer, null);
          return null;
        }) });
      case 'play':
        return ok({ result: await attempt(() => api.media.playFile(mixer, file)) });
      case 'playInBackground':
        for (let n = 0; n < Number(body.count); n++) void attempt(() => api.media.playFile(mixer, file)).then((r) => background.push(r));
        return ok({ started: Number(body.count) });
      case 'background':
        return ok({ results: background as unknown as JsonObject });
    }
    return ok({});
  },
});
`;

const tiny = (name: string): string => `import { definePlugin, ok } from '@cardea/plugin-sdk';
export default definePlugin({ name: '${name}', version: '1.0.0', handleMessage() { return ok({}); } });
`;

async function writeOpus(file: string): Promise<void> {
  const encoder = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 0 });
  const writer = await OggOpusWriter.open(file, { sampleRate: 48000, preSkip: encoder.lookahead });
  for (let n = 0; n < 10; n++) writer.write(encoder.encode(toneFrame(800, 48000, n)));
  await writer.close();
  encoder.free();
}

/** Opens a FIFO's other end for a moment, so that any reader still blocked on it (before the fix) gets free. */
function releaseFifo(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: nobody is reading it, which is what the fix ensures.
  }
}

describe('sandbox: plugin files are confined (no symlinks, regular files only, bounded file work)', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let handle: number;
  let outside: string;
  const fifos: string[] = [];

  const ask = async (request: string, file: string): Promise<string> =>
    String(((await client.message(handle, { request, file })).plugindata?.data as { result: string }).result);

  before(async () => {
    await rm(MEDIA, { recursive: true, force: true });
    await mkdir(MEDIA, { recursive: true });
    outside = await mkdtemp(path.join(tmpdir(), 'cardea-outside-'));
    gw = await startSandboxGateway({ plugins: { sandbox: { deadlineMs: 3000 } } });
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    await gw.deploy(NAME, source);
    handle = await client.attach(NAME);
  });

  after(async () => {
    for (const fifo of fifos) releaseFifo(fifo);
    await client?.close();
    await gw?.close();
    await rm(MEDIA, { recursive: true, force: true });
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  it('a recording through a symlink to a file outside fails, and the outside file is untouched', async () => {
    const victim = path.join(outside, 'victim.mjr');
    await writeFile(victim, PRECIOUS);
    await symlink(victim, path.join(MEDIA, 'link.mjr'));
    assert.match(await ask('record', 'link.mjr'), /^refused: .*'link\.mjr' is a symbolic link/);
    const opusVictim = path.join(outside, 'victim.opus');
    await writeFile(opusVictim, PRECIOUS);
    await symlink(opusVictim, path.join(MEDIA, 'link.opus'));
    assert.match(await ask('recordMixer', 'link.opus'), /^refused: .*symbolic link/);
    assert.equal(await readFile(victim, 'utf8'), PRECIOUS);
    assert.equal(await readFile(opusVictim, 'utf8'), PRECIOUS);
    // A regular file in the media directory still records.
    assert.match(await ask('record', 'calls/ok.mjr'), /^allowed: \d+/);
    assert.equal((await stat(path.join(MEDIA, 'calls', 'ok.mjr'))).size, 8, 'the .mjr magic');
  });

  it('a symlinked parent directory is not followed, for writing or reading', async () => {
    const victim = path.join(outside, 'inner.mjr');
    await writeFile(victim, PRECIOUS);
    await writeOpus(path.join(outside, 'song.opus'));
    await symlink(outside, path.join(MEDIA, 'elsewhere'));
    assert.match(await ask('record', 'elsewhere/inner.mjr'), /^refused: .*'elsewhere' is a symbolic link/);
    assert.match(await ask('record', 'elsewhere/created.mjr'), /^refused: .*symbolic link/);
    assert.match(await ask('recordMixer', 'elsewhere/created.opus'), /^refused: .*symbolic link/);
    assert.match(await ask('play', 'elsewhere/song.opus'), /^refused: .*symbolic link/);
    assert.equal(await readFile(victim, 'utf8'), PRECIOUS);
    await assert.rejects(stat(path.join(outside, 'created.mjr')), { code: 'ENOENT' });
    await assert.rejects(stat(path.join(outside, 'created.opus')), { code: 'ENOENT' });
    // The same file inside the media directory plays.
    await writeOpus(path.join(MEDIA, 'song.opus'));
    assert.match(await ask('play', 'song.opus'), /^allowed: \d+/);
  });

  it('a hard link to a file outside is not overwritten, and a directory is not a file', async () => {
    const victim = path.join(outside, 'hard.mjr');
    await writeFile(victim, PRECIOUS);
    await link(victim, path.join(MEDIA, 'hard.mjr'));
    assert.match(await ask('record', 'hard.mjr'), /^refused: .*hard links/);
    assert.equal(await readFile(victim, 'utf8'), PRECIOUS);
    await mkdir(path.join(MEDIA, 'folder.opus'));
    assert.match(await ask('play', 'folder.opus'), /^refused: .*not a regular file/);
    assert.match(await ask('record', 'folder.opus'), /^refused: .*(not a regular file|directory)/);
  });

  it('FIFOs are refused at once, and meanwhile the demo page, a deploy and another recording answer', async () => {
    for (const name of ['fifo.opus', 'fifo.mjr']) {
      const fifo = path.join(MEDIA, name);
      execFileSync('mkfifo', [fifo]);
      fifos.push(fifo);
    }
    const started = performance.now();
    assert.match(await ask('play', 'fifo.opus'), /^refused: .*not a regular file \(a FIFO\)/);
    assert.match(await ask('record', 'fifo.mjr'), /^refused: .*not a regular file/);
    assert.match(await ask('recordMixer', 'fifo.mjr'), /^refused: .*not a regular file/);
    assert.ok(performance.now() - started < 3000, 'refused quickly');

    // More FIFO reads than the thread pool has threads, left running in the plugin...
    await client.message(handle, { request: 'playInBackground', file: 'fifo.opus', count: FIFO_PLAYS });
    // ...and the rest of the gateway keeps answering within a short bound.
    const within = async <T>(what: string, work: Promise<T>): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within 5 s`)), 5000);
      });
      try {
        return await Promise.race([work, bound]);
      } finally {
        clearTimeout(timer);
      }
    };
    const page = await within('the demo page', fetch(`${gw.httpBase}/`));
    assert.equal(page.status, 200);
    await within('the demo page body', page.text());
    const deployed = await within('a deploy', gw.deploy('cardea.plugin.fileprobe.other', tiny('cardea.plugin.fileprobe.other')));
    assert.equal(deployed.name, 'cardea.plugin.fileprobe.other');
    assert.match(await within('another recording', ask('record', 'calls/meanwhile.mjr')), /^allowed: \d+/);

    const results = await waitFor(
      async () => ((await client.message(handle, { request: 'background' })).plugindata?.data as { results: string[] }).results,
      (r) => r.length === FIFO_PLAYS,
      5000,
      'every background play answered',
    );
    for (const r of results) assert.match(r, /^refused: .*not a regular file/);
  });
});
