// Datagrams an off-path attacker sends to a media port (issue 11): DTLS records in both epochs,
// ClientHellos, truncated records, forged STUN binding requests, RTP/RTCP-looking noise.
import { randomBytes } from 'node:crypto';
import { Message } from 'werift';

/** DTLS 1.2 on the wire (RFC 6347 §4.1: version 254.253). */
const DTLS12 = [0xfe, 0xfd] as const;

/** One DTLS record: content type, epoch, sequence number and fragment (RFC 6347 §4.1). */
export function dtlsRecord(contentType: number, epoch: number, sequence: number, fragment: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header[0] = contentType;
  header[1] = DTLS12[0];
  header[2] = DTLS12[1];
  header.writeUInt16BE(epoch, 3);
  header.writeUIntBE(sequence, 5, 6);
  header.writeUInt16BE(fragment.length, 11);
  return Buffer.concat([header, fragment]);
}

/** The 15-byte plaintext close_notify of the issue (epoch 0, warning level). */
export function plaintextCloseNotify(): Buffer {
  return dtlsRecord(21, 0, 1, Buffer.from([1, 0]));
}

/** A plaintext fatal alert (handshake_failure). */
export function plaintextFatalAlert(): Buffer {
  return dtlsRecord(21, 0, 2, Buffer.from([2, 40]));
}

/**
 * An epoch-1 "alert" of garbage whose first two bytes read as a warning close_notify: werift 0.25.2
 * takes those bytes as the plaintext alert without decrypting, so this is a forged encrypted alert.
 */
export function forgedEncryptedAlert(): Buffer {
  return dtlsRecord(21, 1, 0xffff00 + Math.floor(Math.random() * 255), Buffer.concat([Buffer.from([1, 0]), randomBytes(30)]));
}

/** An epoch-1 application-data record of garbage (SCTP would be inside a real one). */
export function garbageApplicationData(): Buffer {
  return dtlsRecord(23, 1, 0xfff000 + Math.floor(Math.random() * 4095), randomBytes(48));
}

/** A plaintext ClientHello (epoch 0): werift restarts an established handshake on one. */
export function clientHello(): Buffer {
  const body = Buffer.concat([
    Buffer.from(DTLS12),
    randomBytes(32), // random
    Buffer.from([0]), // session id
    Buffer.from([0]), // cookie
    Buffer.from([0, 2, 0xc0, 0x2b]), // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    Buffer.from([1, 0]), // compression: null
    Buffer.from([0, 0]), // no extensions
  ]);
  const handshake = Buffer.alloc(12);
  handshake[0] = 1; // client_hello
  handshake.writeUIntBE(body.length, 1, 3);
  handshake.writeUInt16BE(0, 4);
  handshake.writeUIntBE(0, 6, 3);
  handshake.writeUIntBE(body.length, 9, 3);
  return dtlsRecord(22, 0, 3, Buffer.concat([handshake, body]));
}

/** Truncated DTLS: a partial header, a header promising more than follows, a lone header. */
export function truncatedRecords(): Buffer[] {
  const long = dtlsRecord(22, 0, 4, randomBytes(100));
  return [Buffer.from([22, 0xfe, 0xfd, 0, 0]), long.subarray(0, 30), long.subarray(0, 12), Buffer.from([21])];
}

/** A record of an unknown content type (werift 0.25.2 treats one as an alert and closes). */
export function unknownContentType(): Buffer {
  return dtlsRecord(30, 0, 5, randomBytes(8));
}

/** A STUN binding request that tries to nominate the sender (RFC 8445 §7.1.1 attributes). */
export function bindingRequest(username: string, password: string | undefined): Buffer {
  const request = new Message(1, 0) // Binding (RFC 8489 §18.2), class request
    .setAttribute('USERNAME', username)
    .setAttribute('PRIORITY', 0x7effffff)
    .setAttribute('ICE-CONTROLLING', 0x1234567890abcdefn)
    .setAttribute('USE-CANDIDATE', null);
  if (password !== undefined) request.addMessageIntegrity(Buffer.from(password, 'utf8'));
  request.addFingerprint();
  return request.bytes;
}

/** RTP-looking bytes (version 2) with `ssrc`, or RTCP-looking bytes (a Sender Report header). */
export function rtpNoise(ssrc: number): Buffer {
  const packet = randomBytes(120);
  packet[0] = 0x80;
  packet[1] = Math.random() < 0.5 ? 111 : 96;
  packet.writeUInt32BE(ssrc >>> 0, 8);
  return packet;
}

export function rtcpNoise(ssrc: number): Buffer {
  const packet = randomBytes(52);
  packet[0] = 0x80;
  packet[1] = 200;
  packet.writeUInt16BE(6, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

/** Random bytes with a first byte in each RFC 7983 range and outside them. */
export function randomDatagram(): Buffer {
  const packet = randomBytes(20 + Math.floor(Math.random() * 200));
  const firsts = [0, 1, 20, 21, 22, 23, 40, 63, 64, 100, 128, 144, 191, 200, 255];
  packet[0] = firsts[Math.floor(Math.random() * firsts.length)] as number;
  return packet;
}
