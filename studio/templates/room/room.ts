import type { HandleId, JsonObject, PluginApi } from '@cardea/plugin-sdk';

/** Someone in the room. */
export interface Participant {
  handle: HandleId;
  display: string;
  /** True once their media reaches the gateway. */
  publishing: boolean;
}

/** A small room: who is in it, and a broadcast to everyone but the sender. */
export class Room {
  readonly participants = new Map<HandleId, Participant>();

  join(handle: HandleId, display: string): Participant {
    const participant: Participant = { handle, display, publishing: false };
    this.participants.set(handle, participant);
    return participant;
  }

  leave(handle: HandleId): Participant | undefined {
    const participant = this.participants.get(handle);
    this.participants.delete(handle);
    return participant;
  }

  list(): JsonObject[] {
    return [...this.participants.values()].map((p) => ({ id: p.handle, display: p.display, publishing: p.publishing }));
  }

  async broadcast(from: HandleId, data: JsonObject, api: PluginApi): Promise<void> {
    for (const handle of this.participants.keys()) {
      if (handle !== from) await api.pushEvent(handle, { data });
    }
  }
}
