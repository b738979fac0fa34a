import type { PluginApi, RtpEndpointId, z } from '@cardea/plugin-sdk';
import type { MountpointStream } from './Mountpoint.ts';
import { StreamingError, StreamingFailure } from './streamingErrors.ts';
import type { rtpMediaSchema } from './streamingSchemas.ts';

type RtpMedia = z.output<typeof rtpMediaSchema>;

/** RTP clock rates of the codecs the gateway can offer (RFC 7587 §4.1, RFC 3551 §6, RFC 7741 §6.1). */
const clockRates: Readonly<Record<string, number>> = { opus: 48000, pcmu: 8000, pcma: 8000, vp8: 90000, vp9: 90000, h264: 90000 };
const audioCodecs = new Set(['opus', 'pcmu', 'pcma']);

function invalid(what: string): never {
  throw new StreamingFailure(StreamingError.INVALID_ELEMENT, `Invalid element (${what})`);
}

/** Checks one `media` entry: its payload type and lower-case codec, both mandatory as in Janus. */
function checkMedia(m: RtpMedia): { pt: number; codec: string } {
  if (m.pt === undefined) throw new StreamingFailure(StreamingError.MISSING_ELEMENT, 'Missing element (pt)');
  if (m.codec === undefined) throw new StreamingFailure(StreamingError.MISSING_ELEMENT, 'Missing element (codec)');
  const codec = m.codec.toLowerCase();
  if (clockRates[codec] === undefined || audioCodecs.has(codec) !== (m.type === 'audio'))
    invalid(`codec: ${m.codec} is not a supported ${m.type} codec`);
  // The core's RTP endpoints receive RTCP on the port after RTP (RFC 3550 §11), so that is the only rtcpport they can have.
  if (m.rtcpport !== undefined && m.rtcpport !== 0 && (m.port === 0 || m.rtcpport !== m.port + 1)) {
    invalid('rtcpport: must be port + 1 (or 0 with port 0)');
  }
  return { pt: m.pt, codec };
}

/**
 * Opens one RTP endpoint per entry of an `rtp` mountpoint's `media` array and describes the
 * streams. All or nothing: when one endpoint fails (port taken), those already opened close again
 * and the request fails with 456, as Janus's "Can't create mountpoint".
 */
export async function openRtpStreams(media: readonly RtpMedia[], api: PluginApi): Promise<MountpointStream[]> {
  if (media.length === 0) throw new StreamingFailure(StreamingError.CANT_CREATE, "Can't add 'rtp' stream, no media to stream");
  const mids = new Set<string>();
  const checked = media.map((m) => {
    if (mids.has(m.mid)) invalid(`mid: ${m.mid} is used twice`);
    mids.add(m.mid);
    return checkMedia(m);
  });
  const opened: RtpEndpointId[] = [];
  const streams: MountpointStream[] = [];
  try {
    for (const [mindex, m] of media.entries()) {
      const { pt, codec } = checked[mindex] as { pt: number; codec: string };
      const clockRate = clockRates[codec] as number;
      const rtcp = m.rtcpport !== undefined;
      const info = await api.media.openRtpEndpoint({
        kind: m.type,
        direction: 'recvonly',
        port: m.port,
        rtcp,
        payloadType: pt,
        codec,
        clockRate,
      });
      opened.push(info.id);
      streams.push({
        type: m.type,
        mid: m.mid,
        mindex,
        label: m.label ?? `${m.type}${mindex}`,
        msid: m.msid,
        pt,
        codec,
        clockRate,
        fmtp: m.fmtp,
        endpoint: info.id,
        port: info.ports.rtp,
        rtcpPort: info.ports.rtcp,
      });
    }
  } catch (error) {
    for (const id of opened) await api.media.closeRtpEndpoint(id);
    if (error instanceof StreamingFailure) throw error;
    api.log.warn('streaming: cannot open an RTP endpoint', { error: String(error) });
    throw new StreamingFailure(StreamingError.CANT_CREATE, "Can't create mountpoint");
  }
  return streams;
}
