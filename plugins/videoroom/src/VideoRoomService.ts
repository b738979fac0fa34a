import { RoomAccess, type HandleId, type JsonObject, type LayerSwitchEvent, type PluginApi, type TalkingEvent } from '@cardea/plugin-sdk';
import { VideoRoomError } from './videoroomErrors.ts';
import type { Publisher } from './Publisher.ts';
import type { Room, RoomOptions } from './Room.ts';
import type { Subscriber } from './Subscriber.ts';

/** What a handle is in the VideoRoom. */
export type Role = { kind: 'publisher'; publisher: Publisher } | { kind: 'subscriber'; subscriber: Subscriber };

/** Default options of a new room, as Janus's. */
export function defaultRoomOptions(): RoomOptions {
  return {
    description: '',
    secret: undefined,
    pin: undefined,
    isPrivate: false,
    publishers: 3,
    bitrate: 0,
    firFreq: 0,
    audiocodec: ['opus'],
    videocodec: ['vp8'],
    notifyJoining: false,
    requirePvtid: false,
    audiolevelEvent: false,
    audioActivePackets: 100,
    audioLevelAverage: 25,
    record: false,
    recDir: undefined,
    allowed: undefined,
  };
}

/**
 * The state shared by the VideoRoom's request handlers: rooms, what each handle is, and the ways
 * to reach clients. Request handling lives in roomRequests.ts, publisherRequests.ts and
 * subscriberRequests.ts; this class keeps the state consistent when handles and media go away.
 */
export class VideoRoomService {
  readonly rooms = new Map<number, Room>();
  readonly roles = new Map<HandleId, Role>();
  /** Hooks set by the request modules (so this file does not import them back). */
  onPublisherGone: (publisher: Publisher, api: PluginApi, reason: 'leaving' | 'unpublished') => Promise<void> = async () => undefined;
  onPublisherUp: (publisher: Publisher, api: PluginApi) => Promise<void> = async () => undefined;
  onSubscriberGone: (subscriber: Subscriber, api: PluginApi) => Promise<void> = async () => undefined;

  /** Room lookup, secret, pin and allowed list, with the VideoRoom's codes (433 unauthorized). */
  readonly access = new RoomAccess<Room>({
    key: 'videoroom',
    codes: VideoRoomError,
    lookup: (id) => {
      const room = this.rooms.get(id);
      return room && !room.destroyed ? room : undefined;
    },
  });

  publisherOf(handle: HandleId): Publisher | undefined {
    const role = this.roles.get(handle);
    return role?.kind === 'publisher' ? role.publisher : undefined;
  }

  subscriberOf(handle: HandleId): Subscriber | undefined {
    const role = this.roles.get(handle);
    return role?.kind === 'subscriber' ? role.subscriber : undefined;
  }

  /** Sends an unsolicited event to every participant of a room (optionally but one). */
  async notify(room: Room, data: JsonObject, api: PluginApi, except?: number): Promise<void> {
    await Promise.all(room.participantHandles(except).map((h) => api.pushEvent(h, { data })));
  }

  /** A handle detached (or its session ended): leave its room. */
  async handleGone(handle: HandleId, api: PluginApi): Promise<void> {
    const role = this.roles.get(handle);
    if (!role) return;
    this.roles.delete(handle);
    if (role.kind === 'publisher') await this.onPublisherGone(role.publisher, api, 'leaving');
    else await this.onSubscriberGone(role.subscriber, api);
  }

  async mediaUp(handle: HandleId, api: PluginApi): Promise<void> {
    const publisher = this.publisherOf(handle);
    if (publisher?.publishing && !publisher.active) await this.onPublisherUp(publisher, api);
  }

  /** A publisher's PeerConnection went away: it stops publishing (others get `unpublished`). */
  async mediaGone(handle: HandleId, api: PluginApi): Promise<void> {
    const publisher = this.publisherOf(handle);
    if (publisher?.publishing) await this.onPublisherGone(publisher, api, 'unpublished');
  }

  async talking(event: TalkingEvent, api: PluginApi): Promise<void> {
    const publisher = this.publisherOf(event.handle);
    if (!publisher || !publisher.room.options.audiolevelEvent) return;
    publisher.talking = event.talking;
    const data: JsonObject = {
      videoroom: event.talking ? 'talking' : 'stopped-talking',
      room: publisher.room.id,
      id: publisher.id,
      mid: event.mid,
      'audio-level-dBov-avg': event.level,
    };
    await this.notify(publisher.room, data, api);
  }

  /**
   * A subscriber's simulcast switch took effect: Janus tells it with
   * `{"videoroom":"event","room","mid","substream":n}` or `…"temporal":n` (shared/janus-api.md §5.3).
   */
  async layerSwitched(event: LayerSwitchEvent, api: PluginApi): Promise<void> {
    const role = this.roles.get(event.handle);
    if (role?.kind !== 'subscriber') return;
    const data: JsonObject = { videoroom: 'event', room: role.subscriber.room.id, mid: event.mid };
    if (event.substream !== undefined) data.substream = event.substream;
    else if (event.temporal !== undefined) data.temporal = event.temporal;
    else return;
    await api.pushEvent(event.handle, { data });
  }

  query(handle: HandleId): JsonObject {
    const role = this.roles.get(handle);
    if (!role) return { type: 'none' };
    if (role.kind === 'publisher') {
      const p = role.publisher;
      return {
        type: 'publisher',
        room: p.room.id,
        id: p.id,
        ...(p.display ? { display: p.display } : {}),
        publishing: p.publishing,
        active: p.active,
      };
    }
    const s = role.subscriber;
    return { type: 'subscriber', room: s.room.id, paused: s.paused, streams: s.describe() };
  }
}
