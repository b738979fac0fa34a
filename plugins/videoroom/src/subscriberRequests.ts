import {
  asyncRequest,
  type AsyncRequestContext,
  type AsyncRequestSpec,
  type JsonObject,
  type NegotiatedJsep,
  type OfferStream,
  type PluginApi,
  type z,
} from '@cardea/plugin-sdk';
import type { Publisher } from './Publisher.ts';
import type { Room } from './Room.ts';
import { Subscriber, type SubscribedStream } from './Subscriber.ts';
import { VideoRoomError, VideoRoomFailure } from './videoroomErrors.ts';
import {
  subscribeSchema,
  subscriberConfigureSchema,
  subscriberJoinSchema,
  switchSchema,
  unsubscribeSchema,
  updateSchema,
  type subscribeStream,
  type unsubscribeStream,
} from './videoroomSchemas.ts';
import type { VideoRoomService } from './VideoRoomService.ts';

type Wanted = z.output<typeof subscribeStream>;
type Unwanted = z.output<typeof unsubscribeStream>;

function feedOf(room: Room, feed: number): Publisher {
  const publisher = room.participants.get(feed);
  if (!publisher || !publisher.publishing) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, `No such feed (${feed})`);
  return publisher;
}

/** Turns `{feed, mid?}` requests into subscribed streams (all of a feed's streams without `mid`). */
function resolve(room: Room, wanted: Wanted[], kinds?: Set<string>): SubscribedStream[] {
  const out: SubscribedStream[] = [];
  for (const w of wanted) {
    const publisher = feedOf(room, w.feed);
    const streams = publisher.streams.filter((s) => (w.mid === undefined || s.mid === w.mid) && (!kinds || kinds.has(s.type)));
    if (streams.length === 0) throw new VideoRoomFailure(VideoRoomError.NO_SUCH_FEED, `No such mid ${w.mid ?? '(any)'} in feed ${w.feed}`);
    for (const s of streams) {
      out.push({
        type: s.type,
        mid: undefined,
        mindex: -1,
        feedId: publisher.id,
        feedMid: s.mid,
        feedDisplay: publisher.display,
        codec: s.codec,
        active: true,
        send: true,
        substream: undefined,
        temporal: undefined,
      });
    }
  }
  return out;
}

/** Adds or removes the media route that feeds one subscribed stream. */
async function routeStream(service: VideoRoomService, sub: Subscriber, stream: SubscribedStream, api: PluginApi): Promise<void> {
  const publisher = sub.room.participants.get(stream.feedId);
  if (!publisher || stream.mid === undefined) return;
  const published = publisher.streams.find((s) => s.mid === stream.feedMid);
  const on = stream.active && stream.send && published !== undefined && published.send && publisher.publishing;
  const route =
    stream.type === 'data'
      ? { from: publisher.handle, to: sub.handle, kinds: ['data' as const] }
      : { from: publisher.handle, to: sub.handle, kinds: [stream.type], fromMid: stream.feedMid, toMid: stream.mid };
  if (on) await api.media.addRoute(route);
  else await api.media.removeRoute(route);
  if (on && (stream.substream !== undefined || stream.temporal !== undefined) && stream.type === 'video') {
    await api.media.setSimulcastTarget(sub.handle, stream.mid, {
      ...(stream.substream !== undefined ? { substream: stream.substream } : {}),
      ...(stream.temporal !== undefined ? { temporal: stream.temporal } : {}),
    });
  }
}

/** Makes the gateway's offer for a subscriber's streams and routes them. */
async function negotiate(service: VideoRoomService, sub: Subscriber, api: PluginApi, iceRestart = false): Promise<NegotiatedJsep> {
  const streams: OfferStream[] = [];
  let data = false;
  for (const s of sub.streams) {
    if (s.type === 'data') {
      if (!data) streams.push({ kind: 'data' });
      data = true;
      continue;
    }
    const offer: OfferStream = { kind: s.type, direction: s.active ? 'sendonly' : 'inactive' };
    if (s.codec) offer.codec = s.codec;
    if (s.mid !== undefined) offer.mid = s.mid;
    streams.push(offer);
  }
  const jsep = await api.negotiate(sub.handle, { type: 'offer', streams, ...(iceRestart ? { iceRestart: true } : {}) });
  const claimed = new Set(sub.streams.map((s) => s.mid).filter((m): m is string => m !== undefined));
  for (const s of sub.streams) {
    if (s.mid === undefined) {
      const line = jsep.media.find((m) => m.kind === s.type && (s.type === 'data' || !claimed.has(m.mid)));
      if (line) {
        s.mid = line.mid;
        if (s.type !== 'data') claimed.add(line.mid);
      }
    }
    s.mindex = jsep.media.find((m) => m.mid === s.mid)?.mindex ?? s.mindex;
  }
  sub.awaitingAnswer = true;
  for (const s of sub.streams) await routeStream(service, sub, s, api);
  return jsep;
}

/** Renegotiates after streams changed: now, or after the pending answer arrives. */
async function renegotiate(service: VideoRoomService, sub: Subscriber, api: PluginApi, transaction?: string): Promise<void> {
  if (sub.awaitingAnswer) {
    sub.updatePending = true;
    if (transaction !== undefined) await api.pushEvent(sub.handle, { transaction, data: { videoroom: 'updating', room: sub.room.id } });
    return;
  }
  const jsep = await negotiate(service, sub, api);
  const event = { data: { videoroom: 'updated', room: sub.room.id, streams: sub.describe() } as JsonObject, jsep };
  await api.pushEvent(sub.handle, transaction === undefined ? event : { ...event, transaction });
}

function removeStreams(sub: Subscriber, unwanted: Unwanted[]): SubscribedStream[] {
  const removed: SubscribedStream[] = [];
  for (const u of unwanted) {
    for (const s of sub.streams) {
      if (!s.active) continue;
      const match =
        (u.sub_mid !== undefined && s.mid === u.sub_mid) ||
        (u.sub_mid === undefined && u.feed === s.feedId && (u.mid === undefined || u.mid === s.feedMid));
      if (match) {
        s.active = false;
        removed.push(s);
      }
    }
  }
  return removed;
}

/** A feed stopped publishing or left: its streams go inactive at every subscriber (autoupdate renegotiates). */
export async function dropFeed(service: VideoRoomService, publisher: Publisher, api: PluginApi): Promise<void> {
  for (const sub of publisher.room.subscribers) {
    const gone = sub.streams.filter((s) => s.feedId === publisher.id && s.active);
    if (gone.length === 0) continue;
    for (const s of gone) {
      s.active = false;
      await routeStream(service, sub, s, api);
    }
    if (sub.autoupdate) await renegotiate(service, sub, api);
  }
}

/** Re-applies the routes of every stream fed by `publisher` (after its send flags changed). */
export async function refreshFeedRoutes(service: VideoRoomService, publisher: Publisher, api: PluginApi): Promise<void> {
  for (const sub of publisher.room.subscribers) {
    for (const s of sub.streams) if (s.feedId === publisher.id) await routeStream(service, sub, s, api);
  }
}

/** The subscriber handle went away. */
export async function subscriberGone(sub: Subscriber): Promise<void> {
  sub.room.subscribers.delete(sub);
}

type Ctx<I> = AsyncRequestContext<I>;
type Out<S extends z.ZodType> = Ctx<z.output<S>>;

/** The media kinds a legacy (`feed`) join offers. */
function legacyKinds(j: z.output<typeof subscriberJoinSchema>): Set<string> {
  const kinds = new Set<string>(['audio', 'video', 'data']);
  if (j.offer_audio === false || j.audio === false) kinds.delete('audio');
  if (j.offer_video === false || j.video === false) kinds.delete('video');
  if (j.offer_data === false || j.data === false) kinds.delete('data');
  return kinds;
}

/** The asynchronous requests of a subscriber handle (multistream), one handler each. */
export function subscriberRequests(service: VideoRoomService): Readonly<Record<string, AsyncRequestSpec>> {
  /** The handle's subscriber, or 424 "Join the room first". */
  const joined = (ctx: Ctx<unknown>): Subscriber => {
    const sub = service.subscriberOf(ctx.message.handle);
    if (!sub) throw new VideoRoomFailure(VideoRoomError.JOIN_FIRST, 'Join the room first');
    return sub;
  };
  const setSending = async (sub: Subscriber, on: boolean, api: PluginApi) => {
    for (const kind of ['audio', 'video', 'data'] as const) await api.media.setSending(sub.handle, kind, on);
  };

  async function join(ctx: Out<typeof subscriberJoinSchema>): Promise<void> {
    const { input: j, message, api } = ctx;
    if (service.roles.has(message.handle))
      throw new VideoRoomFailure(VideoRoomError.ALREADY_JOINED, 'Already in as a publisher or subscriber on this handle');
    const room = service.access.room(j.room);
    if (room.options.requirePvtid && ![...room.participants.values()].some((p) => p.privateId === j.private_id)) {
      throw new VideoRoomFailure(VideoRoomError.UNAUTHORIZED, 'Unauthorized (this room requires a valid private_id)');
    }
    const legacy = j.streams === undefined;
    if (legacy && j.feed === undefined) throw new VideoRoomFailure(VideoRoomError.MISSING_ELEMENT, 'Missing element (streams)');
    const sub = new Subscriber(message.handle, room, j.autoupdate ?? true);
    sub.streams = legacy ? resolve(room, [{ feed: j.feed as number }], legacyKinds(j)) : resolve(room, j.streams ?? []);
    if (j.substream !== undefined || j.temporal !== undefined) {
      for (const s of sub.streams) if (s.type === 'video') Object.assign(s, { substream: j.substream, temporal: j.temporal });
    }
    if (legacy) sub.legacyFeed = j.feed;
    service.roles.set(message.handle, { kind: 'subscriber', subscriber: sub });
    room.subscribers.add(sub);
    const jsep = await negotiate(service, sub, api);
    const data: JsonObject = { videoroom: 'attached', room: room.id, streams: sub.describe() };
    if (legacy) {
      const feed = room.participants.get(j.feed as number);
      Object.assign(data, {
        id: j.feed as number,
        ...(feed?.display !== undefined ? { display: feed.display } : {}),
        warning: 'deprecated_api',
      });
    }
    await ctx.reply(data, jsep);
  }

  async function start(ctx: Ctx<unknown>): Promise<void> {
    const sub = joined(ctx);
    const { jsep } = ctx.message;
    if (jsep?.type === 'answer') {
      sub.awaitingAnswer = false;
      await ctx.reply({ videoroom: 'event', room: sub.room.id, started: 'ok' });
      if (sub.updatePending) {
        sub.updatePending = false;
        await renegotiate(service, sub, ctx.api);
      }
      return;
    }
    if (jsep) throw new VideoRoomFailure(VideoRoomError.INVALID_SDP_TYPE, 'start needs an answer');
    sub.paused = false;
    await setSending(sub, true, ctx.api);
    await ctx.reply({ videoroom: 'event', room: sub.room.id, started: 'ok' });
  }

  async function pause(ctx: Ctx<unknown>): Promise<void> {
    const sub = joined(ctx);
    sub.paused = true;
    await setSending(sub, false, ctx.api);
    await ctx.reply({ videoroom: 'event', room: sub.room.id, paused: 'ok' });
  }

  async function configure(ctx: Out<typeof subscriberConfigureSchema>): Promise<void> {
    const { input: c, api } = ctx;
    const sub = joined(ctx);
    for (const change of c.streams ?? []) {
      const s = sub.streams.find((x) => x.mid === change.mid);
      if (!s) continue;
      if (change.send !== undefined) s.send = change.send;
      if (change.substream !== undefined) s.substream = change.substream;
      if (change.temporal !== undefined) s.temporal = change.temporal;
      await routeStream(service, sub, s, api);
    }
    if (c.substream !== undefined || c.temporal !== undefined) {
      for (const s of sub.streams) {
        if (s.type !== 'video') continue;
        if (c.substream !== undefined) s.substream = c.substream;
        if (c.temporal !== undefined) s.temporal = c.temporal;
        await routeStream(service, sub, s, api);
      }
    }
    for (const kind of ['audio', 'video'] as const) if (c[kind] !== undefined) await api.media.setSending(sub.handle, kind, c[kind]);
    if (!c.restart) return ctx.reply({ videoroom: 'event', room: sub.room.id, configured: 'ok' });
    const jsep = await negotiate(service, sub, api, true);
    await ctx.reply({ videoroom: 'event', room: sub.room.id, configured: 'ok', restart: true }, jsep);
  }

  /** subscribe / unsubscribe / update: streams added and dropped, then one renegotiation. */
  async function change(ctx: Ctx<unknown>, add: Wanted[], drop: Unwanted[]): Promise<void> {
    const sub = joined(ctx);
    const added = resolve(sub.room, add);
    for (const s of removeStreams(sub, drop)) await routeStream(service, sub, s, ctx.api);
    sub.streams.push(...added);
    await renegotiate(service, sub, ctx.api, ctx.message.transaction);
  }

  async function update(ctx: Out<typeof updateSchema>): Promise<void> {
    const { subscribe = [], unsubscribe = [] } = ctx.input;
    if (subscribe.length === 0 && unsubscribe.length === 0)
      throw new VideoRoomFailure(VideoRoomError.MISSING_ELEMENT, 'Missing element (subscribe or unsubscribe)');
    await change(ctx, subscribe, unsubscribe);
  }

  async function switchFeeds(ctx: Out<typeof switchSchema>): Promise<void> {
    const sub = joined(ctx);
    let changes = 0;
    for (const sw of ctx.input.streams) {
      const s = sub.streams.find((x) => x.mid === sw.sub_mid && x.active);
      const publisher = feedOf(sub.room, sw.feed);
      const published = publisher.streams.find((p) => p.mid === sw.mid);
      if (!s || !published || published.type !== s.type)
        throw new VideoRoomFailure(VideoRoomError.INVALID_ELEMENT, `Can't switch ${sw.sub_mid} to ${sw.feed}/${sw.mid}`);
      s.active = false;
      await routeStream(service, sub, s, ctx.api);
      Object.assign(s, { feedId: publisher.id, feedMid: published.mid, feedDisplay: publisher.display, active: true });
      await routeStream(service, sub, s, ctx.api);
      changes++;
    }
    await ctx.reply({ videoroom: 'event', switched: 'ok', room: sub.room.id, changes, streams: sub.describe() });
  }

  async function leave(ctx: Ctx<unknown>): Promise<void> {
    const sub = joined(ctx);
    for (const s of sub.streams) {
      s.active = false;
      await routeStream(service, sub, s, ctx.api);
    }
    service.roles.delete(sub.handle);
    await subscriberGone(sub);
    await ctx.reply({ videoroom: 'event', room: sub.room.id, left: 'ok' });
    await ctx.api.closePeerConnection(sub.handle);
  }

  const guard = (ctx: Ctx<unknown>): void => void joined(ctx);
  return {
    join: asyncRequest({ schema: subscriberJoinSchema, run: join }),
    start: asyncRequest({ run: start }),
    pause: asyncRequest({ run: pause }),
    configure: asyncRequest({ guard, schema: subscriberConfigureSchema, run: configure }),
    subscribe: asyncRequest({ guard, schema: subscribeSchema, run: (ctx) => change(ctx, ctx.input.streams, []) }),
    unsubscribe: asyncRequest({ guard, schema: unsubscribeSchema, run: (ctx) => change(ctx, [], ctx.input.streams) }),
    update: asyncRequest({ guard, schema: updateSchema, run: update }),
    switch: asyncRequest({ guard, schema: switchSchema, run: switchFeeds }),
    leave: asyncRequest({ run: leave }),
  };
}
