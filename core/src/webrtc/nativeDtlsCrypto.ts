import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

/** The two tweetnacl entry points werift's DTLS calls for X25519 (RFC 8422 §5.10, RFC 7748 §6.1). */
interface NaclX25519 {
  scalarMult: ((n: Uint8Array, p: Uint8Array) => Uint8Array) & { [nativeMark]?: true };
  box: { keyPair: (() => { publicKey: Uint8Array; secretKey: Uint8Array }) & { [nativeMark]?: true } };
}

const nativeMark = Symbol('cardea.nativeX25519');

// DER wrappers of raw X25519 keys (RFC 8410 §7 and §10.3: id-X25519 = 1.3.101.110).
const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * Makes werift's DTLS ECDHE over X25519 use OpenSSL (node:crypto) instead of tweetnacl's pure-JS
 * field arithmetic. werift (0.25.x) generates the ephemeral key pair with `nacl.box.keyPair()` and
 * derives the premaster secret with `nacl.scalarMult()` (its dtls/src/cipher/namedCurve.ts and
 * prf.ts), ~0.5–1 ms of JS each per handshake — per PeerConnection, competing with the media path
 * when hundreds of subscribers join. werift's bundle calls them through tweetnacl's shared exports
 * object, so replacing those two properties is enough; other tweetnacl users in the process
 * (@fidm/x509 uses nacl.sign) are untouched, and both functions keep tweetnacl's contract (32-byte
 * Uint8Arrays, each on its own ArrayBuffer: werift reads `keys.secretKey.buffer`). One difference,
 * wanted: OpenSSL refuses an all-zero shared secret (a small-order peer key), which RFC 8422 §5.11
 * says must abort the handshake; tweetnacl returned the zeros. Applied once, at gateway start.
 */
export function applyNativeDtlsCrypto(): void {
  const nacl = weriftNacl();
  if (!nacl || nacl.scalarMult[nativeMark]) return;
  const keyPair: NaclX25519['box']['keyPair'] = () => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    return { publicKey: rawPublic(publicKey), secretKey: rawPrivate(privateKey) };
  };
  keyPair[nativeMark] = true;
  const scalarMult: NaclX25519['scalarMult'] = (n, p) => {
    if (n.length !== 32 || p.length !== 32) throw new RangeError('X25519 keys are 32 bytes');
    const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, n]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.concat([spkiPrefix, p]), format: 'der', type: 'spki' });
    return ownCopy(diffieHellman({ privateKey, publicKey }));
  };
  scalarMult[nativeMark] = true;
  nacl.box.keyPair = keyPair;
  nacl.scalarMult = scalarMult;
}

/** tweetnacl as werift resolves it (werift's own dependency, not one of Cardea's). */
function weriftNacl(): NaclX25519 | undefined {
  try {
    const requireFromWerift = createRequire(import.meta.resolve('werift'));
    const nacl = requireFromWerift('tweetnacl') as Partial<NaclX25519>;
    return typeof nacl.scalarMult === 'function' && typeof nacl.box?.keyPair === 'function' ? (nacl as NaclX25519) : undefined;
  } catch (_error) {
    return undefined; // werift without tweetnacl: nothing to replace
  }
}

function rawPublic(key: KeyObject): Uint8Array {
  return ownCopy(key.export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length));
}

function rawPrivate(key: KeyObject): Uint8Array {
  return ownCopy(key.export({ format: 'der', type: 'pkcs8' }).subarray(pkcs8Prefix.length));
}

/** A Uint8Array alone on its ArrayBuffer (werift wraps `.buffer`, which must be exactly the key). */
function ownCopy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
