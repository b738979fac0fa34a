import type { PluginApi } from './PluginApi.ts';
import type { PluginHandlers } from './PluginDefinition.ts';

/**
 * The plugin contract as data: every handler a host may call and every API member a plugin may
 * call, in one place. Hosts derive their dispatch from these lists (the sandbox's bridge builds its
 * API object from them, the core's parity test enumerates them), so a member added to the
 * interfaces but not here fails the type check below.
 */

/** Every handler of {@link PluginHandlers}, `handleMessage` included. */
export const PLUGIN_HANDLERS = Object.freeze([
  'init',
  'destroy',
  'createSession',
  'destroySession',
  'querySession',
  'handleMessage',
  'handleAdminMessage',
  'setupMedia',
  'hangupMedia',
  'handleData',
  'handleTalking',
  'handleLayerSwitch',
  'handleMixerEvent',
  'exportState',
  'importState',
] as const);

/** A handler's name. */
export type PluginHandlerName = (typeof PLUGIN_HANDLERS)[number];

/**
 * The name of one callable member of {@link PluginApi}: a method (`pushEvent`) or a method of one
 * of its namespaces (`media.addRoute`, `store.get`, `log.info`, `timers.clear`).
 */
export type PluginApiMemberName = {
  [K in Extract<keyof PluginApi, string>]: PluginApi[K] extends (...args: never[]) => unknown
    ? K
    : `${K}.${Extract<keyof PluginApi[K], string>}`;
}[Extract<keyof PluginApi, string>];

/** Every callable member of {@link PluginApi}, as {@link PluginApiMemberName} spells it. */
export const PLUGIN_API_MEMBERS = Object.freeze([
  'log.debug',
  'log.info',
  'log.warn',
  'log.error',
  'timers.setTimeout',
  'timers.setInterval',
  'timers.clear',
  'store.get',
  'store.set',
  'store.delete',
  'media.addRoute',
  'media.removeRoute',
  'media.requestKeyframe',
  'media.setBitrateCap',
  'media.setSending',
  'media.setSimulcastTarget',
  'media.detectTalking',
  'media.forwardRtp',
  'media.stopRtpForward',
  'media.startRecording',
  'media.stopRecording',
  'media.createMixer',
  'media.destroyMixer',
  'media.addToMixer',
  'media.updateMixerParticipant',
  'media.removeFromMixer',
  'media.resetMixerDecoder',
  'media.playFile',
  'media.stopFile',
  'media.recordMixer',
  'media.forwardMixer',
  'media.stopMixerForward',
  'media.mixerStats',
  'media.openRtpEndpoint',
  'media.closeRtpEndpoint',
  'media.rtpEndpointStats',
  'pushEvent',
  'negotiate',
  'closePeerConnection',
  'endHandle',
  'sendData',
] as const);

/** True when the listed names are exactly the keys (none missing, none extra). */
type ListsExactly<Keys, Listed> = [Exclude<Keys, Listed>, Exclude<Listed, Keys>] extends [never, never] ? true : false;

// Compile-time completeness: adding a handler or an API member without listing it (or listing a
// name the interfaces do not have) makes one of these `false`, and the assignment fails to type-check.
const _handlersListed: ListsExactly<keyof PluginHandlers, PluginHandlerName> = true;
const _membersListed: ListsExactly<PluginApiMemberName, (typeof PLUGIN_API_MEMBERS)[number]> = true;
void _handlersListed;
void _membersListed;
