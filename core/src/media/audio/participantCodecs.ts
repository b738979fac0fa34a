// The decoder and encoder of one mixer participant, by its codec: libopus for Opus (it decodes and
// encodes at the room's rate itself), G.711 tables plus a resampler for PCMU / PCMA.
import type { FrameDecoder, FrameEncoder } from './AudioCodecTypes.ts';
import { G711FrameDecoder, G711FrameEncoder } from './G711Codec.ts';
import type { ParticipantSettings } from './MixerParticipant.ts';
import type { SampleRate } from 'libopus-wasm';
import { OpusFrameDecoder, OpusFrameEncoder } from './OpusCodec.ts';

export async function createParticipantCodecs(
  settings: ParticipantSettings,
  rate: SampleRate,
): Promise<{ decoder: FrameDecoder; encoder: FrameEncoder }> {
  if (settings.codec === 'pcmu' || settings.codec === 'pcma') {
    return { decoder: new G711FrameDecoder(settings.codec, rate), encoder: new G711FrameEncoder(settings.codec, rate) };
  }
  const decoder = await OpusFrameDecoder.create(rate);
  const encoder = await OpusFrameEncoder.create({
    sampleRate: rate,
    complexity: settings.complexity,
    bitrate: settings.bitrate,
    expectedLoss: settings.expectedLoss,
  });
  return { decoder, encoder };
}
