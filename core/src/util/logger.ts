import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted by the config and the Admin API. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof logLevels)[number];

/** The gateway's structured logger (JSON lines on stdout). */
export function createLogger(level: LogLevelName): Logger {
  return pino({ level, base: { app: 'cardea' } });
}
