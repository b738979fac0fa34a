import type { HandleId, JsonObject } from '@cardea/plugin-sdk';
import type { Room } from './Room.ts';

/** One stream a subscriber receives: its own mid, fed by a publisher's mid. */
export interface SubscribedStream {
  type: 'audio' | 'video' | 'data';
  /** Mid on the subscriber's PeerConnection (known after negotiation). */
  mid: string | undefined;
  mindex: number;
  feedId: number;
  feedMid: string;
  feedDisplay: string | undefined;
  codec: string | undefined;
  /** False once the feed went away or the stream was unsubscribed (the m-line stays, inactive). */
  active: boolean;
  /** False when the subscriber paused this stream (`configure` send:false). */
  send: boolean;
  substream: number | undefined;
  temporal: number | undefined;
}

/** A subscriber handle (multistream): one PeerConnection receiving streams of many publishers. */
export class Subscriber {
  readonly handle: HandleId;
  readonly room: Room;
  streams: SubscribedStream[] = [];
  /** The gateway sent an offer and waits for `start` with the answer. */
  awaitingAnswer = false;
  /** An update arrived while an offer was pending: renegotiate after the answer. */
  updatePending = false;
  paused = false;
  autoupdate: boolean;
  /** Set for the legacy single-feed join (`feed`), which answers with deprecated extras. */
  legacyFeed: number | undefined;

  constructor(handle: HandleId, room: Room, autoupdate: boolean) {
    this.handle = handle;
    this.room = room;
    this.autoupdate = autoupdate;
  }

  /** The streams as `attached` / `updated` list them. */
  describe(): JsonObject[] {
    return this.streams.map((s) => {
      const out: JsonObject = {
        type: s.type,
        active: s.active,
        mindex: s.mindex,
        mid: s.mid ?? String(s.mindex),
        ready: !this.awaitingAnswer,
        send: s.send,
        feed_id: s.feedId,
        feed_mid: s.feedMid,
      };
      if (s.feedDisplay !== undefined) out.feed_display = s.feedDisplay;
      if (s.codec) out.codec = s.codec;
      return out;
    });
  }
}
