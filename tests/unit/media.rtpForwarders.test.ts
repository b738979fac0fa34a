import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { it } from 'node:test';
import { MediaNode } from '../../core/src/media/MediaNode.ts';
import type { MediaPlaneEvents } from '../../core/src/media/MediaPlaneTypes.ts';
import { RtpForwarders } from '../../core/src/media/RtpForwarders.ts';
import { TypedEmitter } from '../../core/src/util/TypedEmitter.ts';
import type { WebRtcPeer } from '../../core/src/webrtc/WebRtcPeer.ts';

it('werift-plane rtp_forward: a tap on the mid sends each packet to host:port with its payload type and SSRC rewritten, until stopped', async () => {
  const receiver = createSocket('udp4');
  receiver.bind(0, '127.0.0.1');
  await once(receiver, 'listening');
  const port = receiver.address().port;
  const got: Buffer[] = [];
  receiver.on('message', (message) => got.push(message));
  const node = new MediaNode({ handleId: 7, peer: {} as WebRtcPeer }, new TypedEmitter<MediaPlaneEvents>(), { talking: undefined, recorder: undefined, audioSink: undefined });
  const forwarders = new RtpForwarders((handleId) => (handleId === 7 ? node : undefined));
  try {
    const taps = node.tapsFor('1', 'video', new Map([[96, 'vp8']]));
    const id = forwarders.add(7, { mid: '1', host: '127.0.0.1', port, payloadType: 100, ssrc: 0x01020304 });
    assert.equal(taps.count, 1);
    const packet = new Uint8Array(40);
    packet[0] = 0x80;
    packet[1] = 0x80 | 96; // marker set
    packet[3] = 9;
    // Several packets in one tick: each keeps its own bytes though the sends are deferred.
    for (let i = 0; i < 5; i++) {
      packet[20] = i;
      taps.run(packet, packet.length, -1);
    }
    while (got.length < 5) await once(receiver, 'message');
    assert.deepEqual(
      got.map((m) => [m.length, m[1], m.readUInt32BE(8), m.readUInt16BE(2), m[20]]),
      [0, 1, 2, 3, 4].map((i) => [40, 0x80 | 100, 0x01020304, 9, i]),
    );
    assert.deepEqual(forwarders.list(7), [{ mid: '1', host: '127.0.0.1', port, payloadType: 100, ssrc: 0x01020304, id, packets: 5 }]);
    forwarders.remove(id);
    assert.equal(taps.count, 0);
    assert.deepEqual(forwarders.list(), []);
  } finally {
    forwarders.close();
    receiver.close();
  }
});
