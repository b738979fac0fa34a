import type { JsonObject } from './json.ts';
import type { Jsep } from './MediaTypes.ts';
import type { PluginApi } from './PluginApi.ts';
import type { MessageResult, PluginMessage } from './PluginDefinition.ts';
import type { InvalidWording, ValidationCodes, z } from './schema.ts';

/**
 * The codes the request kit answers with, taken from the plugin's Janus error table (pass the table
 * itself: `errors: VideoRoomError`). Messages follow Janus's wording.
 */
export interface RequestErrorCodes extends ValidationCodes {
  /** The body is not a JSON object: `No message??`. */
  NO_MESSAGE: number;
  /** The request name is not one of the table's: `Unknown request '<name>'`. */
  INVALID_REQUEST: number;
  /** An asynchronous request failed with something other than a {@link PluginRequestError} (default 499). */
  UNKNOWN_ERROR?: number;
}

/** What every request handler receives. */
export interface RequestContext<I> {
  /** The request's name (the table key it was dispatched to). */
  readonly name: string;
  /** The body as its schema parsed it (the raw body for a request without a schema). */
  readonly input: I;
  /** The body as the client sent it. */
  readonly body: JsonObject;
  readonly api: PluginApi;
  /** The client's message; absent for a request through the Admin API's `message_plugin`. */
  readonly message: PluginMessage | undefined;
  /** Validates the body with another schema, with the same error mapping as the request's own. */
  parse<T extends z.ZodType>(this: void, schema: T): z.output<T>;
}

/** What an asynchronous request handler receives: it answers with events. */
export interface AsyncRequestContext<I> extends RequestContext<I> {
  readonly message: PluginMessage;
  /** Pushes an event answering this request (its transaction, optional JSEP). */
  reply(this: void, data: JsonObject, jsep?: Jsep): Promise<void>;
}

/** Fields every request spec has. */
interface RequestSpecBase<S extends z.ZodType> {
  /** Validates and documents the body; without one, `input` is the raw body. */
  readonly schema?: S;
}

/**
 * A synchronous request (Janus answers it inside `success`): `run` returns `plugindata.data`.
 * A {@link PluginRequestError} it throws becomes `{"<plugin>":"event","error_code","error"}`.
 */
export interface SyncRequestSpec<S extends z.ZodType = z.ZodType> extends RequestSpecBase<S> {
  readonly mode: 'sync';
  /** Also reachable through the Admin API's `message_plugin` (default true). */
  readonly admin?: boolean;
  run(this: void, context: RequestContext<z.output<S>>): JsonObject | Promise<JsonObject>;
}

/**
 * An asynchronous request: the client gets `ack` now and `run` answers with events
 * ({@link AsyncRequestContext.reply}). Failures become an error event with the request's transaction.
 */
export interface AsyncRequestSpec<S extends z.ZodType = z.ZodType> extends RequestSpecBase<S> {
  readonly mode: 'async';
  /** Hint of the `ack` (default none). */
  readonly hint?: string;
  /**
   * Checks made before the `ack` (their {@link PluginRequestError} is answered synchronously), e.g. a
   * field that decides how the request is routed.
   */
  precheck?(this: void, body: JsonObject, message: PluginMessage): void;
  /**
   * Checks made before the schema, in the same phase as it (e.g. "join first"), so their error wins
   * over a validation error, as in Janus.
   */
  guard?(this: void, context: AsyncRequestContext<JsonObject>): void;
  run(this: void, context: AsyncRequestContext<z.output<S>>): void | Promise<void>;
}

/**
 * Asynchronous requests of one name served by several tables, e.g. by what the handle is (a
 * VideoRoom publisher or subscriber): `route` picks the table, whose entry of the same name runs
 * (guard, schema, run); a table without it answers `Unknown request '<name>'` as an error event.
 */
export interface RoutedRequestSpec {
  readonly mode: 'routed';
  precheck?(this: void, body: JsonObject, message: PluginMessage): void;
  route(this: void, body: JsonObject, message: PluginMessage): Readonly<Record<string, AsyncRequestSpec>>;
}

/** One entry of a request table. */
export type RequestSpec<S extends z.ZodType = z.ZodType> = SyncRequestSpec<S> | AsyncRequestSpec<S> | RoutedRequestSpec;

/** A plugin's requests by name. */
export type RequestTable = Readonly<Record<string, RequestSpec>>;

/** How {@link defineRequests} answers what is not a known, valid request. */
export interface RequestKitOptions {
  /** The key of the plugin's answers, e.g. `videoroom` for `{"videoroom":"event",…}`. */
  readonly key: string;
  readonly errors: RequestErrorCodes;
  /**
   * Where an asynchronous request's schema is checked (default `event`): `ack`, before the `ack`
   * (a bad field is answered synchronously), or `event`, after it (answered with an error event).
   */
  readonly validate?: 'ack' | 'event';
  /** Wording of an invalid element (default `Invalid element (<path>: <message>)`). */
  readonly describeInvalid?: InvalidWording;
  /**
   * The name of the request in a body (default: the string `request`; absent or not a string is
   * `Missing element (request)`). Throw a {@link PluginRequestError} to refuse it.
   */
  requestName?(this: void, body: JsonObject): string;
  /**
   * The error event of an asynchronous request that threw something other than a
   * {@link PluginRequestError} (default: `UNKNOWN_ERROR` with the error as text).
   */
  unexpected?(this: void, error: unknown): { code: number; message: string };
}

/** The handlers a request table builds: put them in `definePlugin`. */
export interface RequestHandlers {
  handleMessage(this: void, message: PluginMessage, api: PluginApi): MessageResult | Promise<MessageResult>;
  handleAdminMessage(this: void, body: JsonObject, api: PluginApi): Promise<JsonObject>;
}
