import { PluginRequestError } from '@cardea/plugin-sdk';

/** AudioBridge error codes (Janus 1.x janus_audiobridge.c, shared/janus-api.md §5.4). */
export const AudioBridgeError = {
  NO_MESSAGE: 480,
  INVALID_JSON: 481,
  INVALID_REQUEST: 482,
  MISSING_ELEMENT: 483,
  INVALID_ELEMENT: 484,
  NO_SUCH_ROOM: 485,
  ROOM_EXISTS: 486,
  NOT_JOINED: 487,
  LIBOPUS_ERROR: 488,
  UNAUTHORIZED: 489,
  ID_EXISTS: 490,
  ALREADY_JOINED: 491,
  NO_SUCH_USER: 492,
  INVALID_SDP: 493,
  NO_SUCH_GROUP: 494,
  UNKNOWN_ERROR: 499,
} as const;

/** A request that fails with an AudioBridge error code (answered as `{"audiobridge":"event","error_code",…}`). */
export class AudioBridgeFailure extends PluginRequestError {
  override name = 'AudioBridgeFailure';
}
