import { PluginRequestError } from '@cardea/plugin-sdk';

/** VideoCall error codes (Janus 1.x janus_videocall.c, shared/janus-api.md §5.2). */
export const VideoCallError = {
  NO_MESSAGE: 470,
  INVALID_JSON: 471,
  INVALID_REQUEST: 472,
  REGISTER_FIRST: 473,
  INVALID_ELEMENT: 474,
  MISSING_ELEMENT: 475,
  USERNAME_TAKEN: 476,
  ALREADY_REGISTERED: 477,
  NO_SUCH_USERNAME: 478,
  USE_ECHO_TEST: 479,
  ALREADY_IN_CALL: 480,
  NO_CALL: 481,
  MISSING_SDP: 482,
  INVALID_SDP: 483,
  UNKNOWN_ERROR: 499,
} as const;

/** A request that fails with a VideoCall error code. */
export class VideoCallFailure extends PluginRequestError {
  override name = 'VideoCallFailure';
}
