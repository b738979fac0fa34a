// The sandbox's API table: every member of the SDK's PluginApi, as a sandboxed plugin's bridge
// sends it (op name), mapped to the schema of its arguments and to the core's one implementation
// of the API (PluginCapabilities), with the sandbox policy applied on the way. Adding a member to
// the SDK (PLUGIN_API_MEMBERS) fails the type check here until it has a row, or is listed as
// served by the bridge or refused, with the reason.
import type { Json, PluginApi, PluginApiMemberName } from '@cardea/plugin-sdk';
import { z } from 'zod';
import { mixerRows } from './SandboxMixers.ts';
import { recordingRows } from './SandboxRecordings.ts';
import {
  event,
  handleId,
  jsonObject,
  kind,
  mediaNode,
  mid,
  negotiation,
  positiveId,
  route,
  rtpEndpointId,
  rtpEndpointOptions,
  rtpForward,
  simulcastTarget,
  storeKey,
  talkingOptions,
} from './sandboxApiSchemas.ts';
import { row, type ApiRow, type ApiRows } from './sandboxApiRow.ts';
import { loopbackOnly } from './sandboxPolicy.ts';

/** Members the bridge serves inside the sandbox, never crossing to the host as API calls, and why. */
export const SERVED_BY_THE_BRIDGE = {
  'log.debug': 'log lines go to the runner as bridge `log` messages (rate-limited there), then to the plugin log',
  'log.info': 'log lines go to the runner as bridge `log` messages (rate-limited there), then to the plugin log',
  'log.warn': 'log lines go to the runner as bridge `log` messages (rate-limited there), then to the plugin log',
  'log.error': 'log lines go to the runner as bridge `log` messages (rate-limited there), then to the plugin log',
  'timers.setTimeout': 'timers run in the runner worker next to the QuickJS instance (capped there), firing into it',
  'timers.setInterval': 'timers run in the runner worker next to the QuickJS instance (capped there), firing into it',
  'timers.clear': 'timers run in the runner worker next to the QuickJS instance (capped there), firing into it',
} as const satisfies Partial<Record<PluginApiMemberName, string>>;

/** Members a sandboxed plugin may not call, and why (none today: a user plugin can do what a built-in does). */
export const REFUSED_IN_SANDBOX = {} as const satisfies Partial<Record<PluginApiMemberName, string>>;

/** The operations that cross from the sandbox to the host. */
export type WireOp = Exclude<Exclude<PluginApiMemberName, keyof typeof SERVED_BY_THE_BRIDGE>, keyof typeof REFUSED_IN_SANDBOX>;

const handleRows = {
  pushEvent: row(z.tuple([handleId, event]), (api, [h, e]) => api.pushEvent(h, e)),
  negotiate: row(z.tuple([handleId, negotiation]), (api, [h, request]) => api.negotiate(h, request)),
  closePeerConnection: row(z.tuple([handleId, z.string().max(256).nullable()]), (api, [h, reason]) =>
    api.closePeerConnection(h, reason ?? undefined),
  ),
  endHandle: row(z.tuple([handleId]), (api, [h]) => api.endHandle(h)),
  sendData: row(z.tuple([handleId, z.string(), z.string().max(256).nullable()]), (api, [h, text, label]) =>
    api.sendData(h, text, label ?? undefined),
  ),
} as const satisfies ApiRows;

const mediaRows = {
  'media.addRoute': row(z.tuple([route]), (api, [r]) => api.media.addRoute(r)),
  'media.removeRoute': row(z.tuple([route]), (api, [r]) => api.media.removeRoute(r)),
  'media.requestKeyframe': row(z.tuple([mediaNode]), (api, [h]) => api.media.requestKeyframe(h)),
  'media.setBitrateCap': row(z.tuple([handleId, z.number().int().min(0)]), (api, [h, bps]) => api.media.setBitrateCap(h, bps)),
  'media.setSending': row(z.tuple([handleId, kind, z.boolean()]), (api, [h, k, sending]) => api.media.setSending(h, k, sending)),
  'media.setSimulcastTarget': row(z.tuple([handleId, mid, simulcastTarget]), (api, [h, m, target]) =>
    api.media.setSimulcastTarget(h, m, target),
  ),
  'media.detectTalking': row(z.tuple([handleId, talkingOptions.nullable()]), (api, [h, options]) => api.media.detectTalking(h, options)),
  'media.forwardRtp': row(z.tuple([handleId, rtpForward]), (api, [h, forward]) => {
    loopbackOnly(forward.host);
    return api.media.forwardRtp(h, forward);
  }),
  'media.stopRtpForward': row(z.tuple([positiveId]), (api, [id]) => api.media.stopRtpForward(id)),
  // A sandboxed plugin's RTP endpoints bind to and talk with loopback addresses only (as its forwarders).
  'media.openRtpEndpoint': row(z.tuple([rtpEndpointOptions]), (api, [options]) => {
    if (options.host !== undefined) loopbackOnly(options.host);
    if (options.remote) loopbackOnly(options.remote.host);
    return api.media.openRtpEndpoint(options);
  }),
  'media.closeRtpEndpoint': row(z.tuple([rtpEndpointId]), (api, [id]) => api.media.closeRtpEndpoint(id)),
  'media.rtpEndpointStats': row(z.tuple([rtpEndpointId]), (api, [id]) => api.media.rtpEndpointStats(id)),
} as const satisfies ApiRows;

const storeRows = {
  'store.get': row(z.tuple([storeKey]), (api, [key]) => api.store.get(key)),
  'store.set': row(z.tuple([storeKey, jsonObject]), (api, [key, value]) => api.store.set(key, value)),
  'store.delete': row(z.tuple([storeKey]), (api, [key]) => api.store.delete(key)),
} as const satisfies ApiRows;

/** Every wire operation's row. */
export const sandboxApiTable: { readonly [Op in WireOp]: ApiRow } = {
  ...handleRows,
  ...mediaRows,
  ...storeRows,
  ...mixerRows,
  ...recordingRows,
};

/**
 * Runs one API call of a sandboxed plugin: the op is looked up, its arguments validated (a
 * TypeError names the first problem), and the row maps it onto `api` (applying the sandbox policy). The result
 * is JSON (`null` for none: the bridge resolves that as `undefined`).
 */
export async function runApiCall(api: PluginApi, op: string, rawArgs: readonly Json[]): Promise<Json> {
  if (Object.hasOwn(REFUSED_IN_SANDBOX, op)) {
    const reason = (REFUSED_IN_SANDBOX as Record<string, string>)[op] ?? '';
    throw new Error(`${op} is not available to sandboxed plugins: ${reason}`);
  }
  if (!Object.hasOwn(sandboxApiTable, op)) throw new TypeError(`unknown API call ${op}`);
  const entry: ApiRow = sandboxApiTable[op as WireOp];
  const args: Json[] = rawArgs.slice(0, entry.arity);
  while (args.length < entry.arity) args.push(null);
  const parsed = entry.args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`${op}: invalid arguments${issue ? ` (${issue.path.join('.') || 'arguments'}: ${issue.message})` : ''}`);
  }
  const result = await entry.run(api, parsed.data);
  return result === undefined ? null : (result as Json);
}
