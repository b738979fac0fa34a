import type { Socket } from 'node:dgram';
import type { RTCDtlsTransport, RTCPeerConnection, RTCRtpTransceiver } from 'werift';
import { useSyncUdpLookup } from './syncUdpLookup.ts';

/** One negotiated m-line as the fast path needs it. */
export interface BypassStream {
  mid: string;
  kind: 'audio' | 'video';
  /** SSRC the gateway sends with on this m-line (announced in its SDP). */
  localSsrc: number;
  /** Negotiated codecs (payload type, lower-case name, clock rate; for `rtx`, the associated payload type). */
  codecs: Array<{ payloadType: number; name: string; clockRate: number; apt?: number }>;
  /** SSRC of the gateway's RTX stream on this m-line (RFC 4588), when RTX was negotiated. */
  rtxSsrc: number | undefined;
  sending: boolean;
  receiving: boolean;
}

/** Header extension ids negotiated on the PeerConnection (0 when absent). */
export interface BypassExtensions {
  mid: number;
  rid: number;
  repairedRid: number;
  audioLevel: number;
}

/**
 * Cardea's handle on a werift PeerConnection whose media it owns: raw datagrams in (SRTP/SRTCP,
 * RFC 7983 demultiplexing by first byte), raw datagrams out on the selected ICE pair's socket, the
 * DTLS-SRTP keys and the negotiated streams. werift keeps ICE, DTLS and SCTP.
 */
export interface MediaBypass {
  /** The connected DTLS transport: its negotiated SRTP keys (RFC 5764 §4.2) are read with srtpKeysFromWerift(). */
  readonly dtlsTransport: RTCDtlsTransport;
  readonly extensions: BypassExtensions;
  /** The negotiated m-lines (re-read after each negotiation). */
  streams(): BypassStream[];
  /** Sends `length` bytes of `buf` from `offset` to the peer on the selected candidate pair. */
  send(buf: Uint8Array, offset: number, length: number): void;
  /** Stops delivering datagrams. Idempotent. */
  close(): void;
}

interface WeriftInternals {
  iceTransports: Array<{ connection: IceConnection }>;
  extIdUriMap: Record<number, string>;
}

interface WeriftEvent<T extends unknown[]> {
  ended: boolean;
  event: { stack: Array<{ execute(...args: T): void }>; promiseStack: unknown[] };
  execute: (...args: T) => void;
  subscribe(fn: (...args: T) => void): { unSubscribe(): void };
}

interface DatagramSocket {
  send(b: Uint8Array, o: number, l: number, port: number, host: string): void;
}

interface IceConnection {
  onData: WeriftEvent<[Buffer]>;
  nominated?: { remoteAddr: readonly [string, number]; protocol: { onDataReceived?: WeriftEvent<[Buffer]>; transport?: { socket?: DatagramSocket } } };
}

const uris = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  repairedRid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
} as const;

/**
 * werift's Event runs an async IIFE (a Promise) per emit even without async listeners
 * (shared/research/werift.md); on the per-datagram events the fast path uses, run listeners directly.
 */
function leanEvent<T extends unknown[]>(ev: WeriftEvent<T> | undefined): void {
  if (!ev) return;
  const original = ev.execute;
  ev.execute = (...args: T) => {
    if (ev.event.promiseStack.length > 0) return original(...args);
    if (ev.ended) return;
    for (const item of ev.event.stack) item.execute(...args);
  };
}

/** Opens the bypass on a connected PeerConnection created with markMediaBypass(). */
export function openMediaBypass(pc: RTCPeerConnection, onDatagram: (datagram: Buffer) => void): MediaBypass {
  const internals = pc as unknown as WeriftInternals;
  const dtlsTransport = pc.dtlsTransports[0];
  const connection = internals.iceTransports[0]?.connection;
  if (!dtlsTransport || dtlsTransport.state !== 'connected' || !connection) throw new Error('the PeerConnection is not connected yet');
  const ids: BypassExtensions = { mid: 0, rid: 0, repairedRid: 0, audioLevel: 0 };
  for (const [id, uri] of Object.entries(internals.extIdUriMap)) {
    for (const [name, u] of Object.entries(uris)) if (uri === u) ids[name as keyof BypassExtensions] = Number(id);
  }
  leanEvent(connection.onData);
  leanEvent(connection.nominated?.protocol.onDataReceived);
  // Where copies go: the nominated pair's socket and remote address, read once per nomination
  // instead of per copy (on the fan-out, werift's property chain and its `remoteAddr` getter, which
  // builds an array, cost more than the rest of the JS per copy). Re-read when the bypass opens, on
  // every datagram from the client and when a copy finds the nomination changed, so a re-nomination
  // (RFC 8445 §8.1.1: the controlling agent may nominate another pair; sourceFilterPatch.ts lets only
  // an authenticated one through) is followed at once.
  type Pair = NonNullable<IceConnection['nominated']>;
  let pair: Pair | undefined;
  let socket: DatagramSocket | undefined;
  let host = '';
  let port = 0;
  const follow = (): void => {
    const nominated = connection.nominated;
    if (nominated === pair) return;
    pair = nominated;
    socket = nominated?.protocol.transport?.socket;
    if (nominated) [host, port] = nominated.remoteAddr;
    if (socket) useSyncUdpLookup(socket as unknown as Socket);
  };
  follow();
  const subscription = connection.onData.subscribe((data: Buffer) => {
    follow();
    const b = data[0] as number;
    if (b >= 128 && b <= 191) onDatagram(data);
  });
  let closed = false;
  return {
    dtlsTransport,
    extensions: ids,
    streams: () => pc.getTransceivers().filter((t) => t.kind === 'audio' || t.kind === 'video').map(describe),
    send(buf, offset, length) {
      // One property read per copy: a re-nomination is followed before the client's first datagram on it.
      if (connection.nominated !== pair) follow();
      if (closed || !socket) return;
      socket.send(buf, offset, length, port, host);
    },
    close() {
      if (closed) return;
      closed = true;
      subscription.unSubscribe();
    },
  };
}

function describe(t: RTCRtpTransceiver): BypassStream {
  const direction = t.currentDirection ?? t.direction;
  return {
    mid: t.mid ?? '',
    kind: t.kind as 'audio' | 'video',
    localSsrc: t.sender.ssrc,
    codecs: t.codecs.map((c) => {
      const apt = c.name.toLowerCase() === 'rtx' ? /(?:^|;)\s*apt=(\d+)/.exec(c.parameters ?? '')?.[1] : undefined;
      return { payloadType: c.payloadType, name: c.name.toLowerCase(), clockRate: c.clockRate, ...(apt !== undefined ? { apt: Number(apt) } : {}) };
    }),
    rtxSsrc: t.codecs.some((c) => c.name.toLowerCase() === 'rtx') ? t.sender.rtxSsrc : undefined,
    sending: direction === 'sendrecv' || direction === 'sendonly',
    receiving: direction === 'sendrecv' || direction === 'recvonly',
  };
}
