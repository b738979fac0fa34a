// srtpKeysFromWerift(): two werift PeerConnections connected in-process on 127.0.0.1; the keys read
// from one side's DTLS transport are the other side's keys mirrored, and copies Cardea protects with
// the local keys are accepted by the peer's own werift SRTP session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, type PeerConfig } from 'werift';
import { createSrtpFanout } from '../../core/src/media/srtp/createSrtpFanout.ts';
import { srtpKeysFromWerift } from '../../core/src/media/srtp/srtpKeysFromWerift.ts';
import { SrtpProfile } from '../../core/src/media/srtp/SrtpFanoutTypes.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { waitFor } from '../support/polling.ts';
import { engines, rtpPacket } from '../support/srtpFixtures.ts';

const loopback: Partial<PeerConfig> = {
  iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  iceAdditionalHostAddresses: ['127.0.0.1'],
  bundlePolicy: 'max-bundle',
  iceServers: [],
};

describe('srtpKeysFromWerift: negotiated keys of a werift DTLS transport', () => {
  let offerer: RTCPeerConnection;
  let answerer: RTCPeerConnection;

  before(async () => {
    applyWeriftPatches();
    offerer = new RTCPeerConnection(loopback);
    answerer = new RTCPeerConnection(loopback);
    offerer.addTransceiver('audio', { direction: 'sendrecv' });
    await offerer.setLocalDescription(await offerer.createOffer());
    await answerer.setRemoteDescription(offerer.localDescription ?? assert.fail('no offer'));
    await answerer.setLocalDescription(await answerer.createAnswer());
    await offerer.setRemoteDescription(answerer.localDescription ?? assert.fail('no answer'));
    await waitFor(
      () => [offerer.connectionState, answerer.connectionState],
      (states) => states.every((s) => s === 'connected'),
      10_000,
      'werift pair connected',
    );
  });

  after(async () => {
    await Promise.all([offerer.close(), answerer.close()]);
  });

  it('returns the profile and both directions, mirrored between the two ends', () => {
    const a = srtpKeysFromWerift(offerer.dtlsTransports[0] ?? assert.fail('no DTLS transport'));
    const b = srtpKeysFromWerift(answerer.dtlsTransports[0] ?? assert.fail('no DTLS transport'));
    assert.equal(a.profile, b.profile);
    assert.ok(a.profile === SrtpProfile.aes128CmHmacSha1_80 || a.profile === SrtpProfile.aeadAes128Gcm);
    assert.equal(a.local.masterKey.length, 16);
    assert.equal(a.local.masterSalt.length, a.profile === SrtpProfile.aeadAes128Gcm ? 12 : 14);
    assert.deepEqual(a.local, b.remote);
    assert.deepEqual(a.remote, b.local);
    assert.notDeepEqual(a.local.masterKey, a.remote.masterKey);
  });

  for (const engine of engines) {
    it(`(${engine}) a copy protected with the local keys is accepted by the peer's werift session`, () => {
      const keys = srtpKeysFromWerift(offerer.dtlsTransports[0] ?? assert.fail('no DTLS transport'));
      const fanout = createSrtpFanout({ engine });
      const id = fanout.addEgress(keys.local, { ssrc: 0x4242, initialSequence: 1, initialTimestamp: 1 });
      const packet = rtpPacket({ seq: 1, ts: 1, ssrc: 7, payloadBytes: 120 });
      fanout.input.set(packet);
      assert.equal(fanout.fanout(packet.length, [id], 1), 1);
      const at = fanout.outOffsets[0] ?? 0;
      const copy = Buffer.from(fanout.arena.subarray(at, at + (fanout.outLengths[0] ?? 0)));
      const peer = answerer.dtlsTransports[0]?.srtp ?? assert.fail('no SRTP session');
      assert.deepEqual(peer.decrypt(copy).subarray(12), packet.subarray(12));
    });
  }

  it('throws before the DTLS handshake has produced keys', () => {
    const idle = new RTCPeerConnection(loopback);
    idle.addTransceiver('audio');
    try {
      assert.throws(
        () => srtpKeysFromWerift(idle.dtlsTransports[0] ?? ({ state: 'new' } as never)),
        /SRTP keys exist once it is connected/,
      );
    } finally {
      void idle.close();
    }
  });
});
