import { MediaControl, type MediaControlOptions } from './MediaControl.ts';
import { WeriftPacketPath } from './WeriftPacketPath.ts';

/**
 * The media plane on werift's own per-packet path (WeriftPacketPath) under the shared control part
 * (MediaControl). Complete but slow (~42 µs per forwarded packet); the fast plane is the default.
 */
export class WeriftMediaPlane extends MediaControl {
  /** Where audio mixers run and the worker's nice value (config `media.audioMixerThread`, `audioMixerNice`; default 'main' here). */
  constructor(options: MediaControlOptions = {}) {
    super(new WeriftPacketPath(), options);
  }
}
