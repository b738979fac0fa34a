import { pino } from 'pino';
import { builtinPlugins, builtinSources } from '@cardea/app';
import { Gateway, parseConfig, type CardeaConfigInput } from '@cardea/core';

/** A gateway on loopback with OS-chosen ports, for one test. */
export interface TestGateway {
  gateway: Gateway;
  wsUrl: string;
  httpUrl: string;
  /** Base URL of the HTTP listener (demo pages). */
  httpBase: string;
  adminUrl: string;
  close(): Promise<void>;
}

const builtinNames = new Set(builtinPlugins.map((p) => p.name));

/** How the built-ins of every gateway this process started were hosted (`in-process`, `sandbox`). */
export const builtinHostsSeen = new Set<string>();

/** Starts a gateway with the built-in plugins on 127.0.0.1 with ports 0; `overrides` are merged into the config sections. */
export async function startTestGateway(overrides: CardeaConfigInput = {}): Promise<TestGateway> {
  // CARDEA_MEDIA_PLANE=fast runs the suite on Cardea's own media path.
  const plane = process.env.CARDEA_MEDIA_PLANE === 'fast' || process.env.CARDEA_MEDIA_PLANE === 'werift' ? process.env.CARDEA_MEDIA_PLANE : undefined;
  // CARDEA_BUILTIN_HOST=sandbox runs the built-ins sandboxed from their sources (tests/e2e/sandboxed.*).
  const builtinHost = process.env.CARDEA_BUILTIN_HOST === 'sandbox' || process.env.CARDEA_BUILTIN_HOST === 'in-process' ? process.env.CARDEA_BUILTIN_HOST : undefined;
  const config = parseConfig({
    ...overrides,
    ...(plane && !overrides.media?.plane ? { media: { ...overrides.media, plane } } : {}),
    ...(builtinHost && !overrides.plugins?.builtinHost ? { plugins: { ...overrides.plugins, builtinHost } } : {}),
    general: { logLevel: 'silent', adminSecret: 'test-admin-secret', ...overrides.general },
    transports: {
      websocket: { port: 0, ...overrides.transports?.websocket },
      http: { port: 0, ...overrides.transports?.http },
      admin: { port: 0, ...overrides.transports?.admin },
    },
  });
  const gateway = await Gateway.start({ config, log: pino({ level: config.general.logLevel }), plugins: builtinPlugins, builtinSources });
  for (const plugin of gateway.plugins) if (builtinNames.has(plugin.descriptor.name)) builtinHostsSeen.add(plugin.descriptor.host);
  const { websocket, http, admin } = gateway.ports;
  return {
    gateway,
    wsUrl: `ws://127.0.0.1:${websocket}/`,
    httpUrl: `http://127.0.0.1:${http}/janus`,
    httpBase: `http://127.0.0.1:${http}`,
    adminUrl: `http://127.0.0.1:${admin}/admin`,
    close: () => gateway.close(),
  };
}
