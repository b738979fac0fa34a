import type { JsonObject } from './json.ts';
import type { DefinedPlugin, MessageResult, PluginDefinition } from './PluginDefinition.ts';
import { SDK_VERSION } from './version.ts';

/** Thrown at definition time for a plugin that cannot be loaded. */
export class InvalidPluginError extends Error {
  override name = 'InvalidPluginError';
}

/**
 * Declares a plugin. A plugin module's default export is `definePlugin({ name, version, ...handlers })`.
 * @example
 * export default definePlugin({
 *   name: 'my.plugin', version: '1.0.0',
 *   handleMessage: ({ body }) => ok({ echo: body }),
 * });
 */
export function definePlugin(definition: PluginDefinition): DefinedPlugin {
  if (typeof definition.name !== 'string' || definition.name.length === 0) {
    throw new InvalidPluginError('a plugin needs a non-empty string name');
  }
  if (typeof definition.version !== 'string' || !/^\d+\.\d+\.\d+/.test(definition.version)) {
    throw new InvalidPluginError(`plugin ${definition.name}: version must be semver, got ${String(definition.version)}`);
  }
  if (typeof definition.handleMessage !== 'function') {
    throw new InvalidPluginError(`plugin ${definition.name}: handleMessage is required`);
  }
  return Object.freeze({ ...definition, sdkVersion: SDK_VERSION });
}

/** A synchronous answer: the client gets `success` with `data`. */
export function ok(data: JsonObject): MessageResult {
  return { kind: 'ok', data };
}

/** Events follow: the client gets `ack` now. */
export function wait(hint?: string): MessageResult {
  return hint === undefined ? { kind: 'wait' } : { kind: 'wait', hint };
}

/** A core-level failure: the client gets Janus error 462 with `reason`. */
export function fail(reason: string): MessageResult {
  return { kind: 'error', reason };
}

/**
 * A plugin-level error as Janus plugins send it: `{"<plugin>":"event","error_code":N,"error":"…"}`,
 * answered synchronously.
 */
export function pluginError(pluginKey: string, code: number, error: string): MessageResult {
  return ok({ [pluginKey]: 'event', error_code: code, error });
}

/**
 * A request a plugin refuses with one of its numeric error codes; answered as
 * `{"<plugin>":"event","error_code":code,"error":message}` (sync via {@link pluginError}, or as an event).
 */
export class PluginRequestError extends Error {
  override name = 'PluginRequestError';
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}
