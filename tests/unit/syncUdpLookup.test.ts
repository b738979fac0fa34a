import assert from 'node:assert/strict';
import dgram, { type Socket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { useSyncUdpLookup } from '../../core/src/webrtc/syncUdpLookup.ts';

async function bound(): Promise<Socket> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

/** Sends `buf` to the receiver, then overwrites it before the next tick; resolves with what arrived. */
async function sendThenOverwrite(sender: Socket, receiver: Socket, host: string): Promise<Buffer> {
  const buf = Buffer.from('original');
  const arrived = once(receiver, 'message') as Promise<[Buffer]>;
  sender.send(buf, 0, buf.length, receiver.address().port, host);
  buf.write('REWRITE!');
  const [message] = await arrived;
  return message;
}

describe('useSyncUdpLookup: sends to an IP literal leave at once', () => {
  let receiver: Socket;
  let plain: Socket;
  let fast: Socket;

  before(async () => {
    [receiver, plain, fast] = await Promise.all([bound(), bound(), bound()]);
    useSyncUdpLookup(fast);
    useSyncUdpLookup(fast); // idempotent
  });

  after(() => {
    for (const s of [receiver, plain, fast]) s.close();
  });

  it('without it, Node defers the send: a buffer rewritten right after send() goes out rewritten', async () => {
    // The premise the fast path's arena ring is sized for (and what this module removes).
    assert.equal((await sendThenOverwrite(plain, receiver, '127.0.0.1')).toString(), 'REWRITE!');
  });

  it('with it, the datagram is sent inside send(): the bytes at call time arrive', async () => {
    assert.equal((await sendThenOverwrite(fast, receiver, '127.0.0.1')).toString(), 'original');
    assert.equal((await sendThenOverwrite(fast, receiver, '127.0.0.1')).toString(), 'original', 'cached address');
  });

  it('host names still go through Node’s resolver (deferred, still delivered)', async () => {
    assert.equal((await sendThenOverwrite(fast, receiver, 'localhost')).toString(), 'REWRITE!');
    assert.equal((await sendThenOverwrite(fast, receiver, '127.0.0.1')).toString(), 'original');
  });
});
