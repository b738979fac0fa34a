// Where the studio finds the gateway: the Admin API (WebSocket) and the Janus API used by the
// try-it panel. Nothing here is secret; the admin secret lives in auth/secretStore.ts.

/** The gateway endpoints the studio talks to. */
export interface StudioConfig {
  /** Admin API WebSocket URL, e.g. `ws://127.0.0.1:7088/admin`. */
  adminUrl: string;
  /** Janus API server for janus.js (HTTP `…/janus` or WebSocket `ws://…:8188`). */
  janusUrl: string;
}

/**
 * What the gateway may publish at `/studio/config.json` (all optional): the admin port and path,
 * and the Janus API's HTTP path and WebSocket port, as the gateway actually bound them.
 */
interface GatewayHints {
  admin?: { port?: number; path?: string };
  janus?: { httpPath?: string; wsPort?: number };
}

const STORAGE_KEY = 'cardea.studio.connection';

/** Defaults when nothing better is known: `npm start`'s ports, or the dev server's proxy. */
export function defaultConfig(): StudioConfig {
  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const adminUrl = import.meta.env.DEV ? `${wsScheme}//${location.host}/admin` : `${wsScheme}//${location.hostname}:7088/admin`;
  return { adminUrl, janusUrl: `${location.origin}/janus` };
}

function fromHints(hints: GatewayHints): StudioConfig {
  const base = defaultConfig();
  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const adminUrl =
    hints.admin?.port !== undefined && !import.meta.env.DEV
      ? `${wsScheme}//${location.hostname}:${hints.admin.port}${hints.admin.path ?? '/admin'}`
      : base.adminUrl;
  const janusUrl = hints.janus?.httpPath !== undefined ? `${location.origin}${hints.janus.httpPath}` : base.janusUrl;
  return { adminUrl, janusUrl };
}

/**
 * The configuration to start with: what the gateway serving the studio publishes, else what the
 * user saved on an earlier login, else the defaults.
 */
export async function loadConfig(): Promise<{ config: StudioConfig; source: 'gateway' | 'saved' | 'default' }> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    if (response.ok && (response.headers.get('content-type') ?? '').includes('json')) {
      return { config: fromHints((await response.json()) as GatewayHints), source: 'gateway' };
    }
  } catch (error) {
    console.warn('no gateway config.json', error);
  }
  const saved = readSaved();
  return saved ? { config: saved, source: 'saved' } : { config: defaultConfig(), source: 'default' };
}

/** Remembers endpoints the user typed (never the secret). */
export function saveConfig(config: StudioConfig): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(config));
}

function readSaved(): StudioConfig | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<StudioConfig> | null;
    if (value && typeof value.adminUrl === 'string' && typeof value.janusUrl === 'string')
      return { adminUrl: value.adminUrl, janusUrl: value.janusUrl };
  } catch (error) {
    console.warn('ignoring unreadable saved connection settings', error);
  }
  return undefined;
}
