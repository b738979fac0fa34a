// .mjr recordings from a sandboxed user plugin: the calls cross to the main thread and are checked
// there (own handles only, files confined to the plugin's media directory, own recordings only), and
// the plugin's recordings stop when it unloads.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const NAME = 'cardea.plugin.userrecorder';
const source = `import { definePlugin, ok, type JsonObject } from '@cardea/plugin-sdk';
const attempt = async (work: () => Promise<unknown>): Promise<string> => {
  try { return 'allowed: ' + JSON.stringify(await work()); } catch (e) { return 'refused: ' + String((e as Error).message); }
};
export default definePlugin({
  name: '${NAME}',
  version: '1.0.0',
  async handleMessage({ handle, body }, api) {
    if (body.request === 'record') {
      const id = await api.media.startRecording(handle, { kind: 'audio', file: 'calls/one-audio.mjr' });
      const info = await api.media.stopRecording(id);
      const again = await api.media.stopRecording(id);
      const kept = await api.media.startRecording(handle, { mid: '0', file: 'calls/kept-video.mjr' });
      return ok({ id, info: (info ?? null) as unknown as JsonObject, again: again === undefined, kept });
    }
    const results: JsonObject = {
      absolute: await attempt(() => api.media.startRecording(handle, { file: '/tmp/elsewhere.mjr' })),
      escape: await attempt(() => api.media.startRecording(handle, { file: '../../x.mjr' })),
      foreignHandle: await attempt(() => api.media.startRecording(handle + 1000, { file: 'f.mjr' })),
      badKind: await attempt(() => api.media.startRecording(handle, { kind: 'data' as 'audio', file: 'g.mjr' })),
      foreignStop: await attempt(() => api.media.stopRecording(987654)),
    };
    return ok(results);
  },
});
`;

describe('recording: the .mjr API from a sandboxed plugin', () => {
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

  it('records its own handles inside its media directory only, and its recordings stop on unload', async () => {
    await gw.deploy(NAME, source);
    const handle = await client.attach(NAME);
    const recorded = (await client.message(handle, { request: 'record' })).plugindata?.data as {
      info: { file: string; handle: number; kind: string; packets: number };
      again: boolean;
      kept: number;
    };
    assert.match(recorded.info.file, /cardea-media\/cardea\.plugin\.userrecorder\/calls\/one-audio\.mjr$/);
    assert.equal(recorded.info.handle, handle);
    assert.equal(recorded.info.packets, 0);
    assert.equal(recorded.again, true, 'stopping twice answers undefined');
    assert.equal((await stat(recorded.info.file)).size, 8, 'the magic only: no packet arrived');
    assert.deepEqual(gw.gateway.media.recorders.list().map((r) => r.id), [recorded.kept]);

    const checks = (await client.message(handle, { request: 'checks' })).plugindata?.data as Record<string, string>;
    assert.match(checks.absolute ?? '', /^refused: .*outside the plugin's media directory/);
    assert.match(checks.escape ?? '', /^refused: .*outside the plugin's media directory/);
    assert.match(checks.foreignHandle ?? '', /^refused: .*not attached/);
    assert.match(checks.badKind ?? '', /^refused: .*invalid arguments/);
    assert.equal(checks.foreignStop, 'allowed: undefined', "another's recording id is not stopped");
    assert.equal(gw.gateway.media.recorders.list().length, 1);

    const unloaded = await gw.admin({ janus: 'unload_plugin', name: NAME, force: true });
    assert.equal(unloaded.janus, 'success', JSON.stringify(unloaded));
    await waitFor(() => gw.gateway.media.recorders.list().length, (n) => n === 0, 5000, "the plugin's recording stopped");
  });
});
