// A viewer joining an RTP mountpoint asks the source for a keyframe: the mountpoint's video
// endpoint sends an RTCP PLI (RFC 4585 §6.3.1) to the source's RTCP port (its RTP port + 1)
// when `watch` routes the stream, so a late viewer need not wait for the next periodic keyframe.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';
import { rtpPacket } from '../support/srtpFixtures.ts';

const bind = (socket: Socket, port: number) =>
  new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });

/** An RTP socket on an even port and an RTCP socket on the next one, as an RTP source has (RFC 3550 §11). */
async function sourcePair(): Promise<{ rtp: Socket; rtcp: Socket; rtcpIn: Buffer[] }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 10000);
    const rtp = createSocket('udp4');
    const rtcp = createSocket('udp4');
    if ((await bind(rtp, port)) && (await bind(rtcp, port + 1))) {
      const rtcpIn: Buffer[] = [];
      rtcp.on('message', (m) => rtcpIn.push(m));
      return { rtp, rtcp, rtcpIn };
    }
    rtp.close();
    rtcp.close();
  }
  throw new Error('no free port pair');
}

/** True when a compound RTCP packet holds a PLI (PSFB, PT 206, FMT 1). */
function hasPli(p: Buffer): boolean {
  for (let at = 0; at + 4 <= p.length; at += (p.readUInt16BE(at + 2) + 1) * 4) {
    if (p[at + 1] === 206 && ((p[at] as number) & 0x1f) === 1) return true;
  }
  return false;
}

describe('streaming: a new viewer makes the mountpoint ask its source for a keyframe', () => {
  let gw: TestGateway;
  let client: JanusClient;
  let source: Awaited<ReturnType<typeof sourcePair>>;

  before(async () => {
    gw = await startTestGateway({ media: { plane: 'fast' } });
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    source = await sourcePair();
  });

  after(async () => {
    source?.rtp.close();
    source?.rtcp.close();
    await client?.close();
    await gw?.close();
  });

  it('watch sends a PLI to the source RTCP port', async () => {
    const handle = await client.attach('janus.plugin.streaming');
    const created = await client.message(handle, {
      request: 'create',
      type: 'rtp',
      id: 77,
      media: [{ type: 'video', mid: 'v', port: 0, pt: 96, codec: 'vp8', rtcpport: 0 }],
    });
    const port = ((created.plugindata?.data.stream as { ports: Array<{ port: number }> }).ports[0] as { port: number }).port;
    // The endpoint latches to the first valid RTP packet's source.
    for (let seq = 0; seq < 10; seq++) {
      await new Promise<void>((resolve, reject) =>
        source.rtp.send(rtpPacket({ seq, ts: seq * 6000, ssrc: 0x5eed, pt: 96, payloadBytes: 40 }), port, '127.0.0.1', (e) =>
          e ? reject(e) : resolve(),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(source.rtcpIn.filter(hasPli).length, 0, 'no PLI before anyone watches');

    const viewer = await client.attach('janus.plugin.streaming');
    await client.message(viewer, { request: 'watch', id: 77 });
    const until = Date.now() + 3000;
    while (!source.rtcpIn.some(hasPli) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(source.rtcpIn.some(hasPli), `a PLI reached the source's RTCP port (${source.rtcpIn.length} RTCP packets)`);
  });
});
