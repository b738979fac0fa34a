import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** The sockets of one RTP endpoint: RTP, and RTCP on the next port (RFC 3550 §11) unless RTCP is off. */
export interface RtpSockets {
  rtp: Socket;
  rtcp: Socket | undefined;
}

/** Where to bind. */
export interface RtpBindOptions {
  host: string;
  /** A fixed RTP port; 0 picks one. */
  port: number;
  /** Inclusive range to pick the RTP port from (even ports). */
  range: readonly [number, number] | undefined;
  rtcp: boolean;
}

/** No pair of ports could be bound. */
export class NoFreeRtpPortError extends Error {
  override name = 'NoFreeRtpPortError';
}

/** Attempts at an ephemeral even/odd pair before giving up. */
const EPHEMERAL_ATTEMPTS = 32;

function bindOne(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

async function bindPair(host: string, port: number, rtcp: boolean): Promise<RtpSockets | undefined> {
  let rtp: Socket;
  try {
    rtp = await bindOne(host, port);
  } catch {
    return undefined; // taken: the caller tries another port
  }
  const bound = rtp.address().port;
  if (!rtcp) return { rtp, rtcp: undefined };
  // RFC 3550 §11: RTP on an even port, RTCP on the next (odd) one.
  if (bound % 2 !== 0 || bound + 1 > 65535) {
    rtp.close();
    return undefined;
  }
  try {
    return { rtp, rtcp: await bindOne(host, bound + 1) };
  } catch {
    rtp.close(); // RTCP port taken: the pair is unusable
    return undefined;
  }
}

/** Binds the sockets of an endpoint; rejects with NoFreeRtpPortError when no port (pair) is free. */
export async function bindRtpSockets(options: RtpBindOptions): Promise<RtpSockets> {
  const { host, port, range, rtcp } = options;
  if (range) {
    const [min, max] = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) throw new RangeError(`bad port range [${min}, ${max}]`);
    const first = min + (min % 2);
    const count = Math.floor((max - first) / 2) + 1;
    const start = Math.floor(Math.random() * Math.max(1, count));
    for (let i = 0; i < count; i++) {
      const candidate = first + 2 * ((start + i) % count);
      if (rtcp && candidate + 1 > max) continue;
      const pair = await bindPair(host, candidate, rtcp);
      if (pair) return pair;
    }
    throw new NoFreeRtpPortError(`no free RTP port${rtcp ? ' pair' : ''} in [${min}, ${max}] on ${host}`);
  }
  if (port !== 0) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad RTP port ${port}`);
    const pair = await bindPair(host, port, rtcp);
    if (!pair) throw new NoFreeRtpPortError(`RTP port ${port}${rtcp ? ` or RTCP port ${port + 1}` : ''} on ${host} is taken${rtcp && port % 2 ? ' (RTP needs an even port, RFC 3550 §11)' : ''}`);
    return pair;
  }
  for (let i = 0; i < EPHEMERAL_ATTEMPTS; i++) {
    const pair = await bindPair(host, 0, rtcp);
    if (pair) return pair;
  }
  throw new NoFreeRtpPortError(`no free even/odd port pair on ${host}`);
}
