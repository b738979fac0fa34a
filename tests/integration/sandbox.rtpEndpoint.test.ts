// media.openRtpEndpoint from a sandboxed user plugin, under the sandbox policy (loopback only): RTP
// sent into one endpoint the plugin opened comes out of another it routed it to, a non-loopback
// remote or bind address is refused, routes may name only the plugin's own endpoints, the
// endpoints survive a hot reload (the next version closes them), and closing frees the ports.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';
import { rtpPacket } from '../support/srtpFixtures.ts';

const NAME = 'cardea.plugin.userendpoint';
const source = (version: string): string => `import { definePlugin, ok, type JsonObject } from '@cardea/plugin-sdk';
let ids: number[] = [];
export default definePlugin({
  name: '${NAME}',
  version: '${version}',
  exportState(): JsonObject {
    return { ids };
  },
  importState(state) {
    if (Array.isArray(state.ids)) ids = state.ids.filter((id): id is number => typeof id === 'number');
  },
  async handleMessage({ body }, api) {
    if (body.request === 'open') {
      const refused: string[] = [];
      for (const options of [
        { kind: 'video' as const, remote: { host: '192.0.2.1', port: 5004 } },
        { kind: 'video' as const, host: '0.0.0.0' },
      ]) {
        try {
          await api.media.openRtpEndpoint(options);
          refused.push('allowed');
        } catch (e) {
          refused.push(String((e as Error).message));
        }
      }
      let foreignRoute = 'allowed';
      try {
        await api.media.addRoute({ from: -999_999, to: -999_998, kinds: ['video'] });
      } catch (e) {
        foreignRoute = String((e as Error).message);
      }
      const input = await api.media.openRtpEndpoint({ kind: 'video', direction: 'recvonly', payloadType: 96, codec: 'vp8' });
      const output = await api.media.openRtpEndpoint({
        kind: 'video',
        direction: 'sendonly',
        payloadType: 100,
        codec: 'vp8',
        ssrc: 777,
        remote: { host: '127.0.0.1', port: Number(body.port) },
      });
      await api.media.addRoute({ from: input.id, to: output.id, kinds: ['video'] });
      ids = [input.id, output.id];
      return ok({ input: input.ports.rtp, output: output.ports.rtp, refused, foreignRoute });
    }
    if (body.request === 'stats') {
      const stats = await api.media.rtpEndpointStats(ids[0] ?? 0);
      return ok({ packetsIn: stats?.packetsIn ?? -1, version: '${version}' });
    }
    if (body.request === 'close') {
      for (const id of ids) await api.media.closeRtpEndpoint(id);
      await api.media.closeRtpEndpoint(-424242); // not this plugin's: ignored
      ids = [];
      return ok({ closed: true, version: '${version}' });
    }
    return ok({});
  },
});
`;

describe('sandbox: RTP endpoints from a user plugin', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let sink: Socket;
  let feeder: Socket;
  const received: Buffer[] = [];

  before(async () => {
    gw = await startSandboxGateway();
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    sink = createSocket('udp4');
    sink.on('message', (packet) => received.push(packet));
    feeder = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => feeder.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    sink?.close();
    feeder?.close();
    await client?.close();
    await gw?.close();
  });

  it('routes one endpoint into another on loopback, refuses other hosts and foreign ids, hands endpoints over on reload', async () => {
    await gw.deploy(NAME, source('1.0.0'));
    const handle = await client.attach(NAME);
    const opened = (await client.message(handle, { request: 'open', port: sink.address().port })).plugindata?.data as {
      input: number;
      output: number;
      refused: string[];
      foreignRoute: string;
    };
    assert.equal(opened.refused.length, 2);
    for (const reason of opened.refused) assert.match(reason, /loopback/, 'non-loopback remote and bind address are refused');
    assert.match(opened.foreignRoute, /not open in/, 'a route naming endpoints the plugin did not open is refused');

    let seq = 100;
    const feed = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++, seq++) {
        const packet = rtpPacket({ seq, ts: seq * 3000, ssrc: 0xabcd, pt: 96, payloadBytes: 40 });
        await new Promise<void>((resolve, reject) => feeder.send(packet, opened.input, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
    };
    await feed(20);
    await waitFor(() => received.length, (n) => n >= 20, 5000, 'RTP routed out of the second endpoint arrives');
    for (const p of received) {
      assert.equal(p[1]! & 0x7f, 100, "the output endpoint's payload type");
      assert.equal(p.readUInt32BE(8), 777, "the output endpoint's SSRC");
    }

    // A hot reload hands the endpoints (and their route) to v2, which keeps them flowing and closes them.
    const reloaded = await gw.deploy(NAME, source('2.0.0'));
    assert.equal(reloaded.migrated, 1);
    const beforeReload = received.length;
    await feed(20);
    await waitFor(() => received.length, (n) => n >= beforeReload + 20, 5000, 'the route still forwards after the reload');
    const stats = (await client.message(handle, { request: 'stats' })).plugindata?.data;
    assert.equal(stats?.version, '2.0.0');
    assert.ok(Number(stats?.packetsIn) >= 40, `v2 reads the endpoint's counters (${String(stats?.packetsIn)})`);
    const closed = (await client.message(handle, { request: 'close' })).plugindata?.data;
    assert.equal(closed?.version, '2.0.0');

    // Closed endpoints free their ports.
    const rebind = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      rebind.once('error', reject);
      rebind.bind(opened.input, '127.0.0.1', resolve);
    });
    rebind.close();
  });
});
