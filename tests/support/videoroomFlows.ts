import type { HarnessEvent, HarnessUser } from './harnessPage.ts';

/** Plugin data of a harness event. */
export const data = (e: HarnessEvent): Record<string, unknown> => e.msg ?? {};

type Track = { type: 'audio' | 'video' | 'data'; capture?: boolean | Record<string, unknown>; recv?: boolean; simulcast?: boolean };

/** Joins `room` as a publisher on handle `name` and publishes; returns the publisher id. */
export async function joinAndPublish(user: HarnessUser, room: number, display: string, opts: { name?: string; simulcast?: boolean; video?: Record<string, unknown> } = {}): Promise<number> {
  const name = opts.name ?? 'pub';
  await user.attach(name, 'janus.plugin.videoroom');
  await user.send(name, { request: 'join', ptype: 'publisher', room, display });
  const joined = await user.waitForEvent(name, (e) => data(e).videoroom === 'joined', `${display} joined`);
  const tracks: Track[] = [
    { type: 'audio', capture: true, recv: false },
    { type: 'video', capture: opts.video ?? true, recv: false, ...(opts.simulcast ? { simulcast: true } : {}) },
  ];
  const offer = await user.createOffer(name, tracks as never);
  await user.send(name, { request: 'configure', audio: true, video: true }, offer);
  const configured = await user.waitForEvent(name, (e) => data(e).configured === 'ok' && e.jsep != null, `${display} configured`);
  await user.handleRemoteJsep(name, configured.jsep);
  return data(joined).id as number;
}

/** Joins as a multistream subscriber to `feeds`, answers the offer and starts; returns the attached event. */
export async function subscribe(user: HarnessUser, room: number, feeds: Array<{ feed: number; mid?: string }>, name = 'sub'): Promise<HarnessEvent> {
  await user.attach(name, 'janus.plugin.videoroom');
  await user.send(name, { request: 'join', ptype: 'subscriber', room, streams: feeds });
  const attached = await user.waitForEvent(name, (e) => data(e).videoroom === 'attached' && e.jsep != null, 'attached');
  const answer = await user.createAnswer(name, attached.jsep, []);
  await user.send(name, { request: 'start' }, answer);
  await user.waitForEvent(name, (e) => data(e).started === 'ok', 'started');
  return attached;
}
