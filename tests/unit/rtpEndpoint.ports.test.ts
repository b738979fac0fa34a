// Port pairs of RTP endpoints (RFC 3550 §11: RTP on an even port, RTCP on the next one): ephemeral,
// fixed and ranged binds, a taken or odd port refused with a reason, a range exhausted, and a
// half-bound pair released (its RTP port can be bound again). Real sockets on loopback.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, it } from 'node:test';
import { bindRtpSockets, NoFreeRtpPortError, type RtpSockets } from '../../core/src/media/rtp/rtpPorts.ts';

const host = '127.0.0.1';
const open: Socket[] = [];

async function pair(options: { port?: number; range?: [number, number]; rtcp?: boolean }): Promise<RtpSockets> {
  const s = await bindRtpSockets({ host, port: options.port ?? 0, range: options.range, rtcp: options.rtcp ?? true });
  open.push(s.rtp);
  if (s.rtcp) open.push(s.rtcp);
  return s;
}

function bindOne(port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      open.push(socket);
      resolve(socket);
    });
  });
}

/** A free even port whose successor is free too, released again. */
async function freeEvenPort(): Promise<number> {
  const s = await bindRtpSockets({ host, port: 0, range: undefined, rtcp: true });
  const port = s.rtp.address().port;
  s.rtp.close();
  s.rtcp?.close();
  return port;
}

describe('rtp endpoint: port pairs', () => {
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('ephemeral: an even RTP port with RTCP on the next one; without RTCP a single socket', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await pair({});
      const rtp = s.rtp.address().port;
      assert.equal(rtp % 2, 0, 'even RTP port');
      assert.equal(s.rtcp?.address().port, rtp + 1, 'RTCP on RTP + 1');
    }
    const single = await pair({ rtcp: false });
    assert.equal(single.rtcp, undefined);
    assert.ok(single.rtp.address().port > 0);
  });

  it('a fixed port: bound as asked; taken, or odd with RTCP, refused with a reason', async () => {
    const port = await freeEvenPort();
    const s = await pair({ port });
    assert.equal(s.rtp.address().port, port);
    await assert.rejects(bindRtpSockets({ host, port, range: undefined, rtcp: true }), (e: unknown) => e instanceof NoFreeRtpPortError && /taken/.test(e.message));
    await assert.rejects(bindRtpSockets({ host, port: port + 1, range: undefined, rtcp: true }), /RTP needs an even port/);
    await assert.rejects(bindRtpSockets({ host, port: 70000, range: undefined, rtcp: true }), RangeError);
  });

  it('a range: even ports inside it, the RTCP port inside it too, until it is exhausted', async () => {
    const base = await freeEvenPort();
    const range: [number, number] = [base, base + 3]; // two pairs: base/base+1 and base+2/base+3
    const got = [await pair({ range }), await pair({ range })].map((s) => s.rtp.address().port).sort();
    assert.deepEqual(got, [base, base + 2]);
    await assert.rejects(bindRtpSockets({ host, port: 0, range, rtcp: true }), (e: unknown) => e instanceof NoFreeRtpPortError && /no free RTP port pair/.test(e.message));
    // [base, base + 2]: base + 2 would need base + 3 for RTCP, outside the range.
    for (const s of open.splice(0)) s.close();
    assert.equal((await pair({ range: [base, base + 2] })).rtp.address().port, base);
    await assert.rejects(bindRtpSockets({ host, port: 0, range: [base, base + 2], rtcp: true }), NoFreeRtpPortError);
    await assert.rejects(bindRtpSockets({ host, port: 0, range: [base + 4, base], rtcp: true }), RangeError);
  });

  it('an RTP port whose RTCP port is taken is released, not leaked', async () => {
    const port = await freeEvenPort();
    await bindOne(port + 1);
    await assert.rejects(bindRtpSockets({ host, port, range: undefined, rtcp: true }), /RTCP port .* is taken/);
    await assert.rejects(bindRtpSockets({ host, port: 0, range: [port, port + 1], rtcp: true }), NoFreeRtpPortError);
    const again = await bindOne(port); // the RTP socket of the failed pair was closed
    assert.equal(again.address().port, port);
  });
});
