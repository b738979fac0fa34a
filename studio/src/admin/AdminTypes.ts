// Wire shapes of the Admin API as the studio uses them: the gateway's own types from
// @cardea/admin-types (imported as types only, so nothing of the gateway is bundled), plus the two
// Janus error codes the studio branches on.
export type {
  BuiltinPluginSource,
  DeployOutcome,
  FaultKind,
  HandleInfo,
  PluginFilesUpload,
  PluginListing,
  PluginLogEntry,
  PluginLogLevel as LogLevel,
  PluginSource,
  PluginStreamEvent,
} from '@cardea/admin-types';

/** Janus error code of a request without a valid `admin_secret`. */
export const UNAUTHORIZED = 403;
/** Janus error code of a verb the gateway does not know. */
export const UNKNOWN_REQUEST = 453;
