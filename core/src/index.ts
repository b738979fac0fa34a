/** @cardea/core: start a gateway programmatically. */
export { Gateway, type GatewayOptions, type GatewayPorts } from './Gateway.ts';
export { configSchema, type CardeaConfig, type CardeaConfigInput } from './config/configSchema.ts';
export { ConfigError, loadConfig, parseConfig } from './config/loadConfig.ts';
export { createLogger, type Logger } from './util/logger.ts';
export { CARDEA_VERSION } from './api/serverInfo.ts';
export type { BuiltinSource } from './plugins/BuiltinSource.ts';
