import {
  RTCRtpCodecParameters,
  useAudioLevelIndication,
  useNACK,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useFIR,
  type PeerConfig,
} from 'werift';
import type { CardeaConfig } from '../config/configSchema.ts';

/** What every PeerConnection of the gateway is built with. */
export interface WebRtcOptions {
  /** Addresses whose host candidates are advertised. */
  iceIp: string[];
  /** Address announced instead of the gathered one (NAT 1:1). */
  nat11: string | undefined;
  portRange: [number, number] | undefined;
  iceLite: boolean;
  stunServer: string | undefined;
  /** Milliseconds without packets on a mid before `media receiving:false`. */
  noMediaTimerMs: number;
  /** Who moves media: werift's per-packet path, or Cardea's fast path (werift keeps ICE/DTLS/SCTP). */
  mediaPlane: 'werift' | 'fast';
  /**
   * The gateway's shared mDNS resolver, when `webrtc.mdns.enabled`; without one, remote `.local`
   * candidates are ignored (Janus's `ignore_mdns`). Default: none.
   */
  mdnsResolver?: CandidateResolver;
}

/** Resolves an mDNS name (canonical form, see candidateHost.ts) to an IP address, or undefined. */
export interface CandidateResolver {
  resolve(name: string): Promise<string | undefined>;
}

/** Derives the WebRTC options from the validated configuration. */
export function webRtcOptionsFromConfig(config: CardeaConfig): WebRtcOptions {
  return {
    iceIp: config.webrtc.iceIp,
    nat11: config.webrtc.nat11,
    portRange: config.webrtc.portRange,
    iceLite: config.webrtc.iceLite,
    stunServer: config.webrtc.stunServer,
    noMediaTimerMs: Math.round(config.webrtc.noMediaTimer * 1000),
    mediaPlane: config.media.plane,
  };
}

const rtx = (payloadType: number, apt: number): RTCRtpCodecParameters => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType, parameters: `apt=${apt}` });

/** The codecs Cardea negotiates, in order of preference (browsers' PTs are kept when answering). */
function codecs(): PeerConfig['codecs'] {
  // No transport-cc: werift's feedback drove Chrome's bandwidth estimate down (352 → 92 kbit/s in
  // 8 s, measured with tests/e2e/videoroom.simulcast), starving simulcast's top layer; with RTCP
  // receiver reports alone Chrome's loss-based estimate grows and it sends every layer.
  const videoFb = () => [useNACK(), usePLI(), useFIR(), useREMB()];
  return {
    // G.711 (RFC 3551 static PTs 0 and 8) only for plugins that ask for it (AudioBridge `codec`):
    // WebRtcPeer restricts audio to Opus unless the plugin names another codec.
    audio: [
      new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111, parameters: 'minptime=10;useinbandfec=1' }),
      new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
      new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 }),
    ],
    video: [
      new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: videoFb() }),
      // RTX (RFC 4588) beside each codec: the fast plane answers subscribers' NACKs with RTX and
      // unwraps publishers' RTX; werift's own path wraps and unwraps it too.
      rtx(97, 96),
      new RTCRtpCodecParameters({ mimeType: 'video/VP9', clockRate: 90000, payloadType: 98, rtcpFeedback: videoFb(), parameters: 'profile-id=0' }),
      rtx(99, 98),
      new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90000,
        payloadType: 102,
        rtcpFeedback: videoFb(),
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      }),
      rtx(103, 102),
    ],
  };
}

/** werift's PeerConnection config for Cardea's options: max-bundle, rtcp-mux, IPv4 on the configured addresses. */
export function weriftConfig(options: WebRtcOptions): Partial<PeerConfig> {
  const v6 = options.iceIp.some((ip) => ip.includes(':'));
  const config: Partial<PeerConfig> = {
    codecs: codecs(),
    // Simulcast needs the RID extensions negotiated (Chrome refuses a simulcast answer without them).
    headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()], video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()] },
    bundlePolicy: 'max-bundle',
    iceLite: options.iceLite,
    iceServers: options.stunServer ? [{ urls: `stun:${options.stunServer}` }] : [],
    iceAdditionalHostAddresses: options.iceIp,
    iceUseIpv4: true,
    iceUseIpv6: v6,
    iceUseTcp: false,
    iceStunGatherTimeout: 2,
  };
  if (options.portRange) config.icePortRange = options.portRange;
  if (options.iceIp.length === 1 && options.iceIp[0]) {
    config.iceInterfaceAddresses = v6 ? { udp6: options.iceIp[0] } : { udp4: options.iceIp[0] };
  }
  return config;
}

/**
 * Keeps only host candidates on the configured addresses in a local SDP (werift also gathers the
 * machine's other interfaces) and rewrites them to the NAT 1:1 address when one is set.
 */
export function filterLocalCandidates(sdp: string, options: WebRtcOptions): string {
  const allowed = new Set(options.iceIp);
  return sdp
    .split('\r\n')
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const parts = line.split(' ');
      const address = parts[4];
      const type = parts[7];
      return type !== 'host' || (address !== undefined && allowed.has(address));
    })
    .map((line) => {
      if (!options.nat11 || !line.startsWith('a=candidate:')) return line;
      const parts = line.split(' ');
      if (parts[7] === 'host') parts[4] = options.nat11;
      return parts.join(' ');
    })
    .join('\r\n');
}
