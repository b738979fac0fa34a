#!/usr/bin/env -S node --max-semi-space-size=4
// The flags: app/src/nodeFlags.ts (also in package.json's `start`).
import { CommanderError } from 'commander';
import { ConfigError, Gateway, createLogger, loadConfig } from '@cardea/core';
import { builtinPlugins, builtinSources } from './builtinPlugins.ts';

/** `npm start` / `cardea`: load the config, start the gateway with the built-ins, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof ConfigError) {
      console.error(`cardea: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.general.logLevel);
  // A stray rejection (e.g. in a plugin's background work) is logged, never fatal: the gateway goes on.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  const gateway = await Gateway.start({ config, log, plugins: builtinPlugins, builtinSources });
  const { websocket, http, admin } = gateway.ports;
  log.info({ ports: gateway.ports, iceIp: config.webrtc.iceIp, iceLite: config.webrtc.iceLite }, 'Cardea is up');
  const host = config.transports.http.ip;
  console.error(
    [
      `Cardea gateway running`,
      websocket ? `  Janus API (WebSocket): ws://${config.transports.websocket.ip}:${websocket}  (subprotocol janus-protocol)` : '',
      http ? `  Janus API (HTTP):      http://${host}:${http}${config.transports.http.basePath}` : '',
      http && config.demo.enabled ? `  Demo (Echo Test):      http://${host}:${http}/` : '',
      admin ? `  Admin API:             http://${config.transports.admin.ip}:${admin}${config.transports.admin.basePath}` : '',
      gateway.adminSecretGenerated ? `  Admin secret (generated, shown once): ${gateway.adminSecret}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void gateway.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
