import {
  asyncRequest,
  type AsyncRequestContext,
  type NegotiatedJsep,
  type OfferStream,
  type PluginApi,
  type RequestTable,
  type z,
} from '@cardea/plugin-sdk';
import type { Mountpoint, MountpointStream } from './Mountpoint.ts';
import { StreamingError, StreamingFailure } from './streamingErrors.ts';
import { configureSchema, switchSchema, watchSchema } from './streamingSchemas.ts';
import { statusEvent, type StreamingService } from './StreamingService.ts';
import { Viewer } from './Viewer.ts';

type Ctx<I> = AsyncRequestContext<I>;

/** The streams a `watch` asks for: `media` mids, or the deprecated `offer_audio`/`offer_video` switches. */
function wantedStreams(mp: Mountpoint, w: z.output<typeof watchSchema>): MountpointStream[] {
  if (w.media !== undefined && w.media.length > 0) {
    const mids = new Set(w.media);
    return mp.streams.filter((s) => mids.has(s.mid));
  }
  return mp.streams.filter((s) => (s.type === 'audio' ? w.offer_audio !== false : w.offer_video !== false));
}

/** Makes the gateway's offer of a viewer's streams, learns their m-line mids and draws their routes. */
async function offer(service: StreamingService, viewer: Viewer, api: PluginApi): Promise<NegotiatedJsep> {
  const streams: OfferStream[] = viewer.streams.map((s) => ({
    kind: s.source.type,
    codec: s.source.codec,
    direction: 'sendonly',
    ...(s.mid !== undefined ? { mid: s.mid } : {}),
  }));
  const jsep = await api.negotiate(viewer.handle, { type: 'offer', streams });
  const claimed = new Set<string>();
  for (const s of viewer.streams) {
    const line = jsep.media.find((m) => m.kind === s.source.type && !claimed.has(m.mid) && (s.mid === undefined || m.mid === s.mid));
    if (line) {
      s.mid = line.mid;
      claimed.add(line.mid);
    }
  }
  for (const s of viewer.streams) await service.routeStream(viewer, s, api);
  return jsep;
}

/**
 * The streams of `target` that take over a viewer's streams on `switch`: for each, the next
 * unused stream of the same kind, codec and payload type, or undefined when one has none.
 */
function matchingSources(viewer: Viewer, target: Mountpoint): MountpointStream[] | undefined {
  const used = new Set<MountpointStream>();
  const out: MountpointStream[] = [];
  for (const s of viewer.streams) {
    const match = target.streams.find(
      (t) => !used.has(t) && t.type === s.source.type && t.codec === s.source.codec && t.pt === s.source.pt,
    );
    if (!match) return undefined;
    used.add(match);
    out.push(match);
  }
  return out;
}

/** Pauses or resumes everything the gateway sends to a viewer. */
async function setSending(viewer: Viewer, on: boolean, api: PluginApi): Promise<void> {
  for (const kind of new Set(viewer.streams.map((s) => s.source.type))) await api.media.setSending(viewer.handle, kind, on);
}

/** The asynchronous requests of a viewer handle: watch, start, pause, configure, stop. */
export function viewerRequests(service: StreamingService): RequestTable {
  const watching = (ctx: Ctx<unknown>): Viewer => {
    const viewer = service.viewers.get(ctx.message.handle);
    if (!viewer) throw new StreamingFailure(StreamingError.INVALID_STATE, 'Not watching any mountpoint');
    return viewer;
  };

  async function watch(ctx: Ctx<z.output<typeof watchSchema>>): Promise<void> {
    const { input: w, message, api } = ctx;
    const current = service.viewers.get(message.handle);
    if (current) throw new StreamingFailure(StreamingError.INVALID_STATE, `Already watching mountpoint ${current.mountpoint.id}`);
    const mp = service.mountpoint(w.id);
    if (!mp.enabled) throw new StreamingFailure(StreamingError.NO_SUCH_MOUNTPOINT, `Mountpoint ${mp.id} is not enabled`);
    service.access.checkJoin(mp, w.pin, undefined);
    const sources = wantedStreams(mp, w);
    if (sources.length === 0)
      throw new StreamingFailure(StreamingError.INVALID_ELEMENT, 'Invalid element (media: no stream of the mountpoint to offer)');
    const viewer = new Viewer(message.handle, mp, sources);
    service.viewers.set(message.handle, viewer);
    mp.viewers.add(viewer);
    try {
      const jsep = await offer(service, viewer, api);
      await ctx.reply(statusEvent('preparing'), jsep);
    } catch (error) {
      await service.dropViewer(viewer, api);
      throw error;
    }
  }

  async function start(ctx: Ctx<unknown>): Promise<void> {
    const viewer = watching(ctx);
    const { jsep } = ctx.message;
    if (jsep && jsep.type !== 'answer')
      throw new StreamingFailure(StreamingError.INVALID_SDP, 'Unsupported SDP type: the viewer answers, the plugin offers');
    if (!jsep) {
      if (viewer.paused) await setSending(viewer, true, ctx.api);
    }
    viewer.state = viewer.mediaUp ? 'started' : 'starting';
    await ctx.reply(statusEvent('starting'));
  }

  async function pause(ctx: Ctx<unknown>): Promise<void> {
    const viewer = watching(ctx);
    viewer.state = 'paused';
    await setSending(viewer, false, ctx.api);
    await ctx.reply(statusEvent('pausing'));
  }

  async function configure(ctx: Ctx<z.output<typeof configureSchema>>): Promise<void> {
    const viewer = watching(ctx);
    const c = ctx.input;
    const streams = viewer.streamsFor(c.mid);
    if (c.mid !== undefined && streams.length === 0)
      throw new StreamingFailure(StreamingError.INVALID_ELEMENT, `Invalid element (mid: no stream ${c.mid})`);
    for (const s of streams) {
      const legacy = s.source.type === 'audio' ? c.audio : c.video;
      const send = c.send ?? (c.mid === undefined ? legacy : undefined);
      if (send === undefined || send === s.send) continue;
      s.send = send;
      await service.routeStream(viewer, s, ctx.api);
    }
    await ctx.reply({ streaming: 'event', result: { event: 'configured' } });
  }

  async function stop(ctx: Ctx<unknown>): Promise<void> {
    const viewer = watching(ctx);
    await service.dropViewer(viewer, ctx.api);
    await ctx.reply(statusEvent('stopping'));
    await ctx.api.closePeerConnection(viewer.handle);
  }

  /**
   * `switch`: the same PeerConnection and m-lines, fed from another mountpoint's endpoints. The
   * fast plane rebases sequence numbers and timestamps when a destination's source changes, so the
   * viewer sees one continuous stream; a new video route asks the source for a keyframe.
   */
  async function switchMountpoint(ctx: Ctx<z.output<typeof switchSchema>>): Promise<void> {
    const viewer = watching(ctx);
    const target = service.mountpoint(ctx.input.id);
    if (target !== viewer.mountpoint) {
      if (!target.enabled) throw new StreamingFailure(StreamingError.CANT_SWITCH, `Can't switch: mountpoint ${target.id} is not enabled`);
      service.access.checkJoin(target, ctx.input.pin, undefined);
      const sources = matchingSources(viewer, target);
      if (!sources) throw new StreamingFailure(StreamingError.CANT_SWITCH, `Can't switch: mountpoint ${target.id} has no matching streams`);
      await service.unrouteAll(viewer, ctx.api);
      viewer.mountpoint.viewers.delete(viewer);
      viewer.mountpoint = target;
      target.viewers.add(viewer);
      for (const [i, s] of viewer.streams.entries()) s.source = sources[i] as MountpointStream;
      for (const s of viewer.streams) await service.routeStream(viewer, s, ctx.api);
    }
    await ctx.reply({ streaming: 'event', result: { switched: 'ok', id: target.id } });
  }

  return {
    switch: asyncRequest({ schema: switchSchema, run: switchMountpoint }),
    watch: asyncRequest({ schema: watchSchema, run: watch }),
    start: asyncRequest({ run: start }),
    pause: asyncRequest({ run: pause }),
    configure: asyncRequest({ schema: configureSchema, run: configure }),
    stop: asyncRequest({ run: stop }),
  };
}
