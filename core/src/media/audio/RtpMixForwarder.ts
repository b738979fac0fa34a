// A mixer's plain-RTP output (Janus AudioBridge `rtp_forward`): the room's full mix, as the shared
// encoder produces it, sent unencrypted over UDP to host:port. It is a listener like any other, so
// the mixer treats it as one more target of the shared stream.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { AudioEndpoint } from './AudioEndpointTypes.ts';

/** Where and how to forward. */
export interface MixForward {
  host: string;
  port: number;
  /** SSRC to write (default random). */
  ssrc?: number;
  /** Payload type to write (default 100, as Janus's AudioBridge forwarders). */
  payloadType?: number;
}

export class RtpMixForwarder implements AudioEndpoint {
  readonly handleId = 0;
  readonly id: number;
  readonly forward: Required<MixForward>;
  readonly #socket: Socket;
  readonly #packet = Buffer.alloc(12 + 1275);
  #seq = Math.floor(Math.random() * 0x10000);
  #closed = false;
  /** Packets sent. */
  packets = 0;

  constructor(id: number, forward: MixForward) {
    this.id = id;
    this.forward = {
      host: forward.host,
      port: forward.port,
      ssrc: forward.ssrc ?? Math.floor(Math.random() * 0x100000000),
      payloadType: forward.payloadType ?? 100,
    };
    this.#socket = createSocket(isIPv6(forward.host) ? 'udp6' : 'udp4');
    // A forwarder's target may be down; errors are not the mixer's concern.
    this.#socket.on('error', () => undefined);
  }

  get canSend(): boolean {
    return !this.#closed;
  }

  send(payload: Uint8Array, timestamp: number): void {
    if (this.#closed || payload.length > 1275) return;
    const p = this.#packet;
    // RFC 3550 §5.1 fixed header: V=2, no padding, extension or CSRCs.
    p[0] = 0x80;
    p[1] = this.forward.payloadType & 0x7f;
    p.writeUInt16BE(this.#seq, 2);
    p.writeUInt32BE(timestamp >>> 0, 4);
    p.writeUInt32BE(this.forward.ssrc >>> 0, 8);
    p.set(payload, 12);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.packets++;
    // A copy per datagram: dgram sends asynchronously, and the buffer is reused next frame.
    this.#socket.send(Buffer.from(p.subarray(0, 12 + payload.length)), this.forward.port, this.forward.host);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
