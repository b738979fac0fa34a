import { ok, pluginError, PluginRequestError, wait } from './definePlugin.ts';
import { isJsonObject, type JsonObject } from './json.ts';
import type { PluginApi } from './PluginApi.ts';
import type { MessageResult, PluginMessage } from './PluginDefinition.ts';
import type {
  AsyncRequestContext,
  AsyncRequestSpec,
  RequestContext,
  RequestHandlers,
  RequestKitOptions,
  RequestSpec,
  RequestTable,
  SyncRequestSpec,
} from './RequestTypes.ts';
import { describeInvalidWithColon, parseBody, type z } from './schema.ts';

/** The own entry `name` of a table (never an inherited one such as `toString`). */
function entry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The default request name: the string `request` of the body. */
function defaultRequestName(codes: RequestKitOptions['errors']) {
  return (body: JsonObject): string => {
    const name = body.request;
    if (typeof name !== 'string') throw new PluginRequestError(codes.MISSING_ELEMENT, 'Missing element (request)');
    return name;
  };
}

/**
 * The request kit: builds `handleMessage` and `handleAdminMessage` from a table of small named
 * handlers, each with its schema. It answers a body that is not an object (`No message??`), an
 * unknown request (`Unknown request '<name>'`), a missing or invalid field (`Missing element (…)`,
 * `Invalid element (…)`) and a handler's own {@link PluginRequestError} with the plugin's codes, as
 * `{"<key>":"event","error_code":…,"error":…}`: synchronously for sync requests and checks made
 * before the `ack`, as an event with the request's transaction otherwise.
 * @example
 * const requests = defineRequests({
 *   exists: { mode: 'sync', schema: z.object({ room: z.number() }), run: ({ input }) => ({ my: 'success', exists: rooms.has(input.room) }) },
 *   join: { mode: 'async', schema: joinSchema, run: join },
 * }, { key: 'my', errors: MyErrors });
 * export default definePlugin({ name, version, ...requests });
 */
export function defineRequests(table: RequestTable, options: RequestKitOptions): RequestHandlers {
  const { key, errors } = options;
  const describeInvalid = options.describeInvalid ?? describeInvalidWithColon;
  const requestName = options.requestName ?? defaultRequestName(errors);
  const validateAtAck = options.validate === 'ack';
  const parse =
    (body: JsonObject) =>
    <T extends z.ZodType>(schema: T): z.output<T> =>
      parseBody(schema, body, errors, describeInvalid);
  const unknown = (name: string) => new PluginRequestError(errors.INVALID_REQUEST, `Unknown request '${name}'`);
  const unexpected = options.unexpected ?? ((error: unknown) => ({ code: errors.UNKNOWN_ERROR ?? 499, message: String(error) }));

  function context(name: string, body: JsonObject, api: PluginApi, message: PluginMessage | undefined): RequestContext<JsonObject> {
    return { name, input: body, body, api, message, parse: parse(body) };
  }

  function asyncContext(name: string, message: PluginMessage, api: PluginApi): AsyncRequestContext<JsonObject> {
    const reply: AsyncRequestContext<JsonObject>['reply'] = (data, jsep) =>
      api.pushEvent(message.handle, { transaction: message.transaction, data, ...(jsep ? { jsep } : {}) });
    return { ...context(name, message.body, api, message), message, reply };
  }

  /** Guard and schema of an async request: the context its `run` gets. */
  function admit(spec: AsyncRequestSpec, ctx: AsyncRequestContext<JsonObject>): AsyncRequestContext<unknown> {
    spec.guard?.(ctx);
    return spec.schema ? { ...ctx, input: ctx.parse(spec.schema) } : ctx;
  }

  async function runSync(spec: SyncRequestSpec, ctx: RequestContext<JsonObject>): Promise<JsonObject> {
    const input: unknown = spec.schema ? ctx.parse(spec.schema) : ctx.body;
    return spec.run({ ...ctx, input });
  }

  /** The event part of an async request: its failures become the error event of its transaction. */
  async function runAsync(
    spec: AsyncRequestSpec | undefined,
    ctx: AsyncRequestContext<JsonObject>,
    admitted: AsyncRequestContext<unknown> | undefined,
  ): Promise<void> {
    try {
      // Never an event during handleMessage itself: the answer (`ack`) is the caller's to send first.
      await Promise.resolve();
      if (!spec) throw unknown(ctx.name);
      await spec.run(admitted ?? admit(spec, ctx));
    } catch (error) {
      await ctx.reply(errorData(error, ctx)).catch((e: unknown) => {
        // The handle may have gone while the request ran: nobody is left to tell.
        ctx.api.log.debug(`${key} error event not delivered`, { request: ctx.name, error: String(e) });
      });
    }
  }

  function errorData(error: unknown, ctx: RequestContext<JsonObject>): JsonObject {
    if (error instanceof PluginRequestError) return { [key]: 'event', error_code: error.code, error: error.message };
    ctx.api.log.warn(`${key} request failed`, { request: ctx.name, error: String(error) });
    const { code, message } = unexpected(error);
    return { [key]: 'event', error_code: code, error: message };
  }

  function startAsync(spec: AsyncRequestSpec | undefined, ctx: AsyncRequestContext<JsonObject>, hint: string | undefined): MessageResult {
    const admitted = spec && validateAtAck ? admit(spec, ctx) : undefined;
    void runAsync(spec, ctx, admitted);
    return wait(hint);
  }

  function dispatch(spec: RequestSpec, name: string, message: PluginMessage, api: PluginApi): MessageResult | Promise<MessageResult> {
    if (spec.mode === 'sync') return runSync(spec, context(name, message.body, api, message)).then(ok);
    spec.precheck?.(message.body, message);
    const ctx = asyncContext(name, message, api);
    if (spec.mode === 'async') return startAsync(spec, ctx, spec.hint);
    return startAsync(entry(spec.route(message.body, message), name), ctx, undefined);
  }

  return {
    handleMessage(message, api) {
      if (!isJsonObject(message.body)) return pluginError(key, errors.NO_MESSAGE, 'No message??');
      const refused = (error: unknown): MessageResult => {
        if (error instanceof PluginRequestError) return pluginError(key, error.code, error.message);
        throw error;
      };
      try {
        const name = requestName(message.body);
        const spec = entry(table, name);
        if (!spec) throw unknown(name);
        // Async requests answer without a pause, so their `ack` goes out before any of their events.
        const result = dispatch(spec, name, message, api);
        return result instanceof Promise ? result.catch(refused) : result;
      } catch (error) {
        return refused(error);
      }
    },

    async handleAdminMessage(body, api) {
      const name = body.request;
      const spec = typeof name === 'string' ? entry(table, name) : undefined;
      if (typeof name !== 'string' || spec?.mode !== 'sync' || spec.admin === false) {
        return { [key]: 'event', error_code: errors.INVALID_REQUEST, error: 'Unknown request' };
      }
      try {
        return await runSync(spec, context(name, body, api, undefined));
      } catch (error) {
        if (error instanceof PluginRequestError) return { [key]: 'event', error_code: error.code, error: error.message };
        throw error;
      }
    },
  };
}

/** Types one request spec on its own (in a file of handlers), with `input` inferred from its schema. */
export function syncRequest<S extends z.ZodType>(spec: Omit<SyncRequestSpec<S>, 'mode'>): SyncRequestSpec<S> {
  return { ...spec, mode: 'sync' };
}

/** Types one asynchronous request spec on its own, with `input` inferred from its schema. */
export function asyncRequest<S extends z.ZodType>(spec: Omit<AsyncRequestSpec<S>, 'mode'>): AsyncRequestSpec<S> {
  return { ...spec, mode: 'async' };
}
