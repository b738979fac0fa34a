import { createSocket, type Socket } from 'node:dgram';
import type { RtpForward } from '@cardea/plugin-sdk';

interface Forwarder extends RtpForward {
  id: number;
  handleId: number;
  packets: number;
}

/**
 * Plain-RTP copies of incoming streams to host:port (Janus `rtp_forward`), over one UDP socket.
 * Bounded: at most MAX_FORWARDERS live forwarders.
 */
export class RtpForwarders {
  static readonly MAX_FORWARDERS = 1024;
  readonly #forwarders = new Map<number, Forwarder>();
  #socket: Socket | undefined;
  #nextId = 1;
  dropped = 0;

  add(handleId: number, forward: RtpForward): number {
    if (this.#forwarders.size >= RtpForwarders.MAX_FORWARDERS) throw new RangeError('too many RTP forwarders');
    const id = this.#nextId++;
    this.#forwarders.set(id, { ...forward, id, handleId, packets: 0 });
    return id;
  }

  remove(id: number): void {
    this.#forwarders.delete(id);
  }

  removeHandle(handleId: number): void {
    for (const [id, f] of this.#forwarders) if (f.handleId === handleId) this.#forwarders.delete(id);
  }

  /** True when some forwarder copies `handleId`'s `mid` (cheap check before serialising). */
  wants(handleId: number, mid: string): boolean {
    for (const f of this.#forwarders.values()) if (f.handleId === handleId && f.mid === mid) return true;
    return false;
  }

  /** Sends a serialised RTP packet of `handleId`/`mid` to every matching forwarder. */
  send(handleId: number, mid: string, packet: Buffer): void {
    for (const f of this.#forwarders.values()) {
      if (f.handleId !== handleId || f.mid !== mid) continue;
      const copy = Buffer.from(packet);
      if (f.payloadType !== undefined && copy.length > 1) copy[1] = ((copy[1] as number) & 0x80) | (f.payloadType & 0x7f);
      if (f.ssrc !== undefined && copy.length >= 12) copy.writeUInt32BE(f.ssrc >>> 0, 8);
      f.packets++;
      this.#socketFor().send(copy, f.port, f.host, (error) => {
        if (error) this.dropped++;
      });
    }
  }

  list(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    return [...this.#forwarders.values()]
      .filter((f) => handleId === undefined || f.handleId === handleId)
      .map(({ handleId: _h, ...f }) => ({ ...f }));
  }

  close(): void {
    this.#forwarders.clear();
    this.#socket?.close();
    this.#socket = undefined;
  }

  #socketFor(): Socket {
    if (!this.#socket) {
      this.#socket = createSocket('udp4');
      this.#socket.on('error', () => this.dropped++);
      this.#socket.unref();
    }
    return this.#socket;
  }
}
