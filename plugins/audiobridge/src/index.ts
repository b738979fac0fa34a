import { definePlugin, isJsonObject, ok, pluginError, wait, type JsonObject, type MessageResult } from '@cardea/plugin-sdk';
import { AudioBridgeError, AudioBridgeFailure } from './audiobridgeErrors.ts';
import { AudioBridgeService } from './AudioBridgeService.ts';
import { participantGone, runParticipantRequest } from './participantRequests.ts';
import { destroyRoom, runSyncRequest, syncRequests } from './roomRequests.ts';

const service = new AudioBridgeService();
service.onGone = (participant, api) => participantGone(service, participant, api);

const asyncRequests = new Set(['join', 'configure', 'changeroom', 'leave', 'hangup']);

const failure = (error: unknown): MessageResult => {
  if (error instanceof AudioBridgeFailure) return pluginError('audiobridge', error.code, error.message);
  throw error;
};

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

  async handleMessage(message, api) {
    const { body } = message;
    if (!isJsonObject(body)) return pluginError('audiobridge', AudioBridgeError.NO_MESSAGE, 'No message??');
    const request = body.request;
    if (typeof request !== 'string') return pluginError('audiobridge', AudioBridgeError.MISSING_ELEMENT, 'Missing element (request)');
    if (syncRequests.has(request)) {
      try {
        return ok(await runSyncRequest(service, request, body, api));
      } catch (error) {
        return failure(error);
      }
    }
    if (!asyncRequests.has(request)) return pluginError('audiobridge', AudioBridgeError.INVALID_REQUEST, `Unknown request '${request}'`);
    void service.respond(message, api, () => runParticipantRequest(service, request, message, api));
    return wait();
  },

  async setupMedia(handle, api) {
    await service.mediaUp(handle, api);
  },

  async hangupMedia(handle, api) {
    await service.mediaGone(handle, api);
  },

  async handleMixerEvent(event, api) {
    await service.mixerEvent(event, api);
  },

  async handleAdminMessage(body, api): Promise<JsonObject> {
    const request = body.request;
    if (typeof request !== 'string' || !syncRequests.has(request))
      return { audiobridge: 'event', error_code: AudioBridgeError.INVALID_REQUEST, error: 'Unknown request' };
    try {
      return await runSyncRequest(service, request, body, api);
    } catch (error) {
      if (error instanceof AudioBridgeFailure) return { audiobridge: 'event', error_code: error.code, error: error.message };
      throw error;
    }
  },
});
