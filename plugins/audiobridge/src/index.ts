import { defineRequests, definePlugin } from '@cardea/plugin-sdk';
import { AudioBridgeError } from './audiobridgeErrors.ts';
import { AudioBridgeService } from './AudioBridgeService.ts';
import { participantGone, participantRequests } from './participantRequests.ts';
import { destroyRoom, roomRequests } from './roomRequests.ts';

const service = new AudioBridgeService();
service.onGone = (participant, api) => participantGone(service, participant, api);

const requests = defineRequests(
  { ...roomRequests(service), ...participantRequests(service) },
  { key: 'audiobridge', errors: AudioBridgeError },
);

/**
 * janus.plugin.audiobridge: the audio MCU. Rooms whose participants each send one Opus stream and
 * receive the mix of everyone else, with Janus's requests and events (shared/janus-api.md §5.4).
 * The mixing (decode, jitter buffers, mix, encode, recording, announcements) runs in the core
 * (core/src/media/audio); this plugin keeps rooms and participants and tells the mixer who is in.
 *
 * Beyond Janus: `create` takes `mixing` (`full`, `active-speaker`, or the default `auto`, which
 * switches to active-speaker mixing above `active_speaker_above` participants, default 16) and
 * `speakers` (mixed at once in active-speaker mode, default 3); the sync request `mixerstats`
 * returns the room mixer's counters (frames, late frames, codec work, current speakers).
 * Room recordings are Ogg Opus (`.opus`) files, not Janus's `.wav`; announcements are `.opus` files.
 * Per-participant recordings (`record`/`filename` on join and configure, room `mjrs`/`mjrs_dir`,
 * `enable_mjrs`) are Janus `.mjr` files of the participant's own audio (participantRecording.ts).
 * Not implemented: plain-RTP participants, spatial audio, groups beyond validation, PCMA/PCMU.
 */
export default definePlugin({
  name: 'janus.plugin.audiobridge',
  version: '1.0.0',
  description: 'Audio rooms mixed by an MCU: Opus, N−1 mixes, active-speaker mixing for big rooms (Janus AudioBridge API)',
  author: 'The Cardea developers',

  async destroy(api) {
    for (const room of [...service.rooms.values()]) await destroyRoom(service, room, api);
  },

  async destroySession(handle, api) {
    await service.handleGone(handle, api);
  },

  querySession(handle) {
    return service.query(handle);
  },

  ...requests,

  async setupMedia(handle, api) {
    await service.mediaUp(handle, api);
  },

  async hangupMedia(handle, api) {
    await service.mediaGone(handle, api);
  },

  async handleMixerEvent(event, api) {
    await service.mixerEvent(event, api);
  },
});
