import type { HandleId } from './MediaTypes.ts';

/** Opaque id of a recording made by {@link PluginMedia.startRecording}. */
export type RecordingId = number;

/**
 * A recording of one stream a handle's client sends, stored as a Janus `.mjr` file (the packets as
 * received, decrypted, not mixed nor transcoded), so Janus's `janus-pp-rec` turns it into `.opus`,
 * `.webm`, … unchanged.
 */
export interface RecordingOptions {
  /** The incoming stream to record, by mid. */
  mid?: string;
  /** Without `mid`: the first incoming stream of this kind (default `audio`). */
  kind?: 'audio' | 'video';
  /**
   * Path of the file to write, extension included (Janus's plugins name it `<base>-audio.mjr`);
   * missing folders are created, an existing file is replaced. Sandboxed plugins' paths resolve
   * inside their media directory.
   */
  file: string;
}

/** A recording's state and counters. */
export interface RecordingInfo {
  id: RecordingId;
  handle: HandleId;
  /** The file written (resolved path). */
  file: string;
  kind: 'audio' | 'video';
  /** The mid recorded (for a recording by kind: once its first packet arrived). */
  mid?: string;
  /** Codec of the recording (`opus`, `vp8`, …), once the first packet fixed it. */
  codec?: string;
  /** Packets stored. */
  packets: number;
  /** Bytes of the stored packets. */
  bytes: number;
  /** Packets dropped because the disk fell behind (bounded backlog) or the file failed. */
  dropped: number;
  /** Packets not recordable in this file (RTX, RED, another codec or a concurrent simulcast layer). */
  skipped: number;
  /** Disk errors. */
  errors: number;
}
