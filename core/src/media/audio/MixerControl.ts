// What AudioMixers needs of one mixer, whether it runs in process (AudioMixer, for the 'main'
// thread mode and the tests with manual clocks) or in the mixer worker (WorkerMixer, a proxy).
import type { MixerStats } from '@cardea/plugin-sdk';
import type { WebRtcPeer } from '../../webrtc/WebRtcPeer.ts';
import type { AudioMixer } from './AudioMixer.ts';
import type { ParticipantSettings } from './MixerParticipant.ts';
import type { MixForward } from './RtpMixForwarder.ts';

export interface MixerControl {
  has(handleId: number): boolean;
  /** Adds a participant with `settings` over the mixer's defaults; `peer` when its PeerConnection exists. */
  join(handleId: number, settings: Partial<ParticipantSettings>, peer: WebRtcPeer | undefined): Promise<void>;
  update(handleId: number, settings: Partial<ParticipantSettings>): void;
  remove(handleId: number): void;
  attachPeer(handleId: number, peer: WebRtcPeer): void;
  detachPeer(handleId: number): void;
  resetDecoder(handleId: number): Promise<void>;
  /** `bytes`: the file's content, already read (a sandboxed plugin's file); else `path` is read. */
  playFile(path: string, loop: boolean, bytes?: Uint8Array): Promise<number>;
  stopFile(fileId: number): void;
  /** `fd`: the file, already open for writing; the mixer owns it and closes it, used or not. */
  record(path: string | null, fd?: number): Promise<void>;
  forward(forward: MixForward): Promise<number>;
  stopForward(forwarderId: number): void;
  stats(): Promise<MixerStats>;
  close(): Promise<void>;
}

/** An in-process AudioMixer behind the MixerControl surface. */
export class LocalMixer implements MixerControl {
  readonly mixer: AudioMixer;

  constructor(mixer: AudioMixer) {
    this.mixer = mixer;
  }

  has(handleId: number): boolean {
    return this.mixer.has(handleId);
  }

  join(handleId: number, settings: Partial<ParticipantSettings>, peer: WebRtcPeer | undefined): Promise<void> {
    return this.mixer.add(handleId, this.mixer.settingsFor(settings), peer);
  }

  update(handleId: number, settings: Partial<ParticipantSettings>): void {
    this.mixer.update(handleId, settings);
  }

  remove(handleId: number): void {
    this.mixer.remove(handleId);
  }

  attachPeer(handleId: number, peer: WebRtcPeer): void {
    this.mixer.attachPeer(handleId, peer);
  }

  detachPeer(handleId: number): void {
    this.mixer.detachPeer(handleId);
  }

  resetDecoder(handleId: number): Promise<void> {
    return this.mixer.resetDecoder(handleId);
  }

  playFile(path: string, loop: boolean, bytes?: Uint8Array): Promise<number> {
    return this.mixer.playFile(path, loop, bytes);
  }

  stopFile(fileId: number): void {
    this.mixer.stopFile(fileId);
  }

  record(path: string | null, fd?: number): Promise<void> {
    return this.mixer.record(path, fd);
  }

  async forward(forward: MixForward): Promise<number> {
    return this.mixer.forward(forward);
  }

  stopForward(forwarderId: number): void {
    this.mixer.stopForward(forwarderId);
  }

  async stats(): Promise<MixerStats> {
    return this.mixer.stats();
  }

  close(): Promise<void> {
    return this.mixer.close();
  }
}
