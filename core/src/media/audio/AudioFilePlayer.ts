// An announcement: an Ogg Opus file decoded at the room's rate and mixed into everyone's mix, one
// 20 ms frame per tick (Janus AudioBridge `play_file`). Packets of any duration are decoded into a
// small PCM queue that the ticks drain; the encoder delay (pre-skip) is dropped at the start.
import type { MixerSampleRate } from '@cardea/plugin-sdk';
import { OpusFrameDecoder } from './OpusCodec.ts';
import { parseOggOpus, readOggOpus, type OggOpusFile } from './OggOpus.ts';

/** Room for the largest Opus packet (120 ms at 48 kHz) plus a frame. */
const QUEUE_SAMPLES = 5760 + 960;

export class AudioFilePlayer {
  readonly id: number;
  readonly path: string;
  readonly loop: boolean;
  readonly #file: OggOpusFile;
  readonly #decoder: OpusFrameDecoder;
  readonly #frameSamples: number;
  readonly #preSkip: number;
  readonly #queue = new Int16Array(QUEUE_SAMPLES);
  #queued = 0;
  #packet = 0;
  #skip: number;
  /** Packets libopus rejected (skipped). */
  errors = 0;

  private constructor(id: number, path: string, loop: boolean, file: OggOpusFile, decoder: OpusFrameDecoder, rate: MixerSampleRate) {
    this.id = id;
    this.path = path;
    this.loop = loop;
    this.#file = file;
    this.#decoder = decoder;
    this.#frameSamples = rate / 50;
    this.#preSkip = Math.round((file.preSkip * rate) / 48000);
    this.#skip = this.#preSkip;
  }

  /** Loads and checks a file (read from `path`, or its content `bytes`); rejects when it is missing or not Ogg Opus. */
  static async open(id: number, path: string, rate: MixerSampleRate, loop: boolean, bytes?: Uint8Array): Promise<AudioFilePlayer> {
    const file = bytes ? parseOggOpus(bytes) : await readOggOpus(path);
    if (file.packets.length === 0) throw new Error(`${path} holds no audio`);
    return new AudioFilePlayer(id, path, loop, file, await OpusFrameDecoder.create(rate), rate);
  }

  /** Fills `out` with the next frame; false once the file has ended (never when looping). */
  next(out: Int16Array): boolean {
    const n = this.#frameSamples;
    // Bounded: a file whose every packet fails to decode must not spin a looping player forever.
    for (let tries = 0; this.#queued < n && tries <= this.#file.packets.length + 1; tries++) {
      if (this.#packet >= this.#file.packets.length) {
        if (!this.loop) break;
        this.#packet = 0;
        this.#skip = this.#preSkip;
      }
      this.#decodeNext();
    }
    if (this.#queued === 0) return false;
    const take = Math.min(n, this.#queued);
    out.set(this.#queue.subarray(0, take));
    if (take < n) out.fill(0, take);
    this.#queue.copyWithin(0, take, this.#queued);
    this.#queued -= take;
    return true;
  }

  free(): void {
    this.#decoder.free();
  }

  #decodeNext(): void {
    const packet = this.#file.packets[this.#packet++] as Uint8Array;
    let pcm: Int16Array;
    try {
      pcm = this.#decoder.decodePacket(packet);
    } catch (_error) {
      // A damaged packet in the file: skip it (counted), as a player would.
      this.errors++;
      return;
    }
    let from = 0;
    if (this.#skip > 0) {
      from = Math.min(this.#skip, pcm.length);
      this.#skip -= from;
    }
    const take = Math.min(pcm.length - from, QUEUE_SAMPLES - this.#queued);
    this.#queue.set(pcm.subarray(from, from + take), this.#queued);
    this.#queued += take;
  }
}
