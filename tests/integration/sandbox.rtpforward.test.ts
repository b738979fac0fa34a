// media.forwardRtp and media.stopRtpForward from a sandboxed user plugin (missing from the sandbox
// before the plugin API had one implementation): a plain-RTP copy of a werift client's audio
// reaches a loopback UDP socket, stops when the plugin stops it, and non-loopback targets are refused.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { AudioPeer } from '../support/audioPeer.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { SyntheticMedia } from '../support/syntheticMedia.ts';

const NAME = 'cardea.plugin.userforward';
const source = (
  version: string,
): string => `import { definePlugin, isJsonObject, ok, wait, type HandleId, type JsonObject } from '@cardea/plugin-sdk';
const mids = new Map<HandleId, string>();
export default definePlugin({
  name: '${NAME}',
  version: '${version}',
  exportState(): JsonObject {
    return Object.fromEntries([...mids].map(([h, mid]) => [String(h), mid]));
  },
  importState(state) {
    for (const [h, mid] of Object.entries(state)) if (typeof mid === 'string') mids.set(Number(h), mid);
    void isJsonObject;
  },
  async handleMessage({ handle, transaction, body, jsep }, api) {
    if (jsep?.type === 'offer') {
      mids.set(handle, jsep.media.find((m) => m.kind === 'audio')?.mid ?? '0');
      void (async () => {
        const answer = await api.negotiate(handle, { type: 'answer' });
        await api.pushEvent(handle, { transaction, data: { userforward: 'event', result: 'ok' }, jsep: answer });
      })();
      return wait();
    }
    if (body.request === 'forward') {
      const mid = mids.get(handle) ?? '0';
      let remote = 'allowed';
      try { await api.media.forwardRtp(handle, { mid, host: '192.0.2.1', port: 5004 }); } catch (e) { remote = 'refused: ' + String((e as Error).message); }
      const id = await api.media.forwardRtp(handle, { mid, host: '127.0.0.1', port: Number(body.port), ssrc: 4242 });
      return ok({ id, remote });
    }
    if (body.request === 'stop') {
      await api.media.stopRtpForward(Number(body.id));
      await api.media.stopRtpForward(987654); // not this plugin's: ignored
      return ok({ stopped: true, version: '${version}' });
    }
    return ok({});
  },
});
`;

describe('sandbox: RTP forwarding from a user plugin', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let peer: AudioPeer | undefined;
  let socket: Socket;
  const ssrcs: number[] = [];

  before(async () => {
    applyWeriftPatches();
    gw = await startSandboxGateway();
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    socket = createSocket('udp4');
    socket.on('message', (packet) => ssrcs.push(packet.readUInt32BE(8)));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    socket?.close();
    await peer?.close();
    await client?.close();
    await gw?.close();
  });

  it('forwardRtp sends the stream to a loopback socket, stopRtpForward stops it, other hosts are refused', async () => {
    await gw.deploy(NAME, source('1.0.0'));
    const handle = await client.attach(NAME);
    peer = new AudioPeer('opus');
    await peer.connect(client, handle, { request: 'start' });
    peer.send(() => SyntheticMedia.audioPayload);

    const forwarded = (await client.message(handle, { request: 'forward', port: socket.address().port })).plugindata?.data as {
      id: number;
      remote: string;
    };
    assert.match(forwarded.remote, /^refused: .*loopback/);
    assert.ok(forwarded.id > 0);
    await waitFor(
      () => ssrcs.length,
      (n) => n >= 20,
      5000,
      'forwarded RTP packets arrive',
    );
    assert.ok(
      ssrcs.every((s) => s === 4242),
      'the forwarder writes the SSRC the plugin asked for',
    );
    assert.equal(gw.gateway.media.listRtpForwarders(handle).length, 1);

    // A hot reload moves the handle to v2 with its forwarder, which keeps forwarding and is v2's to stop.
    const reloaded = await gw.deploy(NAME, source('2.0.0'));
    assert.equal(reloaded.migrated, 1);
    const beforeReload = ssrcs.length;
    await waitFor(
      () => ssrcs.length,
      (n) => n >= beforeReload + 20,
      5000,
      'the forwarder keeps forwarding after the reload',
    );
    const stopped = (await client.message(handle, { request: 'stop', id: forwarded.id })).plugindata?.data;
    assert.equal(stopped?.version, '2.0.0');
    assert.equal(gw.gateway.media.listRtpForwarders(handle).length, 0);
    await new Promise((r) => setTimeout(r, 200)); // packets already in flight
    const afterStop = ssrcs.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(ssrcs.length, afterStop, 'no packet after stopRtpForward');
  });
});
