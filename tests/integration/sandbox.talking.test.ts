// Voice activity reaches sandboxed user plugins: a plugin that starts talking detection on its handle
// gets `handleTalking` when a werift client sends audio whose RFC 6464 levels say it speaks, and
// again when it falls silent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { AudioPeer } from '../support/audioPeer.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { SyntheticMedia } from '../support/syntheticMedia.ts';

const NAME = 'cardea.plugin.usertalk';
const source = `import { definePlugin, ok, wait } from '@cardea/plugin-sdk';
export default definePlugin({
  name: '${NAME}',
  version: '1.0.0',
  async handleTalking(event, api) {
    await api.pushEvent(event.handle, { data: { usertalk: 'talking', talking: event.talking, level: event.level, mid: event.mid } });
  },
  handleMessage({ handle, transaction, jsep }, api) {
    if (jsep?.type !== 'offer') return ok({ usertalk: 'event' });
    void (async () => {
      const answer = await api.negotiate(handle, { type: 'answer' });
      await api.media.detectTalking(handle, { threshold: 25, packets: 10 });
      await api.pushEvent(handle, { transaction, data: { usertalk: 'event', result: 'ok' }, jsep: answer });
    })();
    return wait();
  },
});
`;

describe('sandbox: talking detection in a user plugin', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let peer: AudioPeer;

  before(async () => {
    applyWeriftPatches();
    gw = await startSandboxGateway();
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
  });

  after(async () => {
    await peer?.close();
    await client?.close();
    await gw?.close();
  });

  it('handleTalking fires in the sandbox on RFC 6464 levels: talking, then stopped', async () => {
    await gw.deploy(NAME, source);
    const handle = await client.attach(NAME);
    peer = new AudioPeer('opus');
    await peer.connect(client, handle, { request: 'start' });
    assert.ok(peer.levelId > 0, 'the gateway negotiated the audio-level extension');

    const at = client.events.length;
    peer.level = 10;
    peer.send(() => SyntheticMedia.audioPayload);
    const talking = await client.waitForEvent((m) => m.plugindata?.data.usertalk === 'talking', 5000, at);
    assert.equal(talking.sender, handle);
    assert.equal(talking.plugindata?.data.talking, true);
    assert.equal(talking.plugindata?.data.level, 10);

    const quiet = client.events.length;
    peer.level = 127;
    const stopped = await client.waitForEvent((m) => m.plugindata?.data.usertalk === 'talking', 5000, quiet);
    assert.equal(stopped.plugindata?.data.talking, false);
    assert.ok(Number(stopped.plugindata?.data.level) > 25, `silent level ${String(stopped.plugindata?.data.level)}`);
  });
});
