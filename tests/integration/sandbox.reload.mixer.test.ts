// Hot reload of a user plugin that owns an audio mixer: v1 creates the mixer and puts a live werift
// participant in it; v2 replaces v1, gets the mixer id through exportState → importState and uses it
// (mixerStats). The mixer is not recreated, the participant keeps receiving mix frames without a
// gap, and v1's unload does not destroy what v2 now owns; v2's unload does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { AudioPeer } from '../support/audioPeer.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const NAME = 'cardea.plugin.userroom';
/** Mix frames come every 20 ms; a gap above this means the participant's audio stalled (2 shared cores). */
const MAX_GAP_MS = 250;

function roomSource(version: string): string {
  return `import { definePlugin, ok, wait, type JsonObject } from '@cardea/plugin-sdk';
const VERSION = '${version}';
let mixer = 0;
export default definePlugin({
  name: '${NAME}',
  version: VERSION,
  handleMessage({ handle, transaction, body, jsep }, api) {
    if (jsep?.type === 'offer') {
      void (async () => {
        const answer = await api.negotiate(handle, { type: 'answer' });
        if (mixer === 0) mixer = await api.media.createMixer({ sampleRate: 16000, mode: 'full' });
        await api.media.addToMixer(handle, mixer, { muted: false });
        await api.pushEvent(handle, { transaction, data: { userroom: 'joined', mixer, version: VERSION }, jsep: answer });
      })();
      return wait();
    }
    if (body.request === 'stats') {
      return api.media.mixerStats(mixer).then((stats) => ok({ version: VERSION, mixer, participants: stats.participants, frames: stats.frames }));
    }
    return ok({ version: VERSION, mixer });
  },
  exportState(): JsonObject {
    return { mixer };
  },
  importState(state) {
    if (typeof state.mixer === 'number') mixer = state.mixer;
  },
});
`;
}

describe('sandbox: a user plugin keeps its mixers across a hot reload', () => {
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

  it("v2 adopts v1's mixer with its participant; no gap in mix frames; v1's unload leaves it alone", async () => {
    await gw.deploy(NAME, roomSource('1.0.0'));
    const handle = await client.attach(NAME);
    peer = new AudioPeer('opus');
    const joined = await peer.connect(client, handle, { request: 'join' });
    const mixer = joined.plugindata?.data.mixer as number;
    assert.ok(mixer > 0);
    await waitFor(
      () => peer.received.length,
      (n) => n >= 25,
      5000,
      'mix frames before the reload',
    );

    const mark = performance.now();
    const before = peer.received.length;
    const outcome = await gw.deploy(NAME, roomSource('2.0.0'));
    assert.equal(outcome.migrated, 1, 'the live handle moved to v2');
    assert.equal(outcome.draining, 0, 'v1 was retired (unloaded) right away');

    const stats = (await client.message(handle, { request: 'stats' })).plugindata?.data as Record<string, number | string>;
    assert.equal(stats.version, '2.0.0', 'v2 serves the handle');
    assert.equal(stats.mixer, mixer, "v2 uses v1's mixer id from the imported state");
    assert.equal(stats.participants, 1, 'the participant is still in the mixer');
    assert.deepEqual(gw.gateway.media.audio.ids(), [mixer], 'the mixer survived v1 and was not recreated');

    await waitFor(
      () => peer.received.length - before,
      (n) => n >= 50,
      5000,
      'a second of mix frames after the reload',
    );
    const maxGap = peer.maxGapSince(mark);
    assert.ok(maxGap < MAX_GAP_MS, `largest gap in mix frames across the reload: ${maxGap.toFixed(0)} ms`);
    const mixStats = await gw.gateway.media.audio.stats(mixer);
    assert.equal(mixStats.participants, 1);

    const unloaded = await gw.admin({ janus: 'unload_plugin', name: NAME, force: true });
    assert.equal(unloaded.janus, 'success', JSON.stringify(unloaded));
    await waitFor(
      () => gw.gateway.media.audio.ids().length,
      (n) => n === 0,
      5000,
      "v2's unload destroys the mixer it owns",
    );
  });
});
