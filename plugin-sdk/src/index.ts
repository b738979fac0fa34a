/**
 * @cardea/plugin-sdk — the one plugin contract of Cardea. Built-in and user plugins are written
 * against it alike; it is control plane only and exchanges plain JSON with the core.
 */
export type { Json, JsonObject } from './json.ts';
export { isJsonObject } from './json.ts';
export { SDK_VERSION } from './version.ts';
export { PLUGIN_API_MEMBERS, PLUGIN_HANDLERS } from './contract.ts';
export type { PluginApiMemberName, PluginHandlerName } from './contract.ts';
export type {
  AnswerOptions,
  Direction,
  HandleId,
  IncomingJsep,
  Jsep,
  LayerSwitchEvent,
  MediaKind,
  MediaLine,
  MediaRoute,
  NegotiatedJsep,
  NegotiationRequest,
  OfferOptions,
  OfferStream,
  RtpEndpointId,
  RtpEndpointInfo,
  RtpEndpointOptions,
  RtpEndpointRemote,
  RtpEndpointSrtp,
  RtpEndpointStats,
  RtpForward,
  SimulcastTarget,
  SrtpSuite,
  TalkingEvent,
  TalkingOptions,
} from './MediaTypes.ts';
export type {
  MixerEvent,
  MixerForward,
  MixerId,
  MixerOptions,
  MixerParticipantOptions,
  MixerSampleRate,
  MixerStats,
  PlayFileOptions,
} from './MixerTypes.ts';
export type { RecordingId, RecordingInfo, RecordingOptions } from './RecordingTypes.ts';
export type { LogLevel, PluginApi, PluginEvent, PluginLogger, PluginMedia, PluginStore, PluginTimers, TimerId } from './PluginApi.ts';
export type {
  DefinedPlugin,
  HandleInfo,
  MessageResult,
  PluginDataMessage,
  PluginDefinition,
  PluginHandlers,
  PluginIdentity,
  PluginMessage,
} from './PluginDefinition.ts';
export { definePlugin, fail, InvalidPluginError, ok, pluginError, PluginRequestError, wait } from './definePlugin.ts';
export { describeInvalidAsSentence, describeInvalidWithColon, parseBody, z, type InvalidWording, type ValidationCodes } from './schema.ts';
export type {
  AsyncRequestContext,
  AsyncRequestSpec,
  RequestContext,
  RequestErrorCodes,
  RequestHandlers,
  RequestKitOptions,
  RequestSpec,
  RequestTable,
  RoutedRequestSpec,
  SyncRequestSpec,
} from './RequestTypes.ts';
export { asyncRequest, defineRequests, syncRequest } from './defineRequests.ts';
export {
  allowedSchema,
  kickSchema,
  RoomAccess,
  roomRefSchema,
  type AccessibleRoom,
  type KickParticipant,
  type RoomAccessCodes,
  type RoomAccessOptions,
  type RoomAccessState,
} from './RoomAccess.ts';
