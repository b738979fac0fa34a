import { PluginRequestError } from '@cardea/plugin-sdk';

/** VideoRoom error codes (Janus 1.x janus_videoroom.c, shared/janus-api.md §5.3). */
export const VideoRoomError = {
  NO_MESSAGE: 421,
  INVALID_JSON: 422,
  INVALID_REQUEST: 423,
  JOIN_FIRST: 424,
  ALREADY_JOINED: 425,
  NO_SUCH_ROOM: 426,
  ROOM_EXISTS: 427,
  NO_SUCH_FEED: 428,
  MISSING_ELEMENT: 429,
  INVALID_ELEMENT: 430,
  INVALID_SDP_TYPE: 431,
  PUBLISHERS_FULL: 432,
  UNAUTHORIZED: 433,
  ALREADY_PUBLISHED: 434,
  NOT_PUBLISHED: 435,
  ID_EXISTS: 436,
  INVALID_SDP: 437,
  UNKNOWN_ERROR: 499,
} as const;

/** A request that fails with a VideoRoom error code (answered as `{"videoroom":"event","error_code",…}`). */
export class VideoRoomFailure extends PluginRequestError {
  override name = 'VideoRoomFailure';
}
