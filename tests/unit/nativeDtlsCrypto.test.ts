// applyNativeDtlsCrypto(): werift's X25519 (tweetnacl's box.keyPair and scalarMult) replaced by
// node:crypto — same results as tweetnacl's pure-JS code, and a werift-to-werift DTLS-SRTP
// handshake still completes with mirrored keys, through the replaced functions.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { RTCPeerConnection, type PeerConfig } from 'werift';
import { srtpKeysFromWerift } from '../../core/src/media/srtp/srtpKeysFromWerift.ts';
import { applyNativeDtlsCrypto } from '../../core/src/webrtc/nativeDtlsCrypto.ts';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { waitFor } from '../support/polling.ts';

interface Nacl {
  scalarMult: (n: Uint8Array, p: Uint8Array) => Uint8Array;
  box: { keyPair: () => { publicKey: Uint8Array; secretKey: Uint8Array } };
}

const nacl = createRequire(import.meta.resolve('werift'))('tweetnacl') as Nacl;
// tweetnacl's own code, kept before the patch as the reference implementation.
const jsScalarMult = nacl.scalarMult;
const jsKeyPair = nacl.box.keyPair;
applyNativeDtlsCrypto();
applyNativeDtlsCrypto(); // idempotent

const loopback: Partial<PeerConfig> = {
  iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  iceAdditionalHostAddresses: ['127.0.0.1'],
  bundlePolicy: 'max-bundle',
  iceServers: [],
};

describe('native X25519 for werift’s DTLS', () => {
  it('replaces tweetnacl’s entry points', () => {
    assert.notEqual(nacl.scalarMult, jsScalarMult);
    assert.notEqual(nacl.box.keyPair, jsKeyPair);
  });

  it('agrees with tweetnacl both ways (native key pairs, JS key pairs)', () => {
    for (let i = 0; i < 8; i++) {
      const a = nacl.box.keyPair();
      const b = jsKeyPair();
      // werift wraps `.buffer`: each key must be alone on its ArrayBuffer.
      assert.equal(a.publicKey.buffer.byteLength, 32);
      assert.equal(a.secretKey.buffer.byteLength, 32);
      assert.deepEqual(a.publicKey, jsScalarMult(a.secretKey, basePoint()), 'public key = secret × base point');
      const shared = nacl.scalarMult(a.secretKey, b.publicKey);
      assert.equal(shared.buffer.byteLength, 32);
      assert.deepEqual(shared, jsScalarMult(b.secretKey, a.publicKey));
      assert.deepEqual(shared, jsScalarMult(a.secretKey, b.publicKey));
    }
  });

  it('refuses a small-order peer key (all-zero secret, RFC 8422 §5.11) and wrong lengths', () => {
    const a = nacl.box.keyPair();
    assert.throws(() => nacl.scalarMult(a.secretKey, new Uint8Array(32)));
    assert.throws(() => nacl.scalarMult(a.secretKey, new Uint8Array(31)), RangeError);
  });

  it('a werift-to-werift DTLS-SRTP handshake completes through it, keys mirrored', async () => {
    applyWeriftPatches();
    let calls = 0;
    const native = nacl.scalarMult;
    nacl.scalarMult = (n, p) => {
      calls++;
      return native(n, p);
    };
    const offerer = new RTCPeerConnection(loopback);
    const answerer = new RTCPeerConnection(loopback);
    try {
      offerer.addTransceiver('video', { direction: 'sendrecv' });
      await offerer.setLocalDescription(await offerer.createOffer());
      await answerer.setRemoteDescription(offerer.localDescription ?? assert.fail('no offer'));
      await answerer.setLocalDescription(await answerer.createAnswer());
      await offerer.setRemoteDescription(answerer.localDescription ?? assert.fail('no answer'));
      await waitFor(() => [offerer.connectionState, answerer.connectionState], (s) => s.every((x) => x === 'connected'), 10_000, 'werift pair connected');
      assert.equal(calls, 2, 'one X25519 derivation per side');
      const a = srtpKeysFromWerift(offerer.dtlsTransports[0] ?? assert.fail('no DTLS transport'));
      const b = srtpKeysFromWerift(answerer.dtlsTransports[0] ?? assert.fail('no DTLS transport'));
      assert.deepEqual(a.local.masterKey, b.remote.masterKey);
      assert.deepEqual(a.remote.masterKey, b.local.masterKey);
      assert.deepEqual(a.local.masterSalt, b.remote.masterSalt);
    } finally {
      nacl.scalarMult = native;
      await Promise.all([offerer.close(), answerer.close()]);
    }
  });
});

function basePoint(): Uint8Array {
  const u = new Uint8Array(32);
  u[0] = 9;
  return u;
}
