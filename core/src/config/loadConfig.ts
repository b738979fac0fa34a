import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { configSchema, type CardeaConfig } from './configSchema.ts';
import type { JsonObject } from '@cardea/plugin-sdk';

/** A config that failed validation; `message` names every bad field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variables read, and the config path each sets. */
const envMap: Record<string, { path: string[]; kind: 'number' | 'string' | 'list' | 'bool' }> = {
  CARDEA_WS_PORT: { path: ['transports', 'websocket', 'port'], kind: 'number' },
  CARDEA_HTTP_PORT: { path: ['transports', 'http', 'port'], kind: 'number' },
  CARDEA_ADMIN_PORT: { path: ['transports', 'admin', 'port'], kind: 'number' },
  CARDEA_ICE_IP: { path: ['webrtc', 'iceIp'], kind: 'list' },
  CARDEA_NAT_1_1: { path: ['webrtc', 'nat11'], kind: 'string' },
  CARDEA_ICE_LITE: { path: ['webrtc', 'iceLite'], kind: 'bool' },
  CARDEA_MDNS: { path: ['webrtc', 'mdns', 'enabled'], kind: 'bool' },
  CARDEA_LOG_LEVEL: { path: ['general', 'logLevel'], kind: 'string' },
  CARDEA_ADMIN_SECRET: { path: ['general', 'adminSecret'], kind: 'string' },
  CARDEA_API_SECRET: { path: ['general', 'apiSecret'], kind: 'string' },
  CARDEA_MEDIA_PLANE: { path: ['media', 'plane'], kind: 'string' },
  CARDEA_SRTP_ENGINE: { path: ['media', 'srtpEngine'], kind: 'string' },
  CARDEA_AUDIO_MIXER_THREAD: { path: ['media', 'audioMixerThread'], kind: 'string' },
  CARDEA_AUDIO_MIXER_NICE: { path: ['media', 'audioMixerNice'], kind: 'number' },
  CARDEA_BUILTIN_HOST: { path: ['plugins', 'builtinHost'], kind: 'string' },
};

function setPath(target: JsonObject, path: string[], value: JsonObject[string]): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

function convert(raw: string, kind: 'number' | 'string' | 'list' | 'bool'): JsonObject[string] {
  switch (kind) {
    case 'number':
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'bool':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    default:
      return raw;
  }
}

/** Validates a raw config object, throwing a ConfigError that names each failing field. */
export function parseConfig(raw: unknown): CardeaConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Options of `cardea` on the command line. */
export function buildCli(): Command {
  return new Command('cardea')
    .description('Cardea WebRTC gateway (Janus API compatible)')
    .option('-c, --config <file>', 'JSON config file (see core/config.example.json)')
    .option('--ws-port <port>', 'Janus API WebSocket port (default 8188)')
    .option('--http-port <port>', 'Janus API HTTP port (default 8088)')
    .option('--admin-port <port>', 'Admin API port (default 7088)')
    .option('--ice-ip <addresses>', 'comma-separated addresses to gather and advertise (default 127.0.0.1)')
    .option('--nat-1-1 <address>', 'public address to announce (NAT 1:1)')
    .option('--port-range <min-max>', 'UDP port range for ICE, e.g. 20000-40000')
    .option('--stun-server <host:port>', 'STUN server for full ICE')
    .addOption(new Option('--ice-lite <bool>', 'ICE-lite on or off (default true)').choices(['true', 'false']))
    .addOption(new Option('--mdns <bool>', 'resolve remote .local (mDNS) candidates (default false: ignored)').choices(['true', 'false']))
    .option('--mdns-ip <address>', 'IPv4 address the mDNS resolver binds to and queries on (default: the first --ice-ip)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)')
    .option('--admin-secret <secret>', 'Admin API secret (or CARDEA_ADMIN_SECRET)')
    .option('--api-secret <secret>', 'Janus API secret (or CARDEA_API_SECRET)')
    .addOption(new Option('--media-plane <plane>', "who moves RTP: Cardea's fast path or werift's (default fast)").choices(['fast', 'werift']))
    .addOption(new Option('--srtp-engine <engine>', 'SRTP engine of the fast path (default wasm)').choices(['wasm', 'node']))
    .addOption(new Option('--audio-mixer-thread <thread>', 'where AudioBridge mixers run (default worker)').choices(['worker', 'main']))
    .option('--audio-mixer-nice <n>', 'nice value of the mixer worker thread, -20..19 (default 0)')
    .addOption(
      new Option('--builtin-host <host>', 'how the built-in plugins run: in-process, or sandboxed from their sources (default in-process)').choices([
        'in-process',
        'sandbox',
      ]),
    )
    .exitOverride();
}

/**
 * Builds the configuration from the config file, then environment variables, then CLI flags (each
 * overriding the one before), and validates it.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): CardeaConfig {
  const cli = buildCli();
  cli.parse(argv, { from: 'user' });
  const opts = cli.opts<Record<string, string | undefined>>();
  let raw: JsonObject = {};
  if (opts.config) {
    let text: string;
    try {
      text = readFileSync(opts.config, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read config file ${opts.config}: ${(error as Error).message}`);
    }
    try {
      raw = z.record(z.string(), z.json()).parse(JSON.parse(text));
    } catch (error) {
      throw new ConfigError(`config file ${opts.config} is not a JSON object: ${(error as Error).message}`);
    }
  }
  for (const [name, { path, kind }] of Object.entries(envMap)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, convert(value, kind));
  }
  const flag = (value: string | undefined, path: string[], kind: 'number' | 'string' | 'list' | 'bool'): void => {
    if (value !== undefined) setPath(raw, path, convert(value, kind));
  };
  flag(opts.wsPort, ['transports', 'websocket', 'port'], 'number');
  flag(opts.httpPort, ['transports', 'http', 'port'], 'number');
  flag(opts.adminPort, ['transports', 'admin', 'port'], 'number');
  flag(opts.iceIp, ['webrtc', 'iceIp'], 'list');
  flag(opts.nat11, ['webrtc', 'nat11'], 'string');
  flag(opts.stunServer, ['webrtc', 'stunServer'], 'string');
  flag(opts.iceLite, ['webrtc', 'iceLite'], 'bool');
  flag(opts.mdns, ['webrtc', 'mdns', 'enabled'], 'bool');
  flag(opts.mdnsIp, ['webrtc', 'mdns', 'ip'], 'string');
  flag(opts.logLevel, ['general', 'logLevel'], 'string');
  flag(opts.adminSecret, ['general', 'adminSecret'], 'string');
  flag(opts.apiSecret, ['general', 'apiSecret'], 'string');
  flag(opts.mediaPlane, ['media', 'plane'], 'string');
  flag(opts.srtpEngine, ['media', 'srtpEngine'], 'string');
  flag(opts.audioMixerThread, ['media', 'audioMixerThread'], 'string');
  flag(opts.audioMixerNice, ['media', 'audioMixerNice'], 'number');
  flag(opts.builtinHost, ['plugins', 'builtinHost'], 'string');
  if (opts.portRange !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(opts.portRange);
    setPath(raw, ['webrtc', 'portRange'], m ? [Number(m[1]), Number(m[2])] : opts.portRange);
  }
  return parseConfig(raw);
}
