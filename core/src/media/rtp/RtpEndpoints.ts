import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { RtpEndpointInfo, RtpEndpointOptions, RtpForward } from '@cardea/plugin-sdk';
import type { SrtpFanout } from '../srtp/SrtpFanoutTypes.ts';
import { randomSsrc, RtpEndpoint, type RtpEndpointConfig, type RtpEndpointHooks } from './RtpEndpoint.ts';
import { bindRtpSockets } from './rtpPorts.ts';
import { newSdesKey, sdesMasterKey } from './sdesKeys.ts';

/** Static payload types (RFC 3551 §6) and the usual dynamic ones, by codec. */
const defaultPayloadType: Record<string, number> = { pcmu: 0, pcma: 8, g722: 9, opus: 111, vp8: 96, vp9: 98, h264: 102, av1: 45 };
/** RTP clock rates by codec (RFC 3551 §4.5; G.722's RTP clock is 8000, RFC 3551 §4.5.2). */
const defaultClockRate: Record<string, number> = { pcmu: 8000, pcma: 8000, g722: 8000, opus: 48000 };

/** Too many RTP endpoints (forwarders included) are open on this plane. */
export class TooManyRtpEndpointsError extends RangeError {
  override name = 'TooManyRtpEndpointsError';
}

/**
 * The RTP endpoints of one fast plane, by id. Ids are negative (−1, −2, …) so that they share the
 * route graph with handle ids, which are always positive, without colliding. Bounded by MAX.
 */
export class RtpEndpoints {
  static readonly MAX = 1024;
  readonly #byId = new Map<number, RtpEndpoint>();
  readonly #engine: SrtpFanout;
  readonly #hooks: RtpEndpointHooks;
  #pending = 0;
  #nextId = -1;
  #closed = false;

  constructor(engine: SrtpFanout, hooks: RtpEndpointHooks) {
    this.#engine = engine;
    this.#hooks = hooks;
  }

  get(id: number): RtpEndpoint | undefined {
    return this.#byId.get(id);
  }

  values(): IterableIterator<RtpEndpoint> {
    return this.#byId.values();
  }

  /** Binds the endpoint's ports and opens it; rejects for bad options or when no port is free. */
  async open(options: RtpEndpointOptions): Promise<RtpEndpointInfo> {
    this.#reserve();
    let srtpKey: string | undefined;
    let config: RtpEndpointConfig;
    try {
      ({ config, srtpKey } = this.#configure(options));
    } catch (error) {
      this.#pending--;
      throw error;
    }
    let sockets;
    try {
      sockets = await bindRtpSockets({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, range: options.portRange, rtcp: config.rtcp });
    } finally {
      this.#pending--;
    }
    if (this.#closed) {
      sockets.rtp.close();
      sockets.rtcp?.close();
      throw new Error('media plane closed');
    }
    const endpoint = new RtpEndpoint(config, sockets, this.#engine, this.#hooks);
    this.#byId.set(config.id, endpoint);
    return { id: config.id, ports: { ...endpoint.ports }, ...(options.srtp && srtpKey ? { srtp: { suite: options.srtp.suite, key: srtpKey } } : {}) };
  }

  /**
   * A send-only endpoint toward `forward.host:port` for an RTP forwarder (Janus `rtp_forward`): no
   * RTCP, the source's SSRC unless one is given, its socket bound by the first send.
   */
  openForwarder(kind: 'audio' | 'video', forward: RtpForward): RtpEndpoint {
    this.#reserve();
    this.#pending--;
    if (isIP(forward.host) === 0) throw new RangeError(`forwarding needs an IP address, got ${forward.host}`);
    const id = this.#nextId--;
    const config: RtpEndpointConfig = {
      id,
      kind,
      direction: 'sendonly',
      remote: { host: forward.host, port: forward.port, rtcpPort: forward.port + 1 },
      rtcp: false,
      payloadType: forward.payloadType,
      codec: kind === 'video' ? 'vp8' : 'opus',
      clockRate: kind === 'video' ? 90000 : 48000,
      ssrc: forward.ssrc ?? randomSsrc(),
      srtp: undefined,
      followSourceSsrc: forward.ssrc === undefined,
      fixedPayloadType: forward.payloadType,
    };
    const socket = createSocket({ type: isIP(forward.host) === 6 ? 'udp6' : 'udp4' });
    const endpoint = new RtpEndpoint(config, { rtp: socket, rtcp: undefined }, this.#engine, this.#hooks);
    this.#byId.set(id, endpoint);
    return endpoint;
  }

  /** Closes an endpoint; false for unknown ids. */
  close(id: number): boolean {
    const endpoint = this.#byId.get(id);
    if (!endpoint) return false;
    endpoint.close();
    this.#byId.delete(id);
    return true;
  }

  closeAll(): void {
    this.#closed = true;
    for (const endpoint of this.#byId.values()) endpoint.close();
    this.#byId.clear();
  }

  #reserve(): void {
    if (this.#closed) throw new Error('media plane closed');
    if (this.#byId.size + this.#pending >= RtpEndpoints.MAX) throw new TooManyRtpEndpointsError(`at most ${RtpEndpoints.MAX} RTP endpoints`);
    this.#pending++;
  }

  #configure(options: RtpEndpointOptions): { config: RtpEndpointConfig; srtpKey: string | undefined } {
    const { kind } = options;
    if (kind !== 'audio' && kind !== 'video') throw new RangeError(`an RTP endpoint carries audio or video, not ${String(kind)}`);
    const direction = options.direction ?? 'sendrecv';
    if (direction !== 'sendrecv' && direction !== 'sendonly' && direction !== 'recvonly') throw new RangeError(`bad direction ${String(direction)}`);
    const host = options.host ?? '127.0.0.1';
    if (isIP(host) === 0) throw new RangeError(`an RTP endpoint binds an IP address, got ${host}`);
    const remote = options.remote;
    if (remote) {
      if (isIP(remote.host) === 0) throw new RangeError(`the remote of an RTP endpoint is an IP address, got ${remote.host}`);
      if (!Number.isInteger(remote.port) || remote.port < 1 || remote.port > 65535) throw new RangeError(`bad remote port ${remote.port}`);
    }
    const codec = (options.codec ?? (kind === 'video' ? 'vp8' : 'opus')).toLowerCase();
    const payloadType = options.payloadType ?? defaultPayloadType[codec];
    if (payloadType !== undefined && (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127)) throw new RangeError(`bad payload type ${payloadType}`);
    let srtp: RtpEndpointConfig['srtp'];
    let srtpKey: string | undefined;
    if (options.srtp) {
      srtpKey = options.srtp.key ?? newSdesKey(options.srtp.suite);
      srtp = { local: sdesMasterKey(options.srtp.suite, srtpKey), remote: sdesMasterKey(options.srtp.suite, options.srtp.remoteKey ?? srtpKey) };
    }
    const config: RtpEndpointConfig = {
      id: this.#nextId--,
      kind,
      direction,
      remote: remote ? { host: remote.host, port: remote.port, rtcpPort: remote.rtcpPort ?? remote.port + 1 } : undefined,
      rtcp: options.rtcp ?? true,
      payloadType,
      codec,
      clockRate: options.clockRate ?? (kind === 'video' ? 90000 : (defaultClockRate[codec] ?? 48000)),
      ssrc: options.ssrc === undefined ? randomSsrc() : options.ssrc >>> 0,
      srtp,
    };
    return { config, srtpKey };
  }
}
