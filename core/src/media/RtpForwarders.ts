import { createSocket, type Socket } from 'node:dgram';
import type { RtpForward } from '@cardea/plugin-sdk';
import type { MediaNode } from './MediaNode.ts';
import type { StreamTap } from './StreamTaps.ts';

/** Largest packet a forwarder copies (bytes); longer ones are dropped and counted. */
const SLOT_BYTES = 1500;
/**
 * Copies in flight: dgram defers a send to a later tick (address lookup), so a slot must stay
 * intact until then; the ring is reused round-robin (the fast plane's arena ring, in small).
 */
const SLOTS = 512;

/** The shared UDP socket and copy ring of the werift plane's forwarders (allocated at the first forwarder). */
class ForwardRing {
  readonly #arena = Buffer.allocUnsafe(SLOTS * SLOT_BYTES);
  #next = 0;
  #socket: Socket | undefined;
  dropped = 0;
  readonly #onSent = (error: Error | null): void => {
    if (error) this.dropped++;
  };

  /** Copies `packet[0, length)` into the next slot, rewrites payload type and SSRC, and sends it. */
  send(packet: Uint8Array, length: number, forward: RtpForward): void {
    if (length > SLOT_BYTES || length < 12) {
      this.dropped++;
      return;
    }
    const offset = this.#next * SLOT_BYTES;
    this.#next = (this.#next + 1) % SLOTS;
    const arena = this.#arena;
    arena.set(packet.subarray(0, length), offset);
    if (forward.payloadType !== undefined) arena[offset + 1] = ((arena[offset + 1] as number) & 0x80) | (forward.payloadType & 0x7f);
    if (forward.ssrc !== undefined) arena.writeUInt32BE(forward.ssrc >>> 0, offset + 8);
    this.#socketFor().send(arena, offset, length, forward.port, forward.host, this.#onSent);
  }

  close(): void {
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

/** One `rtp_forward`: a tap on the handle's mid that copies each packet to host:port. */
class ForwarderTap implements StreamTap {
  readonly id: number;
  readonly handleId: number;
  readonly forward: RtpForward;
  packets = 0;
  readonly #ring: ForwardRing;

  constructor(id: number, handleId: number, forward: RtpForward, ring: ForwardRing) {
    this.id = id;
    this.handleId = handleId;
    this.forward = { ...forward };
    this.#ring = ring;
  }

  rtp(packet: Uint8Array, length: number): void {
    this.packets++;
    this.#ring.send(packet, length, this.forward);
  }
}

/**
 * Plain-RTP copies of incoming streams to host:port (Janus `rtp_forward`) on the werift plane: each
 * forwarder is a tap on its handle's mid (MediaNode), all sharing one UDP socket and one
 * preallocated copy ring: nothing is allocated per packet. Bounded: at most MAX_FORWARDERS.
 */
export class RtpForwarders {
  static readonly MAX_FORWARDERS = 1024;
  readonly #forwarders = new Map<number, ForwarderTap>();
  readonly #node: (handleId: number) => MediaNode | undefined;
  #ring: ForwardRing | undefined;
  #nextId = 1;

  /** `node` finds an attached handle's control state (the taps go there). */
  constructor(node: (handleId: number) => MediaNode | undefined) {
    this.#node = node;
  }

  /** Send errors and packets too large to copy. */
  get dropped(): number {
    return this.#ring?.dropped ?? 0;
  }

  add(handleId: number, forward: RtpForward): number {
    if (this.#forwarders.size >= RtpForwarders.MAX_FORWARDERS) throw new RangeError('too many RTP forwarders');
    const id = this.#nextId++;
    const tap = new ForwarderTap(id, handleId, forward, (this.#ring ??= new ForwardRing()));
    this.#forwarders.set(id, tap);
    this.#node(handleId)?.addExtraTap({ mid: forward.mid, tap });
    return id;
  }

  /** A handle attached: its forwarders tap its new node. */
  attached(node: MediaNode): void {
    for (const tap of this.#forwarders.values()) if (tap.handleId === node.handleId) node.addExtraTap({ mid: tap.forward.mid, tap });
  }

  remove(id: number): void {
    const tap = this.#forwarders.get(id);
    if (!tap) return;
    this.#forwarders.delete(id);
    this.#node(tap.handleId)?.removeExtraTap(tap);
  }

  removeHandle(handleId: number): void {
    for (const [id, f] of this.#forwarders) if (f.handleId === handleId) this.remove(id);
  }

  list(handleId?: number): Array<RtpForward & { id: number; packets: number }> {
    const out: Array<RtpForward & { id: number; packets: number }> = [];
    for (const f of this.#forwarders.values()) if (handleId === undefined || f.handleId === handleId) out.push({ ...f.forward, id: f.id, packets: f.packets });
    return out;
  }

  close(): void {
    this.#forwarders.clear();
    this.#ring?.close();
  }
}
