// The mixer API from a sandboxed user plugin: calls cross to the main thread and are checked there
// (own mixers only, files confined to the plugin's media directory, loopback-only forwarding), and
// the plugin's mixers go away with it.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { OggOpusWriter } from '../../core/src/media/audio/OggOpus.ts';
import { OpusFrameEncoder } from '../../core/src/media/audio/OpusCodec.ts';
import { toneFrame } from '../support/audioFixtures.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const NAME = 'cardea.plugin.usermixer';
const source = `import { definePlugin, ok, type JsonObject } from '@cardea/plugin-sdk';
let mixer = 0;
const events: JsonObject[] = [];
const attempt = async (work: () => Promise<unknown>): Promise<string> => {
  try { await work(); return 'allowed'; } catch (e) { return 'refused: ' + String((e as Error).message); }
};
export default definePlugin({
  name: '${NAME}',
  version: '1.0.0',
  handleMixerEvent(event) {
    events.push(event as unknown as JsonObject);
  },
  async handleMessage({ handle, body }, api) {
    if (body.request === 'events') return ok({ events });
    if (body.request === 'play') return ok({ file: await api.media.playFile(mixer, 'hello.opus') });
    if (body.request === 'mix') {
      mixer = await api.media.createMixer({ sampleRate: 16000, mode: 'full' });
      await api.media.addToMixer(handle, mixer, { muted: false, volume: 120 });
      await api.media.recordMixer(mixer, 'room.opus');
      const stats = await api.media.mixerStats(mixer);
      return ok({ mixer, participants: stats.participants, recording: stats.recording?.path ?? null } as JsonObject);
    }
    const results: JsonObject = {
      escape: await attempt(() => api.media.playFile(mixer, '../../../etc/passwd')),
      absolute: await attempt(() => api.media.recordMixer(mixer, '/tmp/elsewhere.opus')),
      foreign: await attempt(() => api.media.mixerStats(mixer + 1000)),
      remote: await attempt(() => api.media.forwardMixer(mixer, { host: '192.0.2.1', port: 5000 })),
      loopback: await attempt(() => api.media.forwardMixer(mixer, { host: '127.0.0.1', port: 5000 })),
    };
    return ok(results);
  },
});
`;

describe('audiobridge: the mixer API from a sandboxed plugin', () => {
  let gw: SandboxGateway;
  let client: JanusClient;

  before(async () => {
    gw = await startSandboxGateway();
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
  });

  after(async () => {
    await client?.close();
    await gw?.close();
  });

  it('creates a mixer, is confined to its own mixers and media directory, and loses its mixers on unload', async () => {
    await gw.deploy(NAME, source);
    const handle = await client.attach(NAME);
    const mixed = await client.message(handle, { request: 'mix' });
    const data = mixed.plugindata?.data as Record<string, unknown>;
    assert.equal(data.participants, 1);
    assert.match(
      String(data.recording),
      /cardea-media\/cardea\.plugin\.usermixer\/room\.opus$/,
      'the recording lands in the media directory',
    );
    assert.deepEqual(gw.gateway.media.audio.ids(), [data.mixer]);

    const checks = (await client.message(handle, { request: 'checks' })).plugindata?.data as Record<string, string>;
    assert.match(checks.escape ?? '', /^refused: .*outside the plugin's media directory/);
    assert.match(checks.absolute ?? '', /^refused: .*outside the plugin's media directory/);
    assert.match(checks.foreign ?? '', /^refused: .*does not belong/);
    assert.match(checks.remote ?? '', /^refused: .*loopback/);
    assert.equal(checks.loopback, 'allowed');

    // A file in the media directory plays; its end reaches the plugin's handleMixerEvent.
    const dir = `${tmpdir()}/cardea-media/${NAME}`;
    await mkdir(dir, { recursive: true });
    const encoder = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 5, bitrate: 32000, expectedLoss: 0 });
    const writer = await OggOpusWriter.open(`${dir}/hello.opus`, { sampleRate: 48000, preSkip: encoder.lookahead });
    for (let n = 0; n < 10; n++) writer.write(encoder.encode(toneFrame(800, 48000, n)));
    await writer.close();
    encoder.free();
    const played = (await client.message(handle, { request: 'play' })).plugindata?.data as { file: number };
    await waitFor(
      async () => ((await client.message(handle, { request: 'events' })).plugindata?.data as { events: unknown[] }).events,
      (events) => events.length > 0,
      5000,
      'the announcement-ended event in the sandbox',
    ).then((events) => assert.deepEqual(events, [{ type: 'announcement-ended', mixer: data.mixer, fileId: played.file }]));

    const unloaded = await gw.admin({ janus: 'unload_plugin', name: NAME, force: true });
    assert.equal(unloaded.janus, 'success', JSON.stringify(unloaded));
    await waitFor(
      () => gw.gateway.media.audio.ids().length,
      (n) => n === 0,
      5000,
      "the plugin's mixer destroyed",
    );
  });
});
