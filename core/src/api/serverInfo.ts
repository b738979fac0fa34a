import type { JsonObject } from '@cardea/plugin-sdk';
import type { CardeaConfig } from '../config/configSchema.ts';
import type { PluginDescriptor } from '../plugins/PluginHostTypes.ts';

/** Cardea's own version. */
export const CARDEA_VERSION = '0.1.0';

/** The body of `server_info` (shared/janus-api.md §2.3): Janus's fields, Cardea's values. */
export function serverInfo(config: CardeaConfig, plugins: PluginDescriptor[], acceptingNewSessions: boolean): JsonObject {
  const pluginMap: JsonObject = {};
  for (const p of plugins) {
    pluginMap[p.name] = { name: p.name, author: p.author, description: p.description, version_string: p.version, version: versionNumber(p.version) };
  }
  const transports: JsonObject = {};
  if (config.transports.websocket.enabled) {
    transports['janus.transport.websockets'] = { name: 'WebSockets transport plugin', author: 'Cardea', description: 'Janus API over WebSocket (ws)', version_string: CARDEA_VERSION, version: versionNumber(CARDEA_VERSION) };
  }
  if (config.transports.http.enabled) {
    transports['janus.transport.http'] = { name: 'REST transport plugin', author: 'Cardea', description: 'Janus API over HTTP REST and long poll', version_string: CARDEA_VERSION, version: versionNumber(CARDEA_VERSION) };
  }
  return {
    name: 'Cardea',
    version: 1102,
    version_string: '1.1.2',
    'cardea-version': CARDEA_VERSION,
    author: 'The Cardea developers',
    'commit-hash': 'not-a-git-repo',
    'compile-time': 'n/a',
    'server-name': config.general.serverName,
    'session-timeout': config.general.sessionTimeout,
    'reclaim-session-timeout': config.general.reclaimSessionTimeout,
    'candidates-timeout': config.general.candidatesTimeout,
    'accepting-new-sessions': acceptingNewSessions,
    'local-ip': config.webrtc.iceIp[0] ?? '127.0.0.1',
    ...(config.webrtc.nat11 ? { 'public-ip': config.webrtc.nat11, 'public-ips': [config.webrtc.nat11] } : {}),
    ipv6: config.webrtc.iceIp.some((ip) => ip.includes(':')),
    'ice-lite': config.webrtc.iceLite,
    'ice-tcp': false,
    'full-trickle': false,
    'mdns-enabled': config.webrtc.mdns.enabled,
    ...(config.webrtc.stunServer ? { 'stun-server': config.webrtc.stunServer } : {}),
    data_channels: true,
    api_secret: config.general.apiSecret !== undefined,
    auth_token: config.general.tokenAuth,
    event_handlers: false,
    opaqueid_in_api: false,
    dependencies: { werift: '0.25.2', node: process.versions.node },
    transports,
    plugins: pluginMap,
  };
}

function versionNumber(semver: string): number {
  const [a = 0, b = 0, c = 0] = semver.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return a * 1000 + b * 100 + c;
}
