import {
  asyncRequest,
  describeInvalidAsSentence,
  parseBody,
  z,
  type AsyncRequestContext,
  type JsonObject,
  type RequestKitOptions,
  type RequestTable,
} from '@cardea/plugin-sdk';
import { VideoCallError } from './videocallErrors.ts';
import type { Peer, VideoCallService } from './VideoCallService.ts';

/**
 * The VideoCall requests, all asynchronous (shared/janus-api.md §5.2), each with its schema.
 * Malformed requests are answered synchronously, as Janus does, in Janus's words
 * (`Invalid element (username should be a string)`).
 */
const str = z.string({ error: 'should be a string' });
const bool = z.boolean({ error: 'should be a boolean' });

const requestNameSchema = z.object({ request: str });
const usernameSchema = z.object({ username: str });
const setSchema = z.object({
  audio: bool.optional(),
  video: bool.optional(),
  bitrate: z.number({ error: 'should be a number' }).optional(),
});
const hangupSchema = z.object({ reason: str.optional() });

/** The fields of `set`. */
export type VideoCallSet = z.output<typeof setSchema>;

/** How the kit answers malformed VideoCall requests. */
export const videoCallKitOptions: RequestKitOptions = {
  key: 'videocall',
  errors: VideoCallError,
  validate: 'ack',
  describeInvalid: describeInvalidAsSentence,
  requestName: (body: JsonObject) => parseBody(requestNameSchema, body, VideoCallError, describeInvalidAsSentence).request,
};

/** `{"videocall":"event","result":{…}}` answering the request. */
const result = (ctx: AsyncRequestContext<unknown>, data: JsonObject) => ctx.reply({ videocall: 'event', result: data });

/** The table of VideoCall requests over `service`; a handle that is gone is not answered. */
export function videoCallRequests(service: VideoCallService): RequestTable {
  const withPeer =
    <I>(run: (peer: Peer, ctx: AsyncRequestContext<I>) => Promise<void>) =>
    async (ctx: AsyncRequestContext<I>): Promise<void> => {
      const peer = service.peer(ctx.message.handle);
      if (peer) await run(peer, ctx);
    };

  async function list(_peer: Peer, ctx: AsyncRequestContext<unknown>): Promise<void> {
    await result(ctx, { list: service.usernames() });
  }

  async function register(peer: Peer, ctx: AsyncRequestContext<{ username: string }>): Promise<void> {
    service.register(peer, ctx.input.username);
    await result(ctx, { event: 'registered', username: ctx.input.username });
  }

  async function call(peer: Peer, ctx: AsyncRequestContext<{ username: string }>): Promise<void> {
    await service.call(peer, ctx.input.username, ctx.message, ctx.api);
  }

  async function accept(peer: Peer, ctx: AsyncRequestContext<unknown>): Promise<void> {
    await service.accept(peer, ctx.message, ctx.api);
  }

  async function set(peer: Peer, ctx: AsyncRequestContext<VideoCallSet>): Promise<void> {
    await service.set(peer, ctx.input, ctx.api);
    await result(ctx, { event: 'set' });
  }

  async function hangup(peer: Peer, ctx: AsyncRequestContext<{ reason?: string | undefined }>): Promise<void> {
    await service.hangup(peer, ctx.message.transaction, ctx.input.reason, ctx.api);
  }

  return {
    list: asyncRequest({ run: withPeer(list) }),
    register: asyncRequest({ schema: usernameSchema, run: withPeer(register) }),
    call: asyncRequest({ schema: usernameSchema, run: withPeer(call) }),
    accept: asyncRequest({ run: withPeer(accept) }),
    set: asyncRequest({ schema: setSchema, run: withPeer(set) }),
    hangup: asyncRequest({ schema: hangupSchema, run: withPeer(hangup) }),
  };
}
