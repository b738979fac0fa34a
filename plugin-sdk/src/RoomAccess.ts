import { PluginRequestError } from './definePlugin.ts';
import type { JsonObject } from './json.ts';
import type { PluginApi } from './PluginApi.ts';
import type { SyncRequestSpec } from './RequestTypes.ts';
import { z } from './schema.ts';

/** The access settings of a room, as `create` / `edit` / `allowed` set them. */
export interface RoomAccessState {
  /** Needed by management requests (edit, destroy, allowed, kick, …) when set. */
  secret: string | undefined;
  /** Needed to join when set. */
  pin: string | undefined;
  /** Tokens allowed to join, when the allowed list is enabled (`allowed` `enable`). */
  allowed: Set<string> | undefined;
}

/** A room as {@link RoomAccess} sees it. */
export interface AccessibleRoom {
  readonly id: number;
  readonly options: RoomAccessState;
}

/** The plugin's error codes {@link RoomAccess} answers with. */
export interface RoomAccessCodes {
  NO_SUCH_ROOM: number;
  UNAUTHORIZED: number;
  MISSING_ELEMENT: number;
}

/** How a plugin's rooms are guarded. */
export interface RoomAccessOptions<R extends AccessibleRoom> {
  /** The key of the plugin's answers (`videoroom`, `audiobridge`, …). */
  key: string;
  codes: RoomAccessCodes;
  /** The live room of an id (undefined when there is none, or it is being destroyed). */
  lookup(this: void, id: number): R | undefined;
  /** Plugin-wide key `create` needs (Janus `admin_key`), default none. */
  adminKey?: string;
}

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** `room` plus the optional `secret` and `pin` of the requests that name a room. */
export const roomRefSchema = z.object({ room: id, secret: z.string().optional(), pin: z.string().optional() });
/** The `allowed` request: `action` on the room's token list. */
export const allowedSchema = roomRefSchema.extend({
  action: z.enum(['enable', 'disable', 'add', 'remove']),
  allowed: z.array(z.string()).optional(),
});
/** The `kick` request: a participant of the room. */
export const kickSchema = roomRefSchema.extend({ id });

/** A participant to kick, found by the plugin (which throws its own "no such user" when absent). */
export type KickParticipant<R extends AccessibleRoom> = (room: R, participant: number, api: PluginApi) => Promise<void>;

/**
 * Room access as Janus's room plugins check it: a room `secret` for management requests, a `pin`
 * and an optional token list (`allowed`) for joins, and a plugin-wide `admin_key` for `create`.
 * Errors use the plugin's codes and Janus's texts (`Unauthorized (wrong secret)`, …).
 */
export class RoomAccess<R extends AccessibleRoom> {
  readonly #options: RoomAccessOptions<R>;

  constructor(options: RoomAccessOptions<R>) {
    this.#options = options;
  }

  /** The room of `id`, or `No such room (<id>)`. */
  room(id: number): R {
    const room = this.#options.lookup(id);
    if (!room) throw new PluginRequestError(this.#options.codes.NO_SUCH_ROOM, `No such room (${id})`);
    return room;
  }

  /** The room of `id` for a management request: its secret must match when it has one. */
  managed(id: number, secret: string | undefined): R {
    const room = this.room(id);
    this.checkSecret(room, secret);
    return room;
  }

  checkSecret(room: R, secret: string | undefined): void {
    if (room.options.secret !== undefined && room.options.secret !== secret) this.#unauthorized('wrong secret');
  }

  /** A join's pin and token: the pin when the room has one, the token when its allowed list is on. */
  checkJoin(room: R, pin: string | undefined, token: string | undefined): void {
    if (room.options.pin !== undefined && room.options.pin !== pin) this.#unauthorized('wrong pin');
    const allowed = room.options.allowed;
    if (allowed && (token === undefined || !allowed.has(token))) this.#unauthorized('not in the allowed list');
  }

  /** `create`'s `admin_key`, when the plugin is configured with one. */
  checkAdminKey(body: JsonObject): void {
    const expected = this.#options.adminKey;
    if (expected === undefined) return;
    const given = body.admin_key;
    if (given === undefined) throw new PluginRequestError(this.#options.codes.MISSING_ELEMENT, 'Missing element (admin_key)');
    if (given !== expected) this.#unauthorized('wrong admin_key');
  }

  /** The access fields of `create`, as a room's state. */
  initial(fields: { secret?: string | undefined; pin?: string | undefined; allowed?: string[] | undefined }): RoomAccessState {
    return { secret: fields.secret, pin: fields.pin, allowed: fields.allowed ? new Set(fields.allowed) : undefined };
  }

  /** The access fields of `edit` (an empty `new_pin` removes the pin). */
  edit(room: R, fields: { new_secret?: string | undefined; new_pin?: string | undefined }): void {
    if (fields.new_secret !== undefined) room.options.secret = fields.new_secret;
    if (fields.new_pin !== undefined) room.options.pin = fields.new_pin || undefined;
  }

  /** The `allowed` request: enable, disable, add to or remove from the room's token list. */
  allowedRequest(): SyncRequestSpec<typeof allowedSchema> {
    const key = this.#options.key;
    return {
      mode: 'sync',
      schema: allowedSchema,
      run: ({ input }) => {
        const room = this.managed(input.room, input.secret);
        if (input.action === 'disable') room.options.allowed = undefined;
        else {
          const set = room.options.allowed ?? new Set<string>();
          for (const token of input.allowed ?? []) {
            if (input.action === 'remove') set.delete(token);
            else set.add(token);
          }
          room.options.allowed = set;
        }
        const allowed = room.options.allowed;
        return { [key]: 'success', room: room.id, ...(allowed ? { allowed: [...allowed] } : {}) };
      },
    };
  }

  /** The `kick` request: the room's secret, then the plugin's own removal of the participant. */
  kickRequest(kick: KickParticipant<R>): SyncRequestSpec<typeof kickSchema> {
    const key = this.#options.key;
    return {
      mode: 'sync',
      schema: kickSchema,
      run: async ({ input, api }) => {
        await kick(this.managed(input.room, input.secret), input.id, api);
        return { [key]: 'success' };
      },
    };
  }

  #unauthorized(why: string): never {
    throw new PluginRequestError(this.#options.codes.UNAUTHORIZED, `Unauthorized (${why})`);
  }
}
