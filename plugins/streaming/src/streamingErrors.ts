import { PluginRequestError } from '@cardea/plugin-sdk';

/** Streaming error codes (Janus 1.x janus_streaming.c, shared/janus-api.md §5.5). */
export const StreamingError = {
  NO_MESSAGE: 450,
  INVALID_JSON: 451,
  INVALID_REQUEST: 452,
  MISSING_ELEMENT: 453,
  INVALID_ELEMENT: 454,
  NO_SUCH_MOUNTPOINT: 455,
  CANT_CREATE: 456,
  UNAUTHORIZED: 457,
  CANT_SWITCH: 458,
  CANT_RECORD: 459,
  INVALID_STATE: 460,
  INVALID_SDP: 461,
  UNKNOWN_ERROR: 470,
} as const;

/** A request that fails with a Streaming error code (answered as `{"streaming":"event","error_code",…}`). */
export class StreamingFailure extends PluginRequestError {
  override name = 'StreamingFailure';
}
